import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIGS, resourceAt, resourcesOf, synthStack, type TfJson } from "./support/synth";

const defaultStack = synthStack(CONFIGS.docker);
const threeNodes = synthStack(CONFIGS.threeNodes);
const external = synthStack(CONFIGS.external);

const json = (value: unknown) => JSON.parse(value as string) as Record<string, unknown>;

describe("events index", () => {
  const index = resourceAt(defaultStack, "elasticstack_elasticsearch_index", "Elasticsearch/Events/Index");
  const template = resourceAt(
    defaultStack,
    "elasticstack_elasticsearch_index_template",
    "Elasticsearch/Events/Template",
  );

  it("has exactly the mapping of the integration guide, from a template that matches only the index", () => {
    expect(template.index_patterns).toEqual(["datafly-events"]);
    const mappings = json((template.template as { mappings: string }).mappings) as {
      dynamic: string;
      properties: Record<string, { type: string }>;
    };
    const types = Object.fromEntries(Object.entries(mappings.properties).map(([k, v]) => [k, v.type]));
    expect(types).toEqual({
      event_id: "keyword",
      type: "keyword",
      event: "keyword",
      anonymous_id: "keyword",
      user_id: "keyword",
      source_id: "keyword",
      integration_id: "keyword",
      timestamp: "date",
      received_at: "date",
      sent_at: "date",
      context: "object",
      properties: "object",
      traits: "object",
    });
    // Nested router fields stay queryable; unknown top-level fields cannot cause conflicts.
    // Echo form (see mappings.test.ts): enabled is the default and dynamic reads back as a string.
    for (const name of ["context", "properties", "traits"]) {
      expect(mappings.properties[name]).toEqual({ type: "object", dynamic: "true" });
    }
    expect(mappings.dynamic).toBe("false");
  });

  it("carries no mappings on the index resource, and is created after its template", () => {
    // elastic/terraform-provider-elasticstack v0.13.1 internal/elasticsearch/index/index/models.go:
    // populateFromAPI stores GET /<index> mappings, which grow as events with new fields arrive.
    expect(index.mappings).toBeUndefined();
    expect(index.depends_on).toContain(
      `elasticstack_elasticsearch_index_template.${Object.keys(resourcesOf(defaultStack, "elasticstack_elasticsearch_index_template")).find((k) => k.startsWith("Elasticsearch_Events_Template"))}`,
    );
  });

  it("is protected from deletion and named from config", () => {
    expect(index.name).toBe("datafly-events");
    expect(index.deletion_protection).toBe(true);
    const renamed = synthStack({ events: { index: "shop-events" } });
    expect(resourceAt(renamed, "elasticstack_elasticsearch_index", "Elasticsearch/Events/Index").name).toBe(
      "shop-events",
    );
  });

  it("has replicas only when there is a second node to hold them", () => {
    expect(index.number_of_replicas).toBe(0);
    expect(
      resourceAt(threeNodes, "elasticstack_elasticsearch_index", "Elasticsearch/Events/Index")
        .number_of_replicas,
    ).toBe(1);
    expect(
      resourceAt(external, "elasticstack_elasticsearch_index", "Elasticsearch/Events/Index")
        .number_of_replicas,
    ).toBe(1);
  });
});

describe("log indices", () => {
  const template = resourceAt(
    defaultStack,
    "elasticstack_elasticsearch_index_template",
    "Elasticsearch/Logs/Template",
  );
  const body = template.template as { mappings: string; settings: string };

  it("maps every field the pipeline writes and the dashboards aggregate", () => {
    const mappings = json(body.mappings) as { properties: Record<string, unknown> };
    const typeAt = (path: string) =>
      path.split(".").reduce<Record<string, unknown> | undefined>((node, part, i, parts) => {
        const props = (i === 0 ? mappings.properties : (node?.properties as Record<string, unknown>)) ?? {};
        const next = props[part] as Record<string, unknown> | undefined;
        return i === parts.length - 1 ? next : next;
      }, undefined)?.type;
    expect(typeAt("@timestamp")).toBe("date");
    for (const f of [
      "user.id",
      "host.name",
      "source_hostname",
      "level",
      "log_source",
      "event.request.method",
      "event.request.uri",
      "event.request.service",
      "event.request.resource",
    ]) {
      expect([f, typeAt(f)]).toEqual([f, "keyword"]);
    }
    expect(typeAt("event.response.status")).toBe("integer");
    expect(typeAt("response_ms")).toBe("float");
    expect(typeAt("short_message")).toBe("text");
    expect(typeAt("full_message")).toBe("text");
  });

  it("matches the daily indices and attaches the retention policy", () => {
    expect(template.index_patterns).toEqual(["dreamfactory-logs-*"]);
    const policy = resourceAt(
      defaultStack,
      "elasticstack_elasticsearch_index_lifecycle",
      "Elasticsearch/Logs/Retention",
    );
    expect(json(body.settings)["index.lifecycle.name"]).toBe(policy.name);
    expect(policy.delete).toEqual({ min_age: "30d", delete: { delete_searchable_snapshot: true } });
    const week = synthStack({ logs: { retentionDays: 7, indexPrefix: "gw" } });
    expect(
      resourceAt(week, "elasticstack_elasticsearch_index_lifecycle", "Elasticsearch/Logs/Retention").delete,
    ).toMatchObject({
      min_age: "7d",
    });
    expect(
      resourceAt(week, "elasticstack_elasticsearch_index_template", "Elasticsearch/Logs/Template")
        .index_patterns,
    ).toEqual(["gw-*"]);
  });
});

