import { createHash } from "node:crypto";
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Container, type ContainerPorts, type ContainerUpload } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { healthcheck, terraformLiteral } from "../docker/common";
import {
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

export interface LogstashProps {
  readonly namePrefix: string;
  readonly networkName: string;
  /** Pinned image version. */
  readonly version: string;
  readonly heap: string;
  readonly queueMaxBytes: string;
  readonly bindAddress: string;
  /** Pipeline inputs that come from config and the other components. */
  readonly pipeline: Omit<ApiLogPipelineParams, "apiKeyEnvVar" | "caCertPath">;
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

  constructor(scope: Construct, id: string, props: LogstashProps) {
    super(scope, id);
    const name = `${props.namePrefix}-logstash`;
    const caCertPath = props.caCertPem !== undefined ? LOGSTASH_PATHS.caCert : undefined;
    this.sampleIndex = dailyIndexName(props.pipeline.indexPrefix, new Date(Date.UTC(2001, 1, 3)));
    this.pipelineText = renderPipeline(
      buildApiLogPipeline({ ...props.pipeline, caCertPath, apiKeyEnvVar: API_KEY_ENV }),
    );

    const env: Record<string, string> = {
      LS_JAVA_OPTS: `-Xms${props.heap} -Xmx${props.heap}`,
      [API_KEY_ENV]: props.apiKey,
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
        content: terraformLiteral(renderLogstashSettings({ queueMaxBytes: props.queueMaxBytes })),
      },
      { file: LOGSTASH_PATHS.pipelines, content: terraformLiteral(renderPipelinesYml()) },
      { file: LOGSTASH_PATHS.pipeline, content: terraformLiteral(this.pipelineText) },
    ];
    if (props.caCertPem !== undefined)
      uploads.push({ file: LOGSTASH_PATHS.caCert, content: props.caCertPem });

    const gelf = props.pipeline.gelfPort;
    const ports: ContainerPorts[] = [
      { internal: gelf, external: gelf, protocol: "udp", ip: props.bindAddress },
    ];
    if (props.pipeline.gelfTcp)
      ports.push({ internal: gelf, external: gelf, protocol: "tcp", ip: props.bindAddress });

    this.container = new Container(this, "Container", {
      name,
      hostname: name,
      image: image.imageId,
      restart: "unless-stopped",
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      upload: uploads,
      volumes: [{ volumeName: data.name, containerPath: LOGSTASH_PATHS.data }],
      networksAdvanced: [{ name: props.networkName, aliases: [name] }],
      ports,
      // A short, readable fingerprint in `cdktf diff` next to the full pipeline text.
      labels: [{ label: "elk-grafana-cdktf.pipeline-sha256", value: sha256(this.pipelineText) }],
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
