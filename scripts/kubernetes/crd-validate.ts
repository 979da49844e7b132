/**
 * Validates a custom resource against the vendored ECK CRDs (vendor/eck/crds/) the way
 * kube-apiserver does on a create with strict field validation (`kubectl apply
 * --validate=strict`, `fieldValidation=Strict`), offline, with ajv over each version's
 * openAPIV3Schema.
 *
 * What it models, read in kubernetes/apiextensions-apiserver at tag v0.35.7:
 * - unknown fields (pkg/apiserver/schema/pruning/algorithm.go, customresource_handler.go
 *   `schemaCoercingDecoder`): every field the structural schema does not declare is pruned,
 *   and under Strict each pruned path is an error `unknown field "<path>"`, not a silent drop.
 *   Below `x-kubernetes-preserve-unknown-fields: true` nothing is pruned, but declared
 *   properties inside are still pruned in turn. Here: `additionalProperties: false` on every
 *   object schema without that flag or an `additionalProperties` of its own.
 * - `apiVersion`, `kind`, `metadata` at the root and in an `x-kubernetes-embedded-resource`
 *   object are never pruned; an embedded resource requires `apiVersion` and `kind`
 *   (schema/objectmeta/validation.go `validateEmbeddedResource`), and `metadata` there and at
 *   the root is decoded as ObjectMeta, whose unknown fields Strict reports too
 *   (schema/objectmeta/coerce.go). ObjectMeta is modelled by OBJECT_META below (its JSON
 *   fields), names as DNS-1123 subdomains like the generic registry does for CRs.
 * - `x-kubernetes-int-or-string`: an integer or a string; `nullable: true`: null allowed
 *   (otherwise null fails the type).
 * - formats: the ECK CRDs use `int32`, `int64` (not checked for strings only, as
 *   kube-openapi's format validators apply to strings) and `date-time` (RFC 3339).
 * Not modelled: CEL rules (`x-kubernetes-validations`), list-type uniqueness
 * (`x-kubernetes-list-type`), defaulting, and the operator's own webhook checks.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly schema?: { readonly openAPIV3Schema: JsonObject };
}

export interface VendoredCrd {
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly group: string;
    readonly names: { readonly kind: string; readonly plural: string };
    readonly scope: "Namespaced" | "Cluster";
    readonly versions: readonly CrdVersion[];
  };
}

function vendorDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "vendor", "eck", "crds");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`vendor/eck/crds not found above ${__dirname}`);
  }
}

let crds: VendoredCrd[] | undefined;

/** Every vendored CRD (vendor/eck/crds/*.json). */
export function vendoredCrds(): readonly VendoredCrd[] {
  if (!crds) {
    const dir = vendorDir();
    crds = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as VendoredCrd);
  }
  return crds;
}

// --- the structural schema as a JSON schema ajv checks ------------------------------------

const DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const stringMap = { type: "object", additionalProperties: { type: "string" } };

/** metav1.ObjectMeta's JSON fields (kubernetes/apimachinery pkg/apis/meta/v1/types.go at v0.35.7). */
const OBJECT_META: JsonObject = {
  type: "object",
  additionalProperties: false,
  properties: {
    name: { type: "string", maxLength: 253, pattern: DNS_SUBDOMAIN },
    generateName: { type: "string" },
    namespace: { type: "string", maxLength: 63, pattern: DNS_LABEL },
    selfLink: { type: "string" },
    uid: { type: "string" },
    resourceVersion: { type: "string" },
    generation: { type: "integer" },
    creationTimestamp: { type: "string", nullable: true },
    deletionTimestamp: { type: "string" },
    deletionGracePeriodSeconds: { type: "integer" },
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: { type: "array", items: { type: "object" } },
    finalizers: { type: "array", items: { type: "string" } },
    managedFields: { type: "array", items: { type: "object" } },
  },
};

const EMBEDDED: Record<string, JsonObject> = {
  apiVersion: { type: "string", minLength: 1 },
  kind: { type: "string", minLength: 1 },
  metadata: OBJECT_META,
};

/**
 * One structural-schema node -> the JSON schema ajv runs. `preserving`: the node lies below
 * an `x-kubernetes-preserve-unknown-fields` array only through `items` (pruning.go's
 * skipPrune goes on through items, and back to pruning at declared properties).
 */
export function toJsonSchema(node: JsonObject, root = false, preserving = false): JsonObject {
  const preserve = preserving || node["x-kubernetes-preserve-unknown-fields"] === true;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith("x-kubernetes-")) continue;
    if (k === "properties" && isObject(v)) {
      out[k] = Object.fromEntries(
        Object.entries(v).map(([name, s]) => [name, toJsonSchema(s as JsonObject)]),
      );
    } else if (k === "items" && isObject(v)) {
      out[k] = toJsonSchema(v, false, preserve);
    } else if ((k === "additionalProperties" || k === "not") && isObject(v)) {
      out[k] = toJsonSchema(v);
    } else if ((k === "allOf" || k === "anyOf" || k === "oneOf") && Array.isArray(v)) {
      out[k] = v.map((s) => toJsonSchema(s as JsonObject));
    } else out[k] = v;
  }
  if (node["x-kubernetes-int-or-string"] === true) {
    out["type"] = ["integer", "string"];
    delete out["anyOf"]; // the same alternatives, with noisier errors
  }
  const embedded = root || node["x-kubernetes-embedded-resource"] === true;
  if (embedded) {
    out["properties"] = { ...((out["properties"] as JsonObject | undefined) ?? {}), ...EMBEDDED };
    if (!root) {
      const required = new Set([...((out["required"] as string[] | undefined) ?? []), "apiVersion", "kind"]);
      out["required"] = [...required];
    }
  }
  const isObjectSchema = out["type"] === "object" || out["properties"] !== undefined;
  if (isObjectSchema && !preserve && out["additionalProperties"] === undefined) {
    out["additionalProperties"] = false;
  }
  return out;
}

