import { Construct } from "constructs";
import { Fn, type ITerraformDependable } from "cdktf";
import { ElasticstackProvider } from "@cdktf-providers/elastic-elasticstack/provider";
import { ElasticsearchSecuritySystemUser } from "@cdktf-providers/elastic-elasticstack/elasticsearch-security-system-user";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { File } from "@cdktf/provider-local/lib/file";
import { Password } from "@cdktf/provider-random/lib/password";
import type { CertificateAuthority, CertificateNames } from "../pki/certificate-authority";
import {
  healthcheck,
  hostCertificateAddresses,
  hostReachableAddress,
  logOptions,
  type LogRotation,
  withDefaults,
} from "../docker/common";
import { cloudIdToKibanaUrl } from "./cloud-id";

/** The built-in user Kibana's server authenticates as; Kibana 8 refuses the `elastic` superuser. */
export const KIBANA_SYSTEM_USER = "kibana_system";

/**
 * The Elasticsearch feature whose state holds Kibana's system indices (saved objects, data
 * views): KibanaPlugin.getFeatureName() in elastic/elasticsearch modules/kibana.
 */
export const KIBANA_FEATURE_STATE = "kibana";

/** Defaults of {@link DockerKibana}; the app's config reference shows the same values. */
export const DOCKER_KIBANA_DEFAULTS = {
  version: "8.19.18",
  port: 5601,
  bindAddress: "127.0.0.1",
  memoryLimitMb: 1536,
} as const;

/**
 * What Kibana needs from Elasticsearch, structurally (a cluster construct satisfies it):
 * Kibana's own server connection and the operator credentials its provider uses.
 */
export interface KibanaElasticsearch {
  /** One URL that reaches any healthy node from the docker network. */
  readonly clusterEndpoint: string;
  /** PEM CA of the cluster; undefined when publicly trusted. */
  readonly caCertPem?: string;
  /** Credentials of the user the provider manages Kibana and the kibana_system user with. */
  readonly username: string;
  readonly password: string;
  /** Healthy before anything calls the cluster. */
  readonly ready: ITerraformDependable[];
  /** The elasticstack provider of the cluster (sets kibana_system's password). */
  readonly provider: ElasticstackProvider;
}

/** What data views need from a Kibana. */
export interface KibanaTarget {
  /** URL of Kibana, known at synth time. */
  readonly url: string;
  /** Healthy before the provider calls Kibana. */
  readonly ready: ITerraformDependable[];
  /** An elasticstack provider whose `kibana` block points at this Kibana. */
  readonly provider: ElasticstackProvider;
}

/** `provider` for a resource: only an aliased provider needs naming. */
function providerFor(provider: ElasticstackProvider): { provider?: ElasticstackProvider } {
  return provider.alias !== undefined ? { provider } : {};
}

export interface DockerKibanaProps {
  /** Container/volume name prefix, e.g. `elk`. */
  readonly namePrefix: string;
  readonly networkName: string;
  /** Signs Kibana's HTTPS certificate; the provider and browsers verify with it. */
  readonly ca: CertificateAuthority;
  readonly elasticsearch: KibanaElasticsearch;
  /**
   * Where Terraform writes the CA's PEM for the provider, which reads its CA only from files
   * (`kibana.ca_certs`); relative to Terraform's working directory. Keep it outside cdktf.out.
   */
  readonly caCertFile: string;
  /** Pinned 8.x image version, the line of the cluster. @default "8.19.18" */
  readonly version?: string;
  /** Host port. @default 5601 */
  readonly port?: number;
  /** Host address the port binds to. @default "127.0.0.1" */
  readonly bindAddress?: string;
  /** Memory limit of the container in MB (Kibana needs about 1 GB). @default 1536 */
  readonly memoryLimitMb?: number;
  /** Rotation of the container's json-file log. @default 10m × 5 files */
  readonly logRotation?: LogRotation;
}

/**
 * Kibana 8 in docker: HTTPS with a certificate from the stack CA, Elasticsearch over HTTPS
 * verified with the same CA, the kibana_system user with a password the stack sets, and
 * the three encryption keys from random_password, all kept out of env entries.
 */
export class DockerKibana extends Construct implements KibanaTarget {
  readonly url: string;
  readonly ready: ITerraformDependable[];
  /** Names of the certificate Kibana serves, known at synth time. */
  readonly certificate: CertificateNames;
  readonly provider: ElasticstackProvider;
  /** Escape hatches. */
  readonly container: Container;
  readonly systemUser: ElasticsearchSecuritySystemUser;
  readonly caFile: File;