describe("roles and API keys", () => {
  const roles = (tf: TfJson) =>
    Object.fromEntries(
      Object.values(resourcesOf(tf, "elasticstack_elasticsearch_security_role")).map((r) => [
        r.name as string,
        r,
      ]),
    );
  const keys = (tf: TfJson) =>
    Object.fromEntries(
      Object.values(resourcesOf(tf, "elasticstack_elasticsearch_security_api_key")).map((k) => [
        Object.keys(json(k.role_descriptors))[0],
        k,
      ]),
    );

  const expected = {
    datafly_writer: {
      cluster: [],
      indices: [
        { names: ["datafly-events"], privileges: ["write", "create_index"], allow_restricted_indices: false },
      ],
    },
    logstash_writer: {
      cluster: ["monitor"],
      indices: [
        {
          // The dead-letter pipeline writes its own indices with the same key, and only those.
          names: ["dreamfactory-logs-*", "dead-letters-*"],
          privileges: ["create_doc", "create_index", "view_index_metadata"],
          allow_restricted_indices: false,
        },
      ],
    },
    // The health dashboard's key: monitor (cluster health, node stats, allocation) and read on
    // the dead-letter indices; no log or event data.
    grafana_health_reader: {
      cluster: ["monitor"],
      indices: [
        {
          names: ["dead-letters-*"],
          privileges: ["read", "view_index_metadata"],
          allow_restricted_indices: false,
        },
      ],
    },
    grafana_reader: {
      cluster: ["monitor"],
      indices: [
        {
          names: ["dreamfactory-logs-*", "datafly-events"],
          privileges: ["read", "view_index_metadata"],
          allow_restricted_indices: false,
        },
      ],
    },
  };

  it("each role grants exactly the listed privileges on exactly the listed indices", () => {
    const r = roles(defaultStack);
    expect(Object.keys(r).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, want] of Object.entries(expected)) {
      expect([name, r[name].cluster, r[name].indices]).toEqual([name, want.cluster, want.indices]);
      expect(r[name].run_as).toBeUndefined();
      expect(r[name].applications).toBeUndefined();
    }
  });

  it("each API key carries the same descriptor as its role, and has no create_before_destroy", () => {
    const k = keys(defaultStack);
    for (const [name, want] of Object.entries(expected)) {
      expect(json(k[name].role_descriptors)).toEqual({ [name]: want });
      // CBD would spread to the Elasticsearch containers the key depends on (lifecycle.test.ts).
      expect(k[name].lifecycle).toBeUndefined();
    }
  });

  it("follows renamed indices", () => {
    const tf = synthStack({ events: { index: "shop-events" }, logs: { indexPrefix: "gw-logs" } });
    const r = roles(tf);
    expect((r.datafly_writer.indices as { names: string[] }[])[0].names).toEqual(["shop-events"]);
    expect((r.logstash_writer.indices as { names: string[] }[])[0].names).toEqual([
      "gw-logs-*",
      "dead-letters-*",
    ]);
    expect((r.grafana_reader.indices as { names: string[] }[])[0].names).toEqual([
      "gw-logs-*",
      "shop-events",
    ]);
  });
});

