import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Password } from "@cdktf/provider-random/lib/password";
import { GrafanaProvider } from "../../.gen/providers/grafana/provider";
import type { CertificateAuthority, CertificateNames } from "../pki/certificate-authority";
import {
  healthcheck,
  hostCertificateAddresses,
  hostReachableAddress,
  logOptions,
  type LogRotation,
  withDefaults,
} from "../docker/common";

/** Plugin id of the Infinity datasource (the gateway's user API). */
export const INFINITY_PLUGIN_ID = "yesoreyeram-infinity-datasource";

/** What the datasources, dashboards and alerts need from a Grafana. */
export interface GrafanaTarget {
  /** URL the grafana provider uses, known at plan time. */
  readonly url: string;
  /** Resources that must be healthy before the provider calls Grafana. */
  readonly ready: ITerraformDependable[];
  /** The grafana provider every resource on this Grafana uses. */
  readonly provider: GrafanaProvider;
}

/** Defaults of {@link DockerGrafana}; the app's config reference shows the same values. */
export const DOCKER_GRAFANA_DEFAULTS = {
  version: "11.6.16",
  infinityPluginVersion: "3.11.1",
  port: 3000,
  bindAddress: "127.0.0.1",
} as const;

/** Grafana's SMTP settings; the password comes from the sensitive variable grafana_smtp_password. */
export interface GrafanaSmtp {
  /** `host:port` of the SMTP server. */
  readonly host: string;
  /**
   * SMTP user; when set, the stack declares the sensitive variable grafana_smtp_password.
   * @default no authentication (a relay)
   */
  readonly user?: string;
  readonly fromAddress: string;
  readonly fromName: string;
  readonly startTlsPolicy: "MandatoryStartTLS" | "OpportunisticStartTLS" | "NoStartTLS";
  /** Password of `user`; pass a sensitive variable, never a literal. Required with `user`. @default none */
  readonly password?: string;
}

export interface DockerGrafanaProps {
  /** Container/volume name prefix, e.g. `elk`. */
  readonly namePrefix: string;
  readonly networkName: string;
  /** Signs Grafana's HTTPS certificate; the provider and clients verify with it. */
  readonly ca: CertificateAuthority;
  /** Pinned image version (the 11.6 line matches the dashboard SDK). @default "11.6.16" */
  readonly version?: string;
  /** Infinity version run.sh downloads from grafana.com (unused with `infinityPluginUrl`). @default "3.11.1" */
  readonly infinityPluginVersion?: string;
  /**
   * https URL of the Infinity plugin zip, installed instead of the grafana.com download.
   * @default the grafana.com download of `infinityPluginVersion`
   */
  readonly infinityPluginUrl?: string;
  /**
   * SMTP server for alert e-mails.
   * @default SMTP off (Grafana's default): e-mail contact points cannot deliver
   */
  readonly smtp?: GrafanaSmtp;
  /** Host port. @default 3000 */
  readonly port?: number;
  /** Host address the port binds to. @default "127.0.0.1" */
  readonly bindAddress?: string;
  /** Rotation of the container's json-file log. @default 10m × 5 files */
  readonly logRotation?: LogRotation;
}

/**
 * The GF_INSTALL_PLUGINS entry for Infinity. grafana/grafana packaging/docker/run.sh (11.x) splits
 * the variable on "," and passes an entry `<url>;<plugin id>` to `grafana cli --pluginUrl`,
 * otherwise `<plugin id> <version>` to a grafana.com download; the script runs under `set -e`,
 * so a failed download stops the container before the server starts.
 */
export function infinityInstallEntry(version: string, url?: string): string {
  if (url === undefined) return `${INFINITY_PLUGIN_ID} ${version}`;
  if (!/^https:\/\/[^,;\s]+$/.test(url)) {
    throw new Error(`infinityPluginUrl "${url}" must be an https URL without commas, semicolons or spaces`);
  }
  return `${url};${INFINITY_PLUGIN_ID}`;
}

/**
 * Grafana in docker, serving HTTPS with a certificate from the stack CA, the admin
 * password from random_password and the Infinity plugin installed before it starts.
 */
export class DockerGrafana extends Construct implements GrafanaTarget {
  readonly url: string;
  readonly ready: ITerraformDependable[];
  readonly adminPassword: string;
  /** Names of the certificate Grafana serves, known at synth time. */
  readonly certificate: CertificateNames;
  readonly provider: GrafanaProvider;
  /** Escape hatch. */
  readonly container: Container;

