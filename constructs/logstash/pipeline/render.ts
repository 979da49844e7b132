import {
  checkSegment,
  isPlugin,
  SECRET_REF,
  type Condition,
  type FieldRef,
  type Literal,
  type PipelineModel,
  type Statement,
  type Value,
} from "./model";

/**
 * logstash.yml settings the rendered text depends on. Strings are written with escape
 * sequences, which Logstash only processes with `config.support_escapes: true`; without it
 * `"a\"b"` would keep its backslash, and a double quote could not be written at all.
 */
export const LOGSTASH_SETTINGS_REQUIRED = { "config.support_escapes": true } as const;

const BAREWORD = /^[A-Za-z0-9_-]+$/;
const INDENT = "  ";

/**
 * Renders the model as Logstash configuration text: two-space indent, model order,
 * trailing newline. Throws an Error naming the offending place for anything Logstash
 * could not read back exactly (see quoteString, renderRegex, renderList).
 */
export function renderPipeline(model: PipelineModel): string {
  if (model.input.length === 0) throw new Error("Logstash pipeline: the input section is empty");
  if (model.output.length === 0) throw new Error("Logstash pipeline: the output section is empty");
  const sections: string[] = [];
  for (const section of ["input", "filter", "output"] as const) {
    const statements = model[section];
    if (statements.length === 0) continue;
    const body = statements.map((s, i) => renderStatement(s, 1, `Logstash pipeline ${section}[${i}]`));
    sections.push(`${section} {\n${body.join("\n")}\n}\n`);
  }
  return sections.join("\n");
}

function renderStatement(statement: Statement, depth: number, where: string): string {
  const pad = INDENT.repeat(depth);
  if (isPlugin(statement)) return `${pad}${renderPlugin(statement.plugin, statement.settings, depth, where)}`;
  const block = (statements: readonly Statement[], at: string) =>
    statements.map((s, i) => renderStatement(s, depth + 1, `${at}[${i}]`)).join("\n");
  const body = (text: string) => (text === "" ? "" : `${text}\n`);
  let out = `${pad}if ${renderCondition(statement.if, `${where}.if`)} {\n${body(block(statement.then, `${where}.then`))}${pad}}`;
  (statement.elseIfs ?? []).forEach((branch, b) => {
    const at = `${where}.elseIfs[${b}]`;
    out += ` else if ${renderCondition(branch.if, `${at}.if`)} {\n${body(block(branch.then, `${at}.then`))}${pad}}`;
  });
  if (statement.else !== undefined) {
    out += ` else {\n${body(block(statement.else, `${where}.else`))}${pad}}`;
  }
  return out;
}

/** `name { settings }`, its closing brace at `depth` (a statement, or a setting's value). */
function renderPlugin(
  plugin: string,
  settings: Readonly<Record<string, Value>>,
  depth: number,
  where: string,
): string {
  const pad = INDENT.repeat(depth);
  const name = bareword(plugin, `${where}: plugin name`);
  const entries = Object.entries(settings);
  if (entries.length === 0) return `${name} {}`;
  const lines = entries.map(([key, value]) => {
    const at = `${where} ${name}.${key}`;
    return `${pad}${INDENT}${bareword(key, `${at}: setting name`)} => ${renderValue(value, depth + 1, at)}`;
  });
  return `${name} {\n${lines.join("\n")}\n${pad}}`;
}

function bareword(name: string, where: string): string {
  if (!BAREWORD.test(name)) {
    throw new Error(`${where}: ${JSON.stringify(name)} is not a Logstash bareword (${BAREWORD.source})`);
  }
  return name;
}

function isInline(value: Value): boolean {
  return (
    typeof value !== "object" || (!Array.isArray(value) && (value as { kind: string }).kind === "secret")
  );
}

function renderValue(value: Value, depth: number, where: string): string {
  if (typeof value === "string") return quoteString(value, where);
  if (typeof value === "number") return renderNumber(value, where);
  if (typeof value === "boolean") return value ? "true" : "false";
  const pad = INDENT.repeat(depth);
  if (Array.isArray(value)) {
    const items: readonly Value[] = value;
    if (items.every(isInline)) {
      return `[${items.map((v, i) => renderValue(v, depth, `${where}[${i}]`)).join(", ")}]`;
    }
    const lines = items.map((v, i) => `${pad}${INDENT}${renderValue(v, depth + 1, `${where}[${i}]`)}`);
    return `[\n${lines.join(",\n")}\n${pad}]`;
  }
  const object = value as Exclude<Value, Literal | boolean | readonly Value[]>;
  if (object.kind === "secret") {
    if (!SECRET_REF.test(object.ref)) {
      throw new Error(
        `${where}: a secret must be an environment reference like \${NAME} (see envRef), refusing to write it as a literal`,
      );
    }
    return quoteString(object.ref, where);
  }
  if (object.kind === "plugin") return renderPlugin(object.name, object.settings, depth, where);
  if (object.entries.length === 0) return "{}";
  const seen = new Set<string>();
  const lines = object.entries.map(([key, v]) => {
    if (seen.has(key))
      throw new Error(`${where}: duplicate hash key ${JSON.stringify(key)} (Logstash rejects it)`);
    seen.add(key);
    const at = `${where}[${JSON.stringify(key)}]`;
    return `${pad}${INDENT}${quoteString(key, at)} => ${renderValue(v, depth + 1, at)}`;
  });
  return `{\n${lines.join("\n")}\n${pad}}`;
}

/**
 * A double-quoted string for `config.support_escapes: true`. Logstash processes exactly
 * `\\ \" \' \n \r \t`; what it does with any other backslash sequence changed between
 * versions, so only these are emitted and every other character (NUL included) is raw.
 * Line feeds stay raw too (quoted strings may span lines): embedded Ruby code then reads,
 * and diffs, line by line.
 */
