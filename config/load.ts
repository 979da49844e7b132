import { readFileSync } from "node:fs";
import { extname } from "node:path";
import YAML from "yaml";
import type { z } from "zod";
import { configSchema, type StackConfig } from "./schema";

/**
 * A user mistake in the configuration: one line per problem, naming the key,
 * the value and the rule. main.ts prints these without a stack trace.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

/** The environment variable naming an optional YAML or JSON config file. */
export const CONFIG_ENV = "STACK_CONFIG";

/** Validates a config object (from a file or a test) and applies the defaults. */
export function parseConfig(input: unknown, source = "config"): StackConfig {
  // Rules the schema words itself take precedence over these generic ones.
  const result = configSchema.safeParse(input ?? {}, { reportInput: true, error: (issue) => ruleOf(issue) });
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.flatMap((issue) => describeIssue(issue, input, source)));
}

/** Reads the file named by STACK_CONFIG, if any, and validates it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const file = env[CONFIG_ENV];
  if (file === undefined || file === "") return parseConfig({});
  return parseConfig(readConfigFile(file), file);
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([
      `${CONFIG_ENV}=${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    ]);
  }
  const ext = extname(file).toLowerCase();
  if (ext === ".json") {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ConfigError([`${file}: not valid JSON (${(e as Error).message})`]);
    }
  }
  if (ext === ".yaml" || ext === ".yml") {
    const doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new ConfigError(doc.errors.map((err) => `${file}: not valid YAML (${oneLine(err.message)})`));
    }
    return doc.toJS();
  }
  throw new ConfigError([`${CONFIG_ENV}=${file}: the file must end in .json, .yaml or .yml`]);
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown, source: string): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return `${source}: ${formatPath(path)} = ${formatValue(valueAt(input, path))}: unknown key`;
    });
  }
  // A discriminated union reports the whole object; the value that is wrong is its tag.
  const tagIssue =
    issue.code === "invalid_union" && (issue as { note?: string }).note === "No matching discriminator";
  const value =
    !tagIssue && "input" in issue && issue.input !== undefined ? issue.input : valueAt(input, issue.path);
  return [`${source}: ${formatPath(issue.path)} = ${formatValue(value)}: ${oneLine(issue.message)}`];
}

function ruleOf(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return `must be ${issue.expected === "int" ? "an integer" : `a ${issue.expected}`}`;
    case "too_small":
      return issue.origin === "array" || issue.origin === "string"
        ? `must have at least ${issue.minimum} ${issue.origin === "array" ? "item(s)" : "character(s)"}`
        : `must be ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      return `must be ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union": {
      const { options } = issue as { options?: unknown[] };
      return Array.isArray(options)
        ? `must be one of ${options.map((v) => JSON.stringify(v)).join(", ")}`
        : undefined;
    }
    case "invalid_format":
      return issue.format === "email" ? "must be an e-mail address" : `must be a valid ${issue.format}`;
    default:
      return undefined;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0
    ? "(root)"
    : path
        .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
        .join(".")
        .replace(/\.\[/g, "[");
}

function formatValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
