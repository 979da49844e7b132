import type { estypes } from "@elastic/elasticsearch";
import { EVENT_FIELDS, LOG_FIELDS, toMappingProperties } from "./fields";

/**
 * Pure definitions of what the cluster holds: mappings, settings, the lifecycle policy
 * and the role descriptors, typed with the official client's types so a typo in a
 * mapping type or privilege fails to compile. Constructs turn them into resources.
 */

/** One node cannot hold replicas: 0 keeps a single node green instead of yellow. */
export function replicasFor(nodeCount: number): number {
  return nodeCount > 1 ? 1 : 0;
}

/**
 * Events mapping (DESIGN.md §1.1). Unknown top-level fields are kept in _source but not
 * indexed (`dynamic: false`): a new router field can't cause a mapping conflict or
 * an explosion, and nothing breaks ingestion. Inside context/properties/traits new
 * fields are mapped (`dynamic: true`) so they stay queryable, as the guide wants.
 */
export function eventsIndexMappings(): estypes.MappingTypeMapping {
  const properties = toMappingProperties(EVENT_FIELDS);
  for (const name of ["context", "properties", "traits"]) {
    properties[name] = { type: "object", enabled: true, dynamic: true };
  }
  return echoForm({ dynamic: false, properties });
}

/**
 * Log index mapping. `dynamic: false` because GELF carries arbitrary request data:
 * only catalogued fields are indexed, the rest stays in _source.
 */
export function logIndexMappings(): estypes.MappingTypeMapping {
  return echoForm({ dynamic: false, properties: toMappingProperties(LOG_FIELDS) });
}

/**
 * A mapping as Elasticsearch serializes it back (GET _mapping, ObjectMapper#toXContent in
 * elastic/elasticsearch 8.x): `dynamic` as a string, `enabled` only when false, `type: object`
 * only on an object without properties. Written in this form, the provider's comparison of
 * what it sent with what it reads back finds nothing to change.
 */
export function echoForm(mapping: estypes.MappingTypeMapping): estypes.MappingTypeMapping {
  const out: estypes.MappingTypeMapping = { ...mapping };
  if (typeof mapping.dynamic === "boolean") out.dynamic = mapping.dynamic ? "true" : "false";
  if (mapping.properties) out.properties = echoProperties(mapping.properties);
  return out;
}

function echoProperties(
  properties: Record<string, estypes.MappingProperty>,
): Record<string, estypes.MappingProperty> {
  return Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, echoProperty(p)]));
}

function echoProperty(property: estypes.MappingProperty): estypes.MappingProperty {
  const isObject = property.type === "object" || (property.type === undefined && "properties" in property);
  if (!isObject) return property;
  const obj = { ...(property as estypes.MappingObjectProperty) };
  const hasProperties = obj.properties !== undefined && Object.keys(obj.properties).length > 0;
  if (hasProperties) {
    delete obj.type;
    obj.properties = echoProperties(obj.properties ?? {});
  } else {
    delete obj.properties;
  }
  if (obj.enabled === true) delete obj.enabled;
  if (typeof obj.dynamic === "boolean") obj.dynamic = obj.dynamic ? "true" : "false";
  return obj as estypes.MappingProperty;
}

export function timeSeriesIndexSettings(policyName: string, replicas: number): estypes.IndicesIndexSettings {
  return {
    "index.lifecycle.name": policyName,
    "index.number_of_shards": 1,
    "index.number_of_replicas": replicas,
  };
}

/** Deletes a daily log index `retentionDays` after it was created (replaces the guide's manual DELETE). */
export function retentionPolicy(retentionDays: number): estypes.IlmPolicy {
  return {
    phases: {
      hot: { min_age: "0ms", actions: { set_priority: { priority: 100 } } },
      delete: { min_age: `${retentionDays}d`, actions: { delete: { delete_searchable_snapshot: true } } },
    },
  };
}