export function quoteString(value: string, where = "string"): string {
  if (/[\uD800-\uDFFF]/u.test(value)) {
    throw new Error(
      `${where}: ${JSON.stringify(value)} contains a lone UTF-16 surrogate, which UTF-8 cannot encode`,
    );
  }
  // The grammar (treetop) finds the closing quote before escapes are processed and reads
  // backslash-quote as an escaped quote, so no escaping of a final backslash survives.
  if (value.endsWith("\\")) {
    throw new Error(
      `${where}: ${JSON.stringify(value)} ends with a backslash, which a Logstash string literal cannot express`,
    );
  }
  const escaped = value.replace(/[\\"\r\t]/g, (c) => ESCAPES[c]);
  return `"${escaped}"`;
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\r": "\\r", "\t": "\\t" };

/** Logstash numbers are `-?[0-9]+(\.[0-9]*)?`: no exponent, so JS's `1e21` is expanded. */
export function renderNumber(value: number, where = "number"): string {
  if (!Number.isFinite(value)) throw new Error(`${where}: ${value} is not a finite number`);
  if (Object.is(value, -0)) return "0";
  const text = String(value);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, int, frac = "", exp] = m;
  const digits = int + frac;
  const point = int.length + Number(exp);
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function renderSelector(ref: FieldRef, where: string): string {
  if (ref.path.length === 0) throw new Error(`${where}: field reference has no segments`);
  try {
    // Selectors are raw text (no escapes apply), so only the three forbidden characters matter.
    return ref.path.map((segment) => `[${checkSegment(segment)}]`).join("");
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

function renderLiteral(value: Literal, where: string): string {
  return typeof value === "string" ? quoteString(value, where) : renderNumber(value, where);
}

// In a condition the grammar tries a field reference before a list, so `["a"]` is the field `"a"`.
const READS_AS_SELECTOR = /^\[[^[\],]+\]/;

/**
 * A list of literals in a condition. A one-element list is written twice (membership is
 * unchanged) and an element that would make the list read as a field reference is moved
 * away from the front; if every element would, the list cannot be written.
 */
function renderList(values: readonly Literal[], where: string): string {
  const items = values.length === 1 ? [values[0], values[0]] : values;
  const text = (list: readonly Literal[]) =>
    `[${list.map((v, i) => renderLiteral(v, `${where}[${i}]`)).join(", ")}]`;
  for (let i = 0; i < items.length; i++) {
    const candidate = text([items[i], ...items.slice(0, i), ...items.slice(i + 1)]);
    if (!READS_AS_SELECTOR.test(candidate)) return candidate;
  }
  if (items.length === 0) return "[]";
  throw new Error(`${where}: Logstash would read the list ${text(items)} as a field reference`);
}

/**
 * A regex literal: `/` is written `\/` (the same pattern for the regex engine), and a
 * pattern ending in an escaped backslash is refused because `\/` would swallow the closing slash.
 */
function renderRegex(pattern: string, where: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      if (i + 1 >= pattern.length)
        throw new Error(`${where}: regex ${JSON.stringify(pattern)} ends with a lone backslash`);
      out += c + pattern[++i];
    } else {
      out += c === "/" ? "\\/" : c;
    }
  }
  if (out.endsWith("\\")) {
    throw new Error(
      `${where}: regex ${JSON.stringify(pattern)} ends with an escaped backslash, which a Logstash regex literal cannot express; append (?:)`,
    );
  }
  return `/${out}/`;
}

function renderOperand(operand: Literal | FieldRef, where: string): string {
  return typeof operand === "object" ? renderSelector(operand, where) : renderLiteral(operand, where);
}

function renderCondition(condition: Condition, where: string): string {
  switch (condition.kind) {
    case "compare":
      return `${renderSelector(condition.field, where)} ${condition.op} ${renderLiteral(condition.value, where)}`;
    case "match":
      return `${renderSelector(condition.field, where)} =~ ${renderRegex(condition.pattern, where)}`;
    case "in": {
      const { haystack } = condition;
      const right = Array.isArray(haystack)
        ? renderList(haystack as readonly Literal[], where)
        : renderSelector(haystack as FieldRef, where);
      return `${renderOperand(condition.needle, where)} in ${right}`;
    }
    case "truthy":
      return renderSelector(condition.field, where);
    case "not":
      return condition.operand.kind === "truthy"
        ? `!${renderSelector(condition.operand.field, where)}`
        : `!(${renderCondition(condition.operand, where)})`;
    case "and":
    case "or": {
      if (condition.operands.length < 2) {
        throw new Error(`${where}: "${condition.kind}" needs at least two operands`);
      }
      // Logstash's and/or precedence handling is unusual, so nesting is always explicit.
      return condition.operands
        .map((c, i) => {
          const text = renderCondition(c, `${where}.${condition.kind}[${i}]`);
          return c.kind === "and" || c.kind === "or" ? `(${text})` : text;
        })
        .join(` ${condition.kind} `);
    }
  }
}

// Logstash's own substitution pattern (`${NAME}` or `${NAME:default}`).
const ENV_REFERENCE = /\$\{([a-zA-Z_.][a-zA-Z0-9_.]*)(?::[^}]*)?\}/g;

/**
 * Names of every `${NAME}` / `${NAME:default}` reference in a rendered pipeline, sorted and
 * unique. It scans the whole text, so it may over-report (never under-report) what Logstash
 * substitutes: every name returned must be provided to the container.
 */
export function extractEnvReferences(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(ENV_REFERENCE)) names.add(m[1]);
  return [...names].sort();
}