describe("docker cluster", () => {
  const containers = (tf: TfJson) =>
    Object.values(resourcesOf(tf, "docker_container")).filter((c) => String(c.name).includes("-es-"));

  it("protects every data volume and mounts one per node", () => {
    for (const tf of [defaultStack, threeNodes]) {
      const volumes = Object.values(resourcesOf(tf, "docker_volume"));
      for (const v of volumes) expect(v.lifecycle).toEqual({ prevent_destroy: true });
      for (const c of containers(tf)) {
        const mounts = c.volumes as { container_path: string; volume_name: string }[];
        // Its data volume, and the snapshot volume every node shares.
        expect(mounts).toEqual([
          expect.objectContaining({ container_path: "/usr/share/elasticsearch/data" }),
          expect.objectContaining({ container_path: "/usr/share/elasticsearch/snapshots" }),
        ]);
      }
    }
    expect(containers(threeNodes)).toHaveLength(3);
    const volumeRefs = new Set(
      containers(threeNodes).map((c) => (c.volumes as { volume_name: string }[])[0].volume_name),
    );
    expect(volumeRefs.size).toBe(3);
  });

  it("runs a single node as single-node and three nodes with discovery", () => {
    expect(containers(defaultStack)[0].env).toContain("discovery.type=single-node");
    for (const c of containers(threeNodes)) {
      const env = c.env as string[];
      expect(env).toContain("cluster.initial_master_nodes=elk-es-0,elk-es-1,elk-es-2");
      expect(env.find((e) => e.startsWith("discovery.seed_hosts="))).toBeDefined();
      expect(env).not.toContain("discovery.type=single-node");
    }
  });

  it("has security and TLS on, a healthcheck, and waits until healthy", () => {
    for (const c of containers(threeNodes)) {
      const env = c.env as string[];
      expect(env).toEqual(
        expect.arrayContaining([
          "xpack.security.enabled=true",
          "xpack.security.http.ssl.enabled=true",
          "xpack.security.transport.ssl.enabled=true",
        ]),
      );
      expect((c.healthcheck as { test: string[] }).test.join(" ")).toContain("_cluster/health");
      expect(c.wait).toBe(true);
      expect(c.wait_timeout).toBeGreaterThanOrEqual(120);
      expect(String(c.image)).toMatch(/^\$\{docker_image\./);
    }
    const image = Object.values(resourcesOf(defaultStack, "docker_image")).find((i) =>
      String(i.name).includes("elasticsearch"),
    );
    expect(image?.name).toMatch(/^docker\.elastic\.co\/elasticsearch\/elasticsearch:8\.\d+\.\d+$/);
  });

  // The healthcheck run by sh with a stand-in curl that records what it was given, then its
  // stdin given to the real curl (Debian's), whose --libcurl output shows the credential it took.
  it("gives curl the elastic password on stdin, never in a command line", () => {
    const dir = mkdtempSync(join(tmpdir(), "es-health-"));
    try {
      const password = "Abc123secretXYZ"; // what random_password makes: no special characters
      writeFileSync(join(dir, "elastic_password"), password);
      writeFileSync(join(dir, "curl"), `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/argv\ncat > ${dir}/stdin\n`);
      chmodSync(join(dir, "curl"), 0o755);
      const [first] = containers(defaultStack);
      const test = (first.healthcheck as { test: string[] }).test;
      expect(test[0]).toBe("CMD-SHELL");
      const command = test[1].replaceAll("/run/secrets/elastic_password", join(dir, "elastic_password"));
      const run = spawnSync("sh", ["-c", command], {
        env: { PATH: `${dir}:/usr/bin:/bin` },
        encoding: "utf8",
      });
      expect(run.status).toBe(0);
      const argv = readFileSync(join(dir, "argv"), "utf8");
      expect(argv).not.toContain(password);
      expect(argv.split("\n")).toEqual(expect.arrayContaining(["-K", "-", "--cacert"]));
      const stdin = readFileSync(join(dir, "stdin"), "utf8");
      const real = spawnSync(
        "curl",
        ["-K", "-", "-fsS", "--libcurl", join(dir, "libcurl.c"), "file:///dev/null"],
        {
          input: stdin,
          encoding: "utf8",
        },
      );
      expect(real.status).toBe(0);
      expect(readFileSync(join(dir, "libcurl.c"), "utf8")).toContain(
        `curl_easy_setopt(hnd, CURLOPT_USERPWD, "elastic:${password}");`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("publishes only the first node, on loopback by default", () => {
    const [first, ...rest] = containers(threeNodes);
    expect(first.ports).toEqual([{ internal: 9200, external: 9200, ip: "127.0.0.1" }]);
    for (const c of rest) expect(c.ports ?? []).toEqual([]);
  });

  it("makes every Elasticsearch resource wait for the healthy cluster", () => {
    for (const type of [
      "elasticstack_elasticsearch_index",
      "elasticstack_elasticsearch_index_template",
      "elasticstack_elasticsearch_index_lifecycle",
      "elasticstack_elasticsearch_security_role",
      "elasticstack_elasticsearch_security_api_key",
    ]) {
      for (const r of Object.values(resourcesOf(threeNodes, type))) {
        const deps = r.depends_on as string[];
        expect(deps.filter((d) => d.startsWith("docker_container.Elasticsearch_Cluster_"))).toHaveLength(3);
      }
    }
  });

  it("configures the provider with an endpoint known at plan time and the elastic user", () => {
    const es = (defaultStack.provider.elasticstack[0] as { elasticsearch: Record<string, unknown> })
      .elasticsearch;
    expect(es.endpoints).toEqual(["https://localhost:9200"]);
    expect(es.username).toBe("elastic");
    expect(String(es.password)).toMatch(/^\$\{random_password\.[A-Za-z0-9_]+\.result\}$/);
    expect(String(es.ca_data)).toMatch(/^\$\{tls_self_signed_cert\./);
  });
});

describe("external cluster", () => {
  it("creates no Elasticsearch containers and reads credentials from sensitive variables", () => {
    expect(
      Object.values(resourcesOf(external, "docker_container")).filter((c) => String(c.name).includes("-es-")),
    ).toEqual([]);
    expect(external.variable?.elasticsearch_password).toMatchObject({ sensitive: true, type: "string" });
    const es = (external.provider.elasticstack[0] as { elasticsearch: Record<string, unknown> })
      .elasticsearch;
    expect(es.endpoints).toEqual(["https://es.example.com:9243"]);
    expect(es.password).toBe("${var.elasticsearch_password}");
  });

  it("derives the Elastic Cloud endpoint from the cloud id and passes cloud_id to the router", () => {
    const cloud = synthStack(CONFIGS.elasticCloud);
    const es = (cloud.provider.elasticstack[0] as { elasticsearch: Record<string, unknown> }).elasticsearch;
    expect(es.endpoints).toEqual(["https://abc123def456.europe-west1.gcp.cloud.es.io:443"]);
    expect(es.ca_data).toBeUndefined();
    expect(String(cloud.output?.signal_integration.value)).toContain("cloud_id");
  });
});

describe("outputs", () => {
  it("marks every output that carries a secret as sensitive", () => {
    const out = defaultStack.output ?? {};
    expect(out.events_writer_api_key).toMatchObject({ sensitive: true });
    expect(String(out.events_writer_api_key.value)).toMatch(
      /^\$\{elasticstack_elasticsearch_security_api_key\.[A-Za-z0-9_]+\.encoded\}$/,
    );
    expect(out.signal_integration).toMatchObject({ sensitive: true });
    expect(out.elasticsearch_endpoint.value).toBe("https://localhost:9200");
  });

  it("gives the router's install body in the guide's shape", () => {
    const value = String(defaultStack.output?.signal_integration.value);
    expect(value).toMatch(/^\$\{jsonencode\(/);
    expect(value).toContain('"name" = "Elasticsearch"');
    expect(value).toContain('"variant" = "default"');
    expect(value).toContain('"delivery_mode" = "server_side"');
    expect(value).toContain('"endpoint" = "https://localhost:9200"');
    expect(value).toContain('"index" = "datafly-events"');
    expect(value).toMatch(/"api_key" = elasticstack_elasticsearch_security_api_key\.\w+\.encoded/);
  });
});

describe("replicas override", () => {
  it("applies to the events index and the log template", () => {
    const tf = synthStack({
      ...CONFIGS.external,
      elasticsearch: { endpoint: "https://es.example.com:9243", replicas: 0 },
    });
    expect(
      resourceAt(tf, "elasticstack_elasticsearch_index", "Elasticsearch/Events/Index").number_of_replicas,
    ).toBe(0);
    const template = resourceAt(
      tf,
      "elasticstack_elasticsearch_index_template",
      "Elasticsearch/Logs/Template",
    );
    expect(json((template.template as { settings: string }).settings)["index.number_of_replicas"]).toBe(0);
  });
});
