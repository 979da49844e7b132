import {
  LOGSTASH_SETTINGS_REQUIRED,
  envRef,
  extractEnvReferences,
  field,
  fieldRefString,
  hash,
  parseFieldRef,
  quoteString,
  renderNumber,
  renderPipeline,
  secretRef,
  type Condition,
  type PipelineModel,
  type Statement,
  type Value,
} from "../../constructs/logstash/pipeline";

const stdin: Statement = { plugin: "stdin", settings: {} };
const stdout: Statement = { plugin: "stdout", settings: {} };

/** A pipeline with one filter statement, for tests about a single value or condition. */
const withFilter = (statement: Statement): PipelineModel => ({
  input: [stdin],
  filter: [statement],
  output: [stdout],
});
const withSetting = (value: Value): PipelineModel => withFilter({ plugin: "mutate", settings: { x: value } });
const withCondition = (condition: Condition): PipelineModel => withFilter({ if: condition, then: [] });

describe("renderPipeline layout", () => {
  const model: PipelineModel = {
    input: [{ plugin: "gelf", settings: { port: 12201, use_udp: true, use_tcp: false } }],
    filter: [
      {
        if: {
          kind: "and",
          operands: [
            { kind: "compare", field: field("type"), op: "==", value: "dreamfactory" },
            {
              kind: "or",
              operands: [
                { kind: "truthy", field: field("a", "b") },
                { kind: "not", operand: { kind: "truthy", field: field("c") } },
              ],
            },
          ],
        },
        then: [
          {
            plugin: "mutate",
            settings: {
              rename: hash(["host", "source_hostname"]),
              add_tag: ["one", "two"],
              nested: [hash(["k", 1]), [2, 3]],
              empty_list: [],
              empty_hash: hash(),
            },
          },
        ],
        elseIfs: [{ if: { kind: "in", needle: "x", haystack: field("tags") }, then: [] }],
        else: [{ plugin: "drop", settings: {} }],
      },
    ],
    output: [{ plugin: "elasticsearch", settings: { api_key: secretRef("ES_API_KEY") } }],
  };

  test("is two-space indented, in model order, with a trailing newline", () => {
    expect(renderPipeline(model)).toBe(
      [
        "input {",
        "  gelf {",
        "    port => 12201",
        "    use_udp => true",
        "    use_tcp => false",
        "  }",
        "}",
        "",
        "filter {",
        '  if [type] == "dreamfactory" and ([a][b] or ![c]) {',
        "    mutate {",
        "      rename => {",
        '        "host" => "source_hostname"',
        "      }",
        '      add_tag => ["one", "two"]',
        "      nested => [",
        "        {",
        '          "k" => 1',
        "        },",
        "        [2, 3]",
        "      ]",
        "      empty_list => []",
        "      empty_hash => {}",
        "    }",
        '  } else if "x" in [tags] {',
        "  } else {",
        "    drop {}",
        "  }",
        "}",
        "",
        "output {",
        "  elasticsearch {",
        '    api_key => "${ES_API_KEY}"',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("is deterministic: equal models render to identical text", () => {
    const copy = JSON.parse(JSON.stringify(model)) as PipelineModel;
    expect(renderPipeline(copy)).toBe(renderPipeline(model));
    expect(renderPipeline(model)).toBe(renderPipeline(model));
  });

  test("omits an empty filter section but refuses a pipeline without input or output", () => {
    expect(renderPipeline({ input: [stdin], filter: [], output: [stdout] })).toBe(
      "input {\n  stdin {}\n}\n\noutput {\n  stdout {}\n}\n",
    );
    expect(() => renderPipeline({ input: [], filter: [], output: [stdout] })).toThrow(
      /input section is empty/,
    );
    expect(() => renderPipeline({ input: [stdin], filter: [], output: [] })).toThrow(
      /output section is empty/,
    );
  });
});

describe("strings", () => {
  test("escape exactly backslash, double quote, CR and TAB; keep line feeds raw for readable diffs", () => {
    expect(quoteString('a"b\\c\nd\re\tf')).toBe('"a\\"b\\\\c\nd\\re\\tf"');
  });

  test("emit every other character raw, NUL and single quotes included", () => {
    const raw = "\0'${X}#}{[]%{+YYYY} é 😀 \u2028 \u0001";
    expect(quoteString(raw)).toBe(`"${raw}"`);
  });

  test("refuse a final backslash, which no Logstash string literal can hold", () => {
    expect(() => renderPipeline(withSetting("C:\\"))).toThrow(
      /filter\[0\] mutate\.x: .* ends with a backslash/,
    );
    expect(quoteString("a\\b")).toBe('"a\\\\b"');
  });

  test("refuse lone surrogates, which cannot be written as UTF-8", () => {
    expect(() => quoteString("a\uD800")).toThrow(/lone UTF-16 surrogate/);
    expect(quoteString("\uD83D\uDE00")).toBe('"😀"');
  });

  test("the escapes need config.support_escapes", () => {
    expect(LOGSTASH_SETTINGS_REQUIRED).toEqual({ "config.support_escapes": true });
  });
});

describe("numbers", () => {
  test.each([
    [0, "0"],
    [-0, "0"],
    [42, "42"],
    [-3.25, "-3.25"],
    [1e21, "1000000000000000000000"],
    [1.5e-7, "0.00000015"],
    [-2.5e-10, "-0.00000000025"],
    [5e-324, `0.${"0".repeat(323)}5`],
  ])("%p is written without an exponent, which Logstash numbers lack", (value, text) => {
    expect(renderNumber(value)).toBe(text);
    expect(Number(text)).toBe(value === 0 ? 0 : value);
  });

  test.each([NaN, Infinity, -Infinity])("%p is refused", (value) => {
    expect(() => renderPipeline(withSetting(value))).toThrow(/not a finite number/);
  });
});

describe("names and field references", () => {
  test("plugin names and setting keys must be barewords", () => {
    expect(() => renderPipeline(withFilter({ plugin: "my plugin", settings: {} }))).toThrow(
      /filter\[0\]: plugin name: "my plugin" is not a Logstash bareword/,
    );
    expect(() => renderPipeline(withFilter({ plugin: "mutate", settings: { "a=>b": 1 } }))).toThrow(
      /filter\[0\] mutate\.a=>b: setting name: "a=>b" is not a Logstash bareword/,
    );
  });

  test.each(["a[b", "a]b", "a,b"])("a segment holding %s is refused, naming the segment", (segment) => {
    expect(() => renderPipeline(withCondition({ kind: "truthy", field: field("ok", segment) }))).toThrow(
      new RegExp(
        `filter\\[0\\]\\.if: field reference segment ${JSON.stringify(segment).replace(/[[\]]/g, "\\$&")} contains`,
      ),
    );
    expect(() => fieldRefString(field(segment))).toThrow(/cannot express/);
  });

  test("empty references and segments are refused", () => {
    expect(() => renderPipeline(withCondition({ kind: "truthy", field: field() }))).toThrow(
      /has no segments/,
    );
    expect(() => renderPipeline(withCondition({ kind: "truthy", field: field("") }))).toThrow(
      /segment is empty/,
    );
  });

  test("segments are written raw: quotes, spaces, # and braces need no escaping there", () => {
    const text = renderPipeline(
      withCondition({ kind: "truthy", field: field('a "b"', "#{c}", "@metadata") }),
    );
    expect(text).toContain('  if [a "b"][#{c}][@metadata] {\n');
  });

  test("parseFieldRef reads [a][b] and rejects other forms", () => {
    expect(parseFieldRef("[event][response][duration_ms]")).toEqual(
      field("event", "response", "duration_ms"),
    );
    expect(() => parseFieldRef("event.response")).toThrow(/not a field reference/);
    expect(() => parseFieldRef("[a]]")).toThrow(/not a field reference/);
  });
});

describe("conditions", () => {
  const conditionText = (condition: Condition) =>
    /^ {2}if (.*) \{$/m.exec(renderPipeline(withCondition(condition)))?.[1];

  test.each<[Condition, string]>([
    [{ kind: "compare", field: field("status"), op: ">=", value: 400 }, "[status] >= 400"],
    [{ kind: "compare", field: field("a"), op: "!=", value: 'q"' }, '[a] != "q\\""'],
    [{ kind: "match", field: field("uri"), pattern: "^/api/v2/(\\w+)" }, "[uri] =~ /^\\/api\\/v2\\/(\\w+)/"],
    [{ kind: "match", field: field("uri"), pattern: "a\\/b" }, "[uri] =~ /a\\/b/"],
    [{ kind: "in", needle: field("m"), haystack: ["GET", "POST"] }, '[m] in ["GET", "POST"]'],
    [{ kind: "in", needle: "_grokparsefailure", haystack: field("tags") }, '"_grokparsefailure" in [tags]'],
    [{ kind: "not", operand: { kind: "in", needle: field("m"), haystack: [1, 2] } }, "!([m] in [1, 2])"],
    [
      {
        kind: "or",
        operands: [
          {
            kind: "and",
            operands: [
              { kind: "truthy", field: field("a") },
              { kind: "truthy", field: field("b") },
            ],
          },
          { kind: "truthy", field: field("c") },
        ],
      },
      "([a] and [b]) or [c]",
    ],
  ])("%j renders as %s", (condition, text) => {
    expect(conditionText(condition)).toBe(text);
  });

  test('a one-element list is written twice, since ["x"] would read as a field reference', () => {
    expect(conditionText({ kind: "in", needle: field("m"), haystack: ["GET"] })).toBe(
      '[m] in ["GET", "GET"]',
    );
  });

  test("an element that would make the list read as a field reference is moved off the front", () => {
    expect(conditionText({ kind: "in", needle: field("m"), haystack: ["a]", "b"] })).toBe(
      '[m] in ["b", "a]"]',
    );
    expect(() => renderPipeline(withCondition({ kind: "in", needle: field("m"), haystack: ["a]"] }))).toThrow(
      /would read the list .* as a field reference/,
    );
  });

  test("regexes that a regex literal cannot hold are refused", () => {
    expect(() =>
      renderPipeline(withCondition({ kind: "match", field: field("a"), pattern: "x\\\\" })),
    ).toThrow(/ends with an escaped backslash/);
    expect(() => renderPipeline(withCondition({ kind: "match", field: field("a"), pattern: "x\\" }))).toThrow(
      /ends with a lone backslash/,
    );
  });

  test("and/or need two operands", () => {
    expect(() =>
      renderPipeline(withCondition({ kind: "and", operands: [{ kind: "truthy", field: field("a") }] })),
    ).toThrow(/"and" needs at least two operands/);
  });
});

describe("hashes", () => {
  test("keep entry order, quote keys and refuse duplicate keys", () => {
    expect(renderPipeline(withSetting(hash(["z", 1], ["a", 2])))).toContain('"z" => 1\n      "a" => 2');
    expect(() => renderPipeline(withSetting(hash(["k", 1], ["k", 2])))).toThrow(/duplicate hash key "k"/);
  });
});

describe("secrets", () => {
  test("envRef validates the variable name", () => {
    expect(envRef("ES_API_KEY")).toBe("${ES_API_KEY}");
    for (const bad of ["", "es_api_key", "1KEY", "A-B", "A}B", "A:B"]) {
      expect(() => envRef(bad)).toThrow(/not a valid variable name/);
    }
  });

  test("a secret renders only as its ${NAME} reference", () => {
    expect(renderPipeline(withSetting(secretRef("S3CRET")))).toContain('x => "${S3CRET}"');
  });

  test.each(["hunter2", "${lower}", "${A:default}", "prefix-${A}", "${A}${B}"])(
    "a secret holding %p is refused, wherever it is nested",
    (ref) => {
      const secret: Value = { kind: "secret", ref };
      for (const value of [secret, [secret], hash(["k", [hash(["deep", secret])]])]) {
        expect(() => renderPipeline(withSetting(value))).toThrow(/a secret must be an environment reference/);
      }
    },
  );

  test("the error does not echo the secret's value", () => {
    expect(() => renderPipeline(withSetting({ kind: "secret", ref: "hunter2" }))).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("hunter2") }),
    );
  });
});

describe("extractEnvReferences", () => {
  test("finds every ${NAME} and ${NAME:default}, sorted and unique", () => {
    const text = renderPipeline(
      withFilter({
        plugin: "mutate",
        settings: {
          a: secretRef("B_KEY"),
          b: "${A_HOST}/x/${B_KEY}",
          c: "${with.dot:fallback}",
          d: [hash(["k", "${Z}"])],
        },
      }),
    );
    expect(extractEnvReferences(text)).toEqual(["A_HOST", "B_KEY", "Z", "with.dot"]);
  });

  test("ignores text that Logstash does not substitute", () => {
    expect(extractEnvReferences('x => "$A ${1A} ${} ${A B} %{field} #{ruby}"')).toEqual([]);
  });
});
