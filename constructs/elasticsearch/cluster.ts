import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ElasticstackProvider } from "@cdktf-providers/elastic-elasticstack/provider";
import { cloudIdToEndpoint } from "./cloud-id";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Password } from "@cdktf/provider-random/lib/password";
import type { CertificateAuthority, CertificateNames } from "../pki/certificate-authority";
import {
  healthcheck,
  hostCertificateAddresses,
  hostReachableAddress,
  jvmSizeMb,
  logOptions,
  type LogRotation,
  withDefaults,
  curlWithCredential,
} from "../docker/common";
import { nodeStartScript, type KeystoreEntry } from "./node-start";

/**
 * Mode of the uploaded ELASTIC_PASSWORD_FILE: the image's entrypoint refuses anything but
 * 400 or 600 (`stat -L -c %a`, distribution/src/bin/elasticsearch-env-from-file).
 */
export const ELASTIC_PASSWORD_FILE_MODE = "0600";

/** The start script every docker node runs (see node-start.ts). */
const NODE_START_PATH = "/usr/local/bin/stack-node-start.sh";

/** Where the cluster's CA certificate is placed inside every container that talks to it. */
export const ES_CA_PATH_IN_CONTAINERS = "/usr/share/certs/elasticsearch-ca.crt";

/** What other constructs need to reach and trust the cluster. */
export interface ElasticsearchConnection {
  /** URL the elasticstack provider uses, known at plan time. */
  readonly providerEndpoint: string;
  /** URLs that containers on the stack's docker network (or anywhere, for external) use. */
  readonly clientEndpoints: string[];
  /**
   * One URL that reaches any healthy node, for clients that take a single URL (Grafana's
   * datasources): a network alias every node answers in docker mode, the endpoint otherwise.
   */
  readonly clusterEndpoint: string;
  /** Public URL users and the event router see (output `elasticsearch_endpoint`). */
  readonly publicEndpoint: string;
  /** Elastic Cloud id when the cluster is on Elastic Cloud. */
  readonly cloudId?: string;
  /** PEM of the CA that signed the cluster's HTTP certificate; undefined for a publicly trusted cluster. */
  readonly caCertPem?: string;
  /** Superuser credentials the provider authenticates with (to mint API keys). */
  readonly username: string;
  readonly password: string;
  /** Resources that must exist, and be healthy, before anything calls the cluster. */
  readonly ready: ITerraformDependable[];
  /** Number of data nodes, which decides replicas. */
  readonly nodeCount: number;
  /** Certificates of the nodes, by node index, when the stack issued them (docker mode). */
  readonly nodeCertificates: readonly CertificateNames[];
  /** The elasticstack provider every resource on this cluster uses. */
  readonly provider: ElasticstackProvider;
}

/** Defaults of {@link DockerElasticsearchCluster}; the app's config reference shows the same values. */
export const DOCKER_CLUSTER_DEFAULTS = {
  version: "8.19.18",
  nodes: 1,
  heap: "512m",
  memoryLimitMb: 2048,
  port: 9200,
  bindAddress: "127.0.0.1",
} as const;

/** `provider` for a resource: only an aliased provider needs naming (keeps the default JSON plain). */
export function providerOf(connection: ElasticsearchConnection): { provider?: ElasticstackProvider } {
  return connection.provider.alias !== undefined ? { provider: connection.provider } : {};
}

/** The provider a cluster construct creates when none is given: the superuser, the cluster's CA. */
function superuserProvider(
  scope: Construct,
  endpoint: string,
  username: string,
  password: string,
  caCertPem: string | undefined,
): ElasticstackProvider {
  // The superuser mints API keys; clients only ever get scoped keys.
  return new ElasticstackProvider(scope, "Provider", {
    elasticsearch: {
      endpoints: [endpoint],
      username,
      password,
      ...(caCertPem !== undefined ? { caData: caCertPem } : {}),
    },
  });
}

