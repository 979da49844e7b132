import type { StackConfigInput } from "../../config";

/** The kubernetes-mode configs the tests synthesize: the minimal one README documents, and with Kibana. */
export const KUBERNETES_CONFIGS = {
  kubernetes: {
    mode: "kubernetes",
    kubernetes: {
      elasticsearchUrl: "https://es.example.com:9200",
      grafanaUrl: "https://grafana.example.com",
    },
  },
  kubernetesKibana: {
    mode: "kubernetes",
    kubernetes: {
      elasticsearchUrl: "https://es.example.com:9200",
      grafanaUrl: "https://grafana.example.com",
      kibanaUrl: "https://kibana.example.com",
    },
    kibana: { enabled: true },
    // An object store: its credentials reach the keystore through a secret.
    backups: { repository: { type: "s3", bucket: "elk-snapshots" } },
  },
} satisfies Record<string, StackConfigInput>;
