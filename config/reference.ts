import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { configSchema } from "./schema";

/**
 * Generates README's configuration reference from the config schema, so the docs
 * cannot drift from the code. `--check` exits 1 when README is out of date.
 */

const BEGIN = "<!-- config-reference:begin (npm run docs:config) -->";
const END = "<!-- config-reference:end -->";

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  items?: JsonSchema;
  format?: string;
}

export function configReference(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const rows: string[] = [];
  walk(schema, "", rows);
  return ["| key | type | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

function walk(node: JsonSchema, prefix: string, rows: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.properties && Object.keys(child.properties).length > 0) {
      walk(child, path, rows);
      continue;
    }
    const variants = child.oneOf ?? child.anyOf;
    const type = variants ? describeVariants(variants) : typeOf(child);
    const def = child.default === undefined ? "" : `\`${JSON.stringify(child.default)}\``;
    rows.push(`| \`${path}\` | ${type} | ${def} | ${escape(child.description ?? "")} |`);
    for (const variant of variants ?? []) {
      const tag = variant.properties?.type?.const;
      for (const [field, spec] of Object.entries(variant.properties ?? {})) {
        if (field === "type" || tag === undefined) continue;
        rows.push(
          `| \`${path}.${field}\` | ${typeOf(spec)} | | with \`type: ${String(tag)}\`: ${escape(spec.description ?? "")} |`,
        );
      }
    }
  }
}

function escape(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function describeVariants(variants: JsonSchema[]): string {
  const tags = variants.map((v) => v.properties?.type?.const).filter((t) => t !== undefined);
  if (tags.length === variants.length)
    return `object, \`type\`: ${tags.map((t) => `\`${String(t)}\``).join(" \\| ")}`;
  return variants.map(typeOf).join(" \\| ");
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "values"}`;
  const t = Array.isArray(s.type) ? s.type.join("/") : (s.type ?? "any");
  return s.format ? `${t} (${s.format})` : t;
}

export function updateReadme(readmePath: string, check: boolean): boolean {
  const text = readFileSync(readmePath, "utf8");
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${readmePath} has no ${BEGIN} … ${END} section`);
  const next = `${text.slice(0, start + BEGIN.length)}\n${configReference()}\n${text.slice(end)}`;
  if (next === text) return true;
  if (!check) writeFileSync(readmePath, next);
  return false;
}