export interface DockerClusterProps {
  /** Container/volume name prefix, e.g. `elk`. */
  readonly namePrefix: string;
  /** Docker network the nodes join. */
  readonly networkName: string;
  /** Signs every node's certificate; its certificate is what clients verify with. */
  readonly ca: CertificateAuthority;
  /** Pinned 8.x image version. @default "8.19.18" */
  readonly version?: string;
  /** Number of nodes, 1..9. @default 1 */
  readonly nodes?: number;
  /** JVM heap of each node, at most half of `memoryLimitMb`. @default "512m" */
  readonly heap?: string;
  /** Memory limit of each container in MB. @default 2048 */
  readonly memoryLimitMb?: number;
  /** Host port of the first node's HTTP API. @default 9200 */
  readonly port?: number;
  /** Host address the port binds to. @default "127.0.0.1" */
  readonly bindAddress?: string;
  /** Provider for the cluster's resources. @default one created here, as the `elastic` superuser */
  readonly provider?: ElasticstackProvider;
  /** Rotation of the container's json-file log. @default 10m × 5 files */
  readonly logRotation?: LogRotation;
  /**
   * Path of a shared-filesystem snapshot repository: one protected volume, mounted there on
   * every node and listed in each node's `path.repo`. @default none
   */
  readonly snapshotPath?: string;
  /**
   * Secure settings added to every node's keystore at start, e.g. an object store's credentials
   * (`s3.client.default.secret_key`). Values are Terraform references to sensitive variables,
   * never literals; they reach the node as root-only uploads, not env. @default none
   */
  readonly secureSettings?: readonly SecureSettingValue[];
}

/** A keystore entry and its value (a Terraform reference to a sensitive variable). */
export interface SecureSettingValue {
  readonly setting: string;
  readonly value: string;
  /** A file setting (e.g. `gcs.client.default.credentials_file`). @default false */
  readonly file?: boolean;
}

/** Where a node's secure-setting files are uploaded. */
const KEYSTORE_UPLOAD_DIR = "/run/secrets/keystore";

/**
 * Elasticsearch 8 in docker: N nodes with security and TLS on, certificates from the
 * stack CA, the `elastic` password from random_password, one protected volume per node.
 */
export class DockerElasticsearchCluster extends Construct implements ElasticsearchConnection {
  readonly providerEndpoint: string;
  readonly clientEndpoints: string[];
  readonly clusterEndpoint: string;
  readonly publicEndpoint: string;
  readonly caCertPem: string;
  readonly username = "elastic";
  readonly password: string;
  readonly ready: ITerraformDependable[] = [];
  readonly nodeCount: number;
  /** Container names, which are also the nodes' DNS names on the docker network. */
  readonly nodeNames: string[];
  /** DNS name on the docker network that every node answers (Docker's DNS returns them all). */
  readonly clusterAlias: string;
  readonly nodeCertificates: CertificateNames[] = [];
  readonly provider: ElasticstackProvider;
  /** The node containers, for escape hatches. */
  readonly containers: Container[] = [];
  /** Path of the snapshot volume in every node, when `snapshotPath` is set. */
  readonly snapshotPath?: string;

