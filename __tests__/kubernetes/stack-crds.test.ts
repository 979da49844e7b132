import { validateCustomResource } from "../../scripts/kubernetes/crd-validate";
import { SHIPPED_CONFIGS, resourcesOf, synthStack, type TfJson } from "../support/synth";
import { KUBERNETES_CONFIGS } from "../support/kubernetes";

type Obj = Record<string, unknown>;

/** Every object the stack hands the cluster through a release of the local chart (its values). */
function renderedObjects(tf: TfJson): Obj[] {
  return Object.values(resourcesOf(tf, "helm_release"))
    .filter((r) => String(r.chart).startsWith("assets/"))
    .flatMap(
      (r) =>
        (JSON.parse((r.values as string[])[0].replace(/([$%])\1\{/g, "$1{")) as { objects: Obj[] }).objects,
    );
}
const customResources = (tf: TfJson) =>
  renderedObjects(tf).filter((o) => String(o.apiVersion).includes(".k8s.elastic.co/"));

const variants: Record<string, TfJson> = {
  ...Object.fromEntries(
    Object.keys(KUBERNETES_CONFIGS).map((name) => [name, synthStack(SHIPPED_CONFIGS[name])]),
  ),
  nodePortHttpThreeNodes: synthStack({
    ...KUBERNETES_CONFIGS.kubernetes,
    elasticsearch: { nodes: 3 },
    backups: { repository: { type: "gcs", bucket: "snapshots" } },
    logstash: { http: { enabled: true } },
    kubernetes: {
      ...KUBERNETES_CONFIGS.kubernetes.kubernetes,
      storageClass: "fast-ssd",
      gelf: { service: "NodePort", nodePort: 31201 },
    },
  }),
};

describe.each(Object.keys(variants))("the %s stack's custom resources", (name) => {
  const tf = variants[name];

  it("are the ECK kinds the mode needs", () => {
    const kinds = customResources(tf).map((o) => o.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "Elasticsearch",
        "Logstash",
        ...(name === "kubernetesKibana" ? ["Kibana"] : []),
      ]),
    );
  });

  // Validated against ECK 3.5.0's CRD schemas (vendor/eck, from elastic/cloud-on-k8s config/crds/v1 at v3.5.0).
  it("each pass the CRD schema as the API server checks it under strict field validation", () => {
    for (const cr of customResources(tf)) expect(validateCustomResource(cr)).toEqual([]);
  });
});

describe("the CRD check sees the stack's mistakes", () => {
  it("refuses a misspelled field in the rendered Elasticsearch resource", () => {
    const es = customResources(variants.kubernetes).find((o) => o.kind === "Elasticsearch") as {
      spec: { nodeSets: Obj[] };
    };
    const broken = structuredClone(es);
    broken.spec.nodeSets[0].volumeClaimTemplate = broken.spec.nodeSets[0].volumeClaimTemplates;
    expect(validateCustomResource(broken).join("\n")).toMatch(/unknown field .*volumeClaimTemplate\b/);
  });
});
