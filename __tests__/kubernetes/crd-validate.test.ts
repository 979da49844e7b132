/**
 * The CRD validator: minimal resources of each vendored kind pass, and broken copies fail with
 * one clear line each. Strict unknown-field behaviour: kubernetes/apiextensions-apiserver
 * pkg/apiserver/schema/pruning/algorithm.go at v0.35.7. ECK's own samples (elastic/cloud-on-k8s
 * config/samples at v3.5.0) are run through the same validator when the CRDs are vendored
 * (scripts/kubernetes/vendor-eck-crds.ts), so they are not copied here.
 */
import {
  structuralSchemaErrors,
  validateCustomResource,
  vendoredCrds,
} from "../../scripts/kubernetes/crd-validate";

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** Our own smallest valid resources of each kind (field names from the vendored CRDs). */
const MINIMAL: Record<string, Manifest> = {
  Elasticsearch: {
    apiVersion: "elasticsearch.k8s.elastic.co/v1",
    kind: "Elasticsearch",
    metadata: { name: "search", namespace: "elk" },
    spec: { version: "8.19.18", nodeSets: [{ name: "default", count: 1 }] },
  },
  Kibana: {
    apiVersion: "kibana.k8s.elastic.co/v1",
    kind: "Kibana",
    metadata: { name: "ui" },
    spec: { version: "8.19.18", count: 1, elasticsearchRef: { name: "search" } },
  },
  Logstash: {
    apiVersion: "logstash.k8s.elastic.co/v1alpha1",
    kind: "Logstash",
    metadata: { name: "ingest" },
    spec: {
      version: "8.19.18",
      count: 1,
      pipelines: [{ "pipeline.id": "main", "config.string": "input { stdin {} } output { stdout {} }" }],
      services: [{ name: "gelf", service: { spec: { ports: [{ port: 12201, protocol: "UDP" }] } } }],
    },
  },
};
/** A fresh copy of the minimal resource of a kind. */
function sample(kind: string): Manifest {
  return structuredClone(MINIMAL[kind]);
}

describe("minimal resources", () => {
  it("cover every vendored kind", () => {
    expect(
      vendoredCrds()
        .map((c) => c.spec.names.kind)
        .sort(),
    ).toEqual(Object.keys(MINIMAL).sort());
  });

  it.each(Object.keys(MINIMAL))("a minimal %s is valid", (kind) => {
    expect(validateCustomResource(sample(kind))).toEqual([]);
  });
});

