import {
  GELF_RUBY_SOURCE,
  RUBY_LIBRARY_SOURCE,
  gelfDecoderRubyFilter,
  apiLogRubyLibrary,
  jwtUserIdRubyInit,
  buildApiLogPipeline,
  extractEnvReferences,
  jwtUserIdRubyCode,
  ecsHostRubyCode,
  levelRubyCode,
  redactRubyFilter,
  responseStatusRubyCode,
  stripUnderscoreRubyCode,
  renderPipeline,
  responseMsRubyCode,
  type ApiLogPipelineParams,
  type Statement,
} from "../../constructs/logstash/pipeline";
import { parseLogstashConfig, toPipelineModel } from "../support/lscl";
import { HTTP_INPUT, PIPELINE_PARAMS } from "../support/pipeline-params";

const PARAMS: ApiLogPipelineParams = PIPELINE_PARAMS;

/** Assertions read the rendered text back through the grammar, so they test what Logstash reads. */
function parsed(params: Partial<ApiLogPipelineParams> = {}) {
  const text = renderPipeline(buildApiLogPipeline({ ...PARAMS, ...params }));
  return { text, model: toPipelineModel(parseLogstashConfig(text)) };
}

const asPlugin = (s: Statement | undefined) => {
  if (s === undefined || !("plugin" in s)) throw new Error("expected a plugin statement");
  return s;
};

describe("input", () => {
  // GELF arrives through a udp input and the decoder filter (gelf-decoder.test.ts), not the
  // gelf input, which cannot read df-logger's chunks (gelf-framing.test.ts).
  test("GELF on the configured port over UDP, bytes kept, typed and marked for the decoder", () => {
    const [udp, heartbeat] = parsed().model.input.map(asPlugin);
    // logstash-input-udp v3.5.0 lib/logstash/inputs/udp.rb: buffer_size, source_ip_fieldname;
    // logstash-codec-plain v3.1.0 lib/logstash/codecs/plain.rb: charset, and [event][original]
    // unless ECS is disabled.
    expect(udp).toEqual({
      plugin: "udp",
      settings: {
        port: 12201,
        type: "dreamfactory",
        buffer_size: 65535,
        codec: {
          kind: "plugin",
          name: "plain",
          settings: { charset: "ISO-8859-1", ecs_compatibility: "disabled" },
        },
        source_ip_fieldname: "source_host",
        ecs_compatibility: "disabled",
        add_field: { kind: "hash", entries: [["[@metadata][transport]", "gelf"]] },
      },
    });
    // logstash-input-heartbeat v3.1.1: an event every `interval` seconds, for the decoder's sweep.
    expect(heartbeat).toEqual({
      plugin: "heartbeat",
      settings: {
        interval: 1,
        ecs_compatibility: "disabled",
        add_field: {
          kind: "hash",
          entries: [
            ["[@metadata][transport]", "gelf"],
            ["[@metadata][gelf_tick]", "true"],
          ],
        },
      },
    });
  });

  test("no GELF over TCP: df-logger's GelfLogger is UDP only (df-logger 0.15.2 src/Components/GelfLogger.php)", () => {
    const inputs = parsed({ gelfPort: 5514 }).model.input.map(asPlugin);
    expect(inputs.map((i) => i.plugin)).toEqual(["udp", "heartbeat"]);
    expect(inputs[0].settings.port).toBe(5514);
  });

  test("the http input, when asked: basic auth from ${VAR}, JSON whatever the content type, marked http", () => {
    const { model, text } = parsed({ http: HTTP_INPUT });
    expect(model.input).toHaveLength(3);
    // df-core 1.0.15 src/Utility/Curl.php: a string payload goes to CURLOPT_POSTFIELDS, so cURL
    // sends application/x-www-form-urlencoded; logstash-input-http v3.10.2 lib/logstash/inputs/http.rb
    // decodes types missing from additional_codecs with the input's codec.
    expect(asPlugin(model.input[2])).toEqual({
      plugin: "http",
      settings: {
        port: 8080,
        user: "dreamfactory",
        password: "${LOGSTASH_HTTP_PASSWORD}",
        codec: "json",
        type: "dreamfactory",
        add_field: { kind: "hash", entries: [["[@metadata][transport]", "http"]] },
      },
    });
    expect(extractEnvReferences(text)).toEqual(["LOGSTASH_ES_API_KEY", "LOGSTASH_HTTP_PASSWORD"]);
    expect(parsed().model.input).toHaveLength(2);
  });
});

