import { z } from "zod";
import { indexNameProblem } from "../constructs/elasticsearch/index-name";
import { cloudIdToEndpoint } from "../constructs/elasticsearch/cloud-id";
import { DOCKER_CLUSTER_DEFAULTS } from "../constructs/elasticsearch/cluster";
import { jvmSizeMb, LOG_ROTATION_DEFAULTS } from "../constructs/docker/common";
import { DOCKER_GRAFANA_DEFAULTS } from "../constructs/grafana/instance";
import { DOCKER_KIBANA_DEFAULTS } from "../constructs/kibana/instance";
import { cloudIdToKibanaUrl } from "../constructs/kibana/cloud-id";
import { LOGSTASH_DEFAULTS } from "../constructs/logstash/container";
import { cronProblem, SNAPSHOT_DEFAULTS } from "../constructs/elasticsearch/snapshots";
import { kubernetes, kubernetesIssues } from "./kubernetes";

/**
 * The stack's configuration: every key, its type, its rule and its default, in one place.
 * The defaults are the local Docker profile, so the stack synthesizes with no config file.
 * README's configuration reference is generated from this schema (`npm run docs:config`).
 */

const port = (def: number, what: string) =>
  z.number().int().min(1).max(65535).default(def).describe(`${what} (1..65535)`);

const indexName = (what: string, suffixBytes = 0) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = indexNameProblem(value, suffixBytes);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .describe(what);

const heap = (def: string, what: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]*[mg]$/, { message: "must be a JVM heap size such as 512m or 2g" })
    .default(def)
    .describe(`${what}, a JVM heap size such as 512m or 2g`);

const imageVersion = (def: string, what: string, major: RegExp) =>
  z
    .string()
    .regex(major, { message: `must be a pinned version matching ${major.source}` })
    .default(def)
    .describe(what);

/**
 * Logstash's byte sizes are binary multiples (`Setting::Bytes`); the default
 * queue.page_capacity is 64mb, and persisted_queue_config_validator.rb (elastic/logstash
 * v8.19.20) refuses to start when queue.page_capacity > queue.max_bytes.
 */
export const LOGSTASH_PAGE_CAPACITY_BYTES = 64 * 1024 * 1024;
export function logstashBytes(size: string): number {
  const m = /^([0-9]+)(mb|gb)$/.exec(size);
  if (!m) return NaN;
  return Number(m[1]) * 1024 * 1024 * (m[2] === "gb" ? 1024 : 1);
}

/** `-YYYY.MM.dd`: what the pipeline appends to the prefix for daily indices. */
export { DAILY_SUFFIX_BYTES } from "../constructs/elasticsearch/indices";
import { DAILY_SUFFIX_BYTES } from "../constructs/elasticsearch/indices";

const elasticsearch = z
  .strictObject({
    version: imageVersion(
      DOCKER_CLUSTER_DEFAULTS.version,
      "Elasticsearch image version (8.x, pinned)",
      /^8\.[0-9]+\.[0-9]+$/,
    ),
    nodes: z
      .number()
      .int()
      .min(1)
      .max(9)
      .default(DOCKER_CLUSTER_DEFAULTS.nodes)
      .describe(
        "Number of Elasticsearch nodes: containers in docker mode, the ECK node set in kubernetes mode (1..9)",
      ),
    heap: heap(DOCKER_CLUSTER_DEFAULTS.heap, "Heap of each Elasticsearch node"),
    memoryLimitMb: z
      .number()
      .int()
      .min(1024)
      .max(65536)
      .default(DOCKER_CLUSTER_DEFAULTS.memoryLimitMb)
      .describe("Memory limit of each Elasticsearch container in MB (the guide asks for 2 GB at least)"),
    port: port(DOCKER_CLUSTER_DEFAULTS.port, "Host port of the first node's HTTP API in docker mode"),
    replicas: z
      .number()
      .int()
      .min(0)
      .max(8)
      .optional()
      .describe(
        "Replicas of the events and log indices; default 0 for one docker node (green, not yellow), else 1 (external: set 0 for a one-node cluster)",
      ),
    endpoint: z
      .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
      .optional()
      .describe("external mode: URL of an existing cluster, e.g. https://es.example.com:9200"),
    cloudId: z
      .string()
      .superRefine((value, ctx) => {
        try {
          cloudIdToEndpoint(value);
        } catch (e) {
          ctx.addIssue({ code: "custom", message: (e as Error).message });
        }
      })
      .optional()
      .describe("external mode: Elastic Cloud deployment id, instead of endpoint"),
  })
  .prefault({});

