import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { DEAD_LETTER_FIELD } from "../../contract/fields";
import { API_KEYSTORE_SCRIPT } from "../../constructs/logstash/api-keystore";
import { buildDeadLetterPipeline, type PluginStatement } from "../../constructs/logstash/pipeline";
import { LOGSTASH_PATHS, pipelineConfigPath } from "../../constructs/logstash/settings";
import { parseLogstashConfig, toPipelineModel } from "../support/lscl";
import { CONFIGS, resourceAt, synthStack, type TfJson } from "../support/synth";
import { uploaded } from "../support/tf-literal";

const tf = synthStack(CONFIGS.docker);
const logstashOf = (t: TfJson) => resourceAt(t, "docker_container", "Logstash/Container");
const container = logstashOf(tf);
const settingsOf = (t: TfJson) =>
  YAML.parse(uploaded(logstashOf(t), LOGSTASH_PATHS.settings)) as Record<string, unknown>;
const envOf = (t: TfJson) =>
  Object.fromEntries(
    (logstashOf(t).env as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
  );

describe("Logstash's monitoring API on the stack network", () => {
  // Settings and their requirements: WebServer.from_settings in elastic/logstash
  // logstash-core/lib/logstash/webserver.rb, names and types in environment.rb (v8.19.18).
  it("listens on every container interface with TLS from a keystore and basic auth", () => {
    const s = settingsOf(tf);
    expect(s["api.http.host"]).toBe("0.0.0.0");
    expect(s["api.http.port"]).toBe(9600);
    expect(s["api.ssl.enabled"]).toBe(true);
    expect(s["api.ssl.keystore.path"]).toBe(LOGSTASH_PATHS.apiKeystore);
    expect(s["api.auth.type"]).toBe("basic");
    expect(s["api.auth.basic.username"]).toBe("logstash_api");
    // Passwords are ${VAR} references Logstash resolves from the environment (settings.rb
    // from_yaml → deep_replace), and the environment holds random_password references.
    expect(s["api.auth.basic.password"]).toBe("${LOGSTASH_API_PASSWORD}");
    expect(s["api.ssl.keystore.password"]).toBe("${LOGSTASH_API_KEYSTORE_PASSWORD}");
    expect(envOf(tf).LOGSTASH_API_PASSWORD).toMatch(
      /^\$\{random_password\.Logstash_ApiPassword_[^.]+\.result\}$/,
    );
    expect(envOf(tf).LOGSTASH_API_KEYSTORE_PASSWORD).toMatch(
      /^\$\{random_password\.Logstash_ApiKeystorePassword_[^.]+\.result\}$/,
    );
  });

  it("is never published on the host: only containers on the stack network reach it", () => {
    const ports = container.ports as { internal: number }[];
    expect(ports.map((p) => p.internal)).not.toContain(9600);
  });

  it("generates a password Logstash's default policy accepts (upper, lower, digit, 8+)", () => {
    const pw = Object.entries(tf.resource.random_password).find(([k]) =>
      k.startsWith("Logstash_ApiPassword"),
    );
    expect(pw?.[1]).toMatchObject({ length: 32, min_upper: 2, min_lower: 2, min_numeric: 2 });
  });

  it("serves a certificate of the stack CA naming the container and the loopback the healthcheck uses", () => {
    const req = resourceAt(tf, "tls_cert_request", "Ca/LogstashApi/Request");
    expect(req.dns_names).toEqual(["elk-logstash", "localhost"]);
    expect(req.ip_addresses).toEqual(["127.0.0.1"]);
    expect(uploaded(container, LOGSTASH_PATHS.apiCa)).toMatch(/^\$\{tls_self_signed_cert\.Ca_Cert_/);
  });

  it("builds the keystore before Logstash starts, then runs the image's entrypoint", () => {
    const [shell, flag, script] = container.command as string[];
    expect([shell, flag]).toEqual(["bash", "-c"]);
    expect(script).toBe(
      `mkdir -p ${LOGSTASH_PATHS.deadLetterQueue}/main && /usr/share/logstash/bin/ruby ${LOGSTASH_PATHS.apiKeystoreScript} ${LOGSTASH_PATHS.apiCert} ` +
        `${LOGSTASH_PATHS.apiKey} ${LOGSTASH_PATHS.apiCa} ${LOGSTASH_PATHS.apiKeystore} ` +
        `LOGSTASH_API_KEYSTORE_PASSWORD && exec /usr/local/bin/docker-entrypoint`,
    );
    expect(uploaded(container, LOGSTASH_PATHS.apiKeystoreScript)).toBe(API_KEYSTORE_SCRIPT);
  });

  it("keeps the healthcheck working with TLS and auth, the password on curl's stdin only", () => {
    const test = (container.healthcheck as { test: string[] }).test;
    expect(test[0]).toBe("CMD-SHELL");
    expect(test[1]).toBe(
      `printf 'user = "logstash_api:%s"\\n' "$LOGSTASH_API_PASSWORD" | curl -K - -fsS ` +
        `--cacert ${LOGSTASH_PATHS.apiCa} https://localhost:9600/_node/pipelines/main | grep -q '"main"'`,
    );
  });

  it("stays on the loopback without auth when the stack has no CA (external mode)", () => {
    const external = synthStack(CONFIGS.external);
    const s = settingsOf(external);
    expect(s["api.http.host"]).toBe("127.0.0.1");
    expect(s["api.ssl.enabled"]).toBeUndefined();
    expect(s["api.auth.type"]).toBeUndefined();
    expect(Object.keys(envOf(external))).not.toContain("LOGSTASH_API_PASSWORD");
    // Still creates main's dead-letter directory before Logstash starts.
    expect(logstashOf(external).command).toEqual([
      "bash",
      "-c",
      `mkdir -p ${LOGSTASH_PATHS.deadLetterQueue}/main && exec /usr/local/bin/docker-entrypoint`,
    ]);
  });
});

// The script runs in real JRuby (what Logstash's bin/ruby runs) on a key and certificate made by
// openssl in the forms the tls provider writes (PKCS#8 EC P-384, X.509 PEM); the keystore is then
// opened exactly as Logstash (KeyStore "JKS", webserver.rb v8.19.18) and Puma (KeyManagerFactory
// with the store password, ext/puma_http11/org/jruby/puma/MiniSSL.java v8.0.2) open it.
describe("the API keystore script, in JRuby", () => {
  const dir = mkdtempSync(join(tmpdir(), "ls-api-ks-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (cmd: string, args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(cmd, args, { cwd: dir, encoding: "utf8", env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  it("turns the PEM certificate, CA and key into a PKCS#12 keystore Logstash and Puma open", () => {
    run("openssl", ["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "ca.key"]);
    run("openssl", [
      "req",
      "-x509",
      "-new",
      "-key",
      "ca.key",
      "-subj",
      "/CN=ca",
      "-days",
      "2",
      "-out",
      "ca.crt",
    ]);
    run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "api.key"]);
    // PKCS#8 PEM, as tls_private_key's private_key_pem_pkcs8; the header is assembled so that
    // secret scanners do not take this line for a committed key (the key exists only in `dir`).
    const pkcs8Header = `-----BEGIN ${["PRIVATE", "KEY"].join(" ")}-----`;
    expect(readFileSync(join(dir, "api.key"), "utf8").startsWith(pkcs8Header)).toBe(true);
    run("openssl", ["req", "-new", "-key", "api.key", "-subj", "/CN=elk-logstash", "-out", "api.csr"]);
    run("openssl", [
      "x509",
      "-req",
      "-in",
      "api.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-out",
      "api.crt",
    ]);
    writeFileSync(join(dir, "api-keystore.rb"), API_KEYSTORE_SCRIPT);
    const password = "Ab3dEf6hIj9kLm";
    run("jruby", ["api-keystore.rb", "api.crt", "api.key", "ca.crt", "api.p12", "KS_PASS"], {
      KS_PASS: password,
    });
    const check = `
      pass = ENV["KS_PASS"].to_java.toCharArray
      ks = java.security.KeyStore.getInstance("JKS")
      ks.load(java.io.FileInputStream.new("api.p12"), pass)
      kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm)
      kmf.init(ks, pass)
      chain = ks.getCertificateChain("logstash-api")
      puts [ks.aliases.to_a.join(","), ks.getKey("logstash-api", pass).getAlgorithm,
            chain.map { |c| c.getSubjectX500Principal.getName }.join("|"),
            File.stat("api.p12").mode.to_s(8)[-3..]].join(" ")
    `;
    expect(run("jruby", ["-e", check], { KS_PASS: password }).trim()).toBe(
      "logstash-api EC CN=elk-logstash|CN=ca 600",
    );
  });
});

describe("the dead-letter pipeline", () => {
  const text = uploaded(container, pipelineConfigPath("dead-letters"));
  // Parsed by our grammar of the Logstash config language (__tests__/support/lscl.peggy).
  const model = toPipelineModel(parseLogstashConfig(text));
  const input = model.input[0] as PluginStatement;

  it("reads the main pipeline's dead letter queue at the path logstash.yml sets", () => {
    expect(input.plugin).toBe("dead_letter_queue");
    // The input reads <path>/<pipeline_id> (lib/logstash/inputs/dead_letter_queue.rb, v2.0.1).
    expect(input.settings.path).toBe(settingsOf(tf)["path.dead_letter_queue"]);
    expect(input.settings.path).toBe(LOGSTASH_PATHS.deadLetterQueue);
    expect(input.settings.pipeline_id).toBe("main");
    expect(input.settings.commit_offsets).toBe(true);
    expect(settingsOf(tf)["dead_letter_queue.enable"]).toBe(true);
  });

  it("runs as its own pipeline with one worker and no dead letter queue of its own", () => {
    const pipelines = YAML.parse(uploaded(container, LOGSTASH_PATHS.pipelines)) as Record<string, unknown>[];
    expect(pipelines[1]).toEqual({
      "pipeline.id": "dead-letters",
      "path.config": pipelineConfigPath("dead-letters"),
      "pipeline.workers": 1,
      "queue.type": "memory",
      "dead_letter_queue.enable": false,
    });
  });

  it("copies the failure reason, plugin and time out of @metadata into the document", () => {
    const mutate = model.filter[0] as PluginStatement;
    expect(mutate.plugin).toBe("mutate");
    expect(mutate.settings.copy).toEqual({
      kind: "hash",
      entries: [
        ["[@metadata][dead_letter_queue][reason]", `[${DEAD_LETTER_FIELD}][reason]`],
        ["[@metadata][dead_letter_queue][plugin_id]", `[${DEAD_LETTER_FIELD}][plugin_id]`],
        ["[@metadata][dead_letter_queue][plugin_type]", `[${DEAD_LETTER_FIELD}][plugin_type]`],
        ["[@metadata][dead_letter_queue][entry_time]", `[${DEAD_LETTER_FIELD}][entry_time]`],
      ],
    });
  });

  it("writes the dead-letter indices its template and the writer key's grant match, with the same key", () => {
    const out = model.output[0] as PluginStatement;
    expect(out.settings.index).toBe("dead-letters-%{+YYYY.MM.dd}");
    expect(out.settings.api_key).toBe("${LOGSTASH_ES_API_KEY}");
    expect(out.settings.action).toBe("create");
    expect(out.settings.ssl_verification_mode).toBe("full");
    const template = resourceAt(
      tf,
      "elasticstack_elasticsearch_index_template",
      "Elasticsearch/DeadLetters/Template",
    );
    expect(template.index_patterns).toEqual(["dead-letters-*"]);
  });

  it("refuses a relative queue path", () => {
    expect(() =>
      buildDeadLetterPipeline({
        queuePath: "data/dlq",
        pipelineId: "main",
        targetField: "dead_letter",
        outputHosts: ["https://es:9200"],
        caCertPath: undefined,
        apiKeyEnvVar: "K",
        indexPrefix: "dl",
      }),
    ).toThrow('queuePath = "data/dlq": must be an absolute path');
  });
});

describe("the dead-letter indices", () => {
  it("map the failure fields and leave the failed document's own fields unindexed", () => {
    const template = resourceAt(
      tf,
      "elasticstack_elasticsearch_index_template",
      "Elasticsearch/DeadLetters/Template",
    );
    const mappings = JSON.parse(
      (template.template as { mappings: string }).mappings.replace(/\$\$\{/g, "${"),
    ) as { dynamic: string; properties: Record<string, { properties?: Record<string, { type: string }> }> };
    expect(mappings.dynamic).toBe("false");
    expect(mappings.properties[DEAD_LETTER_FIELD].properties).toEqual({
      entry_time: { type: "date" },
      reason: { type: "text" },
      plugin_id: { type: "keyword", ignore_above: 1024 },
      plugin_type: { type: "keyword", ignore_above: 1024 },
      pipeline_id: { type: "keyword", ignore_above: 1024 },
    });
  });

  it("have their own lifecycle: deleted 14 days after creation", () => {
    const policy = resourceAt(
      tf,
      "elasticstack_elasticsearch_index_lifecycle",
      "Elasticsearch/DeadLetters/Retention",
    );
    expect(policy.name).toBe("dead-letters-retention");
    expect((policy.delete as { min_age: string }).min_age).toBe("14d");
  });
});
