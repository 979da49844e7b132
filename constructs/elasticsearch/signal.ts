import type { ElasticsearchConnection } from "./cluster";

/** Datafly Signal's Elasticsearch integration: `endpoint` or, on Elastic Cloud, `cloud_id`. */
export type SignalIntegrationConfig = ({ readonly endpoint: string } | { readonly cloud_id: string }) & {
  readonly index: string;
  readonly api_key: string;
};

/** Body of Signal's `POST /v1/admin/integration-catalog/elasticsearch/install` (DESIGN.md §1.1). */
export interface SignalIntegrationBody {
  readonly name: string;
  readonly variant: "default";
  readonly config: SignalIntegrationConfig;
  readonly delivery_mode: "server_side";
}

export interface SignalIntegrationInput {
  readonly cluster: Pick<ElasticsearchConnection, "cloudId" | "publicEndpoint">;
  /** The index Signal writes into. */
  readonly index: string;
  /** `encoded` form of the writer key (it holds the secret: output it as sensitive). */
  readonly apiKeyEncoded: string;
  /** Integration name shown in Signal. @default "Elasticsearch" */
  readonly name?: string;
}

/** The install body for a cluster, an index and a writer key; cloud_id replaces endpoint on Elastic Cloud. */
export function signalIntegrationBody(input: SignalIntegrationInput): SignalIntegrationBody {
  const target = input.cluster.cloudId
    ? { cloud_id: input.cluster.cloudId }
    : { endpoint: input.cluster.publicEndpoint };
  return {
    name: input.name ?? "Elasticsearch",
    variant: "default",
    config: { ...target, index: input.index, api_key: input.apiKeyEncoded },
    delivery_mode: "server_side",
  };
}