describe("broken copies fail, one line each", () => {
  it("an unknown field (a typo is not pruned silently)", () => {
    const es = sample("Elasticsearch");
    es.spec.nodeSets[0].cont = 3;
    expect(validateCustomResource(es)).toEqual([
      `Elasticsearch ${es.metadata.name}: unknown field "spec.nodeSets[0].cont"`,
    ]);
  });

  it("an unknown field under a preserve-unknown-fields object's declared sibling is still unknown", () => {
    const ls = sample("Logstash");
    ls.spec.podTemplate = { spec: { anything: true } }; // preserved: free-form
    ls.spec.sevices = [];
    expect(validateCustomResource(ls)).toEqual([
      `Logstash ${ls.metadata.name}: unknown field "spec.sevices"`,
    ]);
  });

  it("a wrong type", () => {
    const es = sample("Elasticsearch");
    es.spec.nodeSets[0].count = "three";
    expect(validateCustomResource(es)).toEqual([
      `Elasticsearch ${es.metadata.name}: spec.nodeSets[0].count: Invalid value: "three": must be of type integer`,
    ]);
  });

  it("a bad enum value", () => {
    const es = sample("Elasticsearch");
    es.spec.volumeClaimDeletePolicy = "KeepAll";
    expect(validateCustomResource(es)).toEqual([
      `Elasticsearch ${es.metadata.name}: spec.volumeClaimDeletePolicy: Unsupported value: "KeepAll": supported values: "DeleteOnScaledownOnly", "DeleteOnScaledownAndClusterDeletion"`,
    ]);
  });

  it("a missing required field", () => {
    const es = sample("Elasticsearch");
    delete es.spec.nodeSets[0].name;
    expect(validateCustomResource(es)).toEqual([
      `Elasticsearch ${es.metadata.name}: spec.nodeSets[0].name: Required value`,
    ]);
  });

  it("int-or-string accepts both and nothing else", () => {
    const es = sample("Elasticsearch");
    es.spec.podDisruptionBudget = { spec: { minAvailable: "50%" } };
    expect(validateCustomResource(es)).toEqual([]);
    es.spec.podDisruptionBudget.spec.minAvailable = 2;
    expect(validateCustomResource(es)).toEqual([]);
    es.spec.podDisruptionBudget.spec.minAvailable = true;
    expect(validateCustomResource(es)).toEqual([
      `Elasticsearch ${es.metadata.name}: spec.podDisruptionBudget.spec.minAvailable: Invalid value: true: must be of type integer,string`,
    ]);
  });

  it("an unknown metadata field, as ObjectMeta decoding reports it", () => {
    const es = sample("Elasticsearch");
    es.metadata.label = { a: "b" };
    expect(validateCustomResource(es)).toEqual([
      `Elasticsearch ${es.metadata.name}: unknown field "metadata.label"`,
    ]);
  });

  it("a volume claim template's unknown field", () => {
    const es = sample("Elasticsearch");
    es.spec.nodeSets[0].volumeClaimTemplates = [
      {
        metadata: { name: "elasticsearch-data" },
        spec: { accessModes: ["ReadWriteOnce"], storageClass: "x" },
      },
    ];
    expect(validateCustomResource(es)).toEqual([
      `Elasticsearch ${es.metadata.name}: unknown field "spec.nodeSets[0].volumeClaimTemplates[0].spec.storageClass"`,
    ]);
  });

  it("an apiVersion that is not served, and a kind that is not vendored", () => {
    const es = sample("Elasticsearch");
    expect(validateCustomResource({ ...es, apiVersion: "elasticsearch.k8s.elastic.co/v1alpha1" })).toEqual([
      `Elasticsearch ${es.metadata.name}: apiVersion "elasticsearch.k8s.elastic.co/v1alpha1" is not served by elasticsearches.elasticsearch.k8s.elastic.co; served: elasticsearch.k8s.elastic.co/v1, elasticsearch.k8s.elastic.co/v1beta1`,
    ]);
    expect(validateCustomResource({ ...es, kind: "Elasticsearchh" })[0]).toMatch(
      /apiVersion "elasticsearch.k8s.elastic.co\/v1" kind "Elasticsearchh" is no vendored ECK CRD/,
    );
  });

  it("a missing name", () => {
    const kb = sample("Kibana");
    delete kb.metadata.name;
    expect(validateCustomResource(kb)).toEqual([
      "Kibana (no name): metadata.name: Required value: name or generateName is required",
    ]);
  });
});

describe("structural-schema rules the ECK CRDs do not exercise", () => {
  // An embedded resource (schema/objectmeta/validation.go validateEmbeddedResource at v0.35.7).
  const schema = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        properties: {
          template: {
            type: "object",
            "x-kubernetes-embedded-resource": true,
            properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
          note: { type: "string", nullable: true },
          size: { type: "integer" },
        },
      },
    },
  };
  const cr = (spec: object) => ({ apiVersion: "x/v1", kind: "X", metadata: { name: "x" }, spec });

  it("an embedded resource needs apiVersion and kind, and takes ObjectMeta as metadata", () => {
    const template = { apiVersion: "v1", kind: "Pod", metadata: { labels: { a: "b" } }, spec: { any: 1 } };
    expect(structuralSchemaErrors(schema, cr({ template }))).toEqual([]);
    expect(structuralSchemaErrors(schema, cr({ template: { metadata: { lables: {} } } })).sort()).toEqual([
      "spec.template.apiVersion: Required value",
      "spec.template.kind: Required value",
      'unknown field "spec.template.metadata.lables"',
    ]);
  });

  it("null only where nullable", () => {
    expect(structuralSchemaErrors(schema, cr({ note: null }))).toEqual([]);
    expect(structuralSchemaErrors(schema, cr({ size: null }))).toEqual([
      "spec.size: Invalid value: null: must be of type integer",
    ]);
  });
});
