import { validateHelmValues, vendoredCharts } from "../../scripts/kubernetes/helm-values";
import { resourcesOf, synthStack, type TfJson } from "../support/synth";
import { KUBERNETES_CONFIGS } from "../support/kubernetes";

type Values = Record<string, Record<string, unknown>>;

const stacks: Record<string, TfJson> = {
  kubernetes: synthStack(KUBERNETES_CONFIGS.kubernetes),
  withOptions: synthStack({
    ...KUBERNETES_CONFIGS.kubernetes,
    grafana: { infinityPluginUrl: "https://mirror.example.com/infinity-3.11.1.zip" },
    kubernetes: { ...KUBERNETES_CONFIGS.kubernetes.kubernetes, storageClass: "fast-ssd" },
  }),
};

/** The releases of a published chart (not the stack's local chart), with their values. */
const chartReleases = (tf: TfJson) =>
  Object.entries(resourcesOf(tf, "helm_release"))
    .filter(([, r]) => r.repository !== undefined)
    .map(([address, r]) => ({
      address,
      chart: r.chart as string,
      version: r.version as string,
      values: (r.values as string[]).map((v) => JSON.parse(v) as Values),
    }));

/**
 * The key tree takes the probes' defaults as closed maps, but charts/grafana/templates/_pod.tpl
 * (grafana-12.11.1) hands livenessProbe and readinessProbe to the container as they are (toYaml):
 * they are Kubernetes probes, checked on their own below.
 */
function withoutPodProbes(chart: string, values: Values): Values {
  if (chart !== "grafana") return values;
  const { readinessProbe, livenessProbe, ...rest } = values;
  expect([readinessProbe, livenessProbe]).not.toContain(undefined);
  return rest;
}

describe.each(Object.keys(stacks))("the %s stack's chart values", (name) => {
  const releases = chartReleases(stacks[name]);

  it("install the ECK operator and Grafana, at the versions whose keys are vendored", () => {
    expect(releases.map((r) => `${r.chart}@${r.version}`).sort()).toEqual(
      [...vendoredCharts()].map(([chart, { version }]) => `${chart}@${version}`).sort(),
    );
  });

  // Neither chart ships values.schema.json: the keys come from its values.yaml and templates (vendor/helm).
  it("set only keys the chart knows, with the chart's types", () => {
    for (const r of releases)
      for (const values of r.values)
        expect(validateHelmValues(r.chart, withoutPodProbes(r.chart, values))).toEqual([]);
  });

  it("give Grafana's probes the chart's path and port, over HTTPS", () => {
    const grafana = releases.find((r) => r.chart === "grafana")?.values[0] ?? {};
    for (const probe of ["readinessProbe", "livenessProbe"])
      expect(grafana[probe].httpGet).toEqual({ path: "/api/health", port: "grafana", scheme: "HTTPS" });
  });
});

it("the values check sees a key the Grafana chart does not have", () => {
  const grafana = chartReleases(stacks.kubernetes).find((r) => r.chart === "grafana");
  const values = withoutPodProbes("grafana", structuredClone(grafana?.values[0] ?? {}));
  values.persistence.storageClass = "fast-ssd"; // the chart's key is storageClassName
  expect(validateHelmValues("grafana", values)).toEqual([
    expect.stringContaining('unknown key "persistence.storageClass"'),
  ]);
});
