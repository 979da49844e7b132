import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Construct } from "constructs";
import { AssetType, TerraformAsset, type ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { terraformLiteral } from "../docker/common";

/** A Kubernetes object as plain data (a custom resource, a Job), rendered into a release. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [key: string]: unknown;
}

/** The ECK operator's chart at the pinned version (elastic/cloud-on-k8s deploy/eck-operator/Chart.yaml, v3.5.0). */
export const ECK_OPERATOR_CHART = {
  repository: "https://helm.elastic.co",
  chart: "eck-operator",
  version: "3.5.0",
} as const;

/**
 * A Kubernetes resource quantity as the stack accepts it: a positive decimal with an optional
 * binary (Ki..Ei) or decimal (m, k..E) suffix. A subset of apimachinery's grammar
 * (pkg/api/resource/quantity.go: no sign, no exponent), which is all sizes and CPUs need.
 */
export const QUANTITY_PATTERN = /^(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;

/** Why `value` is not a quantity, or undefined. */
export function quantityProblem(value: string): string | undefined {
  if (!QUANTITY_PATTERN.test(value) || /^[0.]+[A-Za-z]*$/.test(value))
    return "must be a positive Kubernetes quantity such as 10Gi, 512Mi, 500m or 2";
  return undefined;
}

const QUANTITY_FACTORS: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A quantity's value (bytes for a size); NaN when it is not one. */
export function quantityBytes(value: string): number {
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(value);
  if (!m || quantityProblem(value)) return NaN;
  return Number(m[1]) * (QUANTITY_FACTORS[m[2]] ?? NaN);
}

/** An RFC 1123 label (namespaces, service and resource names). */
export const DNS_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** kube-apiserver's default --service-node-port-range. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** How a UDP/TCP input is exposed outside the cluster. */
export type ServiceExposure = "LoadBalancer" | "NodePort";

/** The port of an https URL, explicit or implied. */
export function urlPort(url: string): number {
  const u = new URL(url);
  return u.port !== "" ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
}

/**
 * The local chart that carries rendered objects: the objects arrive as the release's values
 * and the one template prints each as JSON, so the text (pipelines with `${…}` and `%{…}`)
 * is never read as a Go template, and a changed object changes the values, which the helm
 * provider diffs (without experiments.manifest it does not read the chart's files at plan).
 */
const CHART_FILES: Record<string, string> = {
  "Chart.yaml": [
    "apiVersion: v2",
    "name: elk-objects",
    "description: Objects rendered by elk-grafana-cdktf (custom resources of the ECK operator)",
    "type: application",
    "version: 1.0.0",
    "",
  ].join("\n"),
  "templates/objects.yaml": ["{{- range .Values.objects }}", "---", "{{ toJson . }}", "{{- end }}", ""].join(
    "\n",
  ),
};

/** The chart's directory, written once per process (its content is constant). */
let chartDir: string | undefined;
function objectsChartDir(): string {
  if (chartDir !== undefined) return chartDir;
  const dir = mkdtempSync(join(tmpdir(), "elk-objects-chart-"));
  for (const [file, text] of Object.entries(CHART_FILES)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  chartDir = dir;
  return dir;
}

/** The chart's files, for tests that render it with the real Helm. */
export function objectsChartFiles(): Readonly<Record<string, string>> {
  return CHART_FILES;
}

export interface ObjectsReleaseProps {
  /** Release name (unique in the namespace). */
  readonly name: string;
  readonly namespace: string;
  /** The objects, rendered as plain data. */
  readonly objects: readonly KubernetesObject[];
  /** The operator release (its CRDs and webhook), and the secrets the objects reference. */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** Seconds Helm waits, hooks included. @default 900 */
  readonly timeoutSeconds?: number;
}

/**
 * Custom resources delivered by a Helm release of a local chart. Unlike kubernetes_manifest,
 * the helm provider does not ask the cluster for the CRDs at plan (terraform-provider-helm
 * helm/resource_helm_release.go ModifyPlan, v3.1.1: the dry run that needs the cluster only
 * runs with experiments.manifest), so the operator and its resources fit in one plan.
 */
export class ObjectsRelease extends Construct {
  readonly release: Release;
  /** The rendered objects, as the release carries them. */
  readonly objects: readonly KubernetesObject[];

  constructor(scope: Construct, id: string, props: ObjectsReleaseProps) {
    super(scope, id);
    if (!DNS_LABEL_PATTERN.test(props.name) || props.name.length > 53)
      throw new Error(
        `${this.node.path}: name = ${JSON.stringify(props.name)}: must be a DNS label of at most 53 characters (Helm's release name limit)`,
      );
    this.objects = props.objects;
    const chart = new TerraformAsset(this, "Chart", { path: objectsChartDir(), type: AssetType.DIRECTORY });
    this.release = new Release(this, "Release", {
      name: props.name,
      namespace: props.namespace,
      chart: chart.path,
      values: [terraformLiteral(JSON.stringify({ objects: props.objects }))],
      // Hooks (readiness Jobs) complete before the release counts as deployed.
      wait: true,
      timeout: props.timeoutSeconds ?? 900,
      atomic: false,
      dependsOn: [...(props.dependsOn ?? [])],
    });
  }
}

/**
 * A post-install/upgrade hook Job: Helm runs it after the objects are applied and the release
 * only counts as deployed once it succeeds, so Terraform calls a service only when it answers.
 */
export function readinessJob(params: {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** Shell script that exits 0 once the service is ready; polled until it does. */
  readonly script: string;
  readonly env?: readonly Record<string, unknown>[];
  readonly volumes?: readonly Record<string, unknown>[];
  readonly volumeMounts?: readonly Record<string, unknown>[];
  /** Seconds before the Job gives up. */
  readonly deadlineSeconds: number;
}): KubernetesObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: params.name,
      namespace: params.namespace,
      annotations: {
        "helm.sh/hook": "post-install,post-upgrade",
        "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
      },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: params.deadlineSeconds,
      template: {
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "wait",
              image: params.image,
              command: ["/bin/sh", "-c", `until ${params.script}; do sleep 5; done`],
              env: params.env ?? [],
              volumeMounts: params.volumeMounts ?? [],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
            },
          ],
          volumes: params.volumes ?? [],
        },
      },
    },
  };
}
