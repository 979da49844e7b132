import { jwtUserIdRubyCode, jwtUserIdRubyInit, rubyStringLiteral } from "./jwt-user-id";
import { RUBY_LIBRARY_SOURCE } from "./ruby-library";
import {
  TRANSPORT_FIELD,
  TRANSPORT_HTTP,
  ecsHostRubyCode,
  levelRubyCode,
  redactRubyFilter,
  responseStatusRubyCode,
  stripUnderscoreRubyCode,
  type RedactionParams,
  type RubyFilter,
} from "./normalize";
import { elasticsearchOutput } from "./elasticsearch-output";
import { TRANSPORT_GELF, gelfDecoderRubyFilter, gelfInputs } from "./gelf";
import { GELF_RUBY_SOURCE } from "./gelf-ruby";
import {
  field,
  fieldRefString,
  hash,
  parseFieldRef,
  secretRef,
  type PipelineModel,
  type Statement,
} from "./model";

/** Everything the API log pipeline depends on; defaults live in config/schema.ts. */
export interface ApiLogPipelineParams {
  /** GELF input port (UDP only: df-logger's GelfLogger sends nothing else). */
  readonly gelfPort: number;
  /**
   * The full-size path: an `http` input for df-logger's `http` protocol (raw JSON, no size
   * limit of its own), with HTTP basic authentication; undefined for none.
   */
  readonly http?: {
    readonly port: number;
    readonly user: string;
    /** Variable (environment or keystore) holding the password. */
    readonly passwordEnvVar: string;
  };
  /** `type` given to GELF events and tested by the filter, e.g. "dreamfactory". */
  readonly logType: string;
  /** Value written to `log_source`. */
  readonly logSource: string;
  /** Request header holding the session JWT, e.g. "x-dreamfactory-session-token". */
  readonly sessionTokenHeader: string;
  /** Absolute path of RUBY_LIBRARY_SOURCE in the Logstash container (the JWT and redaction filters load it). */
  readonly rubyLibraryPath: string;
  /** What is a credential and where it is redacted (after the JWT is read). */
  readonly redaction: RedactionParams;
  /** Level names by syslog number (index) and by Monolog number. */
  readonly levels: {
    readonly syslog: readonly string[];
    readonly monolog: Readonly<Record<number, string>>;
  };
  /** `https://` URLs of the Elasticsearch nodes. */
  readonly outputHosts: readonly string[];
  /**
   * Path of the cluster's CA certificate inside the Logstash container; undefined for a
   * publicly trusted cluster (the JVM's trust store then verifies it, still in full mode).
   */
  readonly caCertPath: string | undefined;
  /** Variable (environment or keystore) holding the API key as `id:api_key`. */
  readonly apiKeyEnvVar: string;
  /** Daily indices are `<indexPrefix>-YYYY.MM.dd`. */
  readonly indexPrefix: string;
  readonly responseTime: {
    readonly enabled: boolean;
    /** Field reference such as `[event][response][duration_ms]`. */
    readonly sourceField: string;
  };
}

/** The output's daily index, as a Logstash sprintf format on the event's @timestamp (UTC). */
export function dailyIndexFormat(indexPrefix: string): string {
  return `${indexPrefix}-%{+YYYY.MM.dd}`;
}

/** The index the output writes for a given day, e.g. for cross-component checks. */
export function dailyIndexName(indexPrefix: string, day: Date): string {
  const iso = day.toISOString();
  return dailyIndexFormat(indexPrefix).replace(
    "%{+YYYY.MM.dd}",
    `${iso.slice(0, 4)}.${iso.slice(5, 7)}.${iso.slice(8, 10)}`,
  );
}

/** Added to `tags` when the response-time field exists but is not a finite number. */
export const RESPONSE_MS_FAILURE_TAG = "_response_ms_failure";

