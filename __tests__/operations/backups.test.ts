import { Testing } from "cdktf";
import { parseConfig, type StackConfigInput } from "../../config";
import { AnalyticsStack } from "../../app/analytics-stack";
import { STACK_NAME } from "../../app/app-support";
import { SNAPSHOT_DEFAULTS } from "../../constructs/elasticsearch/snapshots";
import { CONFIGS, SHIPPED_CONFIGS, resourcesOf, type TfJson } from "../support/synth";
import { problems } from "../support/config-problems";

/** The stack object (for its constructs' names) and its synthesized JSON. */
function build(input: StackConfigInput) {
  const stack = new AnalyticsStack(Testing.app(), STACK_NAME, {
    config: parseConfig(input),
    localStatePath: `../../../terraform.${STACK_NAME}.tfstate`,
  });
  return { stack, tf: JSON.parse(Testing.synth(stack)) as TfJson };
}

const only = (tf: TfJson, type: string) => {
  const all = Object.values(resourcesOf(tf, type));
  expect(all).toHaveLength(1);
  return all[0];
};

const selfManaged = {
  mode: "external",
  elasticsearch: { endpoint: "https://es.example.com:9243" },
  grafana: { url: "https://grafana.example.com" },
};

describe("snapshot repository and SLM policy", () => {
  test("docker default: an fs repository on one protected volume, path.repo and the mount on every node", () => {
    const { stack, tf } = build(CONFIGS.threeNodes);
    const repo = only(tf, "elasticstack_elasticsearch_snapshot_repository");
    const location = SNAPSHOT_DEFAULTS.fsLocation;
    expect(repo.fs).toEqual(expect.objectContaining({ location }));
    const volumes = resourcesOf(tf, "docker_volume");
    const volumeId = Object.keys(volumes).find((k) => volumes[k].name === "elk-es-snapshots");
    expect(volumeId && volumes[volumeId].lifecycle).toEqual({ prevent_destroy: true });
    const nodes = Object.values(resourcesOf(tf, "docker_container")).filter((c) =>
      String(c.name).startsWith("elk-es-"),
    );
    expect(nodes).toHaveLength(3);
    for (const node of nodes) {
      expect(node.env).toContain(`path.repo=${location}`);
      expect(node.volumes).toContainEqual(
        expect.objectContaining({
          container_path: location,
          volume_name: `\${docker_volume.${volumeId}.name}`,
        }),
      );
    }
    // One source of truth: the policy's indices are the index constructs' own name and pattern.
    const policy = only(tf, "elasticstack_elasticsearch_snapshot_lifecycle");
    const es = stack.elasticsearch;
    expect(policy.indices).toEqual([es.events.name, es.logs.pattern]);
    expect(policy.repository).toBe(repo.name);
    expect(policy).toMatchObject({
      schedule: SNAPSHOT_DEFAULTS.schedule,
      expire_after: "30d",
      min_count: 5,
      max_count: 50,
      include_global_state: false,
    });
    expect(policy.feature_states).toBeUndefined();
  });

  test("Kibana's system indices go in as its feature state, the global state stays out", () => {
    const policy = only(
      build(SHIPPED_CONFIGS.dockerKibana).tf,
      "elasticstack_elasticsearch_snapshot_lifecycle",
    );
    expect(policy.feature_states).toEqual(["kibana"]);
    expect(policy.include_global_state).toBe(false);
  });

  test("Elastic Cloud references found-snapshots and registers no repository", () => {
    const { tf } = build(CONFIGS.elasticCloud);
    expect(resourcesOf(tf, "elasticstack_elasticsearch_snapshot_repository")).toEqual({});
    expect(only(tf, "elasticstack_elasticsearch_snapshot_lifecycle").repository).toBe("found-snapshots");
  });

  test("backups.enabled: false synthesizes no repository, policy or snapshot volume", () => {
    const { tf } = build(SHIPPED_CONFIGS.webhookAlert);
    expect(resourcesOf(tf, "elasticstack_elasticsearch_snapshot_repository")).toEqual({});
    expect(resourcesOf(tf, "elasticstack_elasticsearch_snapshot_lifecycle")).toEqual({});
    expect(Object.values(resourcesOf(tf, "docker_volume")).map((v) => v.name)).not.toContain(
      "elk-es-snapshots",
    );
  });

  test("docker s3: credentials are sensitive variables that reach the keystore through root-only uploads", () => {
    const { tf } = build(SHIPPED_CONFIGS.emailAlert);
    const repo = only(tf, "elasticstack_elasticsearch_snapshot_repository");
    expect(repo.s3).toEqual(
      expect.objectContaining({ bucket: "analytics-snapshots", base_path: "elk", client: "default" }),
    );
    for (const key of ["access_key", "secret_key"]) {
      const variable = `backups_s3_${key}`;
      expect(tf.variable?.[variable]).toMatchObject({ type: "string", sensitive: true });
      const node = Object.values(resourcesOf(tf, "docker_container")).find((c) => c.name === "elk-es-0");
      const uploads = node?.upload as { file: string; content: string; permissions: string }[];
      expect(uploads).toContainEqual({
        file: `/run/secrets/keystore/s3.client.default.${key}`,
        content: `\${var.${variable}}`,
        permissions: "0400",
      });
      const script = uploads.find((u) => u.file.endsWith("stack-node-start.sh"))?.content;
      expect(script).toContain(
        `add -x -f s3.client.default.${key} < /run/secrets/keystore/s3.client.default.${key}`,
      );
      // Never a plain setting: no env entry and no repository setting names it.
      expect(JSON.stringify(node?.env)).not.toContain(key);
      expect(JSON.stringify(repo)).not.toContain(key);
    }
  });

  test("docker gcs: the service-account JSON is a file setting of the named client", () => {
    const { tf } = build(SHIPPED_CONFIGS.dockerKibana);
    expect(only(tf, "elasticstack_elasticsearch_snapshot_repository").gcs).toEqual(
      expect.objectContaining({ bucket: "analytics-snapshots", client: "backups" }),
    );
    expect(tf.variable?.backups_gcs_credentials_file).toMatchObject({ sensitive: true });
    const node = Object.values(resourcesOf(tf, "docker_container")).find((c) => c.name === "elk-es-0");
    const script = (node?.upload as { file: string; content: string }[]).find((u) =>
      u.file.endsWith("stack-node-start.sh"),
    )?.content;
    expect(script).toContain(
      "add-file -f gcs.client.backups.credentials_file /run/secrets/keystore/gcs.client.backups.credentials_file",
    );
  });

  test("an external cluster's object store uses its own keystore: no credential variables", () => {
    const { tf } = build(SHIPPED_CONFIGS.elasticCloudKibana);
    expect(only(tf, "elasticstack_elasticsearch_snapshot_repository").azure).toEqual(
      expect.objectContaining({ container: "snapshots", base_path: "elk", client: "default" }),
    );
    expect(Object.keys(tf.variable ?? {}).filter((v) => v.startsWith("backups_"))).toEqual([]);
  });
});

