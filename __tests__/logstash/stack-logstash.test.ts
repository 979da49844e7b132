import YAML from "yaml";
import {
  extractEnvReferences,
  type PipelineModel,
  type PluginStatement,
} from "../../constructs/logstash/pipeline";
import { LOGSTASH_PATHS } from "../../constructs/logstash/settings";
import { toPipelineModel, parseLogstashConfig } from "../support/lscl";
import { CONFIGS, resourceAt, resourcesOf, synthStack, type TfJson } from "../support/synth";
import { uploaded } from "../support/tf-literal";

const logstashOf = (tf: TfJson) => resourceAt(tf, "docker_container", "Logstash/Container");
/** The pipeline as Logstash will read it, parsed by our grammar of its config language. */
const pipelineOf = (tf: TfJson): PipelineModel =>
  toPipelineModel(parseLogstashConfig(uploaded(logstashOf(tf), LOGSTASH_PATHS.pipeline)));
const output = (model: PipelineModel) => model.output[0] as PluginStatement;
const envOf = (tf: TfJson) =>
  Object.fromEntries(
    (logstashOf(tf).env as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
  );

const tf = synthStack(CONFIGS.docker);

describe("the pipeline's output comes from the Elasticsearch constructs", () => {
  const settings = output(pipelineOf(tf)).settings;

  it("writes the daily indices the index template matches", () => {
    const template = resourceAt(
      tf,
      "elasticstack_elasticsearch_index_template",
      "Elasticsearch/Logs/Template",
    );
    const [pattern] = template.index_patterns as string[];
    expect(settings.index).toBe("dreamfactory-logs-%{+YYYY.MM.dd}");
    expect(String(settings.index).replace("%{+YYYY.MM.dd}", "2026.11.23")).toMatch(
      new RegExp(`^${pattern.replace("*", ".*")}$`),
    );
    const renamed = output(pipelineOf(synthStack({ logs: { indexPrefix: "gw" } }))).settings;
    expect(renamed.index).toBe("gw-%{+YYYY.MM.dd}");
  });

  it("sends to every node over HTTPS, verifying with the uploaded cluster CA", () => {
    expect(settings.hosts).toEqual(["https://elk-es-0:9200"]);
    expect(output(pipelineOf(synthStack(CONFIGS.threeNodes))).settings.hosts).toEqual([
      "https://elk-es-0:9200",
      "https://elk-es-1:9200",
      "https://elk-es-2:9200",
    ]);
    expect(settings.ssl_enabled).toBe(true);
    expect(settings.ssl_verification_mode).toBe("full");
    expect(settings.ssl_certificate_authorities).toEqual([LOGSTASH_PATHS.caCert]);
    expect(uploaded(logstashOf(tf), LOGSTASH_PATHS.caCert)).toMatch(
      /^\$\{tls_self_signed_cert\.Ca_Cert_[0-9A-F]{8}\.cert_pem\}$/,
    );
  });

  it("authenticates with the logstash_writer key, never with the elastic user", () => {
    expect(settings.api_key).toBe("${LOGSTASH_ES_API_KEY}");
    expect(settings.user).toBeUndefined();
    expect(settings.password).toBeUndefined();
    const keyResource = Object.keys(resourcesOf(tf, "elasticstack_elasticsearch_security_api_key")).find(
      (k) => k.startsWith("Elasticsearch_LogstashWriter_ApiKey_"),
    );
    expect(envOf(tf).LOGSTASH_ES_API_KEY).toBe(
      `\${elasticstack_elasticsearch_security_api_key.${keyResource}.key_id}:\${elasticstack_elasticsearch_security_api_key.${keyResource}.api_key}`,
    );
  });

  it("leaves the index template and lifecycle to the stack", () => {
    expect(settings).toMatchObject({
      data_stream: false,
      ilm_enabled: false,
      manage_template: false,
      action: "create",
    });
  });

  it("sets every variable the pipeline references", () => {
    const refs = extractEnvReferences(uploaded(logstashOf(tf), LOGSTASH_PATHS.pipeline));
    expect(refs).toEqual(["LOGSTASH_ES_API_KEY"]);
    for (const name of refs) expect(envOf(tf)[name]).toBeTruthy();
  });
});

describe("the Logstash container", () => {
  const container = logstashOf(tf);
  const settings = YAML.parse(uploaded(container, LOGSTASH_PATHS.settings)) as Record<string, unknown>;

  // elastic/dockerfiles v8.19.10 logstash/Dockerfile: USER 1000 (group logstash), but
  // everything under /usr/share/logstash is logstash:root with g=u, so group root works.
  it("runs as the image's uid in group root, and reads its root-owned API key through that group only", () => {
    expect(container.user).toBe("1000:0");
    const key = (container.upload as { file: string; permissions?: string }[]).find((u) =>
      u.file.endsWith("/api.key"),
    );
    expect(key?.permissions).toBe("0440");
  });

  it("keeps events on a persistent queue and refused documents in a dead letter queue", () => {
    expect(settings).toMatchObject({
      "queue.type": "persisted",
      "queue.max_bytes": "1gb",
      "dead_letter_queue.enable": true,
      "path.data": LOGSTASH_PATHS.data,
      "config.support_escapes": true,
    });
    expect(container.volumes).toEqual([
      {
        container_path: LOGSTASH_PATHS.data,
        volume_name: expect.stringMatching(/^\$\{docker_volume\.Logstash_Data_/),
      },
    ]);
    expect(
      YAML.parse(
        uploaded(logstashOf(synthStack({ logstash: { queueMaxBytes: "4gb" } })), LOGSTASH_PATHS.settings),
      ),
    ).toMatchObject({
      "queue.max_bytes": "4gb",
    });
  });

  it("takes settings only from logstash.yml: no setting-named environment variables", () => {
    // None of these is a setting name env2yaml would map (docker/data/logstash/env2yaml, v8.19.18).
    expect(Object.keys(envOf(tf)).sort()).toEqual([
      "LOGSTASH_API_KEYSTORE_PASSWORD",
      "LOGSTASH_API_PASSWORD",
      "LOGSTASH_ES_API_KEY",
      "LS_JAVA_OPTS",
    ]);
    expect(envOf(tf).LS_JAVA_OPTS).toBe("-Xms256m -Xmx256m");
    const pipelines = YAML.parse(uploaded(container, LOGSTASH_PATHS.pipelines));
    expect(pipelines[0]).toEqual({ "pipeline.id": "main", "path.config": LOGSTASH_PATHS.pipeline });
    expect(pipelines.map((p: Record<string, unknown>) => p["pipeline.id"])).toEqual(["main", "dead-letters"]);
  });

  it("publishes GELF over UDP only, and the http input when asked, with a random password", () => {
    expect(container.ports).toEqual([{ internal: 12201, external: 12201, protocol: "udp", ip: "127.0.0.1" }]);
    const withHttp = synthStack({ logstash: { gelfPort: 5514, http: { enabled: true, port: 8088 } } });
    const http = logstashOf(withHttp);
    expect(http.ports).toEqual([
      { internal: 5514, external: 5514, protocol: "udp", ip: "127.0.0.1" },
      { internal: 8088, external: 8088, protocol: "tcp", ip: "127.0.0.1" },
    ]);
    // The password is a random_password reference, never a literal, and an output marked sensitive.
    expect(envOf(withHttp).LOGSTASH_HTTP_PASSWORD).toMatch(
      /^\$\{random_password\.Logstash_HttpPassword_[^.}]+\.result\}$/,
    );
    const out = (withHttp.output as Record<string, { sensitive?: boolean; value: string }>)
      .logstash_http_password;
    expect(out.sensitive).toBe(true);
    expect(out.value).toMatch(/random_password\.Logstash_HttpPassword/);
    expect(resourcesOf(withHttp, "random_password")).toHaveProperty(
      [
        Object.keys(resourcesOf(withHttp, "random_password")).find((k) =>
          k.startsWith("Logstash_HttpPassword"),
        ) ?? "none",
        "special",
      ],
      false,
    );
    expect((tf.output as Record<string, unknown>).logstash_http_password).toBeUndefined();
  });

  it("uploads the Ruby library the pipeline's ruby filters require, at the path they require", () => {
    const library = uploaded(container, LOGSTASH_PATHS.rubyLibrary);
    expect(library).toContain("module ElkGrafanaCdktf");
    expect(library).toContain("class Normalize");
    const pipeline = uploaded(container, LOGSTASH_PATHS.pipeline);
    expect(pipeline).toContain(`require '${LOGSTASH_PATHS.rubyLibrary}'`);
    expect(
      pipeline.match(/require '([^']+)'/g)?.every((r) => r === `require '${LOGSTASH_PATHS.rubyLibrary}'`),
    ).toBe(true);
  });

  it("has a memory limit with swap equal to it (the docker provider reads memory alone back as twice)", () => {
    expect(container.memory).toBe(1024);
    expect(container.memory_swap).toBe(1024);
    const big = logstashOf(synthStack({ logstash: { heap: "1g", memoryLimitMb: 2048 } }));
    expect([big.memory, big.memory_swap]).toEqual([2048, 2048]);
  });

  it("sizes workers and batches for the heap and keeps the dead letter queue for a week", () => {
    const settings = YAML.parse(uploaded(container, LOGSTASH_PATHS.settings));
    expect(settings).toMatchObject({
      "pipeline.workers": 1,
      "pipeline.batch.size": 50,
      "dead_letter_queue.retain.age": "7d",
    });
    const big = YAML.parse(
      uploaded(
        logstashOf(synthStack({ logstash: { heap: "1g", memoryLimitMb: 2048 } })),
        LOGSTASH_PATHS.settings,
      ),
    );
    expect(big).toMatchObject({ "pipeline.workers": 4, "pipeline.batch.size": 125 });
  });

  it("is healthy only when the pipeline runs, restarts, and starts after the cluster and the template", () => {
    expect((container.healthcheck as { test: string[] }).test[1]).toContain("/_node/pipelines/main");
    expect(container.wait).toBe(true);
    expect(container.restart).toBe("unless-stopped");
    expect(container.depends_on).toEqual([
      expect.stringMatching(/^docker_container\.Elasticsearch_Cluster_Node0_Container_/),
      expect.stringMatching(/^elasticstack_elasticsearch_index_template\.Elasticsearch_Logs_Template/),
      expect.stringMatching(/^elasticstack_elasticsearch_index_template\.Elasticsearch_DeadLetters_Template/),
    ]);
    const image = Object.values(resourcesOf(tf, "docker_image")).find((i) =>
      String(i.name).includes("logstash"),
    );
    expect(image?.name).toMatch(/^docker\.elastic\.co\/logstash\/logstash:8\.\d+\.\d+$/);
  });

  it("changes (and so is replaced) when the pipeline changes, with a readable fingerprint", () => {
    const other = logstashOf(synthStack({ logstash: { responseTime: { enabled: true } } }));
    // Response time is a step of the compiled filter: the uploaded library changes.
    expect(uploaded(other, LOGSTASH_PATHS.rubyLibrary)).not.toBe(
      uploaded(container, LOGSTASH_PATHS.rubyLibrary),
    );
    expect(other.labels).not.toEqual(container.labels);
    expect(container.labels).toEqual([
      { label: "elk-grafana-cdktf.pipeline-sha256", value: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    // Multi-line text: `cdktf diff` shows the changed lines, not one long escaped line.
    expect(uploaded(container, LOGSTASH_PATHS.pipeline).split("\n").length).toBeGreaterThan(50);
  });
});
