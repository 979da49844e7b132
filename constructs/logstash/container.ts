import { createHash } from "node:crypto";
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Container, type ContainerPorts, type ContainerUpload } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Password } from "@cdktf/provider-random/lib/password";
import { healthcheck, jvmSizeMb, terraformLiteral } from "../docker/common";
import {
  apiLogRubyLibrary,
  dailyIndexName,
  buildApiLogPipeline,
  extractEnvReferences,
  renderPipeline,
  type ApiLogPipelineParams,
} from "./pipeline";
import {
  LOGSTASH_PATHS,
  MONITORING_PORT,
  PIPELINE_ID,
  renderLogstashSettings,
  renderPipelinesYml,
} from "./settings";

/** Environment variable the pipeline reads the API key from (`${LOGSTASH_ES_API_KEY}`). */
export const API_KEY_ENV = "LOGSTASH_ES_API_KEY";

/** Environment variable holding the http input's basic-auth password. */
export const HTTP_PASSWORD_ENV = "LOGSTASH_HTTP_PASSWORD";

/** User the gateway authenticates as on the http input. */
export const HTTP_USER = "dreamfactory";

export interface LogstashProps {
  readonly namePrefix: string;
  readonly networkName: string;
  /** Pinned image version. */
  readonly version: string;
  readonly heap: string;
  /** Container memory limit in MB; must leave at least 512 MB beside the heap. */
  readonly memoryLimitMb: number;
  readonly queueMaxBytes: string;
  readonly bindAddress: string;
  /** Pipeline inputs that come from config and the other components. */
  readonly pipeline: Omit<ApiLogPipelineParams, "apiKeyEnvVar" | "caCertPath" | "http" | "rubyLibraryPath">;
  /** Port of the http input (df-logger's `http` protocol); undefined for none. */
  readonly httpPort?: number;
  /** CA of the cluster; undefined when the cluster is publicly trusted. */
  readonly caCertPem?: string;
  /** The logstash_writer key as `id:api_key`. */
  readonly apiKey: string;
  /** The healthy cluster and the key. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * Logstash with the generated pipeline: files uploaded into the container (no host
 * paths), persistent queue and dead letter queue on a protected volume, a healthcheck on
 * the monitoring API. A changed pipeline replaces the container, so `cdktf deploy` rolls it.
 */
export class Logstash extends Construct {
  /** The rendered pipeline (plain text, as Logstash reads it). */
  readonly pipelineText: string;
  /** A daily index name as the pipeline's output writes it, for cross-component checks. */
  readonly sampleIndex: string;
  readonly container: Container;
  /** Basic-auth credentials of the http input, when it is enabled. */
  readonly http?: { readonly port: number; readonly user: string; readonly password: string };

  constructor(scope: Construct, id: string, props: LogstashProps) {
    super(scope, id);
    const name = `${props.namePrefix}-logstash`;
    const caCertPath = props.caCertPem !== undefined ? LOGSTASH_PATHS.caCert : undefined;
    this.sampleIndex = dailyIndexName(props.pipeline.indexPrefix, new Date(Date.UTC(2001, 1, 3)));
    const heapMb = jvmSizeMb(props.heap);
    if (!Number.isInteger(props.memoryLimitMb) || props.memoryLimitMb < heapMb + 512) {
      throw new Error(
        `${this.node.path}: memoryLimitMb = ${props.memoryLimitMb} must be an integer >= heap + 512 (${heapMb + 512})`,
      );
    }
    // URL-safe: df-logger's http logger can only carry it in the URL's userinfo.
    const httpPassword =
      props.httpPort === undefined
        ? undefined
        : new Password(this, "HttpPassword", { length: 32, special: false });
    this.http =
      httpPassword && props.httpPort !== undefined
        ? { port: props.httpPort, user: HTTP_USER, password: httpPassword.result }
        : undefined;
    const pipelineParams: ApiLogPipelineParams = {
      ...props.pipeline,
      rubyLibraryPath: LOGSTASH_PATHS.rubyLibrary,
      caCertPath,
      apiKeyEnvVar: API_KEY_ENV,
      http:
        props.httpPort === undefined
          ? undefined
          : { port: props.httpPort, user: HTTP_USER, passwordEnvVar: HTTP_PASSWORD_ENV },
    };
    this.pipelineText = renderPipeline(buildApiLogPipeline(pipelineParams));
    const rubyLibrary = apiLogRubyLibrary(pipelineParams);

    const env: Record<string, string> = {
      LS_JAVA_OPTS: `-Xms${props.heap} -Xmx${props.heap}`,
      [API_KEY_ENV]: props.apiKey,
      ...(httpPassword ? { [HTTP_PASSWORD_ENV]: httpPassword.result } : {}),
    };
    const missing = extractEnvReferences(this.pipelineText).filter((v) => !(v in env));
    if (missing.length > 0) {
      throw new Error(
        `${this.node.path}: the pipeline references ${missing.map((v) => `\${${v}}`).join(", ")}, which the container does not set`,
      );
    }

    const image = new Image(this, "Image", {
      name: `docker.elastic.co/logstash/logstash:${props.version}`,
      keepLocally: true,
    });
    const data = new Volume(this, "Data", { name: `${name}-data`, lifecycle: { preventDestroy: true } });

    const uploads: ContainerUpload[] = [
      {
        file: LOGSTASH_PATHS.settings,
        content: terraformLiteral(renderLogstashSettings({ queueMaxBytes: props.queueMaxBytes, heapMb })),
      },
      { file: LOGSTASH_PATHS.pipelines, content: terraformLiteral(renderPipelinesYml()) },
      { file: LOGSTASH_PATHS.pipeline, content: terraformLiteral(this.pipelineText) },
      { file: LOGSTASH_PATHS.rubyLibrary, content: terraformLiteral(rubyLibrary) },
    ];
    if (props.caCertPem !== undefined)
      uploads.push({ file: LOGSTASH_PATHS.caCert, content: props.caCertPem });

    const gelf = props.pipeline.gelfPort;
    const ports: ContainerPorts[] = [
      { internal: gelf, external: gelf, protocol: "udp", ip: props.bindAddress },
    ];
    if (props.httpPort !== undefined)
      ports.push({
        internal: props.httpPort,
        external: props.httpPort,
        protocol: "tcp",
        ip: props.bindAddress,
      });

    this.container = new Container(this, "Container", {
      name,
      hostname: name,
      image: image.imageId,
      restart: "unless-stopped",
      // Equal: the docker provider reads memory without memory_swap back as twice the memory.
      memory: props.memoryLimitMb,
      memorySwap: props.memoryLimitMb,
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      upload: uploads,
      volumes: [{ volumeName: data.name, containerPath: LOGSTASH_PATHS.data }],
      networksAdvanced: [{ name: props.networkName, aliases: [name] }],
      ports,
      // A short, readable fingerprint in `cdktf diff` next to the full pipeline text.
      labels: [
        {
          label: "elk-grafana-cdktf.pipeline-sha256",
          value: sha256(this.pipelineText + rubyLibrary),
        },
      ],
      healthcheck: healthcheck(
        `curl -fsS http://127.0.0.1:${MONITORING_PORT}/_node/pipelines/${PIPELINE_ID} | grep -q '"${PIPELINE_ID}"'`,
        { startPeriodSeconds: 60 },
      ),
      wait: true,
      waitTimeout: 300,
      // Lets the persistent queue checkpoint cleanly on stop.
      destroyGraceSeconds: 60,
      dependsOn: props.dependsOn,
    });
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
