import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import type { GrafanaProvider } from "../../.gen/providers/grafana/provider";
import type { CertificateAuthority, CertificateNames } from "../pki/certificate-authority";
import { withDefaults } from "../docker/common";
import { DNS_LABEL_PATTERN, quantityProblem, urlPort } from "../kubernetes/common";
import { urlHost } from "../tls-names";
import {
  DOCKER_GRAFANA_DEFAULTS,
  infinityInstallEntry,
  stackGrafanaProvider,
  type GrafanaTarget,
} from "./instance";

/**
 * The maintained community chart (grafana-community/helm-charts charts/grafana, tag grafana-12.11.1);
 * the repository URL is the one its README documents for `helm repo add`.
 */
export const GRAFANA_CHART = {
  repository: "https://grafana-community.github.io/helm-charts",
  chart: "grafana",
  version: "12.11.1",
} as const;

/** Defaults of {@link HelmGrafana}; the app's config reference shows the same values. */
export const HELM_GRAFANA_DEFAULTS = {
  releaseName: "grafana",
  version: DOCKER_GRAFANA_DEFAULTS.version,
  infinityPluginVersion: DOCKER_GRAFANA_DEFAULTS.infinityPluginVersion,
  volumeSize: "2Gi",
} as const;

/** Keys of the admin secret the chart reads (values.yaml admin.userKey / admin.passwordKey). */
const ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;

export interface HelmGrafanaProps {
  readonly namespace: string;
  /** URL at which Terraform reaches Grafana (its LoadBalancer service): https, known at synth time. */
  readonly url: string;
  /** Signs Grafana's HTTPS certificate; the provider verifies with it. */
  readonly ca: CertificateAuthority;
  /** Helm release name, also the service's. @default "grafana" */
  readonly releaseName?: string;
  /** Pinned Grafana image tag, the docker mode's. @default "11.6.16" */
  readonly version?: string;
  /** Infinity version Grafana installs at start. @default "3.11.1" */
  readonly infinityPluginVersion?: string;
  /** https URL of the Infinity zip instead of the grafana.com download. @default none */
  readonly infinityPluginUrl?: string;
  /** Storage class of Grafana's volume. @default the cluster's default class */
  readonly storageClass?: string;
  /** Size of Grafana's volume. @default "2Gi" */
  readonly volumeSize?: string;
  /** Release(s) that must exist first. @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * Grafana from the community chart: the image pinned to the docker mode's version, HTTPS with
 * a certificate from the stack CA, the admin password from an existing secret, a persistent
 * volume, and Infinity installed before the server starts.
 */
export class HelmGrafana extends Construct implements GrafanaTarget {
  readonly url: string;
  readonly ready: ITerraformDependable[];
  readonly adminPassword: string;
  readonly certificate: CertificateNames;
  readonly provider: GrafanaProvider;
  /** The chart values, as the release carries them. */
  readonly values: Readonly<Record<string, unknown>>;
  readonly release: Release;

  constructor(scope: Construct, id: string, input: HelmGrafanaProps) {
    super(scope, id);
    const props = withDefaults(input, HELM_GRAFANA_DEFAULTS);
    const fail = (key: string, value: unknown, rule: string): never => {
      throw new Error(`${this.node.path}: ${key} = ${JSON.stringify(value)}: ${rule}`);
    };
    if (!/^https:\/\/[^/]+\/?$/.test(props.url))
      fail("url", props.url, "must be an https URL without a path");
    if (!DNS_LABEL_PATTERN.test(props.releaseName))
      fail("releaseName", props.releaseName, "must be a DNS label");
    const volumeProblem = quantityProblem(props.volumeSize);
    if (volumeProblem) fail("volumeSize", props.volumeSize, volumeProblem);
    this.url = props.url.replace(/\/$/, "");
    const ns = props.namespace;

    const password = new Password(this, "AdminPassword", { length: 32, special: false });
    this.adminPassword = password.result;
    const adminSecret = `${props.releaseName}-stack-admin`;
    const admin = new SecretV1(this, "Admin", {
      metadata: { name: adminSecret, namespace: ns },
      dependsOn: [...(props.dependsOn ?? [])],
      data: { [ADMIN_KEYS.user]: "admin", [ADMIN_KEYS.password]: password.result },
    });
    const service = `${props.releaseName}.${ns}.svc`;
    const cert = props.ca.issue("Grafana", {
      commonName: props.releaseName,
      dnsNames: [...new Set([urlHost(props.url), props.releaseName, service, "localhost"])],
      ipAddresses: ["127.0.0.1"],
    });
    this.certificate = cert.names;
    const tlsSecret = `${props.releaseName}-stack-tls`;
    const tls = new SecretV1(this, "Tls", {
      metadata: { name: tlsSecret, namespace: ns },
      dependsOn: [...(props.dependsOn ?? [])],
      data: { "tls.crt": cert.certPem, "tls.key": cert.keyPem, "ca.crt": props.ca.certPem },
    });

    const certDir = "/etc/grafana/certs";
    const probe = { httpGet: { path: "/api/health", port: "grafana", scheme: "HTTPS" } };
    // Keys of charts/grafana/values.yaml (grafana-community/helm-charts, grafana-12.11.1).
    this.values = {
      image: { tag: props.version },
      admin: { existingSecret: adminSecret, userKey: ADMIN_KEYS.user, passwordKey: ADMIN_KEYS.password },
      // Not `plugins`: the chart turns it into GF_PLUGINS_PREINSTALL_SYNC (templates/_pod.tpl), which
      // Grafana reads only from 12.1; the 11.x image's run.sh installs GF_INSTALL_PLUGINS before start.
      env: { GF_INSTALL_PLUGINS: infinityInstallEntry(props.infinityPluginVersion, props.infinityPluginUrl) },
      "grafana.ini": {
        server: {
          protocol: "https",
          cert_file: `${certDir}/tls.crt`,
          cert_key: `${certDir}/tls.key`,
          root_url: `${this.url}/`,
        },
        users: { allow_sign_up: false },
        "auth.anonymous": { enabled: false },
        analytics: { reporting_enabled: false, check_for_updates: false },
      },
      extraSecretMounts: [{ name: "stack-tls", mountPath: certDir, secretName: tlsSecret, readOnly: true }],
      persistence: {
        enabled: true,
        size: props.volumeSize,
        // Helm keeps the claim on uninstall (templates/pvc.yaml takes persistence.annotations).
        annotations: { "helm.sh/resource-policy": "keep" },
        ...(props.storageClass !== undefined ? { storageClassName: props.storageClass } : {}),
      },
      service: { type: "LoadBalancer", port: urlPort(props.url), targetPort: 3000 },
      readinessProbe: probe,
      livenessProbe: { ...probe, initialDelaySeconds: 60, timeoutSeconds: 30, failureThreshold: 10 },
      // The chart's test pod pulls another image and is never run by Terraform.
      testFramework: { enabled: false },
    };
    this.release = new Release(this, "Release", {
      name: props.releaseName,
      namespace: ns,
      repository: GRAFANA_CHART.repository,
      chart: GRAFANA_CHART.chart,
      version: GRAFANA_CHART.version,
      values: [JSON.stringify(this.values)],
      // Helm waits for the Deployment to pass its readiness probe and the service to get an address.
      wait: true,
      timeout: 600,
      dependsOn: [admin, tls, ...(props.dependsOn ?? [])],
    });
    this.ready = [this.release];
    this.provider = stackGrafanaProvider(this, this.url, this.adminPassword, props.ca);
  }
}
