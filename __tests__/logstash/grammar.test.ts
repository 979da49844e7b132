import fc from "fast-check";
import { HTTP_INPUT, PIPELINE_PARAMS } from "../support/pipeline-params";
import {
  buildApiLogPipeline,
  field,
  fieldRefString,
  hash,
  renderPipeline,
  secretRef,
  type Condition,
  type FieldRef,
  type Literal,
  type PipelineModel,
  type Statement,
  type Value,
} from "../../constructs/logstash/pipeline";
import {
  decodeLogstashString,
  normalizeRegexSlashes,
  parseLogstashConfig,
  toPipelineModel,
  type ConfigNode,
} from "../support/lscl";

const roundTrip = (model: PipelineModel) => toPipelineModel(parseLogstashConfig(renderPipeline(model)));

const stdin: Statement = { plugin: "stdin", settings: {} };
const stdout: Statement = { plugin: "stdout", settings: {} };
const withFilters = (filter: readonly Statement[]): PipelineModel => ({
  input: [stdin],
  filter,
  output: [stdout],
});

// Strings mixing any Unicode with everything that is special somewhere in the language.
const SPECIALS = [
  '"',
  "'",
  "\\",
  "\n",
  "\r",
  "\t",
  "\0",
  "${",
  "${A}",
  "#",
  "}",
  "{",
  "[",
  "]",
  ",",
  "=>",
  "%{",
  "\\n",
  '\\"',
  "/",
  " ",
];
const tricky = fc
  .array(fc.oneof(fc.string({ unit: "binary", maxLength: 6 }), fc.constantFrom(...SPECIALS)), {
    maxLength: 10,
  })
  .map((parts) => parts.join(""));
/** What a string literal can hold: anything but a final backslash (see quoteString). */
const stringValue = tricky.filter((s) => !s.endsWith("\\"));
const segment = tricky.map((s) => s.replace(/[[\],]/g, "")).filter((s) => s.length > 0);
const numberValue = fc
  .oneof(
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(1e21, 5e-324, -1.5e-7),
  )
  .filter((n) => !Object.is(n, -0));
const bareword = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const fieldRef: fc.Arbitrary<FieldRef> = fc
  .array(segment, { minLength: 1, maxLength: 3 })
  .map((path) => field(...path));
const literal: fc.Arbitrary<Literal> = fc.oneof(stringValue, numberValue);

const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    stringValue,
    numberValue,
    fc.boolean(),
    fc.array(tie("value"), { maxLength: 4 }),
    fc
      .uniqueArray(fc.tuple(stringValue, tie("value")), { selector: ([key]) => key, maxLength: 4 })
      .map((entries) => hash(...entries)),
  ),
}));

const settings = fc
  .uniqueArray(fc.tuple(bareword, value), { selector: ([key]) => key, maxLength: 5 })
  .map((entries) => Object.fromEntries(entries) as Record<string, Value>);
const plugin: fc.Arbitrary<Statement> = fc.record({ plugin: bareword, settings });

// Whole escape pairs only, so every generated pattern is a well-formed regex source.
const regexPattern = fc
  .array(fc.constantFrom("a", "é", "/", "\\/", "\\d", "\\\\", ".*", "[/]", "(x|y)", "#", '"', " ", "}"), {
    maxLength: 8,
  })
  .map((tokens) => tokens.join(""))
  .filter((p) => !p.endsWith("\\\\"));

const { condition } = fc.letrec<{ condition: Condition }>((tie) => ({
  condition: fc.oneof(
    { depthSize: "small" },
    fc.record({
      kind: fc.constant("compare" as const),
      field: fieldRef,
      op: fc.constantFrom(
        "==" as const,
        "!=" as const,
        "<" as const,
        ">" as const,
        "<=" as const,
        ">=" as const,
      ),
      value: literal,
    }),
    fc.record({ kind: fc.constant("match" as const), field: fieldRef, pattern: regexPattern }),
    // The last element never contains "]", so some order of the list is always writable.
    fc.record({
      kind: fc.constant("in" as const),
      needle: fieldRef,
      haystack: fc
        .tuple(fc.array(literal, { maxLength: 3 }), fc.stringMatching(/^[a-z ]{0,5}$/))
        .map(([items, last]) => [...items, last]),
    }),
    fc.record({ kind: fc.constant("in" as const), needle: literal, haystack: fieldRef }),
    fc.record({ kind: fc.constant("truthy" as const), field: fieldRef }),
    tie("condition").map((operand): Condition => ({ kind: "not", operand })),
    fc.record({
      kind: fc.constantFrom("and" as const, "or" as const),
      operands: fc.array(tie("condition"), { minLength: 2, maxLength: 3 }),
    }),
  ),
}));

