/**
 * What real Terraform cannot report about synthesized Terraform JSON, because with a
 * schema-only provider (scripts/offline-terraform) nobody implements the provider's side
 * of validation. Terraform itself reports everything else the schemas imply: unknown
 * keys, types, required arguments, block counts, references, meta-arguments, variables
 * and outputs (see README.md, "Offline Terraform check", for the evidence).
 *
 * Checked here, against the vendored schemas:
 * - a required attribute set to null (Terraform core treats it as set; the provider SDK
 *   rejects it);
 * - a computed-only attribute set (the SDK's "unconfigurable attribute"; for the SDKv2 `id`
 *   of the docs-derived schemas only a warning, providers/README.md);
 * - deprecated resources, data sources, attributes and blocks (the SDK's warnings);
 * - keys of a nested attribute or object value that Terraform's conversion silently drops
 *   (hashicorp/terraform#33570);
 * - a pinned provider version that differs from the vendored schema's (a reattached
 *   provider is never version-checked).
 */
import {
  normalizeSource,
  type CtyType,
  type NestedType,
  type ProviderEntry,
  type ProviderSchemaSet,
  type SchemaAttribute,
  type SchemaBlock,
} from "./provider-schema";

export { loadVendoredSchemas, normalizeSource } from "./provider-schema";

export type Severity = "error" | "warning";

export interface Problem {
  /** Terraform address: `docker_container.x`, `data.grafana_folder.y`, `provider.docker`. */
  readonly address: string;
  /** Where inside the block, e.g. `healthcheck[0].interval`; empty for the block itself. */
  readonly path: string;
  readonly message: string;
  readonly severity: Severity;
}

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Terraform JSON reads every string as a template: one holding `${` or `%{` is an
 * expression of unknown type; `$${` and `%%{` are escapes for literal text.
 */
export function isTemplateExpression(s: string): boolean {
  for (let i = 0; i < s.length - 1; i++) {
    const c = s[i];
    if (c !== "$" && c !== "%") continue;
    if (s[i + 1] === c && s[i + 2] === "{") i += 2;
    else if (s[i + 1] === "{") return true;
  }
  return false;
}

const isExpression = (v: unknown): boolean => typeof v === "string" && isTemplateExpression(v);

function join(base: string, key: string): string {
  const step = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (!base) return step;
  return step.startsWith("[") ? base + step : `${base}.${step}`;
}

const at = (base: string, i: number): string => `${base}[${i}]`;
const mapKey = (base: string, k: string): string => `${base}[${JSON.stringify(k)}]`;

/** Bodies of a block that JSON may give as one object or an array of them. */
const bodies = (value: Json | undefined): Record<string, Json>[] =>
  (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).filter(isObject);

class Checker {
  readonly problems: Problem[] = [];
  private address = "";
  private idUncertain = false;
  private readonly versionWarned = new Set<string>();
  private readonly required = new Map<string, { source: string; version?: string }>();

  constructor(private readonly schemas: ProviderSchemaSet) {}

  private report(path: string, message: string, severity: Severity = "error"): void {
    this.problems.push({ address: this.address, path, message, severity });
  }

  run(doc: unknown): void {
    if (!isObject(doc)) return; // Terraform's to report
    for (const body of bodies(doc["terraform"])) {
      for (const rp of bodies(body["required_providers"])) {
        for (const [local, req] of Object.entries(rp)) {
          if (!isObject(req)) continue;
          this.required.set(local, {
            source: normalizeSource(typeof req["source"] === "string" ? req["source"] : local),
            version: typeof req["version"] === "string" ? req["version"] : undefined,
          });
        }
      }
    }
    if (isObject(doc["provider"])) {
      for (const [local, configs] of Object.entries(doc["provider"])) {
        for (const body of bodies(configs)) {
          this.address = `provider.${local}${typeof body["alias"] === "string" ? `.${body["alias"]}` : ""}`;
          const entry = this.entryFor(local);
          this.idUncertain = false;
          if (entry) this.body(body, entry.schema.provider?.block ?? {}, "");
        }
      }
    }
    this.resources(doc["resource"], "managed");
    this.resources(doc["data"], "data");
  }

  private entryFor(local: string): ProviderEntry | undefined {
    const req = this.required.get(local);
    const entry = this.schemas.get(req?.source ?? normalizeSource(local));
    if (!entry) return undefined; // Terraform's init reports an unknown provider
    const pinned = req?.version?.replace(/^\s*=\s*/, "").trim();
    if (entry.version && pinned && /^\d+\.\d+\.\d+$/.test(pinned) && pinned !== entry.version) {
      if (!this.versionWarned.has(entry.source)) {
        this.versionWarned.add(entry.source);
        const address = this.address;
        this.address = `provider.${local}`;
        this.report(
          "",
          `the configuration pins ${entry.source} ${pinned} but the schema is for ${entry.version}`,
          "warning",
        );
        this.address = address;
      }
    }
    return entry;
  }