  constructor(scope: Construct, id: string, input: DockerKibanaProps) {
    super(scope, id);
    const props = withDefaults(input, DOCKER_KIBANA_DEFAULTS);
    const fail = (key: string, value: unknown, rule: string): never => {
      throw new Error(`${this.node.path}: ${key} = ${JSON.stringify(value)}: ${rule}`);
    };
    if (!/^8\.[0-9]+\.[0-9]+$/.test(props.version))
      fail("version", props.version, "must be a pinned 8.x version such as 8.19.18");
    if (!Number.isInteger(props.memoryLimitMb) || props.memoryLimitMb < 1024)
      fail(
        "memoryLimitMb",
        props.memoryLimitMb,
        "must be an integer of at least 1024 (Kibana needs about 1 GB)",
      );
    if (props.caCertFile.length === 0 || props.caCertFile.includes("cdktf.out"))
      fail("caCertFile", props.caCertFile, "must be a path outside cdktf.out (synth rewrites that folder)");
    const es = props.elasticsearch;
    const esCaCertPem =
      es.caCertPem ??
      fail("elasticsearch.caCertPem", es.caCertPem, "is needed: Kibana verifies the cluster with its CA");

    const name = `${props.namePrefix}-kibana`;
    // Alphanumeric: safe unquoted in kibana.yml and the healthcheck; 32 characters is
    // Kibana's minimum for each encryption key.
    const secret = (sid: string) => new Password(this, sid, { length: 32, special: false }).result;
    const systemPassword = secret("SystemPassword");
    const keys = {
      "xpack.encryptedSavedObjects.encryptionKey": secret("SavedObjectsKey"),
      "xpack.security.encryptionKey": secret("SecurityKey"),
      "xpack.reporting.encryptionKey": secret("ReportingKey"),
    };
    this.systemUser = new ElasticsearchSecuritySystemUser(this, "SystemUser", {
      username: KIBANA_SYSTEM_USER,
      password: systemPassword,
      dependsOn: es.ready,
      ...providerFor(es.provider),
    });

    const cert = props.ca.issue("Kibana", {
      commonName: name,
      dnsNames: [name, "localhost"],
      ipAddresses: hostCertificateAddresses(props.bindAddress),
    });
    this.certificate = cert.names;
    this.url = `https://${hostReachableAddress(props.bindAddress)}:${props.port}`;
    const image = new Image(this, "Image", {
      name: `docker.elastic.co/kibana/kibana:${props.version}`,
      keepLocally: true,
    });
    // Kibana keeps its server uuid here; without a volume it changes on every replacement.
    const data = new Volume(this, "Data", { name: `${name}-data`, lifecycle: { preventDestroy: true } });

    const configDir = "/usr/share/kibana/config";
    const certDir = `${configDir}/certs`;
    // The secrets go into kibana.yml (replacing the image's), not into env entries that
    // `docker inspect` shows; each env KEY_NAME becomes --key.name (kibana-docker).
    const secretsYml = [
      `elasticsearch.password: ${systemPassword}`,
      ...Object.entries(keys).map(([k, v]) => `${k}: ${v}`),
      "",
    ].join("\n");
    this.container = new Container(this, "Container", {
      name,
      hostname: name,
      image: image.imageId,
      restart: "unless-stopped",
      ...logOptions(input.logRotation),
      memory: props.memoryLimitMb,
      // Equal to memory: no swap; without it Docker doubles the limit, which diffs on every plan.
      memorySwap: props.memoryLimitMb,
      env: [
        `SERVER_NAME=${name}`,
        "SERVER_HOST=0.0.0.0",
        `SERVER_PUBLICBASEURL=${this.url}`,
        "SERVER_SSL_ENABLED=true",
        `SERVER_SSL_CERTIFICATE=${certDir}/kibana.crt`,
        `SERVER_SSL_KEY=${certDir}/kibana.key`,
        `ELASTICSEARCH_HOSTS=${es.clusterEndpoint}`,
        `ELASTICSEARCH_USERNAME=${KIBANA_SYSTEM_USER}`,
        `ELASTICSEARCH_SSL_CERTIFICATEAUTHORITIES=${certDir}/elasticsearch-ca.crt`,
        "ELASTICSEARCH_SSL_VERIFICATIONMODE=full",
        "TELEMETRY_OPTIN=false",
      ],
      // Uploads are root:root; Kibana runs as uid 1000 with supplementary group 0, so 0440
      // lets it read the key and the secrets and nobody else in the container.
      upload: [
        { file: `${certDir}/ca.crt`, content: props.ca.certPem },
        { file: `${certDir}/elasticsearch-ca.crt`, content: esCaCertPem },
        { file: `${certDir}/kibana.crt`, content: cert.certPem },
        { file: `${certDir}/kibana.key`, content: cert.keyPem, permissions: "0440" },
        { file: `${configDir}/kibana.yml`, content: secretsYml, permissions: "0440" },
      ],
      volumes: [{ volumeName: data.name, containerPath: "/usr/share/kibana/data" }],
      networksAdvanced: [{ name: props.networkName, aliases: [name] }],
      ports: [{ internal: 5601, external: props.port, ip: props.bindAddress }],
      // An anonymous /api/status gets the redacted body, which still carries overall.level.
      healthcheck: healthcheck(
        `curl -fsS --cacert ${certDir}/ca.crt https://localhost:5601/api/status | grep -Eq '"level": ?"available"'`,
        { startPeriodSeconds: 120, retries: 30 },
      ),
      wait: true,
      waitTimeout: 600,
      dependsOn: [this.systemUser, ...es.ready],
    });
    this.ready = [this.container];

    this.caFile = stackCaFile(this, props.caCertFile, props.ca);
    this.provider = kibanaProvider(this, this.url, es, this.caFile);
  }
}

