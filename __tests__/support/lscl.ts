import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "peggy";
import type {
  Condition,
  FieldRef,
  Literal,
  PipelineModel,
  Statement,
  Value,
} from "../../constructs/logstash/pipeline/model";

/** AST of lscl.peggy. String and regexp contents are raw text, exactly as written. */
export interface StringNode {
  readonly kind: "string";
  readonly quote: '"' | "'";
  readonly raw: string;
}
export interface BarewordNode {
  readonly kind: "bareword";
  readonly text: string;
}
export interface NumberNode {
  readonly kind: "number";
  readonly text: string;
}
export interface ArrayNode {
  readonly kind: "array";
  readonly items: readonly ValueNode[];
}
export interface HashNode {
  readonly kind: "hash";
  readonly entries: readonly { key: NumberNode | BarewordNode | StringNode; value: ValueNode }[];
}
export interface PluginNode {
  readonly kind: "plugin";
  readonly name: BarewordNode | StringNode;
  readonly attributes: readonly { name: BarewordNode | StringNode; value: ValueNode }[];
}
export type ValueNode = PluginNode | BarewordNode | StringNode | NumberNode | ArrayNode | HashNode;

export interface SelectorNode {
  readonly kind: "selector";
  readonly path: readonly string[];
}
export interface RegexpNode {
  readonly kind: "regexp";
  readonly raw: string;
}
export interface MethodCallNode {
  readonly kind: "method_call";
  readonly method: string;
  readonly args: readonly RValueNode[];
}
export type RValueNode = StringNode | NumberNode | SelectorNode | ArrayNode | MethodCallNode | RegexpNode;

export type ExpressionNode =
  | ConditionNode
  | RValueNode
  | { readonly kind: "not"; readonly operand: ConditionNode | SelectorNode }
  | { readonly kind: "in" | "not_in"; readonly left: RValueNode; readonly right: RValueNode }
  | { readonly kind: "compare"; readonly left: RValueNode; readonly op: string; readonly right: RValueNode }
  | {
      readonly kind: "regexp_match";
      readonly left: RValueNode;
      readonly op: string;
      readonly right: StringNode | RegexpNode;
    };

export interface ConditionNode {
  readonly kind: "condition";
  readonly head: ExpressionNode;
  readonly tail: readonly { op: string; expression: ExpressionNode }[];
}

export interface BranchNode {
  readonly kind: "branch";
  readonly if: { condition: ConditionNode; body: readonly StatementNode[] };
  readonly elseIfs: readonly { condition: ConditionNode; body: readonly StatementNode[] }[];
  readonly else: { body: readonly StatementNode[] } | null;
}
export type StatementNode = PluginNode | BranchNode;

export interface ConfigNode {
  readonly sections: readonly { type: "input" | "filter" | "output"; body: readonly StatementNode[] }[];
}

// Compiled once per test file; the grammar is read from disk so the .peggy file is the source.
const parser = generate(readFileSync(join(__dirname, "lscl.peggy"), "utf8"));

/** Parses Logstash configuration text; throws peggy's SyntaxError (with location) when invalid. */
export function parseLogstashConfig(text: string): ConfigNode {
  return parser.parse(text) as ConfigNode;
}

const ESCAPED: Record<string, string> = { "\\": "\\", '"': '"', "'": "'", n: "\n", r: "\r", t: "\t" };

/**
 * A string literal's value under `config.support_escapes: true`: the six documented
 * escapes. Any other backslash sequence is an error here, because Logstash versions
 * disagree on it and the renderer must never produce one.
 */
export function decodeLogstashString(raw: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = raw[i + 1];
    if (next === undefined) throw new Error(`string ends with a lone backslash: ${JSON.stringify(raw)}`);
    const decoded = ESCAPED[next];
    if (decoded === undefined) throw new Error(`undocumented escape \\${next} in ${JSON.stringify(raw)}`);
    out += decoded;
    i++;
  }
  return out;
}

/** `\/` and `/` are the same to the regex engine: compares regex sources modulo that. */
export function normalizeRegexSlashes(pattern: string): string {
  return pattern.replace(/\\(.)|\//gsu, (whole, escaped: string | undefined) =>
    escaped === "/" ? "/" : whole,
  );
}

function nameText(name: BarewordNode | StringNode): string {
  if (name.kind === "bareword") return name.text;
  throw new Error(`quoted name ${JSON.stringify(name.raw)} is not produced by the renderer`);
}

