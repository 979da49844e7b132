import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  RUBY_LIBRARY_SOURCE,
  apiLogRubyLibrary,
  type ApiLogPipelineParams,
} from "../../constructs/logstash/pipeline";
import {
  MONOLOG_LEVELS,
  REDACTED,
  REDACTED_SUBTREES,
  SECRET_KEYS,
  SESSION_TOKEN_HEADER,
  SYSLOG_LEVEL_NAMES,
} from "../../contract/fields";

/**
 * The redaction library where the harness can load it: the same text the container
 * uploads, written to a temporary file (the filter requires it by absolute path).
 */
export const LOCAL_RUBY_LIBRARY = join(
  tmpdir(),
  `elk-filters-${createHash("sha256").update(RUBY_LIBRARY_SOURCE).digest("hex").slice(0, 16)}.rb`,
);
writeFileSync(LOCAL_RUBY_LIBRARY, RUBY_LIBRARY_SOURCE);

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
  rubyLibraryPath: LOCAL_RUBY_LIBRARY,
  redaction: STACK_REDACTION,
  levels: { syslog: SYSLOG_LEVEL_NAMES, monolog: MONOLOG_LEVELS },
  outputHosts: ["https://es01:9200"],
  caCertPath: "/usr/share/logstash/config/certs/http_ca.crt",
  apiKeyEnvVar: "LOGSTASH_ES_API_KEY",
  indexPrefix: "dreamfactory-logs",
  responseTime: { enabled: false, sourceField: "[event][response][duration_ms]" },
};

export const HTTP_INPUT = { port: 8080, user: "dreamfactory", passwordEnvVar: "LOGSTASH_HTTP_PASSWORD" };

/**
 * Pipeline parameters whose Ruby library (apiLogRubyLibrary) is written where the harness
 * can require it: a temporary file named by the parameters, so runs never collide.
 */
export function withLocalLibrary(params: ApiLogPipelineParams): ApiLogPipelineParams {
  // Named by the library's text too: worktrees share the temporary directory, and the same
  // parameters with another branch's library must not overwrite this one mid-run.
  const key = createHash("sha256")
    .update(JSON.stringify(params))
    .update(apiLogRubyLibrary(params))
    .digest("hex")
    .slice(0, 16);
  const local = { ...params, rubyLibraryPath: join(tmpdir(), `elk-filters-${key}.rb`) };
  writeFileSync(local.rubyLibraryPath, apiLogRubyLibrary(local));
  return local;
}
