import {
  apiLogRubyLibrary,
  buildApiLogPipeline,
  dailyIndexName,
  type ApiLogPipelineParams,
} from "./pipeline";
import type { LogstashPipeline } from "./container";
import { LOGSTASH_PATHS } from "./settings";

/** Environment variable the pipeline reads the API key from (`${LOGSTASH_ES_API_KEY}`). */
export const API_KEY_ENV = "LOGSTASH_ES_API_KEY";

/** Environment variable holding the http input's basic-auth password. */
export const HTTP_PASSWORD_ENV = "LOGSTASH_HTTP_PASSWORD";

/** User the gateway authenticates as on the http input. */
export const HTTP_USER = "dreamfactory";

export type DreamFactoryPipelineParams = Omit<
  ApiLogPipelineParams,
  "apiKeyEnvVar" | "caCertPath" | "http" | "rubyLibraryPath"
> & {
  /** Port of an http input for df-logger's `http` protocol. @default none */
  readonly httpPort?: number;
  /** Whether the cluster's CA is uploaded (at LOGSTASH_PATHS.caCert). */
  readonly withCaCert: boolean;
};

/** The DreamFactory API-log pipeline for {@link Logstash}, with what it needs from the container. */
export interface DreamFactoryPipeline extends LogstashPipeline {
  /** A daily index name as the output writes it, for cross-component checks (datasource patterns). */
  readonly sampleIndex: string;
  /** `httpAuth` for the Logstash construct when the http input is on. */
  readonly httpAuth?: { readonly user: string; readonly envVar: string; readonly port: number };
  /** The env variable the pipeline reads the `id:api_key` of its writer key from. */
  readonly apiKeyEnvVar: string;
}

/** GELF over UDP (and optionally df-logger's http protocol) normalized into daily indices. */
export function dreamFactoryPipeline(params: DreamFactoryPipelineParams): DreamFactoryPipeline {
  const { httpPort, withCaCert, ...rest } = params;
  const full: ApiLogPipelineParams = {
    ...rest,
    rubyLibraryPath: LOGSTASH_PATHS.rubyLibrary,
    caCertPath: withCaCert ? LOGSTASH_PATHS.caCert : undefined,
    apiKeyEnvVar: API_KEY_ENV,
    http:
      httpPort === undefined
        ? undefined
        : { port: httpPort, user: HTTP_USER, passwordEnvVar: HTTP_PASSWORD_ENV },
  };
  return {
    model: buildApiLogPipeline(full),
    files: [{ path: LOGSTASH_PATHS.rubyLibrary, content: apiLogRubyLibrary(full) }],
    ports: [
      { port: params.gelfPort, protocol: "udp" },
      ...(httpPort !== undefined ? [{ port: httpPort, protocol: "tcp" as const }] : []),
    ],
    sampleIndex: dailyIndexName(params.indexPrefix, new Date(Date.UTC(2001, 1, 3))),
    ...(httpPort !== undefined
      ? { httpAuth: { user: HTTP_USER, envVar: HTTP_PASSWORD_ENV, port: httpPort } }
      : {}),
    apiKeyEnvVar: API_KEY_ENV,
  };
}