/** A ruby filter as the pipeline writes it: load the library, call the named compiled class. */
const compiled = (name: string, libraryPath = PARAMS.rubyLibraryPath) => ({
  plugin: "ruby",
  settings: {
    init: `require '${libraryPath}'\n@filter = ::ElkGrafanaCdktf::Compiled::${name}.new`,
    code: "@filter.filter(event)",
  },
});

/** The class the library defines for a filter: its init as the constructor, its code as filter(event). */
const compiledClass = (name: string, f: { init?: string; code: string }) =>
  `    class ${name}\n      def initialize\n${f.init ?? ""}\n      end\n\n      def filter(event)\n${f.code}\n      end\n    end\n`;

/** A step of a compiled filter: a private method whose `event` is the filter's EventView. */
const stepMethod = (method: string, code: string) => `      def ${method}(event)\n${code}\n      end\n`;

describe("filter", () => {
  const filter = parsed().model.filter;
  const [gelf, host, branch] = filter;
  const library = apiLogRubyLibrary(PARAMS);

  test("the GELF decoder comes first, for datagrams and ticks only", () => {
    expect("if" in gelf && gelf.if).toEqual({
      kind: "compare",
      field: { kind: "field", path: ["@metadata", "transport"] },
      op: "==",
      value: "gelf",
    });
    const decoder = gelfDecoderRubyFilter({
      logType: "dreamfactory",
      rubyLibraryPath: PARAMS.rubyLibraryPath,
    });
    expect("then" in gelf && gelf.then).toEqual([{ plugin: "ruby", settings: decoder }]);
    expect(library).toContain(GELF_RUBY_SOURCE);
  });

  test("ECS host handling runs for every event, before and outside the type branch", () => {
    expect(filter).toHaveLength(3);
    expect(asPlugin(host)).toEqual(compiled("EcsHost"));
    expect(library).toContain(compiledClass("EcsHost", ecsHostRubyCode()));
    expect("if" in branch && branch.if).toEqual({
      kind: "compare",
      field: { kind: "field", path: ["type"] },
      op: "==",
      value: "dreamfactory",
    });
  });

  const then = "then" in branch ? branch.then : [];

  test("in the type branch: http names, log_source, level, status, JWT, then redaction", () => {
    const [http, ...rest] = then;
    expect("if" in http && http.if).toEqual({
      kind: "compare",
      field: { kind: "field", path: ["@metadata", "transport"] },
      op: "==",
      value: "http",
    });
    expect("then" in http && http.then).toEqual([compiled("StripUnderscore")]);
    const steps = rest.map(asPlugin);
    expect(steps[0]).toEqual({
      plugin: "mutate",
      settings: { replace: { kind: "hash", entries: [["log_source", "dreamfactory"]] } },
    });
    // One compiled filter for the per-event work: it reads [event] once (EventView).
    expect(steps.slice(1)).toEqual([compiled("Normalize")]);
    const level = levelRubyCode(PARAMS.levels.syslog, PARAMS.levels.monolog);
    const jwt = {
      init: jwtUserIdRubyInit(PARAMS.rubyLibraryPath),
      code: jwtUserIdRubyCode("x-dreamfactory-session-token"),
    };
    const redact = redactRubyFilter(PARAMS.redaction, PARAMS.rubyLibraryPath);
    expect(library).toContain(compiledClass("StripUnderscore", stripUnderscoreRubyCode()));
    // The JWT step before the redaction, which replaces the token it reads; then one write-back.
    expect(library).toContain(
      "      def filter(event)\n        view = ::ElkGrafanaCdktf::EventView.new(event)\n" +
        ["level", "response_status", "jwt_user_id", "redact"].map((m) => `        ${m}(view)\n`).join("") +
        "        view.flush\n      end\n",
    );
    for (const [method, f] of [
      ["level", level],
      ["response_status", responseStatusRubyCode()],
      ["jwt_user_id", jwt],
      ["redact", redact],
    ] as const) {
      expect(library).toContain(stepMethod(method, f.code));
      if (f.init) expect(library).toContain(f.init);
    }
    expect(library.startsWith(RUBY_LIBRARY_SOURCE)).toBe(true);
  });

  test("adds the response-time step last, only when enabled", () => {
    const params = { ...PARAMS, responseTime: { enabled: true, sourceField: "[event][timing][ms]" } };
    const b = parsed(params).model.filter[2];
    const enabled = "then" in b ? b.then : [];
    // A last step of the same compiled filter, after the redaction.
    expect(enabled).toEqual(then);
    const code = responseMsRubyCode("[event][timing][ms]");
    const enabledLibrary = apiLogRubyLibrary(params);
    expect(enabledLibrary).toContain(stepMethod("response_ms", code));
    expect(enabledLibrary).toContain("        redact(view)\n        response_ms(view)\n        view.flush\n");
    expect(code).toContain("event.get('[event][timing][ms]')");
    expect(library).not.toContain("response_ms");
  });
});