  private resources(value: Json | undefined, mode: "managed" | "data"): void {
    if (!isObject(value)) return;
    for (const [type, named] of Object.entries(value)) {
      if (!isObject(named)) continue;
      for (const [name, blocks] of Object.entries(named)) {
        if (name === "//") continue;
        this.address = `${mode === "data" ? "data." : ""}${type}.${name}`;
        for (const body of bodies(blocks)) {
          const ref =
            typeof body["provider"] === "string" ? /^(?:\$\{)?([A-Za-z][\w-]*)/.exec(body["provider"]) : null;
          const entry = this.entryFor(ref?.[1] ?? type.split("_")[0]);
          const table =
            mode === "managed" ? entry?.schema.resource_schemas : entry?.schema.data_source_schemas;
          const schema = table?.[type];
          if (!entry || !schema) continue; // Terraform reports an unknown type
          this.idUncertain = entry.idReadOnlyUncertain ?? false;
          if (schema.block.deprecated) this.report("", `${type} is deprecated`, "warning");
          this.body(body, schema.block, "");
        }
      }
    }
  }

  private body(body: Record<string, Json>, block: SchemaBlock, path: string): void {
    const attributes = block.attributes ?? {};
    const blockTypes = block.block_types ?? {};
    for (const [key, value] of Object.entries(body)) {
      const p = join(path, key);
      if (attributes[key]) this.attribute(value, attributes[key], p, key);
      else if (blockTypes[key]) {
        const bt = blockTypes[key];
        if (bt.block.deprecated && value !== null) this.report(p, `block "${key}" is deprecated`, "warning");
        if (bt.nesting_mode === "map" && isObject(value)) {
          for (const [label, b] of Object.entries(value))
            for (const lb of bodies(b)) this.body(lb, bt.block, mapKey(p, label));
        } else {
          const single = bt.nesting_mode === "single" || bt.nesting_mode === "group";
          bodies(value).forEach((b, i) => this.body(b, bt.block, single ? p : at(p, i)));
        }
      } else if (key === "dynamic" && isObject(value)) {
        for (const [type, specs] of Object.entries(value)) {
          const bt = blockTypes[type];
          if (!bt) continue;
          for (const spec of bodies(specs))
            for (const content of bodies(spec["content"]))
              this.body(content, bt.block, join(join(p, type), "content"));
        }
      }
      // Anything else (meta-arguments, unknown keys) is Terraform's to judge.
    }
  }

  private attribute(value: Json, attr: SchemaAttribute, path: string, name: string): void {
    if (attr.computed && !attr.optional && !attr.required) {
      if (value === null) return;
      if (name === "id" && this.idUncertain) {
        this.report(
          path,
          `"id" is read-only in this docs-derived schema; Terraform rejects it unless the resource is SDKv2`,
          "warning",
        );
      } else this.report(path, `"${name}" is computed (read-only) and cannot be set`);
      return;
    }
    if (value === null) {
      if (attr.required) this.report(path, `required attribute "${name}" is null`);
      return;
    }
    if (attr.deprecated) this.report(path, `"${name}" is deprecated`, "warning");
    if (attr.nested_type) this.nested(value, attr.nested_type, path);
    else if (attr.type) this.value(value, attr.type, path);
  }

  private nested(value: Json, nt: NestedType, path: string): void {
    if (isExpression(value)) return;
    const items: [string, Json][] =
      nt.nesting_mode === "single"
        ? [[path, value]]
        : nt.nesting_mode === "map"
          ? isObject(value)
            ? Object.entries(value).map(([k, v]) => [mapKey(path, k), v])
            : []
          : Array.isArray(value)
            ? value.map((v, i) => [at(path, i), v])
            : [];
    for (const [p, v] of items) {
      if (!isObject(v)) continue;
      for (const [key, x] of Object.entries(v)) {
        const attr = nt.attributes[key];
        if (!attr)
          this.report(
            join(p, key),
            `"${key}" is not an attribute here; Terraform silently drops it`,
            "warning",
          );
        else this.attribute(x, attr, join(p, key), key);
      }
    }
  }

  /** Object-typed values inside a literal: keys outside the type are dropped silently. */
  private value(v: Json, t: CtyType, path: string): void {
    if (v === null || typeof t === "string" || isExpression(v)) return;
    switch (t[0]) {
      case "list":
      case "set":
        if (Array.isArray(v)) v.forEach((e, i) => this.value(e, t[1], at(path, i)));
        return;
      case "map":
        if (isObject(v)) for (const [k, e] of Object.entries(v)) this.value(e, t[1], mapKey(path, k));
        return;
      case "tuple":
        if (Array.isArray(v))
          v.forEach((e, i) => t[1][i] !== undefined && this.value(e, t[1][i], at(path, i)));
        return;
      case "object":
        if (!isObject(v)) return;
        for (const [k, e] of Object.entries(v)) {
          const attrType = t[1][k];
          if (attrType === undefined)
            this.report(
              join(path, k),
              `"${k}" is not part of the object type; Terraform silently drops it`,
              "warning",
            );
          else this.value(e, attrType, join(path, k));
        }
    }
  }
}

/** Checks Terraform JSON (e.g. a parsed `cdk.tf.json`) for what Terraform cannot see. */
export function checkConformance(tfJson: unknown, schemas: ProviderSchemaSet): Problem[] {
  const checker = new Checker(schemas);
  checker.run(tfJson);
  return checker.problems;
}

/** One line: `error: random_password.x.length: required attribute "length" is null`. */
export function formatProblem(p: Problem): string {
  const where = p.path ? (p.path.startsWith("[") ? p.address + p.path : `${p.address}.${p.path}`) : p.address;
  return `${p.severity}: ${where}: ${p.message}`;
}
