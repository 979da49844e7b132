/**
 * Real Terraform, offline, over a small throwaway stack built with the kubernetes and helm
 * bindings: init, validate, plan + apply and an empty second plan through the schema-only
 * providers serving providers/kubernetes-2.38.0 and helm-3.1.1. It proves the vendored
 * schemas (helm 3.x's nested attributes `set`/`set_sensitive`/`kubernetes`, write-only
 * `set_wo` and kubernetes' `data_wo` included) load into Terraform and round-trip.
 */
import { App, TerraformStack, Testing } from "cdktf";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { Password } from "@cdktf/provider-random/lib/password";
import { checkConformance, formatProblem } from "../../scripts/conformance";
import { checkStack, formatDiagnostic, type CheckReport } from "../../scripts/offline-terraform/check";
import { loadVendoredSchemas } from "../../scripts/provider-schema";
import {
  startOfflineTerraform,
  vendoredProviders,
  type OfflineTerraform,
} from "../../scripts/offline-terraform/providers";

function throwawayStack(): Record<string, unknown> {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, "k8s-throwaway");
  const kubeconfig = { configPath: "~/.kube/config", configContext: "kind-analytics" };
  new KubernetesProvider(stack, "kubernetes", kubeconfig);
  new HelmProvider(stack, "helm", { kubernetes: kubeconfig });
  new RandomProvider(stack, "random");
  const password = new Password(stack, "Password", { length: 32, special: false });
  const ns = new NamespaceV1(stack, "Namespace", { metadata: { name: "analytics" } });
  new SecretV1(stack, "Secret", {
    metadata: { name: "grafana-admin", namespace: ns.metadata.name },
    // Write-only: the password never lands in the state.
    dataWo: { "admin-password": password.result },
    dataWoRevision: 1,
  });
  new Release(stack, "Chart", {
    name: "demo",
    namespace: ns.metadata.name,
    chart: "./charts/demo",
    set: [
      { name: "replicas", value: "2" },
      { name: "persistence.enabled", value: "true", type: "auto" },
    ],
    setSensitive: [{ name: "admin.password", value: password.result }],
    timeout: 600,
    wait: true,
  });
  return JSON.parse(Testing.synth(stack)) as Record<string, unknown>;
}

type ReleaseJson = { set: Record<string, unknown>[] };
const releaseOf = (tf: Record<string, unknown>) =>
  (tf["resource"] as Record<string, Record<string, ReleaseJson>>)["helm_release"]["Chart"];

/** A set element without its required `name`: Terraform itself must refuse it. */
function withoutSetName(): Record<string, unknown> {
  const tf = throwawayStack();
  delete releaseOf(tf).set[0]["name"];
  return tf;
}

let terraform: OfflineTerraform | undefined;
let report: CheckReport | undefined;
let broken: CheckReport | undefined;

beforeAll(async () => {
  const wanted = new Set([
    "registry.terraform.io/hashicorp/kubernetes",
    "registry.terraform.io/hashicorp/helm",
    "registry.terraform.io/hashicorp/random",
  ]);
  terraform = await startOfflineTerraform(vendoredProviders().filter((p) => wanted.has(p.source)));
  const env = terraform.env;
  [report, broken] = await Promise.all([
    checkStack(throwawayStack(), { name: "k8s-throwaway", env }),
    checkStack(withoutSetName(), { name: "k8s-broken", env, planOnly: true }),
  ]);
}, 120_000);

afterAll(async () => {
  await terraform?.stop();
});

describe("a helm_release + kubernetes_secret_v1 + kubernetes_namespace_v1 stack under real Terraform", () => {
  it("inits, validates, plans and applies without a diagnostic", () => {
    expect({
      failed: report?.failedStep,
      output: report?.output,
      diagnostics: report?.diagnostics.map((d) => formatDiagnostic("k8s-throwaway", d)),
      applied: report?.applied,
    }).toEqual({ failed: undefined, output: "", diagnostics: [], applied: true });
  });

  it("has nothing left to change on the second plan", () => {
    expect(report?.secondPlanChanges).toEqual([]);
  });
});

describe("nested attributes reach Terraform and the conformance check", () => {
  it("Terraform refuses a helm set element without its required name", () => {
    expect(broken?.diagnostics.map((d) => d.summary)).toContain("Incorrect attribute value type");
    expect(broken?.diagnostics.map((d) => d.detail).join("\n")).toMatch(/attribute "name" is required/);
  });

  it("the conformance check passes the stack and flags a key Terraform would drop from a set element", () => {
    const schemas = loadVendoredSchemas();
    expect(checkConformance(throwawayStack(), schemas).map(formatProblem)).toEqual([]);
    const tf = throwawayStack();
    releaseOf(tf).set[0]["vaule"] = "3";
    expect(checkConformance(tf, schemas).map(formatProblem)).toEqual([
      'warning: helm_release.Chart.set[0].vaule: "vaule" is not an attribute here; Terraform silently drops it',
    ]);
  });
});