/**
 * The provider reads its CA only from a file path (ca_certs), and the CA exists only after
 * apply: Terraform writes the PEM first. The path is unknown until the file exists, so the
 * provider is not asked to read a missing file at plan time.
 */
export function stackCaFile(scope: Construct, filename: string, ca: CertificateAuthority): File {
  return new File(scope, "CaFile", { filename, content: ca.certPem, filePermission: "0644" });
}

/** The elasticstack provider (alias `kibana`) for a Kibana the stack runs, verifying the stack CA. */
export function kibanaProvider(
  scope: Construct,
  url: string,
  user: { readonly username: string; readonly password: string },
  caFile: File,
): ElasticstackProvider {
  return new ElasticstackProvider(scope, "Provider", {
    alias: "kibana",
    kibana: {
      endpoints: [url],
      username: user.username,
      password: user.password,
      caCerts: [Fn.replace(caFile.id, caFile.id, caFile.filename)],
    },
  });
}

export interface ExternalKibanaProps {
  /** URL of the Kibana; exactly one of `url` and `cloudId`. @default none */
  readonly url?: string;
  /** Elastic Cloud id whose Kibana component gives the URL. @default none */
  readonly cloudId?: string;
  /** User with Kibana privileges to manage data views (the cluster's operator user). */
  readonly username: string;
  /** Its password; a sensitive variable, never a literal. */
  readonly password: string;
}

/**
 * An existing Kibana (Elastic Cloud's, or self-managed at `url`): no container. Its
 * certificate must be publicly trusted, or named by the provider's KIBANA_CA_CERTS.
 */
export class ExternalKibana extends Construct implements KibanaTarget {
  readonly url: string;
  readonly ready: ITerraformDependable[] = [];
  readonly provider: ElasticstackProvider;

  constructor(scope: Construct, id: string, props: ExternalKibanaProps) {
    super(scope, id);
    if ((props.url === undefined) === (props.cloudId === undefined))
      throw new Error(`${this.node.path}: url / cloudId: set exactly one of them`);
    if (props.cloudId !== undefined) {
      try {
        this.url = cloudIdToKibanaUrl(props.cloudId);
      } catch (e) {
        throw new Error(
          `${this.node.path}: cloudId = ${JSON.stringify(props.cloudId)}: ${(e as Error).message}`,
        );
      }
    } else {
      this.url = props.url ?? "";
      if (!/^https?:\/\/[^/]+/.test(this.url))
        throw new Error(`${this.node.path}: url = ${JSON.stringify(this.url)}: must be an http(s) URL`);
    }
    this.provider = new ElasticstackProvider(this, "Provider", {
      alias: "kibana",
      kibana: { endpoints: [this.url], username: props.username, password: props.password },
    });
  }
}
