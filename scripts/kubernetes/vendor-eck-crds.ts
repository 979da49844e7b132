/**
 * Vendors the OpenAPI v3 schemas of ECK's custom resource definitions, mechanically, from
 * the released CRD file (`config/crds/v1/all-crds.yaml` of elastic/cloud-on-k8s at the
 * operator's tag): one JSON file per CRD in vendor/eck/crds/, with descriptions stripped and only
 * what validation needs kept (group, names, scope, each version's name, served, storage,
 * deprecated and openAPIV3Schema). Then it runs the tag's own sample resources of those kinds
 * (`config/samples/{elasticsearch,kibana,logstash}/*.yaml`) through validateCustomResource, which
 * proves the validator and the vendored files against upstream data; the samples themselves are
 * not copied into the project. vendor/eck/README.md says how to run it.
 *
 *   node scripts/run-ts.mjs scripts/kubernetes/vendor-eck-crds.ts ECK_CHECKOUT [OUT_DIR]
 *
 * ECK_CHECKOUT is a checkout (or `git archive`) of elastic/cloud-on-k8s at the tag.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { validateCustomResource } from "./crd-validate";

/** The CRDs the Kubernetes mode renders resources of (Elasticsearch, Kibana, Logstash). */
export const VENDORED_CRDS = [
  "elasticsearches.elasticsearch.k8s.elastic.co",
  "kibanas.kibana.k8s.elastic.co",
  "logstashes.logstash.k8s.elastic.co",
] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Drops `description` from every schema node. Only schema nodes: a property that is itself
 * called "description" (a key of `properties`) stays.
 */
export function stripDescriptions(schema: Json): Json {
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "description") continue;
    if (k === "properties" && isObject(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, stripDescriptions(s)]));
    } else if ((k === "items" || k === "additionalProperties" || k === "not") && isObject(v)) {
      out[k] = stripDescriptions(v);
    } else if ((k === "allOf" || k === "anyOf" || k === "oneOf") && Array.isArray(v)) {
      out[k] = v.map(stripDescriptions);
    } else out[k] = v;
  }
  return out;
}

/** The vendored form of one CRD document. */
export function vendoredCrd(doc: JsonObject): JsonObject {
  const spec = doc["spec"] as JsonObject;
  const versions = (spec["versions"] as JsonObject[]).map((v) => {
    const out: JsonObject = { name: v["name"], served: v["served"], storage: v["storage"] };
    if (v["deprecated"] !== undefined) out["deprecated"] = v["deprecated"];
    const schema = (v["schema"] as JsonObject | undefined)?.["openAPIV3Schema"];
    if (schema !== undefined) out["schema"] = { openAPIV3Schema: stripDescriptions(schema) };
    return out;
  });
  return {
    apiVersion: doc["apiVersion"],
    kind: doc["kind"],
    metadata: { name: (doc["metadata"] as JsonObject)["name"] },
    spec: { group: spec["group"], names: spec["names"], scope: spec["scope"], versions },
  };
}

const SAMPLE_DIRS = ["elasticsearch", "kibana", "logstash"];

export function main(args: readonly string[] = process.argv.slice(2)): number {
  const [checkout, outDir = path.join("vendor", "eck")] = args;
  if (!checkout) {
    process.stderr.write("usage: vendor-eck-crds.ts ECK_CHECKOUT [OUT_DIR]\n");
    return 2;
  }
  const input = path.join(checkout, "config", "crds", "v1", "all-crds.yaml");
  const docs = parseAllDocuments(fs.readFileSync(input, "utf8")).map((d) => d.toJSON() as Json);
  const byName = new Map<string, JsonObject>();
  for (const d of docs) {
    if (isObject(d) && d["kind"] === "CustomResourceDefinition") {
      byName.set(String((d["metadata"] as JsonObject)["name"]), d);
    }
  }
  fs.mkdirSync(path.join(outDir, "crds"), { recursive: true });
  for (const name of VENDORED_CRDS) {
    const doc = byName.get(name);
    if (!doc) throw new Error(`${input}: no CustomResourceDefinition ${name}`);
    const file = path.join(outDir, "crds", `${name}.json`);
    fs.writeFileSync(file, `${JSON.stringify(vendoredCrd(doc))}\n`);
    process.stdout.write(`wrote ${file} (${fs.statSync(file).size} bytes)\n`);
  }
  // validateCustomResource reads vendor/eck: the samples prove the files just written only there.
  if (path.resolve(outDir) !== path.resolve("vendor", "eck")) {
    process.stdout.write(`samples not checked: the validator reads vendor/eck, not ${outDir}\n`);
    return 0;
  }
  const kindOf = (crd: string) =>
    String((((byName.get(crd) as JsonObject)["spec"] as JsonObject)["names"] as JsonObject)["kind"]);
  const ours = new Set(VENDORED_CRDS.map(kindOf));
  let checked = 0;
  const problems: string[] = [];
  for (const dir of SAMPLE_DIRS) {
    const folder = path.join(checkout, "config", "samples", dir);
    for (const f of fs
      .readdirSync(folder)
      .filter((n) => n.endsWith(".yaml"))
      .sort()) {
      for (const d of parseAllDocuments(fs.readFileSync(path.join(folder, f), "utf8"))) {
        const doc = d.toJSON() as Json;
        if (!isObject(doc) || !ours.has(String(doc["kind"]))) continue;
        checked += 1;
        problems.push(...validateCustomResource(doc).map((e) => `config/samples/${dir}/${f}: ${e}`));
      }
    }
  }
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stdout.write(`${checked} sample resources checked, ${problems.length} problem(s)\n`);
  if (problems.length > 0) return 1;
  return 0;
}

if (require.main === module) process.exitCode = main();
