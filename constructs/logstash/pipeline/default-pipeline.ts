import {
  JWT_USER_ID_RUBY_INIT,
  jwtUserIdRubyCode,
  redactHeadersRubyCode,
  rubyStringLiteral,
} from "./jwt-user-id";
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
  /** GELF input port (UDP, and TCP when gelfTcp). */
  readonly gelfPort: number;
  readonly gelfTcp: boolean;
  /** `type` given to GELF events and tested by the filter, e.g. "dreamfactory". */
  readonly logType: string;
  /** Value written to `log_source`. */
  readonly logSource: string;
  /** Request header holding the session JWT, e.g. "x-dreamfactory-session-token". */
  readonly sessionTokenHeader: string;
  /** Credential headers removed from the event before it is indexed (after the JWT is read). */
  readonly secretHeaders: readonly string[];
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

function check(ok: boolean, param: string, value: unknown, rule: string): void {
  if (!ok) throw new Error(`buildApiLogPipeline: ${param} = ${JSON.stringify(value)} ${rule}`);
}

/** GELF in, the DESIGN.md §1.2 filters, daily indices out. */
export function buildApiLogPipeline(params: ApiLogPipelineParams): PipelineModel {
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

  const filters: Statement[] = [
    // GELF's host is a string, ECS's host is an object: move it away before host.name exists.
    { plugin: "mutate", settings: { rename: hash(["host", "source_hostname"]) } },
    // copy skips a missing source, where add_field would write a literal "%{source_hostname}".
    { plugin: "mutate", settings: { copy: hash(["source_hostname", "[host][name]"]) } },
    // replace, not add_field: add_field would turn a client-sent log_source into a list.
    { plugin: "mutate", settings: { replace: hash(["log_source", logSource]) } },
    // GELF levels are numeric syslog severities and mutate's uppercase leaves non-strings
    // untouched: make every level a string (the mapping's keyword) so uppercase applies.
    { plugin: "mutate", settings: { convert: hash(["level", "string"]) } },
    { plugin: "mutate", settings: { uppercase: ["level"] } },
    {
      plugin: "ruby",
      settings: { init: JWT_USER_ID_RUBY_INIT, code: jwtUserIdRubyCode(params.sessionTokenHeader) },
    },
    { plugin: "ruby", settings: { code: redactHeadersRubyCode(params.secretHeaders) } },
  ];
  if (params.responseTime.enabled) {
    filters.push({ plugin: "ruby", settings: { code: responseMsRubyCode(params.responseTime.sourceField) } });
  }

  return {
    input: [
      {
        plugin: "gelf",
        settings: {
          // port applies to both UDP and TCP unless port_udp/port_tcp override it.
          port: gelfPort,
          type: params.logType,
          use_udp: true,
          use_tcp: params.gelfTcp,
        },
      },
    ],
    filter: [
      {
        if: { kind: "compare", field: field("type"), op: "==", value: params.logType },
        then: filters,
      },
    ],
    output: [
      {
        plugin: "elasticsearch",
        settings: {
          hosts: [...outputHosts],
          ssl_enabled: true,
          ...(caCertPath === undefined ? {} : { ssl_certificate_authorities: [caCertPath] }),
          ssl_verification_mode: "full",
          api_key: secretRef(params.apiKeyEnvVar),
          index: dailyIndexFormat(indexPrefix),
          // Bulk "create" is the only operation the create_doc index privilege allows.
          action: "create",
          // The stack owns the index template and lifecycle policy; the output must not.
          data_stream: false,
          ilm_enabled: false,
          manage_template: false,
        },
      },
    ],
  };
}
