import type { FieldSpec, FieldType } from "../../elasticsearch/fields";
import { AGGREGATABLE_TYPES, findField } from "../../elasticsearch/fields";
import type { DataSourceRefJson, PanelJson, TargetJson } from "./common";
import { ELASTICSEARCH_DATASOURCE_TYPE } from "./common";

/**
 * Synth-time check that every field a dashboard's Elasticsearch queries use exists, with a
 * usable type, in the catalogue of the datasource the query runs against. A typo or a mapping
 * change then fails `cdktf synth` instead of showing "No data" in Grafana.
 */

/** Field catalogue per Elasticsearch datasource uid. */
export type FieldCatalogues = Readonly<Record<string, readonly FieldSpec[]>>;

/** The part of a dashboard the check reads. */
export interface CheckableDashboard {
  readonly title: string;
  readonly panels: readonly PanelJson[];
}

export class DashboardFieldError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`dashboard field check failed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "DashboardFieldError";
  }
}

const NUMERIC_TYPES: ReadonlySet<FieldType> = new Set(["integer", "long", "float"]);
const DATE_TYPES: ReadonlySet<FieldType> = new Set(["date"]);
const NUMERIC_OR_DATE_TYPES: ReadonlySet<FieldType> = new Set([...NUMERIC_TYPES, ...DATE_TYPES]);

/** Types each aggregation accepts; anything not listed needs an aggregatable type. */
const ACCEPTED_TYPES: Readonly<Record<string, ReadonlySet<FieldType>>> = {
  date_histogram: DATE_TYPES,
  histogram: NUMERIC_TYPES,
  avg: NUMERIC_TYPES,
  sum: NUMERIC_TYPES,
  extended_stats: NUMERIC_TYPES,
  percentiles: NUMERIC_TYPES,
  rate: NUMERIC_TYPES,
  min: NUMERIC_OR_DATE_TYPES,
  max: NUMERIC_OR_DATE_TYPES,
};

interface FieldUse {
  readonly path: string;
  /** Where the field appears, e.g. `terms bucket of query A`. */
  readonly where: string;
  /** Types allowed here; undefined = any type (query strings), as long as the field exists. */
  readonly accepted?: ReadonlySet<FieldType>;
}

/** Returns one line per problem; empty when every field checks out. */
export function checkDashboardFields(dashboard: CheckableDashboard, catalogues: FieldCatalogues): string[] {
  const problems: string[] = [];
  for (const panel of flattenPanels(dashboard.panels)) {
    const prefix = `dashboard "${dashboard.title}", panel "${panel.title ?? `#${panel.id ?? "?"}`}"`;
    for (const target of panel.targets ?? []) {
      const datasource = target.datasource ?? panel.datasource;
      if (datasource?.type !== ELASTICSEARCH_DATASOURCE_TYPE) {
        continue;
      }
      const catalogue = catalogueFor(datasource, catalogues);
      for (const use of fieldUses(target)) {
        const problem = checkUse(use, catalogue, datasource);
        if (problem !== undefined) {
          problems.push(`${prefix}: field "${use.path}" ${problem}`);
        }
      }
    }
  }
  return problems;
}

/** Throws `DashboardFieldError` listing every problem, if there is any. */
export function assertDashboardFields(dashboard: CheckableDashboard, catalogues: FieldCatalogues): void {
  const problems = checkDashboardFields(dashboard, catalogues);
  if (problems.length > 0) {
    throw new DashboardFieldError(problems);
  }
}

function catalogueFor(
  datasource: DataSourceRefJson,
  catalogues: FieldCatalogues,
): readonly FieldSpec[] | undefined {
  const uid = datasource.uid;
  return uid !== undefined && Object.prototype.hasOwnProperty.call(catalogues, uid)
    ? catalogues[uid]
    : undefined;
}

function checkUse(
  use: FieldUse,
  catalogue: readonly FieldSpec[] | undefined,
  datasource: DataSourceRefJson,
): string | undefined {
  if (catalogue === undefined) {
    return `(${use.where}) cannot be checked: datasource "${datasource.uid ?? ""}" has no field catalogue`;
  }
  const field = findField(catalogue, use.path);
  if (field === undefined) {
    // Sub-fields of an enabled object are queryable but untyped: fine in a query string only.
    if (use.accepted === undefined && hasObjectAncestor(catalogue, use.path)) {
      return undefined;
    }
    return `(${use.where}) is not in the field catalogue of datasource "${datasource.uid ?? ""}"`;
  }
  if (use.accepted !== undefined && !use.accepted.has(field.type)) {
    return `(${use.where}) has type ${field.type}; it needs one of ${[...use.accepted].join(", ")}`;
  }
  return undefined;
}

function hasObjectAncestor(catalogue: readonly FieldSpec[], path: string): boolean {
  const parts = path.split(".");
  for (let i = parts.length - 1; i > 0; i--) {
    if (findField(catalogue, parts.slice(0, i).join("."))?.type === "object") {
      return true;
    }
  }
  return false;
}

function fieldUses(target: TargetJson): FieldUse[] {
  const ref = `query ${target.refId}`;
  const uses: FieldUse[] = [];
  if (target.timeField !== undefined) {
    uses.push({ path: target.timeField, where: `time field of ${ref}`, accepted: DATE_TYPES });
  }
  for (const bucket of target.bucketAggs ?? []) {
    if (bucket.field !== undefined) {
      uses.push({
        path: bucket.field,
        where: `${bucket.type} bucket of ${ref}`,
        accepted: ACCEPTED_TYPES[bucket.type] ?? AGGREGATABLE_TYPES,
      });
    }
  }
  for (const metric of target.metrics ?? []) {
    if (metric.field !== undefined) {
      uses.push({
        path: metric.field,
        where: `${metric.type} metric of ${ref}`,
        accepted: ACCEPTED_TYPES[metric.type] ?? AGGREGATABLE_TYPES,
      });
    }
  }
  // A range on a keyword compares strings ("500" < "60"): `status:>=400` needs a number or a date.
  const ranges = new Set(luceneRangeFields(target.query ?? ""));
  for (const path of luceneFields(target.query ?? "")) {
    uses.push(
      ranges.has(path)
        ? { path, where: `range query of ${ref}`, accepted: NUMERIC_OR_DATE_TYPES }
        : { path, where: `query string of ${ref}` },
    );
  }
  for (const match of (target.alias ?? "").matchAll(/\{\{\s*term\s+([^}\s]+)\s*\}\}/g)) {
    uses.push({ path: match[1], where: `alias of ${ref}`, accepted: AGGREGATABLE_TYPES });
  }
  return uses;
}

/**
 * Field names of `field:value` clauses in a Lucene query string (`_exists_:field` included).
 * Quoted phrases are removed first so that colons inside values do not count.
 */
export function luceneFields(query: string): string[] {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const fields: string[] = [];
  for (const match of unquoted.matchAll(/(?:^|[\s(+\-!])([A-Za-z_@][\w.@]*)\s*:\s*([A-Za-z_@][\w.@]*)?/g)) {
    const [, name, value] = match;
    if (name === "_exists_") {
      if (value !== undefined) {
        fields.push(value);
      }
    } else {
      fields.push(name);
    }
  }
  return [...new Set(fields)];
}

/** Fields of range clauses: `field:>=400`, `field:<now-1h`, `field:[1 TO 5]`, `field:{a TO b}`. */
export function luceneRangeFields(query: string): string[] {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const fields = [...unquoted.matchAll(/(?:^|[\s(+\-!])([A-Za-z_@][\w.@]*)\s*:\s*(?:[<>]=?|[[{])/g)].map(
    (m) => m[1],
  );
  return [...new Set(fields)];
}

function flattenPanels(panels: readonly PanelJson[]): PanelJson[] {
  return panels.flatMap((panel) => [panel, ...flattenPanels(panel.panels ?? [])]);
}
