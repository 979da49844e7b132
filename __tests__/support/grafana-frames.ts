import type { DataFrameJSON, FieldType } from "@grafana/data";
import type { TargetJson } from "../../constructs/grafana/dashboards/common";

/**
 * Frames in the wire form (DataFrameJSON) the datasources' backends send, built from a panel's own
 * target so that a change to the query changes the fixture as it would change the real response.
 * MODEL of the Go code named at each builder; re-read it on a Grafana or plugin upgrade.
 */

type Cell = string | number | null;

const METRIC_NAMES: Readonly<Record<string, string>> = { count: "Count", avg: "Average" };

/**
 * A terms table (innermost bucket `terms`), as grafana/grafana pkg/tsdb/elasticsearch/response_parser.go
 * (processAggregationDocs, v11.6 line) builds it: one frame without a name; first the outer bucket
 * fields sorted by name (createPropKeys), then the innermost bucket field, then one column per
 * metric named by type from models.go's metricAggType (`Count`, `Average`); a metric's field is
 * appended only when two metrics share a type (addOtherMetricsToFields). An `avg` over documents
 * without the field is ES `{"value": null}`, which castToFloat turns into null.
 *
 * `rows` are keyed by bucket field and by metric id.
 */
export function elasticsearchTermsFrame(
  target: TargetJson,
  rows: readonly Record<string, Cell>[],
): DataFrameJSON {
  const buckets = target.bucketAggs ?? [];
  const inner = buckets[buckets.length - 1];
  if (inner === undefined || buckets.some((b) => b.type !== "terms" || b.field === undefined)) {
    throw new Error(`target ${target.refId}: not a terms table`);
  }
  const outer = buckets.slice(0, -1).map((b) => b.field as string);
  const metrics = target.metrics ?? [];
  const metricName = (m: (typeof metrics)[number]): string => {
    const name = METRIC_NAMES[m.type];
    if (name === undefined) throw new Error(`no display name for metric type ${m.type} in this fixture`);
    const sameType = metrics.filter((o) => o.type === m.type).length;
    return m.type !== "count" && sameType > 1 ? `${name} ${m.field}` : name;
  };
  const columns: { name: string; key: string; type: FieldType; filterable: boolean }[] = [
    ...[...outer].sort().map((f) => ({ name: f, key: f, type: "string" as FieldType, filterable: false })),
    {
      name: inner.field as string,
      key: inner.field as string,
      type: "string" as FieldType,
      filterable: true,
    },
    ...metrics.map((m) => ({
      name: metricName(m),
      key: m.id,
      type: "number" as FieldType,
      filterable: false,
    })),
  ];
  return {
    schema: {
      refId: target.refId,
      fields: columns.map((c) => ({
        name: c.name,
        type: c.type,
        ...(c.filterable ? { config: { filterable: true } } : {}),
      })),
    },
    data: { values: columns.map((c) => rows.map((r) => cellOf(r, c.key))) },
  };
}

/**
 * A raw_data response, as response_parser.go (processRawDataResponse, processDocsToDataFrameFields)
 * builds it: one frame without a name; the time field first (typed time), then `_id`, `_index`,
 * `_type`, `highlight`, `sort` and the flattened `_source` keys, sorted by name; a column's type is
 * that of its first non-null value (string, number, boolean), anything else is raw JSON (`other`).
 */
export function elasticsearchRawDataFrame(
  target: TargetJson,
  timeField: string,
  hits: readonly {
    readonly _id: string;
    readonly _index: string;
    readonly _source: Record<string, unknown>;
  }[],
): DataFrameJSON {
  const docs = hits.map((h) => ({
    _id: h._id,
    _index: h._index,
    _type: null,
    highlight: null,
    sort: null,
    ...flatten(h._source),
  })) as Record<string, unknown>[];
  const names = [...new Set(docs.flatMap((d) => Object.keys(d)))];
  const ordered = [
    ...(names.includes(timeField) ? [timeField] : []),
    ...names.filter((n) => n !== timeField).sort(),
  ];
  const typeOf = (name: string): FieldType => {
    if (name === timeField) return "time" as FieldType;
    const first = docs.map((d) => d[name]).find((v) => v !== null && v !== undefined);
    if (typeof first === "string") return "string" as FieldType;
    if (typeof first === "number") return "number" as FieldType;
    if (typeof first === "boolean") return "boolean" as FieldType;
    return "other" as FieldType;
  };
  return {
    schema: {
      refId: target.refId,
      fields: ordered.map((name) => ({ name, type: typeOf(name), config: { filterable: true } })),
    },
    data: {
      values: ordered.map((name) =>
        docs.map((d) => {
          const v = d[name];
          if (name === timeField) return typeof v === "string" ? Date.parse(v) : null;
          const type = typeOf(name);
          if (type === "other") return JSON.parse(JSON.stringify(v ?? null));
          return v === undefined ? null : v;
        }),
      ),
    },
  };
}

/** The Infinity query model's parts the frame depends on. */
export interface InfinityTarget {
  readonly refId: string;
  readonly columns: readonly { readonly selector: string; readonly text: string; readonly type: string }[];
}

/**
 * An Infinity JSON response with the backend parser, as grafana/grafana-infinity-datasource v3.11.1
 * builds it: a frame named after the query's refId (pkg/infinity/meta.go GetDummyFrame,
 * jsonBackend.go `FrameName: query.RefID`), one field per column, named by the column's `text`
 * (`Alias`). `rows` are the objects under the root selector, keyed by selector; a missing key is null.
 */
export function infinityFrame(target: InfinityTarget, rows: readonly Record<string, Cell>[]): DataFrameJSON {
  return {
    schema: {
      name: target.refId,
      refId: target.refId,
      fields: target.columns.map((c) => ({
        name: c.text,
        type: (c.type === "number" ? "number" : "string") as FieldType,
      })),
    },
    data: { values: target.columns.map((c) => rows.map((r) => cellOf(r, c.selector))) },
  };
}

function cellOf(row: Record<string, Cell>, key: string): Cell {
  return key in row ? row[key] : null;
}

/** Dot-joined keys of nested objects, as response_parser.go's flatten (max depth 10). */
function flatten(source: Record<string, unknown>, prefix = "", depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      Object.keys(value).length > 0 &&
      depth < 10
    ) {
      Object.assign(out, flatten(value as Record<string, unknown>, name, depth + 1));
    } else {
      out[name] = value;
    }
  }
  return out;
}
