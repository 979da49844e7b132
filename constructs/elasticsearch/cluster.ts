import { Construct } from "constructs";
import { TerraformStack, TerraformVariable, type ITerraformDependable } from "cdktf";
import { cloudIdToEndpoint } from "../../config/cloud-id";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Password } from "@cdktf/provider-random/lib/password";
import type { CertificateAuthority } from "../pki/certificate-authority";
import { healthcheck, hostReachableAddress } from "../docker/common";

/** Where the cluster's CA certificate is placed inside every container that talks to it. */
export const ES_CA_PATH_IN_CONTAINERS = "/usr/share/certs/elasticsearch-ca.crt";

/** What other constructs need to reach and trust the cluster. */
export interface ElasticsearchConnection {
  /** URL the elasticstack provider uses, known at plan time. */
  readonly providerEndpoint: string;
  /** URLs that containers on the stack's docker network (or anywhere, for external) use. */
  readonly clientEndpoints: string[];
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
}

export interface DockerClusterProps {
  /** Container/volume name prefix, e.g. `elk`. */
  readonly namePrefix: string;
  /** Docker network the nodes join. */
  readonly networkName: string;
  /** Pinned image version, e.g. 8.19.18. */
  readonly version: string;
  /** Number of nodes (1..9). */
  readonly nodes: number;
  /** JVM heap of each node, e.g. 512m. */
  readonly heap: string;
  /** Memory limit of each container in MB. */
  readonly memoryLimitMb: number;
  /** Host port of the first node's HTTP API. */
  readonly port: number;
  /** Host address the port binds to. */
  readonly bindAddress: string;
  readonly ca: CertificateAuthority;
}

/**
 * Elasticsearch 8 in docker: N nodes with security and TLS on, certificates from the
 * stack CA, the `elastic` password from random_password, one protected volume per node.
 */
export class DockerElasticsearchCluster extends Construct implements ElasticsearchConnection {
  readonly providerEndpoint: string;
  readonly clientEndpoints: string[];
  readonly publicEndpoint: string;
  readonly caCertPem: string;
  readonly username = "elastic";
  readonly password: string;
  readonly ready: ITerraformDependable[] = [];
  readonly nodeCount: number;
  /** Container names, which are also the nodes' DNS names on the docker network. */
  readonly nodeNames: string[];

  constructor(scope: Construct, id: string, props: DockerClusterProps) {
    super(scope, id);
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

    const certDir = "/usr/share/elasticsearch/config/certs";
    const passwordFile = "/run/secrets/elastic_password";
    this.nodeNames.forEach((nodeName, i) => {
      const nodeScope = new Construct(this, `Node${i}`);
      const cert = props.ca.issue(`Node${i}`, {
        commonName: nodeName,
        dnsNames: [nodeName, "localhost"],
        ipAddresses: uniq(["127.0.0.1", ...(isWildcard(props.bindAddress) ? [] : [props.bindAddress])]),
      });
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
        memory: props.memoryLimitMb,
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
        ],
        ulimit: [{ name: "nofile", soft: 65535, hard: 65535 }],
        // Secrets are root-owned and group-readable: the image runs as uid 1000, gid 0.
        upload: [
          { file: `${certDir}/ca.crt`, content: props.ca.certPem },
          { file: `${certDir}/node.crt`, content: cert.certPem },
          { file: `${certDir}/node.key`, content: cert.keyPem, permissions: "0440" },
          { file: passwordFile, content: this.password, permissions: "0440" },
        ],
        volumes: [{ volumeName: volume.name, containerPath: "/usr/share/elasticsearch/data" }],
        networksAdvanced: [{ name: props.networkName, aliases: [nodeName] }],
        ports: i === 0 ? [{ internal: 9200, external: props.port, ip: props.bindAddress }] : [],
        healthcheck: healthcheck(
          // -f fails on the 408 that wait_for_status returns when the cluster is not yet yellow.
          `curl -fsS --cacert ${certDir}/ca.crt -u "elastic:$(cat ${passwordFile})" ` +
            `"https://localhost:9200/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null`,
          { startPeriod: "90s" },
        ),
        // Ready means healthy: every Elasticsearch resource depends on this.
        wait: true,
        waitTimeout: 300,
        destroyGraceSeconds: 60,
      });
      this.ready.push(container);
    });
  }
}

export interface ExternalClusterProps {
  /** URL of an existing cluster; or */
  readonly endpoint?: string;
  /** an Elastic Cloud deployment id. */
  readonly cloudId?: string;
}

/**
 * An existing cluster or an Elastic Cloud deployment: no containers; credentials come
 * from sensitive Terraform variables so they never appear in the synthesized JSON.
 */
export class ExternalElasticsearchCluster extends Construct implements ElasticsearchConnection {
  readonly providerEndpoint: string;
  readonly clientEndpoints: string[];
  readonly publicEndpoint: string;
  readonly cloudId?: string;
  readonly caCertPem?: string;
  readonly username: string;
  readonly password: string;
  readonly ready: ITerraformDependable[] = [];
  readonly nodeCount = 2;

  constructor(scope: Construct, id: string, props: ExternalClusterProps) {
    super(scope, id);
    const endpoint = props.endpoint ?? cloudIdToEndpoint(props.cloudId ?? "");
    this.providerEndpoint = endpoint;
    this.publicEndpoint = endpoint;
    this.clientEndpoints = [endpoint];
    this.cloudId = props.cloudId;

    // Variables live at stack level so their names are plain (var.elasticsearch_password).
    const stack = TerraformStack.of(this);
    const username = new TerraformVariable(stack, "elasticsearch_username", {
      type: "string",
      default: "elastic",
      description:
        "User the elasticstack provider authenticates as; needs manage_security and manage_index_templates, manage_ilm.",
    });
    const password = new TerraformVariable(stack, "elasticsearch_password", {
      type: "string",
      sensitive: true,
      description: "Password of elasticsearch_username.",
    });
    this.username = username.stringValue;
    this.password = password.stringValue;
    // Elastic Cloud certificates are publicly trusted. A self-managed 8.x cluster has its own CA
    // (security auto-configuration), which every client must be given: skipping verification is no option.
    if (!props.cloudId) {
      const ca = new TerraformVariable(stack, "elasticsearch_ca_certificate", {
        type: "string",
        description:
          "PEM CA certificate of the cluster (http_ca.crt), given to the provider, Logstash and Grafana.",
        validation: [
          {
            // An expression in Terraform JSON is a template: without ${} it is a constant string,
            // which Terraform rejects ("must refer to var.elasticsearch_ca_certificate").
            condition: '${can(regex("-----BEGIN CERTIFICATE-----", var.elasticsearch_ca_certificate))}',
            errorMessage:
              "elasticsearch_ca_certificate must be a PEM certificate (-----BEGIN CERTIFICATE-----).",
          },
        ],
      });
      this.caCertPem = ca.stringValue;
    }
  }
}

function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}
