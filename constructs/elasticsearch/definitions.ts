import type { estypes } from "@elastic/elasticsearch";
import type { FieldSpec, FieldType } from "../../contract/fields";

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
 * The mapping of a field catalogue. Fields not in the catalogue are kept in _source but not
 * indexed (`dynamic: false`): a new field can't cause a mapping conflict or an explosion, and
 * nothing breaks ingestion. Inside a catalogued `object` new fields are mapped (`dynamic: true`)
 * so they stay queryable (the events' context/properties/traits, DESIGN.md §1.1).
 */
export function catalogueMappings(fields: readonly FieldSpec[]): estypes.MappingTypeMapping {
  return echoForm({ dynamic: false, properties: toMappingProperties(fields) });
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
      return { type: "object", dynamic: true };
    default:
      return { type };
  }
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
