import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../config";
import {
  InputError,
  grafanaAuthorization,
  parseCli,
  parseOutputs,
  resolveSettings,
  type StackOutputs,
} from "../../scripts/smoke/inputs";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const signal = JSON.stringify({
  name: "Elasticsearch",
  variant: "default",
  config: { endpoint: "https://localhost:9200", index: "datafly-events", api_key: "V1JJVEVSOmtleQ==" },
  delivery_mode: "server_side",
});

/** `terraform output -json` of a docker-mode stack. */
const terraformJson = {
  ca_certificate: { sensitive: false, type: "string", value: PEM },
  elastic_password: { sensitive: true, type: "string", value: "es-secret" },
  elasticsearch_endpoint: { sensitive: false, type: "string", value: "https://localhost:9200" },
  events_writer_api_key: { sensitive: true, type: "string", value: "V1JJVEVSOmtleQ==" },
  grafana_admin_password: { sensitive: true, type: "string", value: "gf-secret" },
  grafana_url: { sensitive: false, type: "string", value: "https://localhost:3000/" },
  signal_integration: { sensitive: true, type: "string", value: signal },
};

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error("expected an InputError");
}

describe("parseOutputs", () => {
  it("reads terraform output -json, sensitive values included", () => {
    const outputs = parseOutputs(JSON.stringify(terraformJson), "terraform output");
    expect(outputs).toEqual({
      elasticsearchEndpoint: "https://localhost:9200",
      grafanaUrl: "https://localhost:3000",
      caCertificate: PEM,
      eventsWriterApiKey: "V1JJVEVSOmtleQ==",
      signalIntegration: {
        endpoint: "https://localhost:9200",
        index: "datafly-events",
        apiKey: "V1JJVEVSOmtleQ==",
      },
      elasticPassword: "es-secret",
      grafanaAdminPassword: "gf-secret",
    });
    expect(outputs.kibanaUrl).toBeUndefined();
  });

  it("reads kibana_url when the stack has Kibana", () => {
    const withKibana = {
      ...terraformJson,
      kibana_url: { sensitive: false, type: "string", value: "https://localhost:5601/" },
    };
    expect(parseOutputs(JSON.stringify(withKibana), "terraform output").kibanaUrl).toBe(
      "https://localhost:5601",
    );
    const bad = {
      ...terraformJson,
      kibana_url: { sensitive: false, type: "string", value: "localhost:5601" },
    };
    expect(problemsOf(() => parseOutputs(JSON.stringify(bad), "terraform output"))).toEqual([
      'smoke: terraform output: output kibana_url = "localhost:5601" is not an http(s) URL.',
    ]);
  });

  it("reads cdktf's outputs file, keyed by stack name with plain values", () => {
    const file = {
      analytics: {
        elasticsearch_endpoint: "https://es.example.com:9243",
        grafana_url: "https://grafana.example.com",
        events_writer_api_key: "a2V5",
        signal_integration: signal,
      },
    };
    const outputs = parseOutputs(JSON.stringify(file), "out.json");
    expect(outputs.elasticsearchEndpoint).toBe("https://es.example.com:9243");
    expect(outputs.eventsWriterApiKey).toBe("a2V5");
    expect(outputs.caCertificate).toBeUndefined();
  });

  it("explains that cdktf drops sensitive outputs unless asked to keep them", () => {
    const file = { analytics: { elasticsearch_endpoint: "https://e:9200", grafana_url: "https://g:3000" } };
    expect(problemsOf(() => parseOutputs(JSON.stringify(file), "out.json"))).toEqual([
      "smoke: out.json has no events_writer_api_key output: cdktf leaves sensitive outputs out of the file unless you add --outputs-file-include-sensitive-outputs.",
    ]);
  });

  it("names every missing output", () => {
    const only = { grafana_url: terraformJson.grafana_url };
    expect(problemsOf(() => parseOutputs(JSON.stringify(only), "terraform output"))).toEqual([
      "smoke: terraform output has no elasticsearch_endpoint output: is the stack deployed with this version of the code?",
      "smoke: terraform output has no events_writer_api_key output: is the stack deployed with this version of the code?",
    ]);
  });

  it("says a stack without outputs is not deployed", () => {
    expect(problemsOf(() => parseOutputs("{}\n", "terraform output in cdktf.out/stacks/analytics"))).toEqual([
      "smoke: terraform output in cdktf.out/stacks/analytics holds no outputs: is the stack deployed (npm run deploy)?",
    ]);
  });

  it("rejects text that is not JSON, a URL that is not http(s), and a CA that is not PEM", () => {
    expect(problemsOf(() => parseOutputs("Error: no state", "f"))[0]).toMatch(/^smoke: f is not JSON/);
    const bad = {
      ...terraformJson,
      elasticsearch_endpoint: { value: "localhost:9200" },
      ca_certificate: { value: "not a pem" },
    };
    expect(problemsOf(() => parseOutputs(JSON.stringify(bad), "f"))).toEqual([
      'smoke: f: output elasticsearch_endpoint = "localhost:9200" is not an http(s) URL.',
      "smoke: f: output ca_certificate is not a PEM certificate.",
    ]);
  });
});