describe("bad backup settings: one line naming key, value and rule", () => {
  test.each([
    ["0 30 1 * *", /6 or 7 fields/],
    ["0 0 0 * * *", /exactly one of day-of-month and day-of-week must be \?/],
    ["0 60 1 * * ?", /minutes field "60" is not valid \(0\.\.59\)/],
    ["0 0/60 * * * ?", /the increment must be 1\.\.59/],
    ["0 0 0 L,5 * ?", /L and LW cannot be combined/],
    ["0 0 0 ? * 2#1,3#2", /only one "nth" day/],
    ["0 0 0 ? * 2#6", /a number 1\.\.5 must follow #/],
    ["0 0 0 ? * FUN", /day-of-week field "FUN" is not valid/],
    ["0 0 0 1 13 ?", /month field "13" is not valid \(1\.\.12\)/],
    ["0 0 ? 1 * ?", /\? is only for day-of-month or day-of-week/],
  ])("schedule %j", (schedule, rule) => {
    const lines = problems({ backups: { schedule } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^config: backups\\.schedule = ${JSON.stringify(schedule).replace(/[?*#/\\.]/g, "\\$&")}: `),
    );
    expect(lines[0]).toMatch(rule);
  });

  test("accepts what Elasticsearch accepts", () => {
    for (const schedule of [
      "0 30 1 * * ?",
      "0 0 3 ? * SUN",
      "0 0/15 * * * ?",
      "0 0 22-2 * * ?",
      "0 0 0 LW * ?",
      "0 0 0 ? * 6L",
      "0 0 0 ? * MON#1",
      "0 0 0 L-3 * ? 2030",
    ])
      expect([schedule, problems({ backups: { schedule } })]).toEqual([schedule, []]);
  });

  test("a repository type without its bucket or container", () => {
    expect(problems({ backups: { repository: { type: "s3" } } })).toEqual([
      "config: backups.repository.bucket = (missing): must be a string",
    ]);
    expect(problems({ ...selfManaged, backups: { repository: { type: "azure", basePath: "x" } } })).toEqual([
      "config: backups.repository.bucket = (missing): must be a string",
    ]);
  });

  test("retention counts: min above max", () => {
    expect(problems({ backups: { minCount: 10, maxCount: 5 } })).toEqual([
      "config: backups.maxCount = 5: must be at least backups.minCount (10)",
    ]);
  });

  test("repository types that cannot work in the mode", () => {
    expect(problems({ backups: { repository: { type: "existing", name: "x" } } })).toEqual([
      'config: backups.repository.type = "existing": a docker cluster has no repository of its own: use fs (default), s3, gcs or azure',
    ]);
    expect(problems({ ...selfManaged, backups: { repository: { type: "fs" } } })).toEqual([
      expect.stringMatching(/^config: backups\.repository\.type = "fs": only in docker mode/),
    ]);
  });

  test("a self-managed cluster must name its repository (or turn backups off); Elastic Cloud need not", () => {
    expect(problems(selfManaged)).toEqual([
      "config: backups.repository = (missing): a self-managed cluster (elasticsearch.endpoint) needs a repository (existing, s3, gcs or azure), or backups.enabled: false",
    ]);
    expect(problems({ ...selfManaged, backups: { enabled: false } })).toEqual([]);
    expect(problems(CONFIGS.elasticCloud)).toEqual([]);
  });
});