const events = z
  .strictObject({
    index: indexName("Index Datafly Signal writes product events into").default("datafly-events"),
  })
  .prefault({});

const logs = z
  .strictObject({
    indexPrefix: indexName(
      "Prefix of the daily API log indices (<prefix>-YYYY.MM.dd)",
      DAILY_SUFFIX_BYTES,
    ).default("dreamfactory-logs"),
    retentionDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(30)
      .describe("Days after which the lifecycle policy deletes a daily log index (1..3650)"),
  })
  .prefault({});

const logstash = z
  .strictObject({
    version: imageVersion(
      LOGSTASH_DEFAULTS.version,
      "Logstash image version (8.x, pinned)",
      /^8\.[0-9]+\.[0-9]+$/,
    ),
    gelfPort: port(12201, "Port of the GELF input, published on the host in docker mode"),
    http: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "Also accept DreamFactory's http logging protocol (full-size events, no GELF chunking), with basic authentication",
          ),
        port: port(8080, "Port of the http input, published on the host in docker mode"),
      })
      .prefault({}),
    heap: heap(LOGSTASH_DEFAULTS.heap, "Logstash heap"),
    memoryLimitMb: z
      .number()
      .int()
      .min(768)
      .max(65536)
      .default(LOGSTASH_DEFAULTS.memoryLimitMb)
      .describe("Memory limit of the Logstash container in MB; at least the heap + 512 (JRuby and buffers)"),
    queueMaxBytes: z
      .string()
      .regex(/^[1-9][0-9]*(mb|gb)$/, { message: "must be a size such as 512mb or 1gb" })
      .refine((v) => logstashBytes(v) >= LOGSTASH_PAGE_CAPACITY_BYTES, {
        message: "must be at least 64mb, Logstash's queue.page_capacity: below it Logstash refuses to start",
      })
      .default(LOGSTASH_DEFAULTS.queueMaxBytes)
      .describe("Size limit of the persistent queue, such as 512mb or 1gb (at least 64mb)"),
    responseTime: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe("Parse a response duration the gateway logs into response_ms"),
        sourceField: z
          .string()
          .regex(/^(\[[A-Za-z0-9_@.-]+\])+$/, {
            message: "must be a Logstash field reference such as [event][response][duration]",
          })
          .default("[event][response][duration_ms]")
          .describe("Field holding the duration in milliseconds, as a Logstash field reference"),
      })
      .prefault({}),
  })
  .superRefine((l, ctx) => {
    const heapMb = jvmSizeMb(l.heap);
    if (l.memoryLimitMb < heapMb + 512)
      ctx.addIssue({
        code: "custom",
        path: ["memoryLimitMb"],
        input: l.memoryLimitMb,
        message: `must be at least logstash.heap + 512 (${heapMb + 512}): JRuby, metaspace and network buffers live outside the heap`,
      });
  })
  .prefault({});

const alertContact = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("none") }),
    z.strictObject({
      type: z.literal("email"),
      addresses: z.array(z.email()).min(1).describe("Recipients of the error-rate alert"),
    }),
    // Webhook URLs often embed a token, so the URL is the sensitive variable alert_webhook_url.
    z.strictObject({ type: z.literal("webhook") }),
  ])
  .default({ type: "none" })
  .describe(
    "Where the error-rate alert is sent: none (default), email, or webhook (its URL is the sensitive Terraform variable alert_webhook_url)",
  );

