/**
 * Helm values against the chart keys vendored from eck-operator 3.5.0
 * (elastic/cloud-on-k8s deploy/eck-operator at v3.5.0) and grafana 12.11.1
 * (grafana-community/helm-charts charts/grafana at grafana-12.11.1): neither ships a
 * values.schema.json at its tag, so the check is the one vendor-helm-values.ts describes.
 */
import { validateHelmValues, vendoredCharts } from "../../scripts/kubernetes/helm-values";

describe("vendored chart keys", () => {
  it("are the two pinned charts", () => {
    expect([...vendoredCharts()].map(([n, c]) => `${n}@${c.version}`)).toEqual([
      "eck-operator@3.5.0",
      "grafana@12.11.1",
    ]);
  });
});

describe("validateHelmValues", () => {
  it("accepts values a Kubernetes stack plausibly sets", () => {
    expect(
      validateHelmValues("grafana", {
        replicas: 1,
        image: { repository: "grafana/grafana", tag: "11.6.0" },
        admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
        persistence: { enabled: true, size: "10Gi", storageClassName: "standard" },
        plugins: ["yesoreyeram-infinity-datasource"],
        "grafana.ini": {
          server: { root_url: "https://grafana.example.org" },
          analytics: { reporting_enabled: false },
        },
        datasources: {
          "datasources.yaml": { apiVersion: 1, datasources: [{ name: "ES", type: "elasticsearch" }] },
        },
        podAnnotations: { "example.org/x": "y" },
      }),
    ).toEqual([]);
    expect(
      validateHelmValues("eck-operator", {
        installCRDs: true,
        replicaCount: 1,
        managedNamespaces: ["analytics"],
        resources: { limits: { cpu: "1", memory: "1Gi" } },
        config: { logVerbosity: "0" },
      }),
    ).toEqual([]);
  });

  it("rejects an unknown key, naming its path", () => {
    expect(validateHelmValues("grafana", { persistence: { enabled: true, sizee: "10Gi" } })).toEqual([
      'grafana 12.11.1 values: unknown key "persistence.sizee" (not in the chart\'s values.yaml or templates)',
    ]);
  });

  it("rejects a value of another type than the chart's default", () => {
    expect(validateHelmValues("eck-operator", { replicaCount: "1", installCRDs: "true" })).toEqual([
      "eck-operator 3.5.0 values: replicaCount: the chart's default is a number, got string",
      "eck-operator 3.5.0 values: installCRDs: the chart's default is a boolean, got string",
    ]);
    expect(validateHelmValues("grafana", { persistence: "yes" })).toEqual([
      "grafana 12.11.1 values: persistence: the chart's default is a map, got string",
    ]);
  });

  it("names the known charts when asked for another", () => {
    expect(validateHelmValues("kibana", {})).toEqual([
      "kibana: no vendored chart keys (known: eck-operator, grafana)",
    ]);
  });
});
