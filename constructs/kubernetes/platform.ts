import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { DNS_LABEL_PATTERN } from "./common";
import { EckOperator } from "./eck-operator";

/** Defaults of {@link KubernetesPlatform}; the app's config reference shows the same values. */
export const KUBERNETES_PLATFORM_DEFAULTS = { namespace: "elk" } as const;

export interface KubernetesPlatformProps {
  /** Kubeconfig file. @default the providers' own default (KUBE_CONFIG_PATH) */
  readonly configPath?: string;
  /** Kubeconfig context. @default the file's current context */
  readonly context?: string;
  /** Namespace of the stack's workloads, created here. @default "elk" */
  readonly namespace?: string;
}

/**
 * What every workload on the cluster stands on: the kubernetes and helm providers (from one
 * kubeconfig), the stack's namespace and the ECK operator managing it.
 */
export class KubernetesPlatform extends Construct {
  readonly namespace: string;
  readonly operator: EckOperator;
  /** The namespace and the operator: what the ECK resources and the secrets wait for. */
  readonly ready: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: KubernetesPlatformProps) {
    super(scope, id);
    const namespace = props.namespace ?? KUBERNETES_PLATFORM_DEFAULTS.namespace;
    if (!DNS_LABEL_PATTERN.test(namespace))
      throw new Error(`${this.node.path}: namespace = ${JSON.stringify(namespace)}: must be a DNS label`);
    const kubeconfig = {
      ...(props.configPath !== undefined ? { configPath: props.configPath } : {}),
      ...(props.context !== undefined ? { configContext: props.context } : {}),
    };
    new KubernetesProvider(scope, "Kubernetes", kubeconfig);
    new HelmProvider(scope, "Helm", Object.keys(kubeconfig).length > 0 ? { kubernetes: kubeconfig } : {});
    const ns = new NamespaceV1(this, "Namespace", { metadata: { name: namespace } });
    this.namespace = namespace;
    this.operator = new EckOperator(this, "EckOperator", { managedNamespaces: [namespace] });
    this.ready = [ns, ...this.operator.ready];
  }
}