/** Grafana's [smtp] section (off by default): needed to deliver the e-mail contact point. */
const smtp = z.strictObject({
  host: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, { message: "must be host:port, e.g. smtp.example.com:587" })
    .describe("docker mode: SMTP server Grafana sends alert e-mails through, as host:port"),
  user: z
    .string()
    .min(1)
    .optional()
    .describe(
      "docker mode: SMTP user; its password is the sensitive Terraform variable grafana_smtp_password. Omit for a relay without authentication",
    ),
  fromAddress: z.email().describe("docker mode: sender address of alert e-mails"),
  fromName: z.string().min(1).default("Grafana").describe("docker mode: sender name of alert e-mails"),
  startTlsPolicy: z
    .enum(["MandatoryStartTLS", "OpportunisticStartTLS", "NoStartTLS"])
    .default("MandatoryStartTLS")
    .describe(
      "docker mode: STARTTLS policy; Mandatory by default so the password never crosses the network in clear (use NoStartTLS only with implicit TLS on port 465)",
    ),
});

const grafana = z
  .strictObject({
    version: imageVersion(
      DOCKER_GRAFANA_DEFAULTS.version,
      "Grafana image version (pinned; the dashboard SDK line matches 11.6)",
      /^[0-9]+\.[0-9]+\.[0-9]+$/,
    ),
    infinityPluginVersion: z
      .string()
      .regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, { message: "must be a pinned version such as 3.3.0" })
      .default(DOCKER_GRAFANA_DEFAULTS.infinityPluginVersion)
      .describe(
        "docker mode: version of the Infinity datasource plugin Grafana downloads from grafana.com before it starts (needs HTTPS egress to grafana.com)",
      ),
    infinityPluginUrl: z
      .url({ protocol: /^https$/, message: "must be an https URL" })
      .regex(/^[^,;\s]+$/, {
        message: "must not contain commas, semicolons or spaces (GF_INSTALL_PLUGINS separators)",
      })
      .optional()
      .describe(
        "docker mode: https URL of the Infinity plugin zip (your mirror of the grafana.com or GitHub release), installed instead of the grafana.com download; the zip decides the version",
      ),
    port: port(DOCKER_GRAFANA_DEFAULTS.port, "Host port of Grafana in docker mode"),
    url: z
      .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
      .optional()
      .describe("external mode: URL of an existing Grafana"),
    folder: z
      .string()
      .min(1)
      .default("API Analytics")
      .describe("Folder holding the dashboards and alert rules"),
    smtp: smtp.optional(),
    alert: z
      .strictObject({
        errorRatePercent: z
          .number()
          .gt(0, { message: "must be in (0,100]" })
          .max(100, { message: "must be in (0,100]" })
          .default(5)
          .describe(
            "Error rate (status >= 400) over 5 minutes, in percent, above which the alert fires, in (0,100]",
          ),
        contact: alertContact,
        gatewaySilenceMinutes: z
          .union([z.literal(false), z.number().int().min(5).max(1440)], {
            error: "must be false or a whole number of minutes in 5..1440",
          })
          .default(15)
          .describe(
            "Minutes without a gateway log document after which the stack-health alert fires (5..1440), or false to switch it off for quiet gateways",
          ),
      })
      .prefault({}),
  })
  .prefault({});

/** Kibana, off by default: it needs about 1 GB and the guide's small hosts have 2-4 GB. */
const kibana = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("Add Kibana (docker: a container; external: data views on the deployment's Kibana)"),
    version: imageVersion(
      DOCKER_KIBANA_DEFAULTS.version,
      "docker mode: Kibana image version (pinned 8.x, the line of elasticsearch.version)",
      /^8\.[0-9]+\.[0-9]+$/,
    ),
    port: port(DOCKER_KIBANA_DEFAULTS.port, "Host port of Kibana in docker mode"),
    url: z
      .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
      .optional()
      .describe(
        "external mode: URL of a self-managed Kibana; with elasticsearch.cloudId the URL comes from the cloud id",
      ),
  })
  .prefault({});