/** The `code` of the ruby filter that writes `[response_ms]` as a float, or tags the event. */
export function responseMsRubyCode(sourceField: string): string {
  const source = rubyStringLiteral(fieldRefString(parseFieldRef(sourceField)));
  return `begin
  raw = event.get(${source})
  unless raw.nil?
    ms = raw.is_a?(::String) ? Float(raw.strip) : raw
    raise ::TypeError, 'duration is not a number' unless ms.is_a?(::Numeric) && ms.to_f.finite?
    event.set('[response_ms]', ms.to_f)
  end
rescue ::StandardError
  event.tag(${rubyStringLiteral(RESPONSE_MS_FAILURE_TAG)})
end
`;
}

const rubyStatement = (f: RubyFilter): Statement => ({
  plugin: "ruby",
  settings: { ...(f.init === undefined ? {} : { init: f.init }), code: f.code },
});

function check(ok: boolean, param: string, value: unknown, rule: string): void {
  if (!ok) throw new Error(`buildApiLogPipeline: ${param} = ${JSON.stringify(value)} ${rule}`);
}

/** One step of a compiled filter: a method name and the filter code it runs. */
export type RubyStep = readonly [method: string, filter: RubyFilter];

/** The compiled class of one ruby filter: the steps' inits, then a method per step. */
export function compiledRubyClass(name: string, steps: readonly RubyStep[]): string {
  if (steps.length === 1 && steps[0][0] === "filter") {
    const [[, f]] = steps;
    return `    class ${name}\n      def initialize\n${f.init ?? ""}\n      end\n\n      def filter(event)\n${f.code}\n      end\n    end\n`;
  }
  const inits = steps.map(([, f]) => f.init ?? "").join("\n");
  const calls = steps.map(([m]) => `        ${m}(view)\n`).join("");
  const methods = steps.map(([m, f]) => `\n      def ${m}(event)\n${f.code}\n      end\n`).join("");
  // One read of [event] for all steps, one write-back of what they changed (EventView).
  return `    class ${name}
      def initialize
${inits}
      end

      def filter(event)
        view = ::ElkGrafanaCdktf::EventView.new(event)
${calls}        view.flush
      end

      private
${methods}    end
`;
}

/**
 * The pipeline and the Ruby library its ruby filters load. Each filter's code becomes a
 * method of a class in the library, and the ruby filter only creates one and calls it:
 * JRuby compiles methods of a loaded file, while the filter's own \`code\` and \`init\`
 * strings are eval'd and stay interpreted, several times slower (\`npm run bench\`).
 */
function build(params: ApiLogPipelineParams): { model: PipelineModel; library: string } {
  const classes: string[] = [];
  const ruby = (name: string, steps: readonly RubyStep[]): Statement => {
    classes.push(compiledRubyClass(name, steps));
    return {
      plugin: "ruby",
      settings: {
        init: `require ${rubyStringLiteral(params.rubyLibraryPath)}\n@filter = ::ElkGrafanaCdktf::Compiled::${name}.new`,
        code: "@filter.filter(event)",
      },
    };
  };
  const model = buildModel(params, ruby);
  const library = `${RUBY_LIBRARY_SOURCE}${GELF_RUBY_SOURCE}
# The pipeline's filters (constructs/logstash/pipeline/default-pipeline.ts).
module ElkGrafanaCdktf
  module Compiled
${classes.join("\n")}  end
end
`;
  return { model, library };
}

/** GELF over UDP (and optionally http) in, the DESIGN.md §1.2/§1.3 filters, daily indices out. */
export function buildApiLogPipeline(params: ApiLogPipelineParams): PipelineModel {
  return build(params).model;
}

/** The Ruby file the pipeline's filters require, to be uploaded at `params.rubyLibraryPath`. */
export function apiLogRubyLibrary(params: ApiLogPipelineParams): string {
  return build(params).library;
}

