import { Testing } from "cdktf";
import { parseConfig, type StackConfigInput } from "../../config";
import { AnalyticsStack } from "../../app/analytics-stack";
import { STACK_NAME } from "../../app/app-support";
import { KUBERNETES_CONFIGS } from "./kubernetes";

/** Terraform JSON as cdktf synthesizes it. */
export interface TfJson {
  terraform: Record<string, unknown>;
  provider: Record<string, Record<string, unknown>[]>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  variable?: Record<string, Record<string, unknown>>;
  output?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** Synthesizes the stack in-process for a config (defaults when empty). */
export function synthStack(input: StackConfigInput = {}): TfJson {
  const app = Testing.app();
  const stack = new AnalyticsStack(app, STACK_NAME, {
    config: parseConfig(input),
    localStatePath: `../../../terraform.${STACK_NAME}.tfstate`,
  });
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

/** All resources of one type, keyed by their logical id (construct path joined by _, plus a hash). */
export function resourcesOf(tf: TfJson, type: string): Record<string, Record<string, unknown>> {
  return tf.resource[type] ?? {};
}

/** The single resource at a construct path below the stack, e.g. `Elasticsearch/Events/Index`. */
export function resourceAt(tf: TfJson, type: string, path: string): Record<string, unknown> {
  const prefix = path.split("/").join("_");
  const all = resourcesOf(tf, type);
  const keys = Object.keys(all).filter((k) => k === prefix || new RegExp(`^${prefix}_[0-9A-F]{8}$`).test(k));
  if (keys.length !== 1)
    throw new Error(`expected one ${type} at ${path}; have: ${Object.keys(all).join(", ")}`);
  return all[keys[0]];
}

export const CONFIGS: Record<string, StackConfigInput> = {
  docker: {},
  threeNodes: { elasticsearch: { nodes: 3 } },
  external: {
    mode: "external",
    elasticsearch: { endpoint: "https://es.example.com:9243" },
    grafana: { url: "https://grafana.example.com" },
    // A self-managed cluster has no repository the stack could assume.
    backups: { repository: { type: "existing", name: "backups" } },
  },
  elasticCloud: {
    mode: "external",
    elasticsearch: {
      cloudId: `analytics:${Buffer.from("europe-west1.gcp.cloud.es.io:443$abc123def456$kib789").toString("base64")}`,
    },
    grafana: { url: "https://grafana.example.com" },
  },
};

/**
 * Every configuration the project ships or documents: the snapshotted CONFIGS plus the
 * alert contacts README documents (webhook, e-mail), which change the synthesized stack.
 */
export const SHIPPED_CONFIGS: Record<string, StackConfigInput> = {
  ...CONFIGS,
  // Backups variants ride on configs the Terraform check runs anyway (no new Terraform runs).
  webhookAlert: { grafana: { alert: { contact: { type: "webhook" } } }, backups: { enabled: false } },
  emailAlert: {
    grafana: {
      smtp: { host: "smtp.example.com:587", user: "alerts", fromAddress: "grafana@example.com" },
      alert: { contact: { type: "email", addresses: ["ops@example.com"] } },
    },
    backups: {
      schedule: "0 0 3 ? * SUN",
      repository: { type: "s3", bucket: "analytics-snapshots", basePath: "elk" },
    },
  },
  dockerKibana: {
    kibana: { enabled: true },
    backups: {
      retentionDays: 7,
      repository: { type: "gcs", bucket: "analytics-snapshots", client: "backups" },
    },
  },
  elasticCloudKibana: {
    ...CONFIGS.elasticCloud,
    kibana: { enabled: true },
    backups: { repository: { type: "azure", bucket: "snapshots", basePath: "elk" } },
  },
  ...KUBERNETES_CONFIGS,
};
