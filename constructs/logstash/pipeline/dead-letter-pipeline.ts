import { dailyIndexFormat } from "./default-pipeline";
import { elasticsearchOutput } from "./elasticsearch-output";
import { fieldRefString, field, hash, type PipelineModel } from "./model";

/**
 * The dead-letter pipeline: reads what another pipeline's elasticsearch output dead-lettered
 * and writes each document, with why and where it failed, into its own daily indices.
 */
export interface DeadLetterPipelineParams {
  /** path.dead_letter_queue of the Logstash instance (the input appends `/<pipelineId>`). */
  readonly queuePath: string;
  /** The pipeline whose dead letter queue is read. */
  readonly pipelineId: string;
  /** Field the failure details are written under, e.g. `dead_letter`. */
  readonly targetField: string;
  readonly outputHosts: readonly string[];
  readonly caCertPath: string | undefined;
  readonly apiKeyEnvVar: string;
  /** Daily indices `<indexPrefix>-YYYY.MM.dd`. */
  readonly indexPrefix: string;
}

/**
 * What logstash-input-dead_letter_queue sets on each event it reads
 * (lib/logstash/inputs/dead_letter_queue.rb, v2.0.1; Logstash 8.19 bundles 2.0.x).
 */
export const DEAD_LETTER_METADATA = ["reason", "plugin_id", "plugin_type", "entry_time"] as const;

export function buildDeadLetterPipeline(params: DeadLetterPipelineParams): PipelineModel {
  for (const [name, value] of [
    ["queuePath", params.queuePath],
    ["caCertPath", params.caCertPath ?? "/"],
  ] as const) {
    if (!value.startsWith("/"))
      throw new Error(`dead-letter pipeline: ${name} = ${JSON.stringify(value)}: must be an absolute path`);
  }
  if (!/^[a-z0-9_-]+$/.test(params.pipelineId))
    throw new Error(
      `dead-letter pipeline: pipelineId = ${JSON.stringify(params.pipelineId)}: must be [a-z0-9_-]+`,
    );
  const target = (name: string) => fieldRefString(field(params.targetField, name));
  return {
    input: [
      {
        plugin: "dead_letter_queue",
        settings: {
          path: params.queuePath,
          pipeline_id: params.pipelineId,
          // Offsets survive a restart (sincedb under path.data); a document is indexed once.
          commit_offsets: true,
        },
      },
    ],
    filter: [
      {
        plugin: "mutate",
        settings: {
          // @metadata is never indexed: copy the failure details into the document.
          copy: hash(
            ...DEAD_LETTER_METADATA.map(
              (name) =>
                [fieldRefString(field("@metadata", "dead_letter_queue", name)), target(name)] as const,
            ),
          ),
          add_field: hash([target("pipeline_id"), params.pipelineId]),
        },
      },
    ],
    output: [
      elasticsearchOutput({
        hosts: params.outputHosts,
        caCertPath: params.caCertPath,
        apiKeyEnvVar: params.apiKeyEnvVar,
        index: dailyIndexFormat(params.indexPrefix),
      }),
    ],
  };
}
