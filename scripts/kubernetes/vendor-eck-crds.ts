/**
 * Vendors the OpenAPI v3 schemas of ECK's custom resource definitions, mechanically, from
 * the released CRD file (`config/crds/v1/all-crds.yaml` of elastic/cloud-on-k8s at the
 * operator's tag): one JSON file per CRD in vendor/eck/crds/, with descriptions stripped and only
 * what validation needs kept (group, names, scope, each version's name, served, storage,
 * deprecated and openAPIV3Schema). Also the tag's sample resources of those kinds
 * (`config/samples/{elasticsearch,kibana,logstash}/*.yaml`), parsed, as vendor/eck/samples.json: the
 * validator's tests run them through. vendor/eck/README.md says how to run it.
 *
 *   node scripts/run-ts.mjs scripts/kubernetes/vendor-eck-crds.ts ECK_CHECKOUT [OUT_DIR]
 *
 * ECK_CHECKOUT is a checkout (or `git archive`) of elastic/cloud-on-k8s at the tag.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

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
  const samples: JsonObject = {};
  for (const dir of SAMPLE_DIRS) {
    const folder = path.join(checkout, "config", "samples", dir);
    for (const f of fs
      .readdirSync(folder)
      .filter((n) => n.endsWith(".yaml"))
      .sort()) {
      const text = fs.readFileSync(path.join(folder, f), "utf8");
      samples[`config/samples/${dir}/${f}`] = parseAllDocuments(text)
        .map((d) => d.toJSON() as Json)
        .filter((d) => d !== null);
    }
  }
  const file = path.join(outDir, "samples.json");
  fs.writeFileSync(file, `${JSON.stringify(samples, null, 1)}\n`);
  process.stdout.write(`wrote ${file} (${Object.keys(samples).length} sample files)\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
