import type { estypes } from "@elastic/elasticsearch";

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

/**
 * Turns a flat catalogue into nested Elasticsearch properties
 * (`event.request.method` → event.properties.request.properties.method).
 */
export function toMappingProperties(fields: readonly FieldSpec[]): Record<string, estypes.MappingProperty> {
  const root: Record<string, estypes.MappingProperty> = {};
  for (const field of fields) {
    const parts = field.path.split(".");
    let level = root;
    for (const part of parts.slice(0, -1)) {
      const existing = level[part] as estypes.MappingObjectProperty | undefined;
      const obj: estypes.MappingObjectProperty = existing ?? { type: "object", properties: {} };
      obj.properties ??= {};
      level[part] = obj;
      level = obj.properties;
    }
    const leaf = parts[parts.length - 1];
    level[leaf] = leafMapping(field.type);
  }
  return root;
}

function leafMapping(type: FieldType): estypes.MappingProperty {
  switch (type) {
    case "keyword":
      return { type: "keyword", ignore_above: 1024 };
    case "object":
      return { type: "object", enabled: true };
    default:
      return { type };
  }
}

/** Request header carrying the gateway session JWT (the pipeline extracts user.id from it). */
export const SESSION_TOKEN_HEADER = "x-dreamfactory-session-token";

/** Request headers carrying credentials: removed by the pipeline, never indexed. */
export const SECRET_HEADERS: readonly string[] = [
  SESSION_TOKEN_HEADER,
  "x-dreamfactory-api-key",
  "authorization",
];
