/**
 * A typed model of a Logstash pipeline (the subset of the configuration language this
 * stack needs). It is plain data: `renderPipeline` turns it into configuration text and
 * owns every quoting and escaping decision, so builders never write Logstash syntax.
 */

/** A hash value. Entries keep their order; keys must be unique (Logstash rejects duplicates). */
export interface HashValue {
  readonly kind: "hash";
  readonly entries: readonly (readonly [string, Value])[];
}

/**
 * A value that must never appear in the text as a literal. `ref` must be an environment
 * (or keystore) reference such as `${ES_API_KEY}`; `renderPipeline` throws otherwise.
 */
export interface SecretValue {
  readonly kind: "secret";
  readonly ref: string;
}

/** A plugin as a setting's value, e.g. `codec => plain { charset => "ISO-8859-1" }`. */
export interface PluginValue {
  readonly kind: "plugin";
  readonly name: string;
  /** Rendered in insertion order. */
  readonly settings: Readonly<Record<string, Value>>;
}

export type Scalar = string | number | boolean;

export type Value = Scalar | readonly Value[] | HashValue | SecretValue | PluginValue;

/** `[a][b]`: a path of field names, each non-empty and free of `[`, `]` and `,`. */
export interface FieldRef {
  readonly kind: "field";
  readonly path: readonly string[];
}

export type Literal = string | number;

export type ComparisonOperator = "==" | "!=" | "<" | ">" | "<=" | ">=";

export type Condition =
  | {
      readonly kind: "compare";
      readonly field: FieldRef;
      readonly op: ComparisonOperator;
      readonly value: Literal;
    }
  /** `field =~ /pattern/`; `pattern` is the regular expression source. */
  | { readonly kind: "match"; readonly field: FieldRef; readonly pattern: string }
  /** `needle in haystack`: a field in a list of literals, or a literal (e.g. a tag) in a field. */
  | {
      readonly kind: "in";
      readonly needle: FieldRef | Literal;
      readonly haystack: FieldRef | readonly Literal[];
    }
  /**
   * `if [field]`: Logstash's only field test. It is a truthiness test: a missing field,
   * `null` and `false` are false; everything else (including 0 and "") is true.
   */
  | { readonly kind: "truthy"; readonly field: FieldRef }
  | { readonly kind: "and" | "or"; readonly operands: readonly Condition[] }
  | { readonly kind: "not"; readonly operand: Condition };

export interface PluginStatement {
  readonly plugin: string;
  /** Rendered in insertion order. */
  readonly settings: Readonly<Record<string, Value>>;
}

export interface ElseIf {
  readonly if: Condition;
  readonly then: readonly Statement[];
}

export interface ConditionalStatement {
  readonly if: Condition;
  readonly then: readonly Statement[];
  readonly elseIfs?: readonly ElseIf[];
  readonly else?: readonly Statement[];
}

export type Statement = PluginStatement | ConditionalStatement;

export interface PipelineModel {
  readonly input: readonly Statement[];
  readonly filter: readonly Statement[];
  readonly output: readonly Statement[];
}

export function isPlugin(statement: Statement): statement is PluginStatement {
  return "plugin" in statement;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** The only form a secret may take in the text. */
export const SECRET_REF = /^\$\{[A-Z_][A-Z0-9_]*\}$/;

/** `${NAME}`: Logstash replaces it with the keystore entry or environment variable NAME. */
export function envRef(name: string): string {
  if (!ENV_NAME.test(name)) {
    throw new Error(
      `envRef: ${JSON.stringify(name)} is not a valid variable name (expected ${ENV_NAME.source})`,
    );
  }
  return "${" + name + "}";
}

/** A secret setting value: the text only ever holds `${NAME}`. */
export function secretRef(name: string): SecretValue {
  return { kind: "secret", ref: envRef(name) };
}

export function field(...path: string[]): FieldRef {
  return { kind: "field", path };
}

export function hash(...entries: (readonly [string, Value])[]): HashValue {
  return { kind: "hash", entries };
}

/** `[a][b]` as a string setting value (e.g. mutate's `copy`), validated like a condition's field. */
export function fieldRefString(ref: FieldRef): string {
  return ref.path.map((segment) => `[${checkSegment(segment)}]`).join("");
}

/** Parses `[a][b]` (the only form accepted; bare names are ambiguous) into a FieldRef. */
export function parseFieldRef(text: string): FieldRef {
  if (!/^(\[[^[\],]+\])+$/.test(text)) {
    throw new Error(`${JSON.stringify(text)} is not a field reference of the form [a][b]`);
  }
  return field(...text.slice(1, -1).split("]["));
}

/** Field-reference segments cannot hold `[`, `]` or `,` in the Logstash grammar (selector_element). */
export function checkSegment(segment: string): string {
  if (segment.length === 0) throw new Error("field reference segment is empty");
  const bad = /[[\],]/.exec(segment);
  if (bad) {
    throw new Error(
      `field reference segment ${JSON.stringify(segment)} contains ${JSON.stringify(bad[0])}, which Logstash field references cannot express`,
    );
  }
  return segment;
}
