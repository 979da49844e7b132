import { secretRef, type Statement } from "./model";

/** What every pipeline's elasticsearch output shares: verified TLS, an API key, the stack's own templates. */
export interface ElasticsearchOutputParams {
  /** `https://` URLs of the Elasticsearch nodes. */
  readonly hosts: readonly string[];
  /** CA certificate path in the container; undefined for a publicly trusted cluster. */
  readonly caCertPath: string | undefined;
  /** Variable holding the API key as `id:api_key`. */
  readonly apiKeyEnvVar: string;
  /** Index, a sprintf format such as `prefix-%{+YYYY.MM.dd}`. */
  readonly index: string;
}

export function elasticsearchOutput(params: ElasticsearchOutputParams): Statement {
  return {
    plugin: "elasticsearch",
    settings: {
      hosts: [...params.hosts],
      ssl_enabled: true,
      ...(params.caCertPath === undefined ? {} : { ssl_certificate_authorities: [params.caCertPath] }),
      ssl_verification_mode: "full",
      api_key: secretRef(params.apiKeyEnvVar),
      index: params.index,
      // Bulk "create" is the only operation the create_doc index privilege allows.
      action: "create",
      // The stack owns the index template and lifecycle policy; the output must not.
      data_stream: false,
      ilm_enabled: false,
      manage_template: false,
    },
  };
}
