/**
 * Checks Helm values against the keys a chart knows (vendor/helm/, made by
 * vendor-helm-values.ts), for charts that ship no values.schema.json. It models: every key
 * path the values set exists in the chart's default values.yaml at its tag or is read by its
 * templates (`.Values.a.b`), with the type the default has (a null default takes anything),
 * below maps that are free-form (empty by default, or listed as such) anything goes, and
 * list items are not checked. It cannot see what a template does with a value.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { KeyTree } from "./vendor-helm-values";

function vendorDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "vendor", "helm");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`vendor/helm not found above ${__dirname}`);
  }
}

/** The vendored charts, `<name>-<version>.values.json`: name -> version and key tree. */
export function vendoredCharts(): ReadonlyMap<string, { version: string; tree: KeyTree }> {
  const out = new Map<string, { version: string; tree: KeyTree }>();
  const dir = vendorDir();
  for (const f of fs.readdirSync(dir).sort()) {
    const m = /^(.+)-(\d[^-]*)\.values\.json$/.exec(f);
    if (!m) continue;
    if (out.has(m[1])) throw new Error(`vendor/helm: two versions of ${m[1]}`);
    out.set(m[1], { version: m[2], tree: JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as KeyTree });
  }
  return out;
}

const typeOf = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v;

/** Errors for values given to `chart` (e.g. "grafana", "eck-operator"), one line each. */
export function validateHelmValues(chart: string, values: unknown): string[] {
  const vendored = vendoredCharts().get(chart);
  if (!vendored) {
    return [`${chart}: no vendored chart keys (known: ${[...vendoredCharts().keys()].join(", ")})`];
  }
  const who = `${chart} ${vendored.version} values`;
  const errors: string[] = [];
  const walk = (v: unknown, t: KeyTree, at: string): void => {
    if (t.type === "open" || t.type === "any" || v === null) return;
    const got = typeOf(v);
    if (t.type !== got) {
      errors.push(
        `${who}: ${at || "(root)"}: the chart's default is ${t.type === "object" ? "a map" : `a ${t.type}`}, got ${got}`,
      );
      return;
    }
    if (t.type !== "object") return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = at ? `${at}.${k}` : k;
      const child = t.keys[k];
      if (!child) errors.push(`${who}: unknown key "${p}" (not in the chart's values.yaml or templates)`);
      else walk(x, child, p);
    }
  };
  walk(values, vendored.tree, "");
  return errors;
}
