/**
 * Vendors the value keys a Helm chart knows, mechanically, for charts that ship no
 * values.schema.json (eck-operator 3.5.0 and grafana-community's grafana 12.11.1 do not):
 * the key paths and types of the chart's default values.yaml, plus every `.Values.a.b`
 * path its templates read (keys that are documented only as comments in values.yaml). An
 * empty map in the defaults (`podAnnotations: {}`) is free-form, and so is each map listed
 * in OPEN (documented as free-form but with defaults). The output is a key tree, no prose:
 *
 *   { "type": "object", "keys": { "replicas": { "type": "number" }, "grafana.ini": { "type": "open" } } }
 *
 *   node scripts/run-ts.mjs scripts/kubernetes/vendor-helm-values.ts CHART_DIR [OUT_DIR]
 *
 * CHART_DIR holds Chart.yaml, values.yaml and templates/; the output is
 * OUT_DIR/<name>-<version>.values.json (OUT_DIR defaults to vendor/helm).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export type KeyTree =
  | { readonly type: "string" | "number" | "boolean" | "array" | "any" | "open" }
  | { readonly type: "object"; readonly keys: Readonly<Record<string, KeyTree>> };

/** Maps with defaults that the chart's README / values.yaml comments call free-form. */
const OPEN: Record<string, readonly string[]> = {
  // grafana.ini is Grafana's whole config file as a map; its defaults are examples.
  grafana: ["grafana.ini", "resources", "securityContext", "containerSecurityContext"],
  "eck-operator": ["resources", "podSecurityContext", "securityContext"],
};

function treeOf(value: unknown): KeyTree {
  if (value === null || value === undefined) return { type: "any" };
  if (Array.isArray(value)) return { type: "array" };
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return { type: "open" };
    return { type: "object", keys: Object.fromEntries(entries.map(([k, v]) => [k, treeOf(v)])) };
  }
  if (typeof value === "number") return { type: "number" };
  if (typeof value === "boolean") return { type: "boolean" };
  return { type: "string" };
}

type Mutable = { type: string; keys?: Record<string, Mutable> };

/** Adds a template-read path where the defaults do not have it (as `any`). */
function addPath(tree: Mutable, keys: readonly string[]): void {
  let node = tree;
  for (const k of keys) {
    if (node.type !== "object") return; // open, scalar or array: nothing to add below
    node.keys ??= {};
    if (!node.keys[k]) node.keys[k] = { type: "any" };
    node = node.keys[k];
    if (node.type === "any" && k !== keys[keys.length - 1]) {
      node.type = "object";
      node.keys = {};
    }
  }
}

function sortTree(t: Mutable): Mutable {
  const keys = t.keys;
  if (!keys) return t;
  return {
    type: t.type,
    keys: Object.fromEntries(
      Object.keys(keys)
        .sort()
        .map((k) => [k, sortTree(keys[k])]),
    ),
  };
}

/** `.Values.a.b.c` references in the chart's templates, as key lists. */
export function templatePaths(templatesDir: string): string[][] {
  const out = new Set<string>();
  for (const f of fs.readdirSync(templatesDir, { recursive: true }) as string[]) {
    const file = path.join(templatesDir, f);
    if (!fs.statSync(file).isFile()) continue;
    for (const m of fs.readFileSync(file, "utf8").matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      out.add(m[1].slice(1));
    }
  }
  return [...out].sort().map((p) => p.split("."));
}

export function chartKeyTree(chartDir: string): { name: string; version: string; tree: KeyTree } {
  const chart = parse(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8")) as {
    name: string;
    version: string;
  };
  const defaults = parse(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8")) as unknown;
  const tree = treeOf(defaults) as Mutable;
  for (const keys of templatePaths(path.join(chartDir, "templates"))) addPath(tree, keys);
  for (const key of OPEN[chart.name] ?? []) {
    if (!tree.keys?.[key]) throw new Error(`${chart.name}: OPEN key ${key} is not in values.yaml`);
    tree.keys[key] = { type: "open" };
  }
  return { name: chart.name, version: String(chart.version), tree: sortTree(tree) as KeyTree };
}

export function main(args: readonly string[] = process.argv.slice(2)): number {
  const [chartDir, outDir = path.join("vendor", "helm")] = args;
  if (!chartDir) {
    process.stderr.write("usage: vendor-helm-values.ts CHART_DIR [OUT_DIR]\n");
    return 2;
  }
  const { name, version, tree } = chartKeyTree(chartDir);
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${name}-${version}.values.json`);
  fs.writeFileSync(file, `${JSON.stringify(tree)}\n`);
  process.stdout.write(`wrote ${file} (${fs.statSync(file).size} bytes)\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
