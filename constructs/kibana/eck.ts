import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { ElasticstackProvider } from "@cdktf-providers/elastic-elasticstack/provider";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import type { CertificateAuthority, CertificateNames } from "../pki/certificate-authority";
import { ObjectsRelease, readinessJob, urlPort, type KubernetesObject } from "../kubernetes/common";
import { urlHost } from "../tls-names";
import {
  DOCKER_KIBANA_DEFAULTS,
  kibanaProvider,
  stackCaFile,
  type KibanaElasticsearch,
  type KibanaTarget,
} from "./instance";

export type { KibanaElasticsearch } from "./instance";

export interface EckKibanaProps {
  readonly namespace: string;
  /** URL at which Terraform reaches Kibana (its LoadBalancer service): https, known at synth time. */
  readonly url: string;
  /** Signs Kibana's HTTPS certificate. */
  readonly ca: CertificateAuthority;
  /** The cluster: its credentials configure the provider. */
  readonly elasticsearch: KibanaElasticsearch;
  /** Name of the ECK Elasticsearch resource Kibana refers to (ECK wires kibana_system and the CA). */
  readonly elasticsearchName: string;
  /** Where Terraform writes the CA's PEM for the provider (it reads its CA only from files). */
  readonly caCertFile: string;
  /** Name of the Kibana resource. @default "elk" */
  readonly name?: string;
  /** Pinned 8.x version, the line of the cluster. @default "8.19.18" */
  readonly version?: string;
  /** Memory request and limit in MB. @default 1536 */
  readonly memoryLimitMb?: number;
  /** The operator and the cluster. @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * Kibana through ECK, referring to the ECK cluster (the operator creates its service user and
 * encryption keys), HTTPS with a certificate from the stack CA, and a readiness Job so the
 * data views are created only once Kibana answers.
 */
export class EckKibana extends Construct implements KibanaTarget {
  readonly url: string;
  readonly ready: ITerraformDependable[];
  readonly certificate: CertificateNames;
  readonly provider: ElasticstackProvider;
  readonly resource: KubernetesObject;
  readonly release: ObjectsRelease;

  constructor(scope: Construct, id: string, props: EckKibanaProps) {
    super(scope, id);
    const name = props.name ?? "elk";
    const version = props.version ?? DOCKER_KIBANA_DEFAULTS.version;
    const memory = props.memoryLimitMb ?? DOCKER_KIBANA_DEFAULTS.memoryLimitMb;
    if (!/^https:\/\/[^/]+\/?$/.test(props.url))
      throw new Error(
        `${this.node.path}: url = ${JSON.stringify(props.url)}: must be an https URL without a path`,
      );
    this.url = props.url.replace(/\/$/, "");
    const service = `${name}-kb-http`;
    const inCluster = `${service}.${props.namespace}.svc`;
    const cert = props.ca.issue("Kibana", {
      commonName: service,
      dnsNames: [...new Set([urlHost(props.url), service, inCluster, "localhost"])],
      ipAddresses: ["127.0.0.1"],
    });
    this.certificate = cert.names;
    const tlsSecret = `${name}-kb-http-certs-stack`;
    const tls = new SecretV1(this, "HttpCertificate", {
      metadata: { name: tlsSecret, namespace: props.namespace },
      data: { "tls.crt": cert.certPem, "tls.key": cert.keyPem, "ca.crt": props.ca.certPem },
      dependsOn: [...(props.dependsOn ?? [])],
    });
    this.resource = {
      apiVersion: "kibana.k8s.elastic.co/v1",
      kind: "Kibana",
      metadata: { name, namespace: props.namespace },
      spec: {
        version,
        count: 1,
        elasticsearchRef: { name: props.elasticsearchName },
        config: { "server.publicBaseUrl": this.url, "telemetry.optIn": false },
        http: {
          service: {
            spec: {
              type: "LoadBalancer",
              ports: [{ name: "https", port: urlPort(props.url), targetPort: 5601, protocol: "TCP" }],
            },
          },
          tls: { certificate: { secretName: tlsSecret } },
        },
        podTemplate: {
          spec: {
            containers: [
              {
                name: "kibana",
                resources: {
                  requests: { memory: `${memory}Mi`, cpu: "500m" },
                  limits: { memory: `${memory}Mi` },
                },
              },
            ],
          },
        },
      },
    };
    // An anonymous /api/status still carries overall.level (the docker mode's healthcheck too).
    const job = readinessJob({
      name: `${name}-kb-ready`,
      namespace: props.namespace,
      image: `docker.elastic.co/kibana/kibana:${version}`,
      script: `curl -fsS --cacert /ca/ca.crt https://${inCluster}:${urlPort(props.url)}/api/status | grep -Eq '"level": ?"available"'`,
      volumes: [
        { name: "ca", secret: { secretName: tlsSecret, items: [{ key: "ca.crt", path: "ca.crt" }] } },
      ],
      volumeMounts: [{ name: "ca", mountPath: "/ca", readOnly: true }],
      deadlineSeconds: 840,
    });
    this.release = new ObjectsRelease(this, "Resources", {
      name: `${name}-kibana`,
      namespace: props.namespace,
      objects: [this.resource, job],
      dependsOn: [...(props.dependsOn ?? []), tls],
    });
    this.ready = [this.release.release];

    this.provider = kibanaProvider(
      this,
      this.url,
      props.elasticsearch,
      stackCaFile(this, props.caCertFile, props.ca),
    );
  }
}