function toValue(node: ValueNode): Value {
  switch (node.kind) {
    case "string":
      return decodeLogstashString(node.raw);
    case "number":
      return Number(node.text);
    case "bareword":
      return node.text === "true" ? true : node.text === "false" ? false : node.text;
    case "array":
      return node.items.map(toValue);
    case "hash":
      return {
        kind: "hash",
        entries: node.entries.map(({ key, value }) => {
          const k = key.kind === "string" ? decodeLogstashString(key.raw) : key.text;
          return [k, toValue(value)] as const;
        }),
      };
    case "plugin":
      return { kind: "plugin", name: nameText(node.name), settings: pluginSettings(node) };
  }
}

function toFieldRef(node: RValueNode): FieldRef {
  if (node.kind !== "selector") throw new Error(`expected a field reference, got ${node.kind}`);
  return { kind: "field", path: node.path };
}

function toLiteral(node: RValueNode | ValueNode): Literal {
  if (node.kind === "string") return decodeLogstashString(node.raw);
  if (node.kind === "number") return Number(node.text);
  throw new Error(`expected a string or number literal, got ${node.kind}`);
}

function toCondition(node: ExpressionNode): Condition {
  switch (node.kind) {
    case "condition": {
      if (node.tail.length === 0) return toCondition(node.head);
      const op = node.tail[0].op;
      if ((op !== "and" && op !== "or") || node.tail.some((t) => t.op !== op)) {
        throw new Error(`mixed or unsupported boolean operators: ${node.tail.map((t) => t.op).join(", ")}`);
      }
      return { kind: op, operands: [node.head, ...node.tail.map((t) => t.expression)].map(toCondition) };
    }
    case "not":
      return {
        kind: "not",
        operand:
          node.operand.kind === "selector"
            ? { kind: "truthy", field: toFieldRef(node.operand) }
            : toCondition(node.operand),
      };
    case "in":
    case "not_in": {
      const needle = node.left.kind === "selector" ? toFieldRef(node.left) : toLiteral(node.left);
      const haystack = node.right.kind === "array" ? node.right.items.map(toLiteral) : toFieldRef(node.right);
      const condition: Condition = { kind: "in", needle, haystack };
      return node.kind === "in" ? condition : { kind: "not", operand: condition };
    }
    case "compare":
      return {
        kind: "compare",
        field: toFieldRef(node.left),
        op: node.op as Extract<Condition, { kind: "compare" }>["op"],
        value: toLiteral(node.right),
      };
    case "regexp_match":
      if (node.op !== "=~" || node.right.kind !== "regexp") throw new Error("only `=~ /regex/` is produced");
      return { kind: "match", field: toFieldRef(node.left), pattern: node.right.raw };
    case "selector":
      return { kind: "truthy", field: toFieldRef(node) };
    default:
      throw new Error(`${node.kind} is not a condition the renderer produces`);
  }
}

function pluginSettings(node: Extract<StatementNode, { kind: "plugin" }>): Record<string, Value> {
  const names = node.attributes.map((a) => nameText(a.name));
  if (new Set(names).size !== names.length) throw new Error(`duplicate settings in ${nameText(node.name)}`);
  return Object.fromEntries(node.attributes.map((a) => [nameText(a.name), toValue(a.value)]));
}

function toStatement(node: StatementNode): Statement {
  if (node.kind === "plugin") return { plugin: nameText(node.name), settings: pluginSettings(node) };
  return {
    if: toCondition(node.if.condition),
    then: node.if.body.map(toStatement),
    ...(node.elseIfs.length > 0
      ? {
          elseIfs: node.elseIfs.map((b) => ({ if: toCondition(b.condition), then: b.body.map(toStatement) })),
        }
      : {}),
    ...(node.else ? { else: node.else.body.map(toStatement) } : {}),
  };
}

/**
 * Reads parsed text back into the model's shape, with strings decoded as Logstash does.
 * Secrets come back as their `${NAME}` string, `=~` patterns as the raw regex text.
 */
export function toPipelineModel(config: ConfigNode): PipelineModel {
  const model = { input: [] as Statement[], filter: [] as Statement[], output: [] as Statement[] };
  for (const section of config.sections) model[section.type].push(...section.body.map(toStatement));
  return model;
}