const ajv = new Ajv({
  allErrors: true,
  verbose: true, // the offending value, for the message
  strict: true,
  strictTypes: false,
  allowUnionTypes: true,
});
// kube-openapi checks formats on strings only; these two qualify integers.
ajv.addFormat("int32", { type: "number", validate: () => true });
ajv.addFormat("int64", { type: "number", validate: () => true });
ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/);
// OpenAPI's keyword; ajv knows `nullable` itself.
ajv.addKeyword({ keyword: "example" });

const compiled = new Map<string, ValidateFunction>();

function validatorFor(crd: VendoredCrd, version: CrdVersion): ValidateFunction {
  const key = `${crd.metadata.name}/${version.name}`;
  let v = compiled.get(key);
  if (!v) {
    if (!version.schema) throw new Error(`${key}: the vendored CRD version has no schema`);
    v = ajv.compile(toJsonSchema(version.schema.openAPIV3Schema, true));
    compiled.set(key, v);
  }
  return v;
}

// --- messages -------------------------------------------------------------------------

/** `/spec/nodeSets/0/count` -> `spec.nodeSets[0].count`. */
function fieldPath(pointer: string, child?: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) parts.push(child);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");
}

function message(e: ErrorObject): string {
  const at = fieldPath(e.instancePath) || "(root)";
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties":
      return `unknown field "${fieldPath(e.instancePath, String(p["additionalProperty"]))}"`;
    case "required":
      return `${fieldPath(e.instancePath, String(p["missingProperty"]))}: Required value`;
    case "enum":
      return `${at}: Unsupported value: ${JSON.stringify(e.data)}: supported values: ${(p["allowedValues"] as Json[]).map((x) => JSON.stringify(x)).join(", ")}`;
    case "type":
      return `${at}: Invalid value: ${JSON.stringify(e.data)}: must be of type ${String(p["type"])}`;
    default:
      return `${at}: Invalid value: ${JSON.stringify(e.data)}: ${e.message ?? e.keyword}`;
  }
}

/** Errors of a value against one structural schema (a CRD version's openAPIV3Schema). */
export function structuralSchemaErrors(openAPIV3Schema: JsonObject, value: unknown): string[] {
  const validate = ajv.compile(toJsonSchema(openAPIV3Schema, true));
  return validate(value) ? [] : (validate.errors ?? []).map(message);
}

// --- the check ------------------------------------------------------------------------

/**
 * Errors for one custom resource (a parsed manifest), one line each, prefixed with its kind
 * and name; empty when the API server would accept it. apiVersion and kind must name a
 * vendored CRD version that is served.
 */
export function validateCustomResource(manifest: unknown): string[] {
  if (!isObject(manifest)) return ["the manifest is not an object"];
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return ["apiVersion and kind must be strings"];
  }
  const name = isObject(manifest["metadata"]) ? String(manifest["metadata"]["name"] ?? "") : "";
  const who = `${kind} ${name || "(no name)"}`;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  const crd = vendoredCrds().find((c) => c.spec.group === group && c.spec.names.kind === kind);
  if (!crd) {
    const known = vendoredCrds().map((c) => `${c.spec.names.kind} (${c.spec.group})`);
    return [
      `${who}: apiVersion "${apiVersion}" kind "${kind}" is no vendored ECK CRD; known: ${known.join(", ")}`,
    ];
  }
  const v = crd.spec.versions.find((x) => x.name === version);
  const served = crd.spec.versions.filter((x) => x.served).map((x) => `${group}/${x.name}`);
  if (!v || !v.served) {
    return [
      `${who}: apiVersion "${apiVersion}" is not served by ${crd.metadata.name}; served: ${served.join(", ")}`,
    ];
  }
  const errors: string[] = [];
  const meta = manifest["metadata"];
  if (!isObject(meta)) errors.push("metadata: Required value");
  else if (typeof meta["name"] !== "string" && typeof meta["generateName"] !== "string") {
    errors.push("metadata.name: Required value: name or generateName is required");
  }
  if (isObject(meta) && crd.spec.scope === "Cluster" && meta["namespace"] !== undefined) {
    errors.push(`metadata.namespace: Forbidden: ${kind} is cluster-scoped`);
  }
  const validate = validatorFor(crd, v);
  if (!validate(manifest)) errors.push(...(validate.errors ?? []).map(message));
  return [...new Set(errors)].map((e) => `${who}: ${e}`);
}

/**
 * `node scripts/run-ts.mjs scripts/kubernetes/crd-validate.ts FILE...`: validates every ECK
 * resource in YAML or JSON manifest files (other kinds are skipped); exits 1 on any error.
 */
export function main(files: readonly string[] = process.argv.slice(2)): number {
  let errors = 0;
  for (const file of files) {
    const docs = parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJSON() as unknown);
    for (const doc of docs) {
      if (!isObject(doc) || typeof doc["apiVersion"] !== "string") continue;
      if (!vendoredCrds().some((c) => String(doc["apiVersion"]).startsWith(`${c.spec.group}/`))) continue;
      for (const e of validateCustomResource(doc)) {
        process.stderr.write(`${file}: ${e}\n`);
        errors++;
      }
    }
  }
  return errors > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