function buildModel(
  params: ApiLogPipelineParams,
  ruby: (name: string, steps: readonly RubyStep[]) => Statement,
): PipelineModel {
  const { gelfPort, outputHosts, indexPrefix, logSource, caCertPath } = params;
  check(
    Number.isInteger(gelfPort) && gelfPort >= 1 && gelfPort <= 65535,
    "gelfPort",
    gelfPort,
    "must be 1..65535",
  );
  check(outputHosts.length > 0, "outputHosts", outputHosts, "must not be empty");
  for (const host of outputHosts) {
    // The API key travels with every request: never over plain http.
    check(/^https:\/\/[^\s/]+/.test(host), "outputHosts", host, "must be an https:// URL");
  }
  check(
    caCertPath === undefined || caCertPath.startsWith("/"),
    "caCertPath",
    caCertPath,
    "must be an absolute path",
  );
  check(params.logType.length > 0, "logType", params.logType, "must not be empty");
  // Both go through sprintf (mutate replace, the output's index): keep them literal.
  check(
    logSource.length > 0 && !logSource.includes("%{"),
    "logSource",
    logSource,
    "must be non-empty and contain no %{",
  );
  check(
    indexPrefix.length > 0 && !indexPrefix.includes("%{"),
    "indexPrefix",
    indexPrefix,
    "must be non-empty and contain no %{",
  );

  const { http } = params;
  if (http !== undefined) {
    check(
      Number.isInteger(http.port) && http.port >= 1 && http.port <= 65535 && http.port !== gelfPort,
      "http.port",
      http.port,
      "must be 1..65535 and differ from gelfPort",
    );
    check(/^[A-Za-z0-9._-]+$/.test(http.user), "http.user", http.user, "must be [A-Za-z0-9._-]+");
  }

  // Level, status, JWT, redaction (and response time) as steps of ONE filter: it reads
  // [event] once and writes back only what they changed (a third of the per-event cost).
  const normalize: RubyStep[] = [
    ["level", levelRubyCode(params.levels.syslog, params.levels.monolog)],
    ["response_status", responseStatusRubyCode()],
    [
      "jwt_user_id",
      { init: jwtUserIdRubyInit(params.rubyLibraryPath), code: jwtUserIdRubyCode(params.sessionTokenHeader) },
    ],
    // After the JWT step: it reads the session token this one redacts.
    ["redact", redactRubyFilter(params.redaction, params.rubyLibraryPath)],
  ];
  if (params.responseTime.enabled) {
    normalize.push(["response_ms", { code: responseMsRubyCode(params.responseTime.sourceField) }]);
  }
  const filters: Statement[] = [
    {
      if: { kind: "compare", field: parseFieldRef(TRANSPORT_FIELD), op: "==", value: TRANSPORT_HTTP },
      then: [ruby("StripUnderscore", [["filter", stripUnderscoreRubyCode()]])],
    },
    // replace, not add_field: add_field would turn a client-sent log_source into a list.
    { plugin: "mutate", settings: { replace: hash(["log_source", logSource]) } },
    ruby("Normalize", normalize),
  ];

  const input: Statement[] = gelfInputs({ port: gelfPort, logType: params.logType });
  if (http !== undefined) {
    input.push({
      plugin: "http",
      settings: {
        port: http.port,
        user: http.user,
        password: secretRef(http.passwordEnvVar),
        // df-logger posts its JSON as a form body (cURL's default type), so JSON is the default codec.
        codec: "json",
        type: params.logType,
        add_field: hash([`${TRANSPORT_FIELD}`, TRANSPORT_HTTP]),
      },
    });
  }

  return {
    input,
    filter: [
      // First: datagrams become GELF messages (or are kept as chunks), ticks report lost ones.
      {
        if: { kind: "compare", field: parseFieldRef(TRANSPORT_FIELD), op: "==", value: TRANSPORT_GELF },
        then: [
          rubyStatement(
            gelfDecoderRubyFilter({ logType: params.logType, rubyLibraryPath: params.rubyLibraryPath }),
          ),
        ],
      },
      // Every event, whatever its type: a string host would be refused by the template's host object.
      ruby("EcsHost", [["filter", ecsHostRubyCode()]]),
      {
        if: { kind: "compare", field: field("type"), op: "==", value: params.logType },
        then: filters,
      },
    ],
    output: [
      elasticsearchOutput({
        hosts: outputHosts,
        caCertPath,
        apiKeyEnvVar: params.apiKeyEnvVar,
        index: dailyIndexFormat(indexPrefix),
      }),
    ],
  };
}