const backend = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("local") }),
    z.strictObject({
      type: z.literal("s3"),
      bucket: z.string().min(3).describe("S3 bucket holding the state"),
      key: z
        .string()
        .min(1)
        .default("elk-grafana-cdktf/analytics.tfstate")
        .describe("Object key of the state file"),
      region: z
        .string()
        .regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { message: "must be an AWS region such as eu-west-1" })
        .describe("Region of the bucket"),
      dynamodbTable: z
        .string()
        .min(3)
        .optional()
        .describe("DynamoDB table for state locking; without it Terraform's S3-native lock file is used"),
    }),
    z.strictObject({
      type: z.literal("gcs"),
      bucket: z.string().min(3).describe("GCS bucket holding the state"),
      prefix: z.string().min(1).default("elk-grafana-cdktf").describe("Folder of the state in the bucket"),
    }),
  ])
  .default({ type: "local" })
  .describe(
    "Where Terraform keeps the state: local (default, terraform.analytics.tfstate in the project folder), s3 or gcs for a team; credentials come from the usual provider environment",
  );

const count = (def: number, what: string) =>
  z.number().int().min(1).max(10000).default(def).describe(`${what} (1..10000)`);

const backups = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Snapshot the events and log indices on a schedule (SLM)"),
    schedule: z
      .string()
      .superRefine((value, ctx) => {
        const problem = cronProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .default(SNAPSHOT_DEFAULTS.schedule)
      .describe(
        "When snapshots are taken (UTC), an Elasticsearch cron expression: seconds first, e.g. 0 30 1 * * ?",
      ),
    retentionDays: count(SNAPSHOT_DEFAULTS.retentionDays, "Days a snapshot is kept"),
    minCount: count(SNAPSHOT_DEFAULTS.minCount, "Snapshots always kept, however old"),
    maxCount: count(SNAPSHOT_DEFAULTS.maxCount, "Snapshots kept at most, however young"),
    repository: z
      .discriminatedUnion("type", [
        z.strictObject({ type: z.literal("fs") }),
        z.strictObject({
          type: z.literal("existing"),
          name: z.string().min(1).describe("Name of a repository registered on the cluster"),
        }),
        ...(["s3", "gcs", "azure"] as const).map((type) =>
          z.strictObject({
            type: z.literal(type),
            bucket: z
              .string()
              .min(1)
              .describe(type === "azure" ? "Azure container" : "Bucket"),
            basePath: z.string().min(1).optional().describe("Path of the repository in the bucket"),
            client: z
              .string()
              .regex(/^[a-z0-9_-]+$/, { message: "must be a client name such as default" })
              .default("default")
              .describe(
                `Client whose credentials are keystore secure settings (${type}.client.<client>.*): in docker mode the stack adds them from the sensitive variables backups_${type}_*, on an external cluster they must already be in its keystore`,
              ),
          }),
        ),
      ])
      .optional()
      .describe(
        `Where snapshots go: fs (docker default, a protected volume on every node), existing (Elastic Cloud default: ${SNAPSHOT_DEFAULTS.cloudRepository}; a self-managed cluster must name one), or s3 / gcs / azure`,
      ),
  })
  .superRefine((b, ctx) => {
    if (b.maxCount < b.minCount)
      ctx.addIssue({
        code: "custom",
        path: ["maxCount"],
        input: b.maxCount,
        message: `must be at least backups.minCount (${b.minCount})`,
      });
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    backend,
    mode: z
      .enum(["docker", "external", "kubernetes"])
      .default("docker")
      .describe(
        "docker: run everything in local containers; external: use an existing cluster and Grafana; kubernetes: run it on a Kubernetes cluster with ECK (kubernetes.*)",
      ),
    docker: z
      .strictObject({
        host: z
          .string()
          .regex(/^(unix|tcp|ssh|npipe):\/\/./, {
            message: "must be a Docker host URL (unix://, tcp://, ssh:// or npipe://)",
          })
          .optional()
          .describe(
            "Docker daemon the docker provider talks to; unset, the provider's own default applies (DOCKER_HOST, else the local socket)",
          ),
        namePrefix: z
          .string()
          .regex(/^[a-z][a-z0-9-]{0,29}$/, {
            message: "must be lowercase letters, digits and -, starting with a letter, at most 30",
          })
          .default("elk")
          .describe("Prefix of container, volume and network names"),
        bindAddress: z
          .union([z.ipv4(), z.ipv6()])
          .default(DOCKER_CLUSTER_DEFAULTS.bindAddress)
          .describe(
            "Host address the published ports (Elasticsearch, Logstash GELF and http, Grafana) bind to; loopback by default, 0.0.0.0 to accept a gateway on another host (a gateway container can instead join the stack's network)",
          ),
        logRotation: z
          .strictObject({
            maxSize: z
              .string()
              .regex(/^[1-9][0-9]*[kmg]$/, { message: "must be a size such as 10m (k, m or g)" })
              .default(LOG_ROTATION_DEFAULTS.maxSize)
              .describe("Size at which docker rotates a container's json-file log, such as 10m"),
            maxFiles: z
              .number()
              .int()
              .min(1)
              .max(100)
              .default(LOG_ROTATION_DEFAULTS.maxFiles)
              .describe("Rotated log files docker keeps per container (1..100)"),
          })
          .prefault({}),
      })
      .prefault({}),
    elasticsearch,
    events,
    logs,
    logstash,
    grafana,
    kibana,
    backups,
    kubernetes,
  })
  .superRefine((c, ctx) => {
    const repo = c.backups.repository;
    if (c.backups.enabled && repo !== undefined) {
      if (c.mode === "docker" && repo.type === "existing")
        ctx.addIssue({
          code: "custom",
          path: ["backups", "repository", "type"],
          input: repo.type,
          message: "a docker cluster has no repository of its own: use fs (default), s3, gcs or azure",
        });
      if (c.mode === "external" && repo.type === "fs")
        ctx.addIssue({
          code: "custom",
          path: ["backups", "repository", "type"],
          input: "fs",
          message:
            "only in docker mode (an external cluster's path.repo is not the stack's): use existing, s3, gcs or azure",
        });
    }
    // A self-managed cluster has no repository the stack could assume (Elastic Cloud has
    // found-snapshots); with both endpoint and cloudId set, that error says enough.
    if (
      c.backups.enabled &&
      c.mode === "external" &&
      repo === undefined &&
      c.elasticsearch.endpoint !== undefined &&
      c.elasticsearch.cloudId === undefined
    )
      ctx.addIssue({
        code: "custom",
        path: ["backups", "repository"],
        input: undefined,
        message:
          "a self-managed cluster (elasticsearch.endpoint) needs a repository (existing, s3, gcs or azure), or backups.enabled: false",
      });
    const es = c.elasticsearch;
    kubernetesIssues(c, ctx);
    if (c.mode === "kubernetes") return;
    if (c.kibana.enabled) kibanaIssues({ ...c, mode: c.mode }, ctx);
    // Elastic's guidance: the heap at most half the memory, the rest for the OS file cache and off-heap.
    if (c.mode === "docker" && /^[1-9][0-9]*[mg]$/.test(es.heap) && jvmSizeMb(es.heap) * 2 > es.memoryLimitMb)
      ctx.addIssue({
        code: "custom",
        path: ["elasticsearch", "heap"],
        input: es.heap,
        message: `must be at most half of elasticsearch.memoryLimitMb (${es.memoryLimitMb} MB), so the node is not killed for memory`,
      });
    if (c.mode === "external") {
      // Logstash runs in docker in both modes; docker mode checks all published ports below.
      if (c.logstash.http.enabled && c.logstash.http.port === c.logstash.gelfPort)
        ctx.addIssue({
          code: "custom",
          path: ["logstash", "http", "port"],
          input: c.logstash.http.port,
          message: "clashes with logstash.gelfPort: each published port must be different",
        });
      if (!es.endpoint && !es.cloudId)
        ctx.addIssue({
          code: "custom",
          path: ["elasticsearch", "endpoint"],
          input: es.endpoint,
          message: "external mode needs elasticsearch.endpoint or elasticsearch.cloudId",
        });
      if (es.endpoint && es.cloudId)
        ctx.addIssue({
          code: "custom",
          path: ["elasticsearch", "cloudId"],
          input: es.cloudId,
          message: "set elasticsearch.endpoint or elasticsearch.cloudId, not both",
        });
      if (!c.grafana.url)
        ctx.addIssue({
          code: "custom",
          path: ["grafana", "url"],
          input: c.grafana.url,
          message: "external mode needs grafana.url",
        });
      // The existing Grafana's own SMTP settings and plugins apply; the stack does not touch them.
      for (const key of ["smtp", "infinityPluginUrl"] as const)
        if (c.grafana[key] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["grafana", key],
            input: c.grafana[key],
            message: "only used in docker mode (an external Grafana keeps its own settings and plugins)",
          });
    } else {
      for (const key of ["endpoint", "cloudId"] as const)
        if (es[key] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["elasticsearch", key],
            input: es[key],
            message: "only used in external mode (mode is docker)",
          });
      if (c.grafana.url !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["grafana", "url"],
          input: c.grafana.url,
          message: "only used in external mode (mode is docker)",
        });
      if (c.grafana.alert.contact.type === "email" && c.grafana.smtp === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["grafana", "alert", "contact", "type"],
          input: "email",
          message:
            "needs grafana.smtp in docker mode: Grafana's SMTP is off by default, so no alert e-mail could be delivered",
        });
      if (es.replicas !== undefined && es.replicas >= es.nodes)
        ctx.addIssue({
          code: "custom",
          path: ["elasticsearch", "replicas"],
          input: es.replicas,
          message: `must be less than elasticsearch.nodes (${es.nodes}): a replica never sits on its primary's node, so the cluster would stay yellow`,
        });
      // Every port the stack publishes on the host must be distinct.
      const published: [string, number][] = [
        ["elasticsearch.port", es.port],
        ["logstash.gelfPort", c.logstash.gelfPort],
        ...(c.logstash.http.enabled
          ? ([["logstash.http.port", c.logstash.http.port]] as [string, number][])
          : []),
        ["grafana.port", c.grafana.port],
        ...(c.kibana.enabled ? ([["kibana.port", c.kibana.port]] as [string, number][]) : []),
      ];
      const seen = new Map<number, string>();
      for (const [key, value] of published) {
        const other = seen.get(value);
        if (other)
          ctx.addIssue({
            code: "custom",
            path: key.split("."),
            input: value,
            message: `clashes with ${other}: each published port must be different`,
          });
        else seen.set(value, key);
      }
    }
  });