  constructor(scope: Construct, id: string, input: DockerClusterProps) {
    super(scope, id);
    const props = withDefaults(input, DOCKER_CLUSTER_DEFAULTS);
    const fail = (key: string, value: unknown, rule: string) => {
      throw new Error(`${this.node.path}: ${key} = ${JSON.stringify(value)}: ${rule}`);
    };
    if (!/^[a-z][a-z0-9-]{0,29}$/.test(props.namePrefix))
      fail("namePrefix", props.namePrefix, "must be lowercase letters, digits and -, starting with a letter");
    if (!Number.isInteger(props.nodes) || props.nodes < 1 || props.nodes > 9)
      fail("nodes", props.nodes, "must be an integer in 1..9");
    if (!/^[1-9][0-9]*[mg]$/.test(props.heap))
      fail("heap", props.heap, "must be a JVM heap size such as 512m");
    if (jvmSizeMb(props.heap) * 2 > props.memoryLimitMb)
      fail("heap", props.heap, `must be at most half of memoryLimitMb (${props.memoryLimitMb})`);
    this.nodeCount = props.nodes;
    this.caCertPem = props.ca.certPem;

    // Special characters are fine for Elasticsearch but not worth quoting in a healthcheck.
    const password = new Password(this, "ElasticPassword", { length: 32, special: false });
    this.password = password.result;

    const image = new Image(this, "Image", {
      name: `docker.elastic.co/elasticsearch/elasticsearch:${props.version}`,
      keepLocally: true,
    });

    this.nodeNames = Array.from({ length: props.nodes }, (_, i) => `${props.namePrefix}-es-${i}`);
    const hostAddress = hostReachableAddress(props.bindAddress);
    this.providerEndpoint = `https://${hostAddress}:${props.port}`;
    this.publicEndpoint = this.providerEndpoint;
    this.clientEndpoints = this.nodeNames.map((n) => `https://${n}:9200`);
    this.clusterAlias = `${props.namePrefix}-es`;
    this.clusterEndpoint = `https://${this.clusterAlias}:9200`;

    if (props.snapshotPath !== undefined && !/^\/[A-Za-z0-9_./-]+$/.test(props.snapshotPath))
      fail("snapshotPath", props.snapshotPath, "must be an absolute path");
    this.snapshotPath = props.snapshotPath;
    // One volume for all nodes: they share the docker host, so they share the repository.
    const snapshots =
      props.snapshotPath !== undefined
        ? new Volume(this, "Snapshots", {
            name: `${props.namePrefix}-es-snapshots`,
            lifecycle: { preventDestroy: true },
          })
        : undefined;

    const certDir = "/usr/share/elasticsearch/config/certs";
    const passwordFile = "/run/secrets/elastic_password";
    const secureSettings = (props.secureSettings ?? []).map((s) => ({
      ...s,
      path: `${KEYSTORE_UPLOAD_DIR}/${s.setting}`,
    }));
    const names = secureSettings.map((s) => s.setting);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) fail("secureSettings", twice, "each setting at most once");
    const keystore: KeystoreEntry[] = secureSettings.map((s) => ({
      setting: s.setting,
      path: s.path,
      file: s.file ?? false,
    }));
    const startScript = nodeStartScript({
      ownFiles: [passwordFile],
      ...(props.snapshotPath !== undefined ? { snapshotPath: props.snapshotPath } : {}),
      keystore,
    });
    this.nodeNames.forEach((nodeName, i) => {
      const nodeScope = new Construct(this, `Node${i}`);
      const cert = props.ca.issue(`Node${i}`, {
        commonName: nodeName,
        dnsNames: [nodeName, this.clusterAlias, "localhost"],
        ipAddresses: hostCertificateAddresses(props.bindAddress),
      });
      this.nodeCertificates.push(cert.names);
      const volume = new Volume(nodeScope, "Data", {
        name: `${nodeName}-data`,
        lifecycle: { preventDestroy: true },
      });
      const discovery =
        props.nodes === 1
          ? ["discovery.type=single-node"]
          : [
              `discovery.seed_hosts=${this.nodeNames.filter((n) => n !== nodeName).join(",")}`,
              `cluster.initial_master_nodes=${this.nodeNames.join(",")}`,
            ];
      const container = new Container(nodeScope, "Container", {
        name: nodeName,
        hostname: nodeName,
        image: image.imageId,
        restart: "unless-stopped",
        ...logOptions(props.logRotation),
        memory: props.memoryLimitMb,
        // Equal to memory: no swap, as Elastic recommends; and without it Docker doubles the
        // limit for swap, which the provider reads back and diffs on every plan.
        memorySwap: props.memoryLimitMb,
        // Root only for the start script's chown and keystore steps (uploads are root:root); it
        // then runs the image's entrypoint as uid 1000, gid 0 (node-start.ts says why).
        user: "0:0",
        entrypoint: ["/bin/tini", "--", NODE_START_PATH],
        env: [
          `node.name=${nodeName}`,
          `cluster.name=${props.namePrefix}-cluster`,
          ...discovery,
          `ES_JAVA_OPTS=-Xms${props.heap} -Xmx${props.heap}`,
          `ELASTIC_PASSWORD_FILE=${passwordFile}`,
          "xpack.security.enabled=true",
          "xpack.security.http.ssl.enabled=true",
          `xpack.security.http.ssl.key=${certDir}/node.key`,
          `xpack.security.http.ssl.certificate=${certDir}/node.crt`,
          `xpack.security.http.ssl.certificate_authorities=${certDir}/ca.crt`,
          "xpack.security.transport.ssl.enabled=true",
          // Nodes reach each other at their published IPs, which no certificate can name in
          // docker; the chain is still verified against the stack CA (Elastic's own compose does this).
          "xpack.security.transport.ssl.verification_mode=certificate",
          `xpack.security.transport.ssl.key=${certDir}/node.key`,
          `xpack.security.transport.ssl.certificate=${certDir}/node.crt`,
          `xpack.security.transport.ssl.certificate_authorities=${certDir}/ca.crt`,
          "xpack.license.self_generated.type=basic",
          ...(props.snapshotPath !== undefined ? [`path.repo=${props.snapshotPath}`] : []),
        ],
        ulimit: [{ name: "nofile", soft: 65535, hard: 65535 }],
        // Uploads are root-owned. Elasticsearch (uid 1000, gid 0) reads the key through its group;
        // the start script hands the password and keystore files (0600, 0400) to uid 1000.
        upload: [
          { file: `${certDir}/ca.crt`, content: props.ca.certPem },
          { file: `${certDir}/node.crt`, content: cert.certPem },
          { file: `${certDir}/node.key`, content: cert.keyPem, permissions: "0440" },
          { file: passwordFile, content: this.password, permissions: ELASTIC_PASSWORD_FILE_MODE },
          { file: NODE_START_PATH, content: startScript, permissions: "0500" },
          ...secureSettings.map((s) => ({ file: s.path, content: s.value, permissions: "0400" })),
        ],
        volumes: [
          { volumeName: volume.name, containerPath: "/usr/share/elasticsearch/data" },
          ...(snapshots && props.snapshotPath !== undefined
            ? [{ volumeName: snapshots.name, containerPath: props.snapshotPath }]
            : []),
        ],
        networksAdvanced: [{ name: props.networkName, aliases: [nodeName, this.clusterAlias] }],
        ports: i === 0 ? [{ internal: 9200, external: props.port, ip: props.bindAddress }] : [],
        healthcheck: healthcheck(
          // -f fails on the 408 that wait_for_status returns when the cluster is not yet yellow.
          `${curlWithCredential("elastic", `"$(cat ${passwordFile})"`)} -fsS --cacert ${certDir}/ca.crt ` +
            `"https://localhost:9200/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null`,
          { startPeriodSeconds: 90 },
        ),
        // Ready means healthy: every Elasticsearch resource depends on this.
        wait: true,
        waitTimeout: 300,
        destroyGraceSeconds: 60,
      });
      this.ready.push(container);
      this.containers.push(container);
    });
    this.provider =
      input.provider ??
      superuserProvider(this, this.providerEndpoint, this.username, this.password, this.caCertPem);
  }
}

