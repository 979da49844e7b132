import type { ApiLogPipelineParams } from "../../constructs/logstash/pipeline";
import {
  MONOLOG_LEVELS,
  REDACTED,
  REDACTED_SUBTREES,
  SECRET_KEYS,
  SESSION_TOKEN_HEADER,
  SYSLOG_LEVEL_NAMES,
} from "../../constructs/elasticsearch/fields";

/** The redaction the stack configures, from the contract module. */
export const STACK_REDACTION: ApiLogPipelineParams["redaction"] = {
  ...SECRET_KEYS,
  subtrees: REDACTED_SUBTREES.map((p) => `[${p.split(".").join("][")}]`),
  marker: REDACTED,
};

/** Pipeline parameters as the stack sets them (http input off), for the pipeline tests. */
export const PIPELINE_PARAMS: ApiLogPipelineParams = {
  gelfPort: 12201,
  logType: "dreamfactory",
  logSource: "dreamfactory",
  sessionTokenHeader: SESSION_TOKEN_HEADER,
  redaction: STACK_REDACTION,
  levels: { syslog: SYSLOG_LEVEL_NAMES, monolog: MONOLOG_LEVELS },
  outputHosts: ["https://es01:9200"],
  caCertPath: "/usr/share/logstash/config/certs/http_ca.crt",
  apiKeyEnvVar: "LOGSTASH_ES_API_KEY",
  indexPrefix: "dreamfactory-logs",
  responseTime: { enabled: false, sourceField: "[event][response][duration_ms]" },
};

export const HTTP_INPUT = { port: 8080, user: "dreamfactory", passwordEnvVar: "LOGSTASH_HTTP_PASSWORD" };
