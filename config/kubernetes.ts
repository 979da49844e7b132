import { z } from "zod";
import {
  DNS_LABEL_PATTERN,
  NODE_PORT_RANGE,
  quantityBytes,
  quantityProblem,
  urlPort,
} from "../constructs/kubernetes/common";
import { ECK_CLUSTER_DEFAULTS, ES_HTTP_PORT } from "../constructs/elasticsearch/eck";
import { ECK_LOGSTASH_DEFAULTS, eckRunsLogstash, logstashQueueBytes } from "../constructs/logstash/eck";
import { DEAD_LETTER_MAX_BYTES } from "../constructs/logstash/settings";
import { HELM_GRAFANA_DEFAULTS } from "../constructs/grafana/helm";
import { KUBERNETES_PLATFORM_DEFAULTS } from "../constructs/kubernetes/platform";

/** The kubernetes.* keys (mode: kubernetes) and their rules; schema.ts composes them. */

const quantity = (def: string, what: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = quantityProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .default(def)
    .describe(`${what}, a Kubernetes quantity such as ${def}`);

const httpsUrl = (what: string) =>
  z
    .url({ protocol: /^https$/, message: "must be an https URL (TLS is verified with the stack CA)" })
    .refine((v) => !v.startsWith("https://") || /^https:\/\/[^/?#]+\/?$/.test(v), {
      message: "must be an https URL without a path, query or fragment",
    })
    .optional()
    .describe(what);

const dnsLabel = () =>
  z.string().regex(DNS_LABEL_PATTERN, {
    message:
      "must be a DNS label: lowercase letters, digits and -, starting and ending with a letter or digit",
  });

export const kubernetes = z
  .strictObject({
    configPath: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Kubeconfig file of the kubernetes and helm providers; unset, their defaults (KUBE_CONFIG_PATH)",
      ),
    context: z.string().min(1).optional().describe("Kubeconfig context; unset, the file's current context"),
    namespace: dnsLabel()
      .max(63)
      .default(KUBERNETES_PLATFORM_DEFAULTS.namespace)
      .describe("Namespace of the stack's workloads (the operator runs in elastic-system)"),
    storageClass: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: "must be a storage class name (DNS subdomain)" })
      .optional()
      .describe("Storage class of every persistent volume; unset, the cluster's default class"),
    elasticsearchUrl: httpsUrl(
      "URL at which Terraform reaches Elasticsearch (DNS name of its LoadBalancer service), e.g. https://es.example.com:9200; required",
    ),
    grafanaUrl: httpsUrl(
      "URL at which Terraform reaches Grafana (DNS name of its LoadBalancer service), e.g. https://grafana.example.com; required",
    ),
    kibanaUrl: httpsUrl(
      "URL at which Terraform reaches Kibana (its LoadBalancer service); required with kibana.enabled",
    ),
    elasticsearch: z
      .strictObject({
        volumeSize: quantity(ECK_CLUSTER_DEFAULTS.volumeSize, "Data volume of each Elasticsearch node"),
        memory: quantity(
          ECK_CLUSTER_DEFAULTS.memory,
          "Memory of each Elasticsearch node (its heap is sized from it)",
        ),
        cpu: quantity(ECK_CLUSTER_DEFAULTS.cpu, "CPU request of each Elasticsearch node"),
      })
      .prefault({}),
    logstash: z
      .strictObject({
        volumeSize: quantity(
          ECK_LOGSTASH_DEFAULTS.volumeSize,
          "Logstash's data volume, holding the persistent queue and the dead letter queue",
        ),
      })
      .prefault({}),
    grafana: z
      .strictObject({ volumeSize: quantity(HELM_GRAFANA_DEFAULTS.volumeSize, "Grafana's data volume") })
      .prefault({}),
    gelf: z
      .strictObject({
        service: z
          .enum(["LoadBalancer", "NodePort"])
          .default(ECK_LOGSTASH_DEFAULTS.gelfService)
          .describe("How Logstash's GELF (UDP) input is exposed: a LoadBalancer or a NodePort service"),
        nodePort: z
          .number()
          .int()
          .min(NODE_PORT_RANGE.min, { message: `must be in ${NODE_PORT_RANGE.min}..${NODE_PORT_RANGE.max}` })
          .max(NODE_PORT_RANGE.max, { message: `must be in ${NODE_PORT_RANGE.min}..${NODE_PORT_RANGE.max}` })
          .optional()
          .describe(
            `With service NodePort: the node port (${NODE_PORT_RANGE.min}..${NODE_PORT_RANGE.max}, kube-apiserver's default range); unset, Kubernetes picks one`,
          ),
      })
      .prefault({}),
  })
  .prefault({});

type Kubernetes = z.output<typeof kubernetes>;

/** What the kubernetes rules read of the whole config. */
interface WholeConfig {
  readonly mode: "docker" | "external" | "kubernetes";
  readonly kubernetes: Kubernetes;
  readonly elasticsearch: {
    readonly endpoint?: string;
    readonly cloudId?: string;
    readonly version: string;
    readonly replicas?: number;
    readonly nodes: number;
  };
  readonly grafana: {
    readonly url?: string;
    readonly smtp?: unknown;
    readonly alert: { readonly contact: { readonly type: string } };
  };
  readonly kibana: { readonly enabled: boolean; readonly url?: string; readonly version: string };
  readonly logstash: { readonly queueMaxBytes: string; readonly version: string };
  readonly backups: { readonly enabled: boolean; readonly repository?: { readonly type: string } };
}