/** The kibana.* rules that depend on the mode and on elasticsearch.*. */
function kibanaIssues(
  c: {
    mode: "docker" | "external";
    kibana: z.output<typeof kibana>;
    elasticsearch: z.output<typeof elasticsearch>;
  },
  ctx: z.RefinementCtx,
): void {
  const k = c.kibana;
  const issue = (path: string[], input: unknown, message: string) =>
    ctx.addIssue({ code: "custom", path, input, message });
  if (c.mode === "docker") {
    if (k.url !== undefined) issue(["kibana", "url"], k.url, "only used in external mode (mode is docker)");
    const line = (v: string) => v.split(".").slice(0, 2).join(".");
    if (line(k.version) !== line(c.elasticsearch.version))
      issue(
        ["kibana", "version"],
        k.version,
        `must be on the line of elasticsearch.version (${line(c.elasticsearch.version)}.x): Kibana refuses a cluster of another minor`,
      );
    return;
  }
  const cloudId = c.elasticsearch.cloudId;
  if (k.url !== undefined && cloudId !== undefined)
    issue(
      ["kibana", "url"],
      k.url,
      "set kibana.url or elasticsearch.cloudId, not both (the cloud id names its Kibana)",
    );
  else if (k.url === undefined && cloudId === undefined)
    issue(["kibana", "url"], k.url, "external mode needs kibana.url or elasticsearch.cloudId");
  else if (cloudId !== undefined) {
    try {
      cloudIdToKibanaUrl(cloudId);
    } catch (e) {
      issue(["elasticsearch", "cloudId"], cloudId, (e as Error).message);
    }
  }
}

export type StackConfig = z.output<typeof configSchema>;
export type StackConfigInput = z.input<typeof configSchema>;
