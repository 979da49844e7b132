/**
 * The field catalogues: the one place that says which fields exist in which index
 * and with what type. The index template, the events mapping, the Logstash pipeline
 * and the dashboards' synth-time field check all read from here.
 */

export type FieldType = "keyword" | "text" | "date" | "integer" | "long" | "float" | "object";

export interface FieldSpec {
  /** Dotted path as Elasticsearch and Grafana name it, e.g. `event.request.method`. */
  readonly path: string;
  readonly type: FieldType;
}

/** Types that can be bucketed or aggregated (terms, date histogram, avg …). */
export const AGGREGATABLE_TYPES: ReadonlySet<FieldType> = new Set([
  "keyword",
  "date",
  "integer",
  "long",
  "float",
]);

/** Product events written by Datafly Signal (DESIGN.md §1.1). */
export const EVENT_FIELDS: readonly FieldSpec[] = [
  { path: "event_id", type: "keyword" },
  { path: "type", type: "keyword" },
  { path: "event", type: "keyword" },
  { path: "anonymous_id", type: "keyword" },
  { path: "user_id", type: "keyword" },
  { path: "source_id", type: "keyword" },
  { path: "integration_id", type: "keyword" },
  { path: "timestamp", type: "date" },
  { path: "received_at", type: "date" },
  { path: "sent_at", type: "date" },
  { path: "context", type: "object" },
  { path: "properties", type: "object" },
  { path: "traits", type: "object" },
];

/** Time field of the events index (Grafana datasource, sort order of the smoke check). */
export const EVENT_TIME_FIELD = "timestamp";

/**
 * API activity log documents as the Logstash pipeline writes them (DESIGN.md §1.2).
 * Every field the pipeline sets and every field a dashboard queries is listed.
 */
export const LOG_FIELDS: readonly FieldSpec[] = [
  { path: "@timestamp", type: "date" },
  { path: "type", type: "keyword" },
  { path: "log_source", type: "keyword" },
  { path: "source_hostname", type: "keyword" },
  { path: "host.name", type: "keyword" },
  { path: "level", type: "keyword" },
  { path: "short_message", type: "text" },
  { path: "full_message", type: "text" },
  { path: "message", type: "text" },
  { path: "tags", type: "keyword" },
  { path: "user.id", type: "keyword" },
  { path: "event.request.method", type: "keyword" },
  { path: "event.request.uri", type: "keyword" },
  { path: "event.request.service", type: "keyword" },
  { path: "event.request.resource", type: "keyword" },
  { path: "event.response.status", type: "integer" },
  { path: "response_ms", type: "float" },
];

/** Time field of the log indices. */
export const LOG_TIME_FIELD = "@timestamp";

/** Values the pipeline writes and dashboards filter on. */
export const LOG_TYPE = "dreamfactory";
export const LOG_SOURCE = "dreamfactory";

export function findField(fields: readonly FieldSpec[], path: string): FieldSpec | undefined {
  return fields.find((f) => f.path === path);
}

/** Request header carrying the gateway session JWT (the pipeline extracts user.id from it). */
export const SESSION_TOKEN_HEADER = "x-dreamfactory-session-token";

/** Request header carrying the gateway API key (df-core 1.0.15 src/Http/Middleware/AuthCheck.php). */
export const API_KEY_HEADER = "x-dreamfactory-api-key";

/**
 * What counts as a credential in a log document, in one place: the pipeline's redaction
 * filter, the stack tests and the smoke check all read it. A key (header name, parameter,
 * body or response field, URI query parameter) is secret when its lower-cased name is one
 * of `names`, starts with one of `prefixes` or ends with one of `suffixes`.
 *
 * Sources: df-logger 0.15.2 src/Services/BaseService.php (redactInPlace's list and the
 * session keys getPlatformInfo unsets); df-core 1.0.15 src/Http/Middleware/AuthCheck.php
 * (api_key and session_token accepted as query or body parameters) and
 * src/Utility/Session.php (login answers carry session_token and its copy session_id).
 */