export interface ExternalClusterProps {
  /** URL of an existing cluster; exactly one of `endpoint` and `cloudId`. @default none */
  readonly endpoint?: string;
  /** An Elastic Cloud deployment id, instead of `endpoint`. @default none */
  readonly cloudId?: string;
  /** User the provider authenticates as (manage_security, manage_index_templates, manage_ilm). */
  readonly username: string;
  /** Its password; pass a sensitive variable, never a literal. */
  readonly password: string;
  /** PEM CA of a self-managed cluster. @default none: the certificate is publicly trusted (Elastic Cloud) */
  readonly caCertPem?: string;
  /** Nodes that hold shards, which decides replicas. @default 2 */
  readonly nodeCount?: number;
  /** Provider for the cluster's resources. @default one created here with the credentials above */
  readonly provider?: ElasticstackProvider;
}

/**
 * An existing cluster or an Elastic Cloud deployment: no containers. The endpoint of a
 * cloud id is derived at synth time, so the provider's endpoint is known at plan time.
 */
export class ExternalElasticsearchCluster extends Construct implements ElasticsearchConnection {
  readonly providerEndpoint: string;
  readonly clientEndpoints: string[];
  readonly clusterEndpoint: string;
  readonly publicEndpoint: string;
  readonly cloudId?: string;
  readonly caCertPem?: string;
  readonly username: string;
  readonly password: string;
  readonly ready: ITerraformDependable[] = [];
  readonly nodeCount: number;
  /** The cluster's certificate is not the stack's: its names are not known at synth time. */
  readonly nodeCertificates: readonly CertificateNames[] = [];
  readonly provider: ElasticstackProvider;

  constructor(scope: Construct, id: string, props: ExternalClusterProps) {
    super(scope, id);
    if ((props.endpoint === undefined) === (props.cloudId === undefined))
      throw new Error(`${this.node.path}: endpoint / cloudId: set exactly one of them`);
    let endpoint = props.endpoint ?? "";
    if (props.cloudId !== undefined) {
      try {
        endpoint = cloudIdToEndpoint(props.cloudId);
      } catch (e) {
        throw new Error(
          `${this.node.path}: cloudId = ${JSON.stringify(props.cloudId)}: ${(e as Error).message}`,
        );
      }
    } else if (!/^https?:\/\/[^/]+/.test(endpoint)) {
      throw new Error(`${this.node.path}: endpoint = ${JSON.stringify(endpoint)}: must be an http(s) URL`);
    }
    this.providerEndpoint = endpoint;
    this.publicEndpoint = endpoint;
    this.clientEndpoints = [endpoint];
    this.clusterEndpoint = endpoint;
    this.cloudId = props.cloudId;
    this.username = props.username;
    this.password = props.password;
    this.caCertPem = props.caCertPem;
    this.nodeCount = props.nodeCount ?? 2;
    this.provider =
      props.provider ?? superuserProvider(this, endpoint, this.username, this.password, this.caCertPem);
  }
}
