import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { ConfigError, loadConfig, parseConfig } from "../config";
import { problems } from "./support/config-problems";

describe("defaults (the local Docker profile)", () => {
  it("synthesizes with no config at all", () => {
    const c = loadConfig({});
    expect(c.mode).toBe("docker");
    expect(c.events.index).toBe("datafly-events");
    expect(c.logs.indexPrefix).toBe("dreamfactory-logs");
    expect(c.logs.retentionDays).toBe(30);
    expect(c.logstash.gelfPort).toBe(12201);
    expect(c.grafana.port).toBe(3000);
    expect(c.elasticsearch.nodes).toBe(1);
    expect(c.elasticsearch.version).toMatch(/^8\.\d+\.\d+$/);
  });

  it("keeps defaults for keys a file leaves out", () => {
    const c = parseConfig({ logs: { retentionDays: 7 } });
    expect(c.logs).toEqual({ indexPrefix: "dreamfactory-logs", retentionDays: 7 });
  });
});

describe("bad input: one line per problem naming key, value and rule", () => {
  it.each([
    [{ surprise: true }, "config: surprise = true: unknown key"],
    [{ logs: { retention: 30 } }, "config: logs.retention = 30: unknown key"],
    [{ logs: { retentionDays: "30" } }, 'config: logs.retentionDays = "30": must be a number'],
    [{ logs: { retentionDays: 0 } }, "config: logs.retentionDays = 0: must be >= 1"],
    [{ logs: { retentionDays: 3651 } }, "config: logs.retentionDays = 3651: must be <= 3650"],
    [{ elasticsearch: { nodes: 10 } }, "config: elasticsearch.nodes = 10: must be <= 9"],
    [{ elasticsearch: { nodes: 0 } }, "config: elasticsearch.nodes = 0: must be >= 1"],
    [{ elasticsearch: { nodes: 1.5 } }, "config: elasticsearch.nodes = 1.5: must be an integer"],
    [
      { elasticsearch: { heap: "512" } },
      'config: elasticsearch.heap = "512": must be a JVM heap size such as 512m or 2g',
    ],
    [{ logstash: { gelfPort: 70000 } }, "config: logstash.gelfPort = 70000: must be <= 65535"],
    // elastic/logstash v8.19.20 logstash-core/lib/logstash/persisted_queue_config_validator.rb:
    // page_capacity (64mb, environment.rb) > max_bytes is a BootstrapCheckError.
    [
      { logstash: { queueMaxBytes: "63mb" } },
      'config: logstash.queueMaxBytes = "63mb": must be at least 64mb, Logstash\'s queue.page_capacity: below it Logstash refuses to start',
    ],
    [{ logstash: { gelfTcp: true } }, "config: logstash.gelfTcp = true: unknown key"],
    [
      { grafana: { alert: { gatewaySilenceMinutes: 3 } } },
      "config: grafana.alert.gatewaySilenceMinutes = 3: must be >= 5",
    ],
    [
      { grafana: { alert: { gatewaySilenceMinutes: true } } },
      "config: grafana.alert.gatewaySilenceMinutes = true: must be false or a whole number of minutes in 5..1440",
    ],
    [
      { logstash: { heap: "1g" } },
      "config: logstash.memoryLimitMb = 1024: must be at least logstash.heap + 512 (1536): JRuby, metaspace and network buffers live outside the heap",
    ],
    [
      { logstash: { http: { enabled: true, port: 12201 } } },
      "config: logstash.http.port = 12201: clashes with logstash.gelfPort: each published port must be different",
    ],
    [{ grafana: { port: 0 } }, "config: grafana.port = 0: must be >= 1"],
    [{ mode: "cloud" }, 'config: mode = "cloud": must be one of "docker", "external", "kubernetes"'],
    [
      { grafana: { alert: { errorRatePercent: 0 } } },
      "config: grafana.alert.errorRatePercent = 0: must be in (0,100]",
    ],
    [
      { grafana: { alert: { errorRatePercent: 150 } } },
      "config: grafana.alert.errorRatePercent = 150: must be in (0,100]",
    ],
  ])("%j", (input, expected) => {
    expect(problems(input)).toEqual([expected]);
  });

  it("accepts queue.max_bytes at exactly queue.page_capacity, in either unit", () => {
    expect(problems({ logstash: { queueMaxBytes: "64mb" } })).toEqual([]);
    expect(problems({ logstash: { queueMaxBytes: "1gb" } })).toEqual([]);
  });

  it.each([
    ["Datafly", "must be lowercase"],
    ["data fly", 'must not contain " "'],
    ...["\\", "/", "*", "?", '"', "<", ">", "|", ",", "#", ":"].map((c) => [
      `a${c}b`,
      `must not contain ${JSON.stringify(c)}`,
    ]),
    ["-events", "must not start with -, _ or +"],
    ["_events", "must not start with -, _ or +"],
    ["+events", "must not start with -, _ or +"],
    [".", "must not be . or .."],
    ["..", "must not be . or .."],
    ["e".repeat(256), "at most 255 are allowed"],
    ["é".repeat(128), "at most 255 are allowed"],
    ["", "must not be empty"],
  ])("events.index %j is refused: %s", (name, rule) => {
    const lines = problems({ events: { index: name } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`events.index = ${JSON.stringify(name).slice(0, 40)}`);
    expect(lines[0]).toContain(rule);
  });

  it("counts the daily suffix into the prefix's length", () => {
    expect(problems({ logs: { indexPrefix: "l".repeat(245) } })).toEqual([
      expect.stringContaining("the daily index names it makes take 256 bytes"),
    ]);
    expect(problems({ logs: { indexPrefix: "l".repeat(244) } })).toEqual([]);
  });

  it("reports every problem, not just the first", () => {
    expect(
      problems({ events: { index: "A" }, logs: { indexPrefix: "" }, elasticsearch: { nodes: 99 } }),
    ).toHaveLength(3);
  });

  it("external mode needs an endpoint or a cloud id, and not both", () => {
    expect(problems({ mode: "external", grafana: { url: "https://g.example.com" } })).toEqual([
      "config: elasticsearch.endpoint = (missing): external mode needs elasticsearch.endpoint or elasticsearch.cloudId",
    ]);
    const both = problems({
      mode: "external",
      elasticsearch: {
        endpoint: "https://es.example.com",
        cloudId: `x:${Buffer.from("h.example.com$abc$def").toString("base64")}`,
      },
      grafana: { url: "https://g.example.com" },
    });
    expect(both).toEqual([
      expect.stringContaining("set elasticsearch.endpoint or elasticsearch.cloudId, not both"),
    ]);
    // backups.repository has its own rule for a self-managed cluster (backups-config.test.ts).
    const noGrafana = {
      mode: "external",
      elasticsearch: { endpoint: "https://es.example.com" },
      backups: { enabled: false },
    };
    expect(problems(noGrafana)).toEqual(["config: grafana.url = (missing): external mode needs grafana.url"]);
  });

  it("refuses a malformed cloud id and an endpoint that is not http(s)", () => {
    expect(
      problems({
        mode: "external",
        elasticsearch: { cloudId: "nope" },
        grafana: { url: "https://g.example.com" },
      }),
    ).toEqual([
      expect.stringMatching(/^config: elasticsearch.cloudId = "nope": must be an Elastic Cloud id/),
    ]);
    expect(
      problems({
        mode: "external",
        elasticsearch: { endpoint: "ftp://es" },
        grafana: { url: "https://g.example.com" },
        backups: { enabled: false },
      }),
    ).toEqual([expect.stringMatching(/^config: elasticsearch.endpoint = "ftp:\/\/es": /)]);
  });

  it("checks the backend", () => {
    expect(problems({ backend: { type: "s3", region: "eu-west-1" } })).toEqual([
      "config: backend.bucket = (missing): must be a string",
    ]);
    expect(problems({ backend: { type: "s3", bucket: "state", region: "Europe" } })).toEqual([
      'config: backend.region = "Europe": must be an AWS region such as eu-west-1',
    ]);
    expect(problems({ backend: { type: "consul" } })).toEqual([
      'config: backend.type = "consul": must be one of "local", "s3", "gcs"',
    ]);
    expect(problems({ grafana: { alert: { contact: { type: "pager" } } } })).toEqual([
      'config: grafana.alert.contact.type = "pager": must be one of "none", "email", "webhook"',
    ]);
  });

  it("refuses the e-mail contact point in docker mode without SMTP, and docker-only Grafana keys in external mode", () => {
    const email = { type: "email", addresses: ["ops@example.com"] };
    expect(problems({ grafana: { alert: { contact: email } } })).toEqual([
      'config: grafana.alert.contact.type = "email": needs grafana.smtp in docker mode: Grafana\'s SMTP is off by default, so no alert e-mail could be delivered',
    ]);
    const smtp = { host: "smtp.example.com:587", fromAddress: "grafana@example.com" };
    expect(problems({ grafana: { smtp, alert: { contact: email } } })).toEqual([]);
    expect(problems({ grafana: { smtp: { ...smtp, host: "smtp.example.com" } } })).toEqual([
      'config: grafana.smtp.host = "smtp.example.com": must be host:port, e.g. smtp.example.com:587',
    ]);
    const external = {
      mode: "external",
      elasticsearch: { endpoint: "https://es.example.com:9243" },
      grafana: { url: "https://grafana.example.com", smtp, alert: { contact: email } },
      backups: { enabled: false },
    };
    expect(problems(external)).toEqual([
      expect.stringMatching(
        /^config: grafana\.smtp = \{"host":"smtp\.example\.com:587".*: only used in docker mode \(an external Grafana keeps its own settings and plugins\)$/,
      ),
    ]);
  });

  it("takes the Infinity plugin from an https mirror, refusing what GF_INSTALL_PLUGINS would split", () => {
    expect(
      problems({ grafana: { infinityPluginUrl: "https://mirror.example.com/infinity-3.11.1.zip" } }),
    ).toEqual([]);
    expect(problems({ grafana: { infinityPluginUrl: "http://mirror.example.com/i.zip" } })).toEqual([
      'config: grafana.infinityPluginUrl = "http://mirror.example.com/i.zip": must be an https URL',
    ]);
    expect(problems({ grafana: { infinityPluginUrl: "https://mirror.example.com/a,b.zip" } })).toEqual([
      'config: grafana.infinityPluginUrl = "https://mirror.example.com/a,b.zip": must not contain commas, semicolons or spaces (GF_INSTALL_PLUGINS separators)',
    ]);
  });

  it("refuses published ports that clash", () => {
    expect(problems({ logstash: { gelfPort: 9200 } })).toEqual([
      "config: logstash.gelfPort = 9200: clashes with elasticsearch.port: each published port must be different",
    ]);
  });
});

describe("STACK_CONFIG files", () => {
  const dir = mkdtempSync(join(tmpdir(), "stack-config-"));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("reads YAML and JSON", () => {
    expect(
      loadConfig({ STACK_CONFIG: file("a.yaml", "logs:\n  retentionDays: 14\n") }).logs.retentionDays,
    ).toBe(14);
    expect(
      loadConfig({ STACK_CONFIG: file("a.json", '{"events":{"index":"shop-events"}}') }).events.index,
    ).toBe("shop-events");
  });

  it("names the file in every problem", () => {
    const path = file("b.yaml", "elasticsearch:\n  nodes: 12\n");
    expect(() => loadConfig({ STACK_CONFIG: path })).toThrow(
      `${path}: elasticsearch.nodes = 12: must be <= 9`,
    );
  });

  it.each([
    ["missing.yaml", null, /cannot read the file \(ENOENT\)/],
    ["bad.json", '{"logs": ', /not valid JSON/],
    ["bad.yaml", "logs: [1, 2\n", /not valid YAML/],
    ["dup.yaml", "logs: {}\nlogs: {}\n", /not valid YAML/],
    ["config.toml", "a = 1", /must end in .json, .yaml or .yml/],
  ])("%s is a one-line error", (name, text, message) => {
    const path = text === null ? join(dir, name) : file(name, text);
    let error: unknown;
    try {
      loadConfig({ STACK_CONFIG: path });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).problems;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatch(message);
      expect(line).not.toContain("\n");
    }
  });
});

describe("the app command with bad input", () => {
  it("exits 1 with one line per problem, no stack trace, and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "bad-synth-"));
    const config = join(dir, "stack.yaml");
    writeFileSync(config, "events:\n  index: Bad/Name\nelasticsearch:\n  nodes: 12\n");
    const outdir = join(dir, "out");
    const run = spawnSync(process.execPath, ["scripts/run-ts.mjs"], {
      cwd: join(__dirname, ".."),
      env: { ...process.env, STACK_CONFIG: config, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toEqual([
      `error: ${config}: elasticsearch.nodes = 12: must be <= 9`,
      `error: ${config}: events.index = "Bad/Name": must be lowercase (Elasticsearch index names)`,
    ]);
    expect(run.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
    expect(existsSync(outdir)).toBe(false);
  });
});

describe("replicas", () => {
  it("must fit the docker cluster", () => {
    expect(problems({ elasticsearch: { nodes: 2, replicas: 2 } })).toEqual([
      "config: elasticsearch.replicas = 2: must be less than elasticsearch.nodes (2): a replica never sits on its primary's node, so the cluster would stay yellow",
    ]);
    expect(problems({ elasticsearch: { nodes: 3, replicas: 2 } })).toEqual([]);
  });
});