export const SECRET_KEYS = {
  names: [
    "authorization",
    "cookie",
    "set-cookie",
    "x-mcp-internal-key",
    "api_key",
    "session_token",
    "session_id",
    "password",
    "secret",
    "client_secret",
    "lookup_secret",
    "jwt",
    "token",
  ],
  // Every DreamFactory header (session token, API key, and any later one) is a credential or noise.
  prefixes: ["x-dreamfactory-"],
  // access_token, refresh_token, id_token, new_password, x-csrf-token …
  suffixes: ["_token", "-token", "_password", "_secret"],
} as const;

/** What a redacted value is replaced with (visible: an operator sees a credential was sent). */
export const REDACTED = "[redacted]";

/** Whether a key names a credential (the TypeScript twin of the pipeline's Ruby predicate). */
export function isSecretKey(name: string): boolean {
  const key = name.toLowerCase();
  return (
    (SECRET_KEYS.names as readonly string[]).includes(key) ||
    SECRET_KEYS.prefixes.some((p) => key.startsWith(p)) ||
    SECRET_KEYS.suffixes.some((s) => key.endsWith(s))
  );
}

/** Where the pipeline redacts, recursively: the request, the response and the platform's session. */
export const REDACTED_SUBTREES: readonly string[] = ["event.request", "event.response", "platform"];

/**
 * The `context` setting for DreamFactory's Logstash service (protocol gelf) that keeps a
 * GELF message small enough for one datagram: what the pipeline and dashboards use, without
 * the request and response bodies (df-logger 0.15.2 src/Services/BaseService.php
 * setContextByKeys copies only these keys). The README quotes it.
 */
export const GELF_LOG_CONTEXT: readonly string[] = [
  "_event.request.method",
  "_event.request.uri",
  "_event.request.service",
  "_event.request.resource",
  "_event.request.headers",
  "_event.response.status_code",
];

/**
 * Syslog severities 0..7 by number, the names the guide lists: df-logger's GelfLogger
 * always sends the level as this integer (df-logger 0.15.2 src/Components/GelfLevels.php).
 */
export const SYSLOG_LEVEL_NAMES: readonly string[] = [
  "EMERGENCY",
  "ALERT",
  "CRITICAL",
  "ERROR",
  "WARNING",
  "NOTICE",
  "INFO",
  "DEBUG",
];

/**
 * Monolog's level numbers, which df-logger's raw-JSON senders (http, tcp, udp) put in
 * `_level` (df-logger 0.15.2 src/Components/NetworkLogger.php: Logger::toMonologLevel).
 */
export const MONOLOG_LEVELS: Readonly<Record<number, string>> = {
  100: "DEBUG",
  200: "INFO",
  250: "NOTICE",
  300: "WARNING",
  400: "ERROR",
  500: "CRITICAL",
  550: "ALERT",
  600: "EMERGENCY",
};

/**
 * Where the dead-letter pipeline puts what it read from the dead letter queue: the input's
 * `[@metadata][dead_letter_queue]` fields (logstash-input-dead_letter_queue
 * lib/logstash/inputs/dead_letter_queue.rb, v2.0.1: plugin_type, plugin_id, reason, entry_time).
 */
export const DEAD_LETTER_FIELD = "dead_letter";

/**
 * Dead-lettered documents as the dead-letter pipeline writes them. Only these are mapped: the
 * failed document's own fields stay in _source unindexed (`dynamic: false`), so the mapping
 * conflict that refused it cannot refuse it again.
 */
export const DEAD_LETTER_FIELDS: readonly FieldSpec[] = [
  { path: "@timestamp", type: "date" },
  { path: `${DEAD_LETTER_FIELD}.entry_time`, type: "date" },
  { path: `${DEAD_LETTER_FIELD}.reason`, type: "text" },
  { path: `${DEAD_LETTER_FIELD}.plugin_id`, type: "keyword" },
  { path: `${DEAD_LETTER_FIELD}.plugin_type`, type: "keyword" },
  { path: `${DEAD_LETTER_FIELD}.pipeline_id`, type: "keyword" },
];

/** When a document was dead-lettered: the time field of the dead-letter indices. */
export const DEAD_LETTER_TIME_FIELD = `${DEAD_LETTER_FIELD}.entry_time`;