const conditional: fc.Arbitrary<Statement> = fc.record(
  {
    if: condition,
    then: fc.array(plugin, { maxLength: 2 }),
    elseIfs: fc.array(fc.record({ if: condition, then: fc.array(plugin, { maxLength: 1 }) }), {
      minLength: 1,
      maxLength: 2,
    }),
    else: fc.array(plugin, { maxLength: 1 }),
  },
  { requiredKeys: ["if", "then"] },
);

const literalKey = (l: Literal) => JSON.stringify([typeof l, l]);

/** What is allowed to differ after a round trip: list order and repeats in `in`, `\/` in regexes. */
function canonicalCondition(c: Condition): Condition {
  switch (c.kind) {
    case "in":
      if (!Array.isArray(c.haystack)) return c;
      return {
        ...c,
        haystack: [...new Map((c.haystack as readonly Literal[]).map((l) => [literalKey(l), l])).entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([, l]) => l),
      };
    case "match":
      return { ...c, pattern: normalizeRegexSlashes(c.pattern) };
    case "not":
      return { kind: "not", operand: canonicalCondition(c.operand) };
    case "and":
    case "or":
      return { kind: c.kind, operands: c.operands.map(canonicalCondition) };
    default:
      return c;
  }
}

function canonicalStatement(s: Statement): Statement {
  if ("plugin" in s) return s;
  return {
    if: canonicalCondition(s.if),
    then: s.then.map(canonicalStatement),
    ...(s.elseIfs && s.elseIfs.length > 0
      ? {
          elseIfs: s.elseIfs.map((b) => ({
            if: canonicalCondition(b.if),
            then: b.then.map(canonicalStatement),
          })),
        }
      : {}),
    ...(s.else ? { else: s.else.map(canonicalStatement) } : {}),
  };
}

describe("the default pipeline", () => {
  const model = buildApiLogPipeline({
    ...PIPELINE_PARAMS,
    http: HTTP_INPUT,
    outputHosts: ["https://es01:9200", "https://es02:9200"],
    responseTime: { enabled: true, sourceField: "[event][response][duration_ms]" },
  });

  test("parses and reads back as the model (the secret as its reference)", () => {
    const output = model.output[0] as { plugin: string; settings: Record<string, Value> };
    const [udp, heartbeat, http] = model.input as { plugin: string; settings: Record<string, Value> }[];
    const expected: PipelineModel = {
      ...model,
      input: [
        udp,
        heartbeat,
        { ...http, settings: { ...http.settings, password: "${LOGSTASH_HTTP_PASSWORD}" } },
      ],
      output: [{ ...output, settings: { ...output.settings, api_key: "${LOGSTASH_ES_API_KEY}" } }],
    };
    expect(roundTrip(model)).toEqual(expected);
  });
});

describe("round trips (fast-check)", () => {
  test("arbitrary strings as setting values", () => {
    fc.assert(
      fc.property(stringValue, (s) => {
        expect(roundTrip(withFilters([{ plugin: "mutate", settings: { v: s } }]))).toEqual(
          withFilters([{ plugin: "mutate", settings: { v: s } }]),
        );
      }),
    );
  });

  test("arbitrary strings as hash keys and hash values", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(stringValue, stringValue), { selector: ([k]) => k, maxLength: 6 }),
        (entries) => {
          const model = withFilters([{ plugin: "mutate", settings: { h: hash(...entries) } }]);
          expect(roundTrip(model)).toEqual(model);
        },
      ),
    );
  });

  test("arbitrary numbers, booleans, arrays and hashes, nested", () => {
    fc.assert(
      fc.property(fc.array(plugin, { minLength: 1, maxLength: 3 }), (plugins) => {
        const model = withFilters(plugins);
        expect(roundTrip(model)).toEqual(model);
      }),
    );
  });

  test("arbitrary field-reference segments, in conditions and as string values", () => {
    fc.assert(
      fc.property(fieldRef, (ref) => {
        const model = withFilters([
          {
            if: { kind: "truthy", field: ref },
            then: [{ plugin: "mutate", settings: { copy: hash([fieldRefString(ref), "x"]) } }],
          },
        ]);
        expect(roundTrip(model)).toEqual(model);
      }),
    );
  });

  test("arbitrary conditions and if / else if / else chains", () => {
    fc.assert(
      fc.property(fc.array(conditional, { minLength: 1, maxLength: 2 }), (statements) => {
        const back = roundTrip(withFilters(statements));
        expect(back.filter.map(canonicalStatement)).toEqual(statements.map(canonicalStatement));
      }),
    );
  });

  test("secrets come back as their ${NAME} reference", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/), (name) => {
        const back = roundTrip({
          input: [stdin],
          filter: [],
          output: [{ plugin: "x", settings: { api_key: secretRef(name) } }],
        });
        expect(back.output).toEqual([{ plugin: "x", settings: { api_key: `\${${name}}` } }]);
      }),
    );
  });

  test("cutting the text before its last brace always breaks it (the parser is not vacuous)", () => {
    fc.assert(
      fc.property(fc.array(plugin, { minLength: 1, maxLength: 2 }), (plugins) => {
        const text = renderPipeline(withFilters(plugins));
        expect(() => parseLogstashConfig(text.slice(0, text.lastIndexOf("}")))).toThrow();
      }),
    );
  });
});