  constructor(scope: Construct, id: string, input: DockerGrafanaProps) {
    super(scope, id);
    const props = withDefaults(input, DOCKER_GRAFANA_DEFAULTS);
    if (props.smtp?.user !== undefined && props.smtp.password === undefined)
      throw new Error(`${this.node.path}: smtp.password: required with smtp.user (${props.smtp.user})`);
    const name = `${props.namePrefix}-grafana`;
    const password = new Password(this, "AdminPassword", { length: 32, special: false });
    this.adminPassword = password.result;
    const cert = props.ca.issue("Grafana", {
      commonName: name,
      dnsNames: [name, "localhost"],
      // The provider URL uses the bind address when it is a specific one.
      ipAddresses: hostCertificateAddresses(props.bindAddress),
    });
    this.certificate = cert.names;
    const image = new Image(this, "Image", { name: `grafana/grafana:${props.version}`, keepLocally: true });
    const data = new Volume(this, "Data", { name: `${name}-data`, lifecycle: { preventDestroy: true } });
    this.url = `https://${hostReachableAddress(props.bindAddress)}:${props.port}`;

    const certDir = "/etc/grafana/certs";
    const passwordFile = "/run/secrets/grafana_admin_password";
    const smtpPasswordFile = "/run/secrets/grafana_smtp_password";
    const smtp = props.smtp;
    const smtpPassword = smtp?.user !== undefined ? smtp.password : undefined;
    // run.sh turns GF_*__FILE into the variable with the file's content (grafana/grafana
    // packaging/docker/run.sh), so the secret is in no env entry and no synthesized JSON.
    const smtpEnv =
      smtp === undefined
        ? []
        : [
            "GF_SMTP_ENABLED=true",
            `GF_SMTP_HOST=${smtp.host}`,
            ...(smtp.user !== undefined
              ? [`GF_SMTP_USER=${smtp.user}`, `GF_SMTP_PASSWORD__FILE=${smtpPasswordFile}`]
              : []),
            `GF_SMTP_FROM_ADDRESS=${smtp.fromAddress}`,
            `GF_SMTP_FROM_NAME=${smtp.fromName}`,
            `GF_SMTP_STARTTLS_POLICY=${smtp.startTlsPolicy}`,
            "GF_SMTP_SKIP_VERIFY=false",
          ];
    this.container = new Container(this, "Container", {
      name,
      hostname: name,
      image: image.imageId,
      restart: "unless-stopped",
      ...logOptions(input.logRotation),
      env: [
        `GF_SECURITY_ADMIN_PASSWORD__FILE=${passwordFile}`,
        "GF_SERVER_PROTOCOL=https",
        `GF_SERVER_CERT_FILE=${certDir}/grafana.crt`,
        `GF_SERVER_CERT_KEY=${certDir}/grafana.key`,
        `GF_SERVER_ROOT_URL=${this.url}/`,
        // The 11.x image installs these with grafana cli before it starts the server, so the
        // datasource works from the first request (preinstall_sync only exists from 12.1).
        `GF_INSTALL_PLUGINS=${infinityInstallEntry(props.infinityPluginVersion, props.infinityPluginUrl)}`,
        ...smtpEnv,
        "GF_USERS_ALLOW_SIGN_UP=false",
        "GF_AUTH_ANONYMOUS_ENABLED=false",
        "GF_ANALYTICS_REPORTING_ENABLED=false",
        "GF_ANALYTICS_CHECK_FOR_UPDATES=false",
      ],
      upload: [
        { file: `${certDir}/ca.crt`, content: props.ca.certPem },
        { file: `${certDir}/grafana.crt`, content: cert.certPem },
        { file: `${certDir}/grafana.key`, content: cert.keyPem, permissions: "0440" },
        // Uploads are root:root (docker provider); Grafana runs as uid 472 in group 0 (the image's
        // GF_GID), so 0440 lets it read the secrets and nobody else on the container.
        { file: passwordFile, content: this.adminPassword, permissions: "0440" },
        ...(smtpPassword !== undefined
          ? [{ file: smtpPasswordFile, content: smtpPassword, permissions: "0440" }]
          : []),
      ],
      volumes: [{ volumeName: data.name, containerPath: "/var/lib/grafana" }],
      networksAdvanced: [{ name: props.networkName, aliases: [name] }],
      ports: [{ internal: 3000, external: props.port, ip: props.bindAddress }],
      healthcheck: healthcheck(
        `curl -fsS --cacert ${certDir}/ca.crt https://localhost:3000/api/health >/dev/null`,
      ),
      wait: true,
      waitTimeout: 300,
    });
    this.ready = [this.container];

    this.provider = stackGrafanaProvider(this, this.url, this.adminPassword, props.ca);
  }
}

/**
 * The grafana provider of a Grafana the stack runs: its admin user, the stack CA, and retries
 * while the instance that reported healthy finishes starting.
 */
export function stackGrafanaProvider(
  scope: Construct,
  url: string,
  adminPassword: string,
  ca: CertificateAuthority,
): GrafanaProvider {
  return new GrafanaProvider(scope, "Provider", {
    url,
    auth: `admin:${adminPassword}`,
    caCert: ca.certPem,
    retries: 10,
    retryWait: 5,
  });
}

export interface ExternalGrafanaProps {
  /** URL of the Grafana, known at synth time. */
  readonly url: string;
  /** Service account token (or `user:password`) with Admin on the organization; a sensitive variable. */
  readonly auth: string;
}

/** An existing Grafana; the provider authenticates with a service account token variable. */
export class ExternalGrafana extends Construct implements GrafanaTarget {
  readonly url: string;
  readonly ready: ITerraformDependable[] = [];
  readonly provider: GrafanaProvider;

  constructor(scope: Construct, id: string, props: ExternalGrafanaProps) {
    super(scope, id);
    if (!/^https?:\/\/[^/]+/.test(props.url))
      throw new Error(`${this.node.path}: url = ${JSON.stringify(props.url)}: must be an http(s) URL`);
    this.url = props.url;
    this.provider = new GrafanaProvider(this, "Provider", {
      url: this.url,
      auth: props.auth,
      retries: 10,
      retryWait: 5,
    });
  }
}
