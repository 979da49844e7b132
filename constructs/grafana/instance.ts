import { Construct } from "constructs";
import { TerraformStack, TerraformVariable, type ITerraformDependable } from "cdktf";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Password } from "@cdktf/provider-random/lib/password";
import { GrafanaProvider } from "../../.gen/providers/grafana/provider";
import type { CertificateAuthority, CertificateNames } from "../pki/certificate-authority";
import { healthcheck, hostCertificateAddresses, hostReachableAddress } from "../docker/common";

/** Plugin id of the Infinity datasource (the gateway's user API). */
export const INFINITY_PLUGIN_ID = "yesoreyeram-infinity-datasource";

/** What the datasources, dashboards and alerts need from a Grafana. */
export interface GrafanaTarget {
  /** URL the grafana provider uses, known at plan time. */
  readonly url: string;
  /** Resources that must be healthy before the provider calls Grafana. */
  readonly ready: ITerraformDependable[];
}

export interface DockerGrafanaProps {
  readonly namePrefix: string;
  readonly networkName: string;
  /** Pinned image version. */
  readonly version: string;
  readonly infinityPluginVersion: string;
  readonly port: number;
  readonly bindAddress: string;
  readonly ca: CertificateAuthority;
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

  constructor(scope: Construct, id: string, props: DockerGrafanaProps) {
    super(scope, id);
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
    const container = new Container(this, "Container", {
      name,
      hostname: name,
      image: image.imageId,
      restart: "unless-stopped",
      env: [
        `GF_SECURITY_ADMIN_PASSWORD__FILE=${passwordFile}`,
        "GF_SERVER_PROTOCOL=https",
        `GF_SERVER_CERT_FILE=${certDir}/grafana.crt`,
        `GF_SERVER_CERT_KEY=${certDir}/grafana.key`,
        `GF_SERVER_ROOT_URL=${this.url}/`,
        // The 11.x image installs these with grafana-cli before it starts the server, so the
        // datasource works from the first request (preinstall_sync only exists from 12.1).
        `GF_INSTALL_PLUGINS=${INFINITY_PLUGIN_ID} ${props.infinityPluginVersion}`,
        "GF_USERS_ALLOW_SIGN_UP=false",
        "GF_AUTH_ANONYMOUS_ENABLED=false",
        "GF_ANALYTICS_REPORTING_ENABLED=false",
        "GF_ANALYTICS_CHECK_FOR_UPDATES=false",
      ],
      upload: [
        { file: `${certDir}/ca.crt`, content: props.ca.certPem },
        { file: `${certDir}/grafana.crt`, content: cert.certPem },
        { file: `${certDir}/grafana.key`, content: cert.keyPem, permissions: "0440" },
        { file: passwordFile, content: this.adminPassword, permissions: "0440" },
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
    this.ready = [container];

    new GrafanaProvider(this, "Provider", {
      url: this.url,
      auth: `admin:${this.adminPassword}`,
      caCert: props.ca.certPem,
      retries: 10,
      retryWait: 5,
    });
  }
}

export interface ExternalGrafanaProps {
  readonly url: string;
}

/** An existing Grafana; the provider authenticates with a service account token variable. */
export class ExternalGrafana extends Construct implements GrafanaTarget {
  readonly url: string;
  readonly ready: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: ExternalGrafanaProps) {
    super(scope, id);
    this.url = props.url;
    const token = new TerraformVariable(TerraformStack.of(this), "grafana_auth", {
      type: "string",
      sensitive: true,
      description:
        "Service account token (or user:password) of the existing Grafana; needs Admin on the organization.",
    });
    new GrafanaProvider(this, "Provider", {
      url: this.url,
      auth: token.stringValue,
      retries: 10,
      retryWait: 5,
    });
  }
}