/** The rules of mode: kubernetes, and the kubernetes.* keys no other mode reads. */
export function kubernetesIssues(c: WholeConfig, ctx: z.RefinementCtx): void {
  const issue = (path: string[], input: unknown, message: string) =>
    ctx.addIssue({ code: "custom", path, input, message });
  const k = c.kubernetes;
  const urls = [
    "elasticsearchUrl",
    "grafanaUrl",
    "kibanaUrl",
    "configPath",
    "context",
    "storageClass",
  ] as const;
  if (c.mode !== "kubernetes") {
    for (const key of urls)
      if (k[key] !== undefined)
        issue(["kubernetes", key], k[key], `only used in kubernetes mode (mode is ${c.mode})`);
    return;
  }
  const esUrl = k.elasticsearchUrl;
  if (esUrl !== undefined && /^https:\/\/[^/?#]+\/?$/.test(esUrl) && urlPort(esUrl) !== ES_HTTP_PORT)
    issue(
      ["kubernetes", "elasticsearchUrl"],
      esUrl,
      `must name port ${ES_HTTP_PORT} (e.g. https://es.example.com:${ES_HTTP_PORT}): ECK's HTTP service keeps its port, which its Kibana association calls`,
    );
  for (const key of ["elasticsearchUrl", "grafanaUrl"] as const)
    if (k[key] === undefined)
      issue(["kubernetes", key], k[key], "kubernetes mode needs it (the providers are configured at plan)");
  if (c.kibana.enabled && k.kibanaUrl === undefined)
    issue(["kubernetes", "kibanaUrl"], k.kibanaUrl, "kubernetes mode with kibana.enabled needs it");
  if (!c.kibana.enabled && k.kibanaUrl !== undefined)
    issue(["kubernetes", "kibanaUrl"], k.kibanaUrl, "only used with kibana.enabled");
  if (k.gelf.nodePort !== undefined && k.gelf.service !== "NodePort")
    issue(
      ["kubernetes", "gelf", "nodePort"],
      k.gelf.nodePort,
      `only used with kubernetes.gelf.service NodePort (it is ${k.gelf.service})`,
    );
  for (const key of ["endpoint", "cloudId"] as const)
    if (c.elasticsearch[key] !== undefined)
      issue(
        ["elasticsearch", key],
        c.elasticsearch[key],
        "only used in external mode (kubernetes mode uses kubernetes.elasticsearchUrl)",
      );
  if (c.grafana.url !== undefined)
    issue(
      ["grafana", "url"],
      c.grafana.url,
      "only used in external mode (kubernetes mode uses kubernetes.grafanaUrl)",
    );
  if (c.kibana.url !== undefined)
    issue(
      ["kibana", "url"],
      c.kibana.url,
      "only used in external mode (kubernetes mode uses kubernetes.kibanaUrl)",
    );
  if (c.grafana.smtp !== undefined)
    issue(
      ["grafana", "smtp"],
      "(set)",
      "only used in docker mode so far (kubernetes mode has no SMTP settings yet)",
    );
  if (c.grafana.alert.contact.type === "email")
    issue(
      ["grafana", "alert", "contact", "type"],
      "email",
      "needs grafana.smtp, which kubernetes mode does not support yet: use webhook",
    );
  if (c.elasticsearch.replicas !== undefined && c.elasticsearch.replicas >= c.elasticsearch.nodes)
    issue(
      ["elasticsearch", "replicas"],
      c.elasticsearch.replicas,
      `must be less than elasticsearch.nodes (${c.elasticsearch.nodes}): a replica never sits on its primary's node, so the cluster would stay yellow`,
    );
  if (/^[0-9]+\.[0-9]+\.[0-9]+$/.test(c.logstash.version) && !eckRunsLogstash(c.logstash.version))
    issue(
      ["logstash", "version"],
      c.logstash.version,
      "must be at least 8.12.0 in kubernetes mode (ECK 3.5.0 runs Logstash from 8.12)",
    );
  const repo = c.backups.repository?.type ?? "fs";
  if (c.backups.enabled && repo === "fs" && c.elasticsearch.nodes > 1)
    issue(
      ["backups", "repository"],
      c.backups.repository,
      `fs (the default) needs one filesystem all ${c.elasticsearch.nodes} nodes share, and ECK's claims are per node: use s3, gcs, azure or existing, or backups.enabled: false`,
    );
  const volume = k.logstash.volumeSize;
  if (
    quantityProblem(volume) === undefined &&
    /^[1-9][0-9]*(mb|gb)$/.test(c.logstash.queueMaxBytes) &&
    quantityBytes(volume) < logstashQueueBytes(c.logstash.queueMaxBytes)
  )
    issue(
      ["kubernetes", "logstash", "volumeSize"],
      volume,
      `must hold logstash.queueMaxBytes (${c.logstash.queueMaxBytes}) and the dead letter queue (${DEAD_LETTER_MAX_BYTES}), or Logstash stops when the volume fills`,
    );
  const line = (v: string) => v.split(".").slice(0, 2).join(".");
  if (c.kibana.enabled && line(c.kibana.version) !== line(c.elasticsearch.version))
    issue(
      ["kibana", "version"],
      c.kibana.version,
      `must be on the line of elasticsearch.version (${line(c.elasticsearch.version)}.x): Kibana refuses a cluster of another minor`,
    );
}
