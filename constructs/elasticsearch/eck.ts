import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ElasticstackProvider } from "@cdktf-providers/elastic-elasticstack/provider";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import type { CertificateAuthority, CertificateNames } from "../pki/certificate-authority";
import { withDefaults } from "../docker/common";
import {
  DNS_LABEL_PATTERN,
  ObjectsRelease,
  quantityProblem,
  readinessJob,
  urlPort,
  type KubernetesObject,
} from "../kubernetes/common";
import { DOCKER_CLUSTER_DEFAULTS, type ElasticsearchConnection, type SecureSettingValue } from "./cluster";
import { urlHost } from "../tls-names";

/** Defaults of {@link EckElasticsearchCluster}; the app's config reference shows the same values. */
export const ECK_CLUSTER_DEFAULTS = {
  name: "elk",
  version: DOCKER_CLUSTER_DEFAULTS.version,
  nodes: 1,
  volumeSize: "10Gi",
  memory: "2Gi",
  cpu: "1",
} as const;

/** Port of ECK's Elasticsearch HTTP service (network.HTTPPort, elastic/cloud-on-k8s v3.5.0). */
export const ES_HTTP_PORT = 9200;

/** File-realm user the providers authenticate as; its password is known to Terraform in advance. */
export const ECK_TERRAFORM_USER = "terraform";

/** Keys of ECK's file-realm secret (elastic/cloud-on-k8s pkg/controller/elasticsearch/user/filerealm/realm.go, v3.5.0). */
export const FILE_REALM_KEYS = { users: "users", usersRoles: "users_roles" } as const;

/** Keys of a custom HTTP certificate secret (pkg/controller/common/certificates/secret.go, v3.5.0). */
export const TLS_SECRET_KEYS = { cert: "tls.crt", key: "tls.key", ca: "ca.crt" } as const;

/** The volume claim ECK mounts as the data path (elastic/cloud-on-k8s pkg/controller/elasticsearch/volume/names.go, v3.5.0). */
export const ES_DATA_CLAIM = "elasticsearch-data";

/** The claim of the fs snapshot repository. */
export const ES_SNAPSHOT_CLAIM = "elasticsearch-snapshots";

export interface EckClusterProps {
  /** Namespace of the cluster (managed by the operator). */
  readonly namespace: string;
  /** URL at which Terraform reaches the cluster's HTTP service: https, known at synth time. */
  readonly url: string;
  /** Signs the HTTP certificate; every client verifies the cluster with its certificate. */
  readonly ca: CertificateAuthority;
  /** Name of the Elasticsearch resource; services are `<name>-es-http`. @default "elk" */
  readonly name?: string;
  /** Pinned 8.x version. @default "8.19.18" */
  readonly version?: string;
  /** Nodes of the one node set. @default 1 */
  readonly nodes?: number;
  /** Storage class of the data volumes. @default the cluster's default class */
  readonly storageClass?: string;
  /** Size of each node's data volume. @default "10Gi" */
  readonly volumeSize?: string;
  /** Memory request and limit of each node (Elasticsearch sizes its heap from it). @default "2Gi" */
  readonly memory?: string;
  /** CPU request of each node. @default "1" */
  readonly cpu?: string;
  /**
   * Path of a shared-filesystem snapshot repository: a claim of `volumeSize` mounted there and
   * listed in `path.repo`. One node only: ECK's claims are per node, and an fs repository must
   * be one filesystem every node shares. @default none
   */
  readonly snapshotPath?: string;
  /**
   * Keystore entries (an object store's credentials), put in a secret that ECK adds to every
   * node's keystore (`spec.secureSettings`). Values are Terraform references. @default none
   */
  readonly secureSettings?: readonly SecureSettingValue[];
  /** The operator release, which must be ready first. @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * Elasticsearch through ECK: one node set on volume claim templates, HTTPS with a certificate
 * from the stack CA for the URL's host and the in-cluster names, and a file-realm superuser
 * whose password Terraform generates, so the providers are configured at plan.
 */
export class EckElasticsearchCluster extends Construct implements ElasticsearchConnection {
  readonly providerEndpoint: string;
  readonly clientEndpoints: string[];
  readonly clusterEndpoint: string;
  readonly publicEndpoint: string;
  readonly caCertPem: string;
  readonly username = ECK_TERRAFORM_USER;
  readonly password: string;
  readonly ready: ITerraformDependable[];
  readonly nodeCount: number;
  readonly nodeCertificates: CertificateNames[];
  readonly provider: ElasticstackProvider;
  /** Name of the Elasticsearch resource (what a Kibana's elasticsearchRef names). */
  readonly name: string;
  readonly namespace: string;
  /** The rendered Elasticsearch resource and its readiness Job. */
  readonly objects: readonly KubernetesObject[];
  /** Escape hatches. */
  readonly release: ObjectsRelease;
  readonly tlsSecret: SecretV1;
  readonly fileRealmSecret: SecretV1;

