import { ConfigError, parseConfig } from "../../config";
import { SNAPSHOT_DEFAULTS } from "../../constructs/elasticsearch/snapshots";
import { resourceAt, resourcesOf, synthStack, type TfJson } from "../support/synth";
import { KUBERNETES_CONFIGS } from "../support/kubernetes";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const elasticsearchOf = (tf: TfJson): Obj => {
  const release = resourceAt(tf, "helm_release", "Elasticsearch/Cluster/Resources/Release");
  const { objects } = JSON.parse((release.values as string[])[0].replace(/([$%])\1\{/g, "$1{")) as {
    objects: Obj[];
  };
  return objects.find((o) => o.kind === "Elasticsearch") as Obj;
};

describe("snapshots in kubernetes mode (the same SnapshotPolicy as docker mode)", () => {
  it("puts one node's fs repository on its own claim, listed in path.repo", () => {
    const tf = synthStack(KUBERNETES_CONFIGS.kubernetes);
    const es = elasticsearchOf(tf);
    const nodeSet = es.spec.nodeSets[0];
    expect(nodeSet.config["path.repo"]).toEqual([SNAPSHOT_DEFAULTS.fsLocation]);
    expect(nodeSet.volumeClaimTemplates.map((c: Obj) => c.metadata.name)).toEqual([
      "elasticsearch-data",
      "elasticsearch-snapshots",
    ]);
    expect(nodeSet.podTemplate.spec.containers[0].volumeMounts).toEqual([
      { name: "elasticsearch-snapshots", mountPath: SNAPSHOT_DEFAULTS.fsLocation },
    ]);
    const repo = Object.values(resourcesOf(tf, "elasticstack_elasticsearch_snapshot_repository"))[0];
    expect(repo.fs).toEqual(expect.objectContaining({ location: SNAPSHOT_DEFAULTS.fsLocation }));
  });

  it("hands an object store's credentials to the keystore through a secret, from sensitive variables", () => {
    const tf = synthStack(KUBERNETES_CONFIGS.kubernetesKibana);
    // ECK adds every key of the secrets in spec.secureSettings to the nodes' keystores.
    expect(elasticsearchOf(tf).spec.secureSettings).toEqual([{ secretName: "elk-es-stack-keystore" }]);
    const keystore = resourceAt(tf, "kubernetes_secret_v1", "Elasticsearch/Cluster/Keystore");
    expect(keystore.data).toEqual({
      "s3.client.default.access_key": "${var.backups_s3_access_key}",
      "s3.client.default.secret_key": "${var.backups_s3_secret_key}",
    });
    expect(tf.variable?.backups_s3_secret_key.sensitive).toBe(true);
    expect(elasticsearchOf(tf).spec.nodeSets[0].config["path.repo"]).toBeUndefined();
  });

  it("refuses fs with more than one node, in one line", () => {
    const input = { ...KUBERNETES_CONFIGS.kubernetes, elasticsearch: { nodes: 3 } };
    expect(() => parseConfig(input)).toThrow(ConfigError);
    expect(() => parseConfig(input)).toThrow(
      "config: backups.repository = (missing): fs (the default) needs one filesystem all 3 nodes share, and ECK's claims are per node: use s3, gcs, azure or existing, or backups.enabled: false",
    );
  });
});