describe("output", () => {
  const es = asPlugin(parsed().model.output[0]);

  test("is Elasticsearch over verified TLS with the cluster CA", () => {
    expect(es.plugin).toBe("elasticsearch");
    expect(es.settings).toMatchObject({
      hosts: ["https://es01:9200"],
      ssl_enabled: true,
      ssl_certificate_authorities: ["/usr/share/logstash/config/certs/http_ca.crt"],
      ssl_verification_mode: "full",
    });
  });

  test("without a CA path, trusts the JVM's store but still verifies fully", () => {
    const settings = asPlugin(parsed({ caCertPath: undefined }).model.output[0]).settings;
    expect(settings).not.toHaveProperty("ssl_certificate_authorities");
    expect(settings).toMatchObject({ ssl_enabled: true, ssl_verification_mode: "full" });
  });

  test("writes daily <prefix>-YYYY.MM.dd indices with create, leaving templates and ILM to the stack", () => {
    expect(es.settings).toMatchObject({
      index: "dreamfactory-logs-%{+YYYY.MM.dd}",
      action: "create",
      data_stream: false,
      ilm_enabled: false,
      manage_template: false,
    });
  });

  test("references the API key only through ${VAR}", () => {
    const { text } = parsed();
    expect(es.settings.api_key).toBe("${LOGSTASH_ES_API_KEY}");
    expect(text).toContain('    api_key => "${LOGSTASH_ES_API_KEY}"\n');
    expect(extractEnvReferences(text)).toEqual(["LOGSTASH_ES_API_KEY"]);
  });
});

describe("parameter checks", () => {
  test.each<[Partial<ApiLogPipelineParams>, RegExp]>([
    [{ gelfPort: 0 }, /gelfPort = 0 must be 1\.\.65535/],
    [{ gelfPort: 1.5 }, /gelfPort/],
    [{ outputHosts: [] }, /outputHosts = \[\] must not be empty/],
    [{ outputHosts: ["http://es01:9200"] }, /outputHosts = "http:\/\/es01:9200" must be an https:\/\/ URL/],
    [{ caCertPath: "certs/ca.crt" }, /caCertPath = "certs\/ca.crt" must be an absolute path/],
    [{ apiKeyEnvVar: "es-key" }, /"es-key" is not a valid variable name/],
    [{ indexPrefix: "logs-%{[type]}" }, /indexPrefix .* contain no %\{/],
    [{ logSource: "" }, /logSource/],
    [{ sessionTokenHeader: "x session" }, /not an HTTP header name/],
    [{ responseTime: { enabled: true, sourceField: "event.response.ms" } }, /not a field reference/],
    [
      { http: { ...HTTP_INPUT, port: 12201 } },
      /http.port = 12201 must be 1\.\.65535 and differ from gelfPort/,
    ],
    [{ http: { ...HTTP_INPUT, user: "a:b" } }, /http.user/],
  ])("%j is refused", (params, message) => {
    expect(() => buildApiLogPipeline({ ...PARAMS, ...params })).toThrow(message);
  });
});

test("rendered text for a fixed parameter set", () => {
  const text = renderPipeline(
    buildApiLogPipeline({
      ...PARAMS,
      rubyLibraryPath: "/usr/share/logstash/config/elk-filters.rb",
      http: HTTP_INPUT,
      outputHosts: ["https://es01:9200", "https://es02:9200"],
      responseTime: { enabled: true, sourceField: "[event][response][duration_ms]" },
    }),
  );
  expect(text).toMatchSnapshot();
});
