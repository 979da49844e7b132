import {
  JWT_USER_ID_RUBY_INIT,
  buildApiLogPipeline,
  extractEnvReferences,
  jwtUserIdRubyCode,
  redactHeadersRubyCode,
  renderPipeline,
  responseMsRubyCode,
  type ApiLogPipelineParams,
  type PluginStatement,
  type Statement,
  type Value,
} from "../../constructs/logstash/pipeline";
import { parseLogstashConfig, toPipelineModel } from "../support/lscl";

const PARAMS: ApiLogPipelineParams = {
  gelfPort: 12201,
  gelfTcp: false,
  logType: "dreamfactory",
  logSource: "dreamfactory",
  sessionTokenHeader: "x-dreamfactory-session-token",
  secretHeaders: ["x-dreamfactory-session-token", "x-dreamfactory-api-key", "authorization"],
  outputHosts: ["https://es01:9200"],
  caCertPath: "/usr/share/logstash/config/certs/http_ca.crt",
  apiKeyEnvVar: "LOGSTASH_ES_API_KEY",
  indexPrefix: "dreamfactory-logs",
  responseTime: { enabled: false, sourceField: "[event][response][duration_ms]" },
};

/** Assertions read the rendered text back through the grammar, so they test what Logstash reads. */
function parsed(params: Partial<ApiLogPipelineParams> = {}) {
  const text = renderPipeline(buildApiLogPipeline({ ...PARAMS, ...params }));
  return { text, model: toPipelineModel(parseLogstashConfig(text)) };
}

const asPlugin = (s: Statement | undefined) => {
  if (s === undefined || !("plugin" in s)) throw new Error("expected a plugin statement");
  return s;
};
const hashEntries = (v: Value | undefined) => {
  if (typeof v !== "object" || Array.isArray(v) || !("entries" in v)) throw new Error("expected a hash");
  return v.entries;
};

describe("input", () => {
  test("GELF on the configured port over UDP, typed for the filter", () => {
    const gelf = asPlugin(parsed().model.input[0]);
    expect(gelf).toEqual({
      plugin: "gelf",
      settings: { port: 12201, type: "dreamfactory", use_udp: true, use_tcp: false },
    });
  });

  test("TCP on the same port when asked", () => {
    expect(asPlugin(parsed({ gelfTcp: true, gelfPort: 5514 }).model.input[0]).settings).toMatchObject({
      port: 5514,
      use_udp: true,
      use_tcp: true,
    });
  });
});

describe("filter", () => {
  const branch = parsed().model.filter[0];

  test("applies only to events of the log type", () => {
    expect(parsed().model.filter).toHaveLength(1);
    expect("if" in branch && branch.if).toEqual({
      kind: "compare",
      field: { kind: "field", path: ["type"] },
      op: "==",
      value: "dreamfactory",
    });
  });

  const steps = ("then" in branch ? branch.then : []).map(asPlugin);
  const indexOf = (predicate: (p: PluginStatement) => boolean) => {
    const i = steps.findIndex(predicate);
    expect(i).toBeGreaterThanOrEqual(0);
    return i;
  };
  const mutating = (op: string) => (p: PluginStatement) => p.plugin === "mutate" && op in p.settings;

  test("renames host, then sets host.name, then log_source, then upper-cases level, then runs the JWT ruby, then drops credential headers", () => {
    const rename = indexOf(mutating("rename"));
    const hostName = indexOf(mutating("copy"));
    const logSource = indexOf(mutating("replace"));
    const toString = indexOf(mutating("convert"));
    const uppercase = indexOf(mutating("uppercase"));
    const ruby = indexOf((p) => p.plugin === "ruby");
    expect([rename, hostName, logSource, toString, uppercase, ruby]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(steps[6]).toEqual({
      plugin: "ruby",
      settings: {
        code: redactHeadersRubyCode([
          "x-dreamfactory-session-token",
          "x-dreamfactory-api-key",
          "authorization",
        ]),
      },
    });

    expect(hashEntries(steps[rename].settings.rename)).toEqual([["host", "source_hostname"]]);
    expect(hashEntries(steps[hostName].settings.copy)).toEqual([["source_hostname", "[host][name]"]]);
    expect(hashEntries(steps[logSource].settings.replace)).toEqual([["log_source", "dreamfactory"]]);
    expect(hashEntries(steps[toString].settings.convert)).toEqual([["level", "string"]]);
    expect(steps[uppercase].settings.uppercase).toEqual(["level"]);
    expect(steps[ruby].settings).toEqual({
      init: JWT_USER_ID_RUBY_INIT,
      code: jwtUserIdRubyCode("x-dreamfactory-session-token"),
    });
    expect(steps).toHaveLength(7);
  });

  test("adds the response-time ruby last, only when enabled", () => {
    const then = (p: ReturnType<typeof parsed>) => {
      const b = p.model.filter[0];
      return ("then" in b ? b.then : []).map(asPlugin);
    };
    const enabled = then(parsed({ responseTime: { enabled: true, sourceField: "[event][timing][ms]" } }));
    expect(enabled).toHaveLength(8);
    expect(enabled[7]).toEqual({
      plugin: "ruby",
      settings: { code: responseMsRubyCode("[event][timing][ms]") },
    });
    expect(enabled[7].settings.code).toContain("event.get('[event][timing][ms]')");
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
  ])("%j is refused", (params, message) => {
    expect(() => buildApiLogPipeline({ ...PARAMS, ...params })).toThrow(message);
  });
});

test("rendered text for a fixed parameter set", () => {
  const text = renderPipeline(
    buildApiLogPipeline({
      ...PARAMS,
      gelfTcp: true,
      outputHosts: ["https://es01:9200", "https://es02:9200"],
      responseTime: { enabled: true, sourceField: "[event][response][duration_ms]" },
    }),
  );
  expect(text).toMatchSnapshot();
});
