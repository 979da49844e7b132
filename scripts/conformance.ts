/**
 * Offline stand-in for `terraform validate`: checks synthesized Terraform JSON
 * (`cdk.tf.json`) against provider schemas in the `terraform providers schema -json`
 * format. Pure apart from `loadVendoredSchemas`, which reads files.
 */
import * as fs from "node:fs";
import * as path from "node:path";

// --- schema format ----------------------------------------------------------------

/** A cty type as the schema JSON writes it. */
export type CtyType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | readonly ["list" | "set" | "map", CtyType]
  | readonly ["object", Readonly<Record<string, CtyType>>, (readonly string[])?]
  | readonly ["tuple", readonly CtyType[]];

export interface SchemaAttribute {
  readonly type?: CtyType;
  readonly nested_type?: NestedType;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  readonly deprecated?: boolean;
  readonly write_only?: boolean;
}

/** Framework nested attributes: an attribute whose value has attributes of its own. */
export interface NestedType {
  readonly attributes: Readonly<Record<string, SchemaAttribute>>;
  readonly nesting_mode: "single" | "list" | "set" | "map";
  readonly min_items?: number;
  readonly max_items?: number;
}

export interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<Record<string, SchemaBlockType>>;
  readonly deprecated?: boolean;
}

export interface SchemaBlockType {
  readonly nesting_mode: "single" | "group" | "list" | "set" | "map";
  readonly block: SchemaBlock;
  readonly min_items?: number;
  readonly max_items?: number;
}

export interface ResourceSchema {
  readonly version?: number;
  readonly block: SchemaBlock;
}

export interface ProviderSchema {
  readonly provider?: ResourceSchema;
  readonly resource_schemas?: Readonly<Record<string, ResourceSchema>>;
  readonly data_source_schemas?: Readonly<Record<string, ResourceSchema>>;
}

export interface ProviderEntry {
  /** Fully qualified source, e.g. `registry.terraform.io/kreuzwerker/docker`. */
  readonly source: string;
  /** Provider version the schema describes, when known. */
  readonly version?: string;
  readonly schema: ProviderSchema;
  /**
   * Docs-derived schemas list the SDKv2 `id` as read-only although Terraform accepts it
   * (providers/README.md), so setting `id` is only a warning for these providers.
   */
  readonly idReadOnlyUncertain?: boolean;
}

/** Provider schemas by fully qualified source address. */
export type ProviderSchemaSet = ReadonlyMap<string, ProviderEntry>;

export type Severity = "error" | "warning";

export interface Problem {
  /** Terraform address: `docker_container.x`, `data.grafana_folder.y`, `provider.docker`, `var.v`. */
  readonly address: string;
  /** Where inside the block, e.g. `healthcheck[0].interval`; empty for the block itself. */
  readonly path: string;
  readonly message: string;
  readonly severity: Severity;
}

// --- loading ----------------------------------------------------------------------

