import { CONFIGS, resourceAt, resourcesOf, synthStack, type TfJson } from "./support/synth";

const stacks: Record<string, TfJson> = Object.fromEntries(
  Object.entries(CONFIGS).map(([name, config]) => [name, synthStack(config)]),
);
const tf = stacks.docker;

describe("the default stack", () => {
  it("contains all four components with their real resources", () => {
    const containers = Object.values(resourcesOf(tf, "docker_container")).map((c) => c.name);
    expect(containers).toEqual(expect.arrayContaining(["elk-es-0", "elk-logstash", "elk-grafana"]));
    expect(Object.keys(resourcesOf(tf, "docker_network"))).toHaveLength(1);
    expect(resourceAt(tf, "elasticstack_elasticsearch_index", "Elasticsearch/Events/Index").name).toBe(
      "datafly-events",
    );
    expect(
      resourceAt(tf, "elasticstack_elasticsearch_security_role", "Elasticsearch/EventsWriter/Role").name,
    ).toBe("datafly_writer");
    expect(
      resourceAt(tf, "elasticstack_elasticsearch_security_api_key", "Elasticsearch/EventsWriter/ApiKey"),
    ).toBeDefined();
    const logstash = resourceAt(tf, "docker_container", "Logstash/Container");
    expect((logstash.upload as { file: string }[]).map((u) => u.file)).toContain(
      "/usr/share/logstash/pipeline/api-logs.conf",
    );
    const datasources = Object.values(resourcesOf(tf, "grafana_data_source")).map((d) => d.type);
    expect(datasources).toEqual(expect.arrayContaining(["elasticsearch", "yesoreyeram-infinity-datasource"]));
    expect(Object.keys(resourcesOf(tf, "grafana_dashboard")).length).toBeGreaterThanOrEqual(1);
  });

  it("puts every container on the stack's network", () => {
    for (const c of Object.values(resourcesOf(tf, "docker_container"))) {
      expect(c.networks_advanced).toEqual([
        expect.objectContaining({ name: "${docker_network.Network.name}" }),
      ]);
    }
  });

  it("pins every image to an exact version", () => {
    for (const image of Object.values(resourcesOf(tf, "docker_image"))) {
      expect(String(image.name)).toMatch(/:\d+\.\d+\.\d+$/);
    }
  });

  it("protects every data volume from accidental destroy", () => {
    const volumes = Object.values(resourcesOf(tf, "docker_volume"));
    expect(volumes.map((v) => v.name).sort()).toEqual([
      "elk-es-0-data",
      "elk-es-snapshots",
      "elk-grafana-data",
      "elk-logstash-data",
    ]);
    for (const v of volumes) expect(v.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("keeps a relative local state path (no machine-specific path in the JSON)", () => {
    expect(tf.terraform.backend).toEqual({ local: { path: "../../../terraform.analytics.tfstate" } });
    expect(JSON.stringify(tf)).not.toMatch(/\/(home|root|work|tmp|Users)\//);
  });
});

describe.each(Object.keys(CONFIGS))("%s config", (name) => {
  it("synthesizes to the reviewed JSON", () => {
    expect(stacks[name]).toMatchSnapshot();
  });
});

describe("state backend", () => {
  it("is local by default, and S3 or GCS from config for a team", () => {
    expect(synthStack({ backend: { type: "local" } }).terraform.backend).toEqual({
      local: { path: "../../../terraform.analytics.tfstate" },
    });
    expect(
      synthStack({ backend: { type: "s3", bucket: "team-state", region: "eu-west-1" } }).terraform.backend,
    ).toEqual({
      s3: {
        bucket: "team-state",
        key: "elk-grafana-cdktf/analytics.tfstate",
        region: "eu-west-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
    expect(
      synthStack({
        backend: { type: "s3", bucket: "team-state", region: "eu-west-1", dynamodbTable: "locks" },
      }).terraform.backend,
    ).toEqual({
      s3: {
        bucket: "team-state",
        key: "elk-grafana-cdktf/analytics.tfstate",
        region: "eu-west-1",
        encrypt: true,
        dynamodb_table: "locks",
      },
    });
    expect(synthStack({ backend: { type: "gcs", bucket: "team-state" } }).terraform.backend).toEqual({
      gcs: { bucket: "team-state", prefix: "elk-grafana-cdktf" },
    });
  });
});