describe("parseCli", () => {
  it("has defaults and reads every option", () => {
    expect(parseCli([])).toMatchObject({
      help: false,
      stackDir: "cdktf.out/stacks/analytics",
      requestTimeoutMs: 10_000,
      gelfTimeoutMs: 60_000,
    });
    expect(
      parseCli([
        "--outputs",
        "o.json",
        "--gelf-host",
        "10.0.0.2",
        "--gelf-port",
        "5514",
        "--gelf-timeout",
        "5",
      ]),
    ).toMatchObject({ outputsFile: "o.json", gelfHost: "10.0.0.2", gelfPort: 5514, gelfTimeoutMs: 5000 });
  });

  it("rejects unknown options and bad numbers", () => {
    expect(problemsOf(() => parseCli(["--es-password", "x"]))[0]).toContain("--es-password");
    expect(problemsOf(() => parseCli(["--gelf-port", "70000", "--timeout", "0"]))).toEqual([
      "smoke: --gelf-port 70000: must be a port number (1..65535).",
      "smoke: --timeout 0: must be a number of seconds in (0, 300].",
    ]);
  });
});

describe("grafanaAuthorization", () => {
  it("turns user:password into Basic and anything else into a bearer token", () => {
    expect(grafanaAuthorization("admin:p:w")).toBe(`Basic ${Buffer.from("admin:p:w").toString("base64")}`);
    expect(grafanaAuthorization("glsa_abc")).toBe("Bearer glsa_abc");
  });
});

describe("resolveSettings", () => {
  const docker: StackOutputs = parseOutputs(JSON.stringify(terraformJson), "t");
  const external: StackOutputs = {
    elasticsearchEndpoint: "https://es.example.com:9243",
    grafanaUrl: "https://grafana.example.com",
    eventsWriterApiKey: "a2V5",
  };
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

  it("uses the docker outputs' passwords and the config's names by default", () => {
    const s = resolveSettings(parseCli([]), {}, parseConfig({}), docker);
    expect(s).toMatchObject({
      elasticsearch: {
        url: "https://localhost:9200",
        user: "elastic",
        adminAuthorization: basic("elastic", "es-secret"),
        writerAuthorization: "ApiKey V1JJVEVSOmtleQ==",
      },
      grafana: { url: "https://localhost:3000", authorization: basic("admin", "gf-secret") },
      ca: PEM,
      eventsIndex: "datafly-events",
      logsPrefix: "dreamfactory-logs",
      gelf: { host: "127.0.0.1", port: 12201, timeoutMs: 60_000 },
      notes: [],
    });
  });

  it("prefers the environment, and takes names from STACK_CONFIG's values", () => {
    const config = parseConfig({
      events: { index: "product-events" },
      logs: { indexPrefix: "gw-logs" },
      logstash: { gelfPort: 5514 },
      docker: { bindAddress: "192.168.1.10" },
    });
    const env = { SMOKE_ES_USER: "ops", SMOKE_ES_PASSWORD: "ops-pw", SMOKE_GRAFANA_AUTH: "glsa_token" };
    const s = resolveSettings(parseCli([]), env, config, docker);
    expect(s.elasticsearch.adminAuthorization).toBe(basic("ops", "ops-pw"));
    expect(s.grafana.authorization).toBe("Bearer glsa_token");
    expect(s).toMatchObject({ eventsIndex: "product-events", logsPrefix: "gw-logs" });
    expect(s.gelf).toMatchObject({ host: "192.168.1.10", port: 5514 });
    // The deployed router config still names datafly-events: the config given here is not the deployed one.
    expect(s.notes).toEqual([expect.stringContaining("writes to index datafly-events")]);
  });

  it("lets flags override the config", () => {
    const cli = parseCli([
      "--events-index",
      "ev",
      "--logs-prefix",
      "lg",
      "--gelf-host",
      "lshost",
      "--es-user",
      "root",
    ]);
    const s = resolveSettings(
      cli,
      { SMOKE_ES_PASSWORD: "p", SMOKE_GRAFANA_AUTH: "a:b" },
      parseConfig({}),
      external,
    );
    expect(s).toMatchObject({ eventsIndex: "ev", logsPrefix: "lg", gelf: { host: "lshost" } });
    expect(s.elasticsearch.adminAuthorization).toBe(basic("root", "p"));
    expect(s.ca).toBeUndefined();
  });

  it("does not give elastic's password to another user", () => {
    const problems = problemsOf(() =>
      resolveSettings(parseCli(["--es-user", "ops"]), { SMOKE_GRAFANA_AUTH: "a:b" }, parseConfig({}), docker),
    );
    expect(problems).toEqual([expect.stringContaining("no password for Elasticsearch user ops")]);
  });

  it("says how to get both credentials when an external stack gives none", () => {
    const problems = problemsOf(() => resolveSettings(parseCli([]), {}, parseConfig({}), external));
    expect(problems).toEqual([
      'smoke: no password for Elasticsearch user elastic: set SMOKE_ES_PASSWORD (docker mode: SMOKE_ES_PASSWORD="$(terraform -chdir=cdktf.out/stacks/analytics output -raw elastic_password)").',
      'smoke: no Grafana credentials: set SMOKE_GRAFANA_AUTH to user:password or a service account token (docker mode: admin:"$(terraform -chdir=cdktf.out/stacks/analytics output -raw grafana_admin_password)").',
    ]);
  });

  it("reads --ca-file and rejects a file that is not PEM", () => {
    const dir = mkdtempSync(join(tmpdir(), "smoke-ca-"));
    writeFileSync(join(dir, "ca.pem"), PEM);
    writeFileSync(join(dir, "ca.der"), "binary");
    const env = { SMOKE_ES_PASSWORD: "p", SMOKE_GRAFANA_AUTH: "a:b" };
    expect(
      resolveSettings(parseCli(["--ca-file", join(dir, "ca.pem")]), env, parseConfig({}), external).ca,
    ).toBe(PEM);
    expect(
      problemsOf(() =>
        resolveSettings(parseCli(["--ca-file", join(dir, "ca.der")]), env, parseConfig({}), external),
      ),
    ).toEqual([`smoke: --ca-file ${join(dir, "ca.der")} is not a PEM certificate.`]);
  });
});