  constructor(scope: Construct, id: string, input: EckClusterProps) {
    super(scope, id);
    const props = withDefaults(input, ECK_CLUSTER_DEFAULTS);
    const fail = (key: string, value: unknown, rule: string): never => {
      throw new Error(`${this.node.path}: ${key} = ${JSON.stringify(value)}: ${rule}`);
    };
    if (!DNS_LABEL_PATTERN.test(props.name) || props.name.length > 36)
      fail("name", props.name, "must be a DNS label of at most 36 characters (ECK's name limit)");
    if (!DNS_LABEL_PATTERN.test(props.namespace)) fail("namespace", props.namespace, "must be a DNS label");
    if (!/^https:\/\/[^/]+\/?$/.test(props.url))
      fail("url", props.url, "must be an https URL without a path");
    if (urlPort(props.url) !== ES_HTTP_PORT)
      fail("url", props.url, `must name port ${ES_HTTP_PORT}, the port of ECK's HTTP service`);
    if (!Number.isInteger(props.nodes) || props.nodes < 1)
      fail("nodes", props.nodes, "must be an integer >= 1");
    for (const key of ["volumeSize", "memory", "cpu"] as const) {
      const problem = quantityProblem(props[key]);
      if (problem) fail(key, props[key], problem);
    }
    if (props.snapshotPath !== undefined) {
      if (!/^\/[A-Za-z0-9_./-]+$/.test(props.snapshotPath))
        fail("snapshotPath", props.snapshotPath, "must be an absolute path");
      if (props.nodes !== 1)
        fail(
          "snapshotPath",
          props.snapshotPath,
          "needs nodes = 1: an fs repository must be one filesystem all nodes share",
        );
    }
    this.name = props.name;
    this.namespace = props.namespace;
    this.nodeCount = props.nodes;
    this.caCertPem = props.ca.certPem;

    const service = `${props.name}-es-http`;
    const inCluster = `${service}.${props.namespace}.svc`;
    this.providerEndpoint = props.url.replace(/\/$/, "");
    this.publicEndpoint = this.providerEndpoint;
    this.clusterEndpoint = `https://${inCluster}:${ES_HTTP_PORT}`;
    this.clientEndpoints = [this.clusterEndpoint];

    const cert = props.ca.issue("Http", {
      commonName: service,
      dnsNames: [
        ...new Set([urlHost(props.url), service, inCluster, `${inCluster}.cluster.local`, "localhost"]),
      ],
      ipAddresses: ["127.0.0.1"],
    });
    this.nodeCertificates = [cert.names];
    const tlsSecretName = `${props.name}-es-http-certs-stack`;
    this.tlsSecret = new SecretV1(this, "HttpCertificate", {
      metadata: { name: tlsSecretName, namespace: props.namespace },
      dependsOn: [...(props.dependsOn ?? [])],
      data: {
        [TLS_SECRET_KEYS.cert]: cert.certPem,
        [TLS_SECRET_KEYS.key]: cert.keyPem,
        [TLS_SECRET_KEYS.ca]: props.ca.certPem,
      },
    });

    // Alphanumeric: safe in the readiness Job's shell and in the users file (no ':').
    const password = new Password(this, "TerraformPassword", { length: 32, special: false });
    this.password = password.result;
    const fileRealmName = `${props.name}-es-stack-users`;
    this.fileRealmSecret = new SecretV1(this, "FileRealm", {
      metadata: { name: fileRealmName, namespace: props.namespace },
      dependsOn: [...(props.dependsOn ?? [])],
      data: {
        // Elasticsearch reads a hash as bcrypt only with the $2a$ prefix, which Go's bcrypt (random_password)
        // writes (elastic/elasticsearch x-pack/.../authc/support/Hasher.java resolveFromHash).
        [FILE_REALM_KEYS.users]: `${ECK_TERRAFORM_USER}:${password.bcryptHash}\n`,
        [FILE_REALM_KEYS.usersRoles]: `superuser:${ECK_TERRAFORM_USER}\n`,
        // Only the readiness Job reads it; the users file holds the hash.
        password: password.result,
      },
    });

    const claim = (name: string): Record<string, unknown> => ({
      metadata: { name },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: props.volumeSize } },
        ...(props.storageClass !== undefined ? { storageClassName: props.storageClass } : {}),
      },
    });
    const snapshots = props.snapshotPath;
    const keystoreName = `${props.name}-es-stack-keystore`;
    const secureSettings = props.secureSettings ?? [];
    const keystore =
      secureSettings.length > 0
        ? new SecretV1(this, "Keystore", {
            metadata: { name: keystoreName, namespace: props.namespace },
            // ECK adds each key of the secret to every node's keystore (spec.secureSettings).
            data: Object.fromEntries(secureSettings.map((s) => [s.setting, s.value])),
            dependsOn: [...(props.dependsOn ?? [])],
          })
        : undefined;
    const elasticsearch: KubernetesObject = {
      apiVersion: "elasticsearch.k8s.elastic.co/v1",
      kind: "Elasticsearch",
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        version: props.version,
        http: {
          // ECK's own port (9200) stays: its associations (Kibana's elasticsearchRef) call
          // <name>-es-http.<namespace>.svc:9200 (pkg/controller/elasticsearch/services/services.go
          // ExternalServiceURL, v3.5.0), so the URL must name that port too.
          service: { spec: { type: "LoadBalancer" } },
          tls: { certificate: { secretName: tlsSecretName } },
        },
        auth: { fileRealm: [{ secretName: fileRealmName }] },
        ...(secureSettings.length > 0 ? { secureSettings: [{ secretName: keystoreName }] } : {}),
        // The data outlives the resource (ECK's default deletes the claims with the cluster;
        // pkg/apis/elasticsearch/v1/elasticsearch_types.go, v3.5.0), as docker mode's volumes do.
        volumeClaimDeletePolicy: "DeleteOnScaledownOnly",
        nodeSets: [
          {
            name: "default",
            count: props.nodes,
            // No mmap: no privileged init container setting vm.max_map_count on the hosts.
            config: {
              "node.store.allow_mmap": false,
              ...(snapshots !== undefined ? { "path.repo": [snapshots] } : {}),
            },
            podTemplate: {
              spec: {
                containers: [
                  {
                    name: "elasticsearch",
                    ...(snapshots !== undefined
                      ? { volumeMounts: [{ name: ES_SNAPSHOT_CLAIM, mountPath: snapshots }] }
                      : {}),
                    resources: {
                      requests: { memory: props.memory, cpu: props.cpu },
                      limits: { memory: props.memory },
                    },
                  },
                ],
              },
            },
            volumeClaimTemplates: [
              claim(ES_DATA_CLAIM),
              ...(snapshots !== undefined ? [claim(ES_SNAPSHOT_CLAIM)] : []),
            ],
          },
        ],
      },
    };
    const job = readinessJob({
      name: `${props.name}-es-ready`,
      namespace: props.namespace,
      image: `docker.elastic.co/elasticsearch/elasticsearch:${props.version}`,
      script:
        `curl -fsS --cacert /ca/${TLS_SECRET_KEYS.ca} -u "${ECK_TERRAFORM_USER}:$ES_PASSWORD" ` +
        `"${this.clusterEndpoint}/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null`,
      env: [{ name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: fileRealmName, key: "password" } } }],
      volumes: [
        {
          name: "ca",
          secret: {
            secretName: tlsSecretName,
            items: [{ key: TLS_SECRET_KEYS.ca, path: TLS_SECRET_KEYS.ca }],
          },
        },
      ],
      volumeMounts: [{ name: "ca", mountPath: "/ca", readOnly: true }],
      deadlineSeconds: 840,
    });
    this.objects = [elasticsearch, job];
    this.release = new ObjectsRelease(this, "Resources", {
      name: `${props.name}-elasticsearch`,
      namespace: props.namespace,
      objects: this.objects,
      dependsOn: [
        ...(props.dependsOn ?? []),
        this.tlsSecret,
        this.fileRealmSecret,
        ...(keystore ? [keystore] : []),
      ],
    });
    this.ready = [this.release.release];

    this.provider = new ElasticstackProvider(this, "Provider", {
      elasticsearch: {
        endpoints: [this.providerEndpoint],
        username: this.username,
        password: this.password,
        caData: this.caCertPem,
      },
    });
  }
}