/** `kreuzwerker/docker` -> `registry.terraform.io/kreuzwerker/docker`, lower-cased like Terraform. */
export function normalizeSource(source: string): string {
  const parts = source.trim().toLowerCase().split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts[0]}/${parts[1]}`;
  return parts.join("/");
}

// These two were made from docs, where the SDKv2 `id` appears as read-only.
const DOCS_DERIVED_WITH_SDKV2 = new Set([
  "registry.terraform.io/kreuzwerker/docker",
  "registry.terraform.io/elastic/elasticstack",
]);

function defaultSchemasDir(): string {
  // Works from scripts/ and from a bundle placed elsewhere inside the repository.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "providers");
    if (fs.existsSync(candidate) && fs.readdirSync(candidate).some((f) => f.endsWith(".schema.json"))) {
      return candidate;
    }
    if (path.dirname(dir) === dir) return path.resolve("providers");
  }
}

/** Reads every `<name>-<version>.schema.json` in `dir` and indexes them by provider source. */
export function loadVendoredSchemas(dir: string = defaultSchemasDir()): ProviderSchemaSet {
  const set = new Map<string, ProviderEntry>();
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".schema.json"))
    .sort();
  if (files.length === 0) throw new Error(`no *.schema.json files in ${dir}`);
  for (const file of files) {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    if (!isObject(parsed) || parsed["format_version"] !== "1.0" || !isObject(parsed["provider_schemas"])) {
      throw new Error(`${file}: not a provider schema (format_version "1.0" with provider_schemas)`);
    }
    const version = /^.+?-(\d[^/]*)\.schema\.json$/.exec(file)?.[1];
    for (const [key, schema] of Object.entries(parsed["provider_schemas"])) {
      const source = normalizeSource(key);
      if (set.has(source)) throw new Error(`${file}: ${source} is also described by another file`);
      set.set(source, {
        source,
        version,
        schema: schema as ProviderSchema,
        idReadOnlyUncertain: DOCS_DERIVED_WITH_SDKV2.has(source),
      });
    }
  }
  return set;
}

// --- helpers ----------------------------------------------------------------------

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

function isExpression(v: unknown): boolean {
  return typeof v === "string" && isTemplateExpression(v);
}

// What cty's string-to-number conversion (math/big, base 10) accepts.
const NUMBER_STRING = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[iI]nf)$/;
// What cty's string-to-bool conversion accepts.
const BOOL_STRINGS = new Set(["true", "false", "1", "0"]);

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a JSON array";
  if (typeof v === "object") return "a JSON object";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return `the ${typeof v === "boolean" ? "bool" : "number"} ${String(v)}`;
}

function typeName(t: CtyType): string {
  if (typeof t === "string") return t;
  if (t[0] === "object") return "object";
  if (t[0] === "tuple") return `tuple of ${t[1].length}`;
  return `${t[0]} of ${typeName(t[1])}`;
}

function join(base: string, key: string): string {
  const step = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (!base) return step;
  return step.startsWith("[") ? base + step : `${base}.${step}`;
}

const at = (base: string, i: number): string => `${base}[${i}]`;
const mapKey = (base: string, k: string): string => `${base}[${JSON.stringify(k)}]`;

// --- checker ----------------------------------------------------------------------

class Checker {
  readonly problems: Problem[] = [];
  private address = "";
  private idUncertain = false;
  private readonly versionWarned = new Set<string>();

  constructor(private readonly schemas: ProviderSchemaSet) {}

  private report(path: string, message: string, severity: Severity = "error"): void {
    this.problems.push({ address: this.address, path, message, severity });
  }

  run(doc: unknown): void {
    this.address = "(root)";
    if (!isObject(doc)) {
      this.report("", `Terraform JSON must be a JSON object, got ${describe(doc)}`);
      return;
    }
    const known = new Set(["//", "terraform", "provider", "resource", "data", "variable", "output"]);
    // Not provider-schema-checked.
    for (const k of ["locals", "module", "moved", "import", "removed", "check"]) known.add(k);
    for (const key of Object.keys(doc)) {
      if (!known.has(key)) this.report(key, `unknown top-level key "${key}"`);
    }
    const required = this.requiredProviders(doc["terraform"]);
    const aliases = this.providers(doc["provider"], required);
    this.resources(doc["resource"], "managed", required, aliases);
    this.resources(doc["data"], "data", required, aliases);
    this.variables(doc["variable"]);
    this.outputs(doc["output"]);
  }

  /** Bodies of a block that JSON may give as one object or an array of them. */
  private bodies(value: Json | undefined, path: string): Record<string, Json>[] {
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    const out: Record<string, Json>[] = [];
    list.forEach((b, i) => {
      if (isObject(b)) out.push(b);
      else
        this.report(
          Array.isArray(value) ? at(path, i) : path,
          `a block must be a JSON object, got ${describe(b)}`,
        );
    });
    return out;
  }

  private labelled(value: Json | undefined, what: string): [string, Json][] {
    if (value === undefined) return [];
    if (!isObject(value)) {
      this.address = "(root)";
      this.report(what, `"${what}" must be a JSON object keyed by label, got ${describe(value)}`);
      return [];
    }
    return Object.entries(value).filter(([k]) => k !== "//");
  }

  // terraform.required_providers: local name -> { source, version }.
  private requiredProviders(terraform: Json | undefined): Map<string, { source: string; version?: string }> {
    const out = new Map<string, { source: string; version?: string }>();
    this.address = "terraform";
    for (const body of this.bodies(terraform, "")) {
      for (const rp of this.bodies(body["required_providers"], "required_providers")) {
        for (const [local, req] of Object.entries(rp)) {
          if (local === "//") continue;
          if (typeof req === "string") out.set(local, { source: normalizeSource(local), version: req });
          else if (isObject(req)) {
            out.set(local, {
              source: normalizeSource(typeof req["source"] === "string" ? req["source"] : local),
              version: typeof req["version"] === "string" ? req["version"] : undefined,
            });
          } else this.report(join("required_providers", local), `expected an object with "source"`);
        }
      }
    }
    return out;
  }

  private entryFor(
    local: string,
    required: Map<string, { source: string; version?: string }>,
  ): ProviderEntry | undefined {
    const req = required.get(local);
    const source = req?.source ?? normalizeSource(local);
    const entry = this.schemas.get(source);
    if (!entry) {
      this.report("", `no schema for provider ${source} (local name "${local}")`);
      return undefined;
    }
    // Catch a schema that no longer matches the pinned version.
    const pinned = req?.version?.replace(/^\s*=\s*/, "").trim();
    if (
      entry.version &&
      pinned &&
      /^\d+\.\d+\.\d+$/.test(pinned) &&
      pinned !== entry.version &&
      !this.versionWarned.has(source)
    ) {
      this.versionWarned.add(source);
      this.report(
        "",
        `the configuration pins ${source} ${pinned} but the schema is for ${entry.version}`,
        "warning",
      );
    }
    return entry;
  }

  private providers(
    value: Json | undefined,
    required: Map<string, { source: string; version?: string }>,
  ): Set<string> {
    const aliases = new Set<string>();
    for (const [local, configs] of this.labelled(value, "provider")) {
      for (const body of this.bodies(configs, "")) {
        this.address = `provider.${local}`;
        const alias = body["alias"];
        if (alias !== undefined && typeof alias !== "string") this.report("alias", "alias must be a string");
        if (typeof alias === "string") {
          this.address = `provider.${local}.${alias}`;
          aliases.add(`${local}.${alias}`);
        }
        const entry = this.entryFor(local, required);
        if (!entry) continue;
        this.idUncertain = false;
        const meta: Meta = new Map<string, MetaCheck>([
          ["alias", () => undefined],
          [
            "version",
            (_v, p) =>
              this.report(
                p,
                "version constraints in provider blocks are deprecated; use required_providers",
                "warning",
              ),
          ],
        ]);
        this.body(body, entry.schema.provider?.block ?? {}, "", meta);
      }
    }
    return aliases;
  }

  private resources(
    value: Json | undefined,
    mode: "managed" | "data",
    required: Map<string, { source: string; version?: string }>,
    aliases: Set<string>,
  ): void {
    const key = mode === "managed" ? "resource" : "data";
    for (const [type, named] of this.labelled(value, key)) {
      const prefix = mode === "data" ? `data.${type}` : type;
      this.address = prefix;
      if (!isObject(named)) {
        this.report("", `resources of a type must be a JSON object keyed by name, got ${describe(named)}`);
        continue;
      }
      for (const [name, blocks] of Object.entries(named)) {
        if (name === "//") continue;
        this.address = `${prefix}.${name}`;
        const bodies = this.bodies(blocks, "");
        if (bodies.length > 1) this.report("", `duplicate ${key} "${type}" "${name}"`);
        for (const body of bodies) this.resource(body, type, mode, required, aliases);
      }
    }
  }

  private resource(
    body: Record<string, Json>,
    type: string,
    mode: "managed" | "data",
    required: Map<string, { source: string; version?: string }>,
    aliases: Set<string>,
  ): void {
    let local = type.split("_")[0];
    const providerRef = body["provider"];
    if (providerRef !== undefined) {
      const m =
        typeof providerRef === "string"
          ? /^(?:\$\{)?([A-Za-z][A-Za-z0-9_-]*)(?:\.([A-Za-z][A-Za-z0-9_-]*))?\}?$/.exec(providerRef)
          : null;
      if (!m) {
        this.report(
          "provider",
          `provider must be "<name>" or "<name>.<alias>", got ${describe(providerRef)}`,
        );
      } else {
        local = m[1];
        if (m[2] && !aliases.has(`${m[1]}.${m[2]}`)) {
          this.report("provider", `no provider block with alias "${m[2]}" for "${m[1]}"`);
        }
      }
    }
    const entry = this.entryFor(local, required);
    if (!entry) return;
    const schemas = mode === "managed" ? entry.schema.resource_schemas : entry.schema.data_source_schemas;
    const schema = schemas?.[type];
    if (!schema) {
      this.report(
        "",
        `${mode === "managed" ? "resource" : "data source"} type "${type}" is not in ${entry.source}`,
      );
      return;
    }
    if (body["count"] !== undefined && body["for_each"] !== undefined) {
      this.report("for_each", "count and for_each cannot both be set");
    }
    this.idUncertain = entry.idReadOnlyUncertain ?? false;
    if (schema.block.deprecated) this.report("", `${type} is deprecated`, "warning");
    this.body(body, schema.block, "", this.resourceMeta(mode));
  }

  // --- meta-arguments ---

  private resourceMeta(mode: "managed" | "data"): Meta {
    const meta = new Map<string, MetaCheck>([
      ["count", (v, p) => this.value(v, "number", p)],
      [
        "for_each",
        (v, p) => {
          // A JSON array is a tuple, which Terraform refuses here: it needs toset().
          if (v !== null && !isExpression(v) && !isObject(v)) {
            this.report(p, `for_each needs a map or a set of strings (use toset()), got ${describe(v)}`);
          }
        },
      ],
      ["depends_on", (v, p) => this.references(v, p)],
      ["provider", () => undefined], // resolved in resource()
      ["lifecycle", (v, p) => this.lifecycle(v, p, mode)],
    ]);
    if (mode === "managed") {
      meta.set("provisioner", (v, p) => {
        for (const [i, b] of this.bodies(v, p).entries()) {
          if (Object.keys(b).length !== 1)
            this.report(at(p, i), "each provisioner needs exactly one type key");
        }
      });
      meta.set("connection", (v, p) => void this.bodies(v, p));
    }
    return meta;
  }

  private references(v: Json, p: string): void {
    if (!Array.isArray(v) || v.some((r) => typeof r !== "string")) {
      this.report(p, `expected a JSON array of reference strings, got ${describe(v)}`);
    }
  }

  private lifecycle(v: Json, p: string, mode: "managed" | "data"): void {
    const conditions = (c: Json, cp: string) => {
      for (const [i, b] of this.bodies(c, cp).entries()) {
        this.known(b, ["condition", "error_message"], at(cp, i), ["condition", "error_message"]);
      }
    };
    for (const body of this.bodies(v, p)) {
      const keys =
        mode === "managed"
          ? ["create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"]
          : [];
      this.known(body, [...keys, "precondition", "postcondition"], p, []);
      for (const k of ["create_before_destroy", "prevent_destroy"]) {
        if (mode === "managed" && body[k] !== undefined) this.value(body[k], "bool", join(p, k));
      }
      const ignore = body["ignore_changes"];
      if (mode === "managed" && ignore !== undefined && ignore !== "all")
        this.references(ignore, join(p, "ignore_changes"));
      const replace = body["replace_triggered_by"];
      if (mode === "managed" && replace !== undefined)
        this.references(replace, join(p, "replace_triggered_by"));
      if (body["precondition"] !== undefined) conditions(body["precondition"], join(p, "precondition"));
      if (body["postcondition"] !== undefined) conditions(body["postcondition"], join(p, "postcondition"));
    }
  }

  /** A body that takes a fixed set of keys (lifecycle, variable, output). */
  private known(
    body: Record<string, Json>,
    keys: readonly string[],
    p: string,
    needed: readonly string[],
  ): void {
    for (const k of Object.keys(body)) {
      if (k !== "//" && !keys.includes(k))
        this.report(join(p, k), `unknown key "${k}" (expected one of ${keys.join(", ")})`);
    }
    for (const k of needed) {
      if (body[k] === undefined) this.report(join(p, k), `missing required "${k}"`);
    }
  }

  private variables(value: Json | undefined): void {
    for (const [name, v] of this.labelled(value, "variable")) {
      this.address = `var.${name}`;
      for (const body of this.bodies(v, "")) {
        this.known(
          body,
          ["type", "default", "description", "sensitive", "nullable", "validation", "ephemeral"],
          "",
          [],
        );
        for (const [i, b] of this.bodies(body["validation"], "validation").entries()) {
          this.known(b, ["condition", "error_message"], at("validation", i), ["condition", "error_message"]);
        }
      }
    }
  }

  private outputs(value: Json | undefined): void {
    for (const [name, v] of this.labelled(value, "output")) {
      this.address = `output.${name}`;
      for (const body of this.bodies(v, "")) {
        this.known(
          body,
          ["value", "description", "sensitive", "depends_on", "precondition", "ephemeral"],
          "",
          ["value"],
        );
      }
    }
  }

  // --- schema-checked bodies ---

  private body(body: Record<string, Json>, block: SchemaBlock, path: string, meta: Meta): void {
    const attributes = block.attributes ?? {};
    const blockTypes = block.block_types ?? {};
    const dynamic = new Set<string>();
    if (body["dynamic"] !== undefined) this.dynamic(body["dynamic"], block, join(path, "dynamic"), dynamic);
    for (const [key, value] of Object.entries(body)) {
      if (key === "//" || key === "dynamic") continue;
      const p = join(path, key);
      const metaCheck = meta.get(key);
      if (metaCheck) metaCheck(value, p);
      else if (attributes[key]) this.attribute(value, attributes[key], p, key);
      else if (blockTypes[key]) this.blockType(value, blockTypes[key], p, key, dynamic.has(key));
      else this.report(p, `unknown attribute or block "${key}"`);
    }
    for (const [name, attr] of Object.entries(attributes)) {
      if (attr.required && body[name] === undefined) {
        this.report(join(path, name), `missing required attribute "${name}"`);
      }
    }
    for (const [name, bt] of Object.entries(blockTypes)) {
      const min = bt.min_items ?? 0;
      if (min > 0 && (body[name] === undefined || body[name] === null) && !dynamic.has(name)) {
        this.report(join(path, name), `at least ${min} "${name}" block(s) required, got 0`);
      }
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
    if (nt.nesting_mode === "single") {
      this.nestedObject(value, nt.attributes, path);
      return;
    }
    let items: [string, Json][];
    if (nt.nesting_mode === "map") {
      if (!isObject(value)) {
        this.report(path, `a map of objects is required, got ${describe(value)}`);
        return;
      }
      items = Object.entries(value).map(([k, v]) => [mapKey(path, k), v]);
    } else {
      if (!Array.isArray(value)) {
        this.report(path, `a ${nt.nesting_mode} of objects is required, got ${describe(value)}`);
        return;
      }
      items = value.map((v, i) => [at(path, i), v]);
    }
    for (const [p, v] of items) this.nestedObject(v, nt.attributes, p);
    if (nt.max_items !== undefined && items.length > nt.max_items) {
      this.report(path, `at most ${nt.max_items} item(s) allowed, got ${items.length}`);
    }
    if (nt.min_items !== undefined && items.length < nt.min_items) {
      this.report(path, `at least ${nt.min_items} item(s) required, got ${items.length}`);
    }
  }

  private nestedObject(
    value: Json,
    attributes: Readonly<Record<string, SchemaAttribute>>,
    path: string,
  ): void {
    if (value === null || isExpression(value)) return;
    if (!isObject(value)) {
      this.report(path, `an object is required, got ${describe(value)}`);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      const attr = attributes[key];
      // Terraform's object conversion drops unknown keys without a word (hashicorp/terraform#33570).
      if (!attr)
        this.report(
          join(path, key),
          `"${key}" is not an attribute here; Terraform silently drops it`,
          "warning",
        );
      else this.attribute(v, attr, join(path, key), key);
    }
    for (const [name, attr] of Object.entries(attributes)) {
      if (attr.required && value[name] === undefined)
        this.report(join(path, name), `missing required attribute "${name}"`);
    }
  }

  private blockType(value: Json, bt: SchemaBlockType, path: string, name: string, dynamic: boolean): void {
    if (bt.block.deprecated && value !== null) this.report(path, `block "${name}" is deprecated`, "warning");
    if (value === null) return;
    if (!isObject(value) && !Array.isArray(value)) {
      const hint = isExpression(value)
        ? "; JSON blocks cannot come from an expression, use a dynamic block"
        : "";
      this.report(
        path,
        `block "${name}" must be a JSON object or an array of objects, got ${describe(value)}${hint}`,
      );
      return;
    }
    if (bt.nesting_mode === "map") {
      if (!isObject(value)) {
        this.report(path, `block "${name}" needs labels: a JSON object keyed by label`);
        return;
      }
      for (const [label, b] of Object.entries(value)) {
        for (const body of this.bodies(b, mapKey(path, label)))
          this.body(body, bt.block, mapKey(path, label), NO_META);
      }
      return;
    }
    const bodies = Array.isArray(value) ? value : [value];
    const single = bt.nesting_mode === "single" || bt.nesting_mode === "group";
    bodies.forEach((b, i) => {
      const p = single ? path : at(path, i);
      if (isObject(b)) this.body(b, bt.block, p, NO_META);
      else this.report(p, `a block must be a JSON object, got ${describe(b)}`);
    });
    const max = single ? 1 : bt.max_items;
    if (max !== undefined && max > 0 && bodies.length > max) {
      this.report(path, `at most ${max} "${name}" block(s) allowed, got ${bodies.length}`);
    }
    const min = bt.min_items ?? 0;
    if (!dynamic && bodies.length < min) {
      this.report(path, `at least ${min} "${name}" block(s) required, got ${bodies.length}`);
    }
  }

  /** `"dynamic": { "<block type>": { for_each, iterator?, labels?, content } }`. */
  private dynamic(value: Json, block: SchemaBlock, path: string, seen: Set<string>): void {
    if (!isObject(value)) {
      this.report(path, `dynamic must be a JSON object keyed by block type, got ${describe(value)}`);
      return;
    }
    for (const [type, specs] of Object.entries(value)) {
      const p = join(path, type);
      const bt = block.block_types?.[type];
      if (!bt) {
        this.report(
          p,
          block.attributes?.[type]
            ? `"${type}" is an attribute; dynamic only generates blocks`
            : `dynamic block of unknown block type "${type}"`,
        );
        continue;
      }
      seen.add(type);
      for (const [i, spec] of this.bodies(specs, p).entries()) {
        const sp = Array.isArray(specs) ? at(p, i) : p;
        this.known(spec, ["for_each", "iterator", "labels", "content"], sp, ["for_each", "content"]);
        for (const content of this.bodies(spec["content"], join(sp, "content"))) {
          this.body(content, bt.block, join(sp, "content"), NO_META);
        }
      }
    }
  }

  /** Literal `v` against cty type `t`, as lenient as cty's conversions. */
  private value(v: Json, t: CtyType, path: string): void {
    if (v === null || t === "dynamic" || isExpression(v)) return;
    const wrong = () => this.report(path, `${typeName(t)} required, got ${describe(v)}`);
    if (t === "string") {
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") wrong();
      return;
    }
    if (t === "number") {
      if (typeof v === "number" || (typeof v === "string" && NUMBER_STRING.test(v))) return;
      wrong();
      return;
    }
    if (t === "bool") {
      if (typeof v === "boolean" || (typeof v === "string" && BOOL_STRINGS.has(v))) return;
      wrong();
      return;
    }
    switch (t[0]) {
      case "list":
      case "set": {
        if (!Array.isArray(v)) return wrong();
        const elem = t[1];
        v.forEach((e, i) => this.value(e, elem, at(path, i)));
        return;
      }
      case "map": {
        if (!isObject(v)) return wrong();
        const elem = t[1];
        for (const [k, e] of Object.entries(v)) this.value(e, elem, mapKey(path, k));
        return;
      }
      case "tuple": {
        if (!Array.isArray(v) || v.length !== t[1].length) return wrong();
        const elems = t[1];
        v.forEach((e, i) => this.value(e, elems[i], at(path, i)));
        return;
      }
      case "object": {
        if (!isObject(v)) return wrong();
        const attrs = t[1];
        const optional = new Set(t[2] ?? []);
        for (const [k, attrType] of Object.entries(attrs)) {
          if (v[k] === undefined) {
            if (!optional.has(k))
              this.report(join(path, k), `attribute "${k}" is required by the object type`);
          } else this.value(v[k], attrType, join(path, k));
        }
        for (const k of Object.keys(v)) {
          if (!(k in attrs))
            this.report(
              join(path, k),
              `"${k}" is not part of the object type; Terraform silently drops it`,
              "warning",
            );
        }
        return;
      }
    }
  }
}

type MetaCheck = (value: Json, path: string) => void;
type Meta = ReadonlyMap<string, MetaCheck>;
const NO_META: Meta = new Map();

/** Checks Terraform JSON (e.g. a parsed `cdk.tf.json`) against provider schemas. */
export function checkConformance(tfJson: unknown, schemas: ProviderSchemaSet): Problem[] {
  const checker = new Checker(schemas);
  checker.run(tfJson);
  return checker.problems;
}

/** One line: `error: docker_container.x.healthcheck[0].interval: number required, got …`. */
export function formatProblem(p: Problem): string {
  const where = p.path ? (p.path.startsWith("[") ? p.address + p.path : `${p.address}.${p.path}`) : p.address;
  return `${p.severity}: ${where}: ${p.message}`;
}