describe("the grammar", () => {
  test.each([
    ["an unclosed block", "input { stdin { }\n"],
    ["an unclosed string", 'input { stdin { a => "x } }\n'],
    ["a backslash before the closing quote", 'input { stdin { a => "C:\\\\" } }\n'],
    ["commas between hash entries", 'filter { mutate { add_field => { "a" => "1", "b" => "2" } } }\n'],
    ["attributes not separated by whitespace", "input { stdin { a => 1b => 2 } }\n"],
    ["an unknown section", "inputs { stdin {} }\n"],
    ["a comparison without a right-hand side", "filter { if [a] == { } }\n"],
    ["a final comment without a newline", "input { stdin {} } # done"],
    ["a trailing comma in a list", "filter { mutate { a => [1, 2,] } }\n"],
    ["an empty field reference segment", "filter { if [a][] { } }\n"],
    ["a number with an exponent", "input { x { a => 1e5 } }\n"],
    ["a one-letter bareword", "input { x { a => b } }\n"],
    ["a missing =>", 'input { x { a "b" } }\n'],
  ])("rejects %s", (_name, text) => {
    expect(() => parseLogstashConfig(text)).toThrow();
  });

  test("reads comments, single quotes, barewords, nested blocks, not in and else if", () => {
    const text = [
      "# header comment",
      "input { # after a brace",
      "  stdin { codec_name => json tags => ['it\\'s', \"x\"] }",
      "}",
      "filter {",
      '  if [a] not in ["x", "y"] and ![b] {',
      "    drop {}",
      "  } else if [c] =~ /^\\/x/ {",
      "    mutate {} # trailing",
      "  }",
      "}",
      "output { stdout {} }",
      "",
    ].join("\n");
    expect(toPipelineModel(parseLogstashConfig(text))).toEqual({
      input: [{ plugin: "stdin", settings: { codec_name: "json", tags: ["it's", "x"] } }],
      filter: [
        {
          if: {
            kind: "and",
            operands: [
              { kind: "not", operand: { kind: "in", needle: field("a"), haystack: ["x", "y"] } },
              { kind: "not", operand: { kind: "truthy", field: field("b") } },
            ],
          },
          then: [{ plugin: "drop", settings: {} }],
          elseIfs: [
            {
              if: { kind: "match", field: field("c"), pattern: "^\\/x" },
              then: [{ plugin: "mutate", settings: {} }],
            },
          ],
        },
      ],
      output: [{ plugin: "stdout", settings: {} }],
    });
  });

  test('reads ["x"] in a condition as the field named "x" with quotes, as Logstash does', () => {
    const config: ConfigNode = parseLogstashConfig('filter { if [a] in ["x"] { } }\n');
    const branch = config.sections[0].body[0];
    expect(branch).toMatchObject({
      kind: "branch",
      if: { condition: { head: { kind: "in", right: { kind: "selector", path: ['"x"'] } } } },
    });
  });
});

describe("decodeLogstashString", () => {
  test("applies the six documented escapes", () => {
    expect(decodeLogstashString("a\\\\b\\\"c\\'d\\ne\\rf\\tg")).toBe("a\\b\"c'd\ne\rf\tg");
  });

  test.each(["\\0", "\\x41", "\\u0041", "\\a", "end\\"])(
    "refuses %p, whose meaning is not documented",
    (raw) => {
      expect(() => decodeLogstashString(raw)).toThrow();
    },
  );
});
