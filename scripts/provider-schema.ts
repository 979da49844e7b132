/**
 * The provider schema format printed by `terraform providers schema -json` (the files in
 * providers/), and loading the vendored files. Used by the conformance check, the
 * schema-only provider (scripts/offline-terraform) and the schema comparison.
 */
import * as fs from "node:fs";
import * as path from "node:path";

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

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
