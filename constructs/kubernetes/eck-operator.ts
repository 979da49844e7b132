import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { DNS_LABEL_PATTERN, ECK_OPERATOR_CHART } from "./common";

export interface EckOperatorProps {
  /** Namespace the operator runs in (created by the release). @default "elastic-system" */
  readonly namespace?: string;
  /** Namespaces the operator manages; it gets rights only there. */
  readonly managedNamespaces: readonly string[];
}

/** Defaults of {@link EckOperator}. */
export const ECK_OPERATOR_DEFAULTS = { namespace: "elastic-system" } as const;

/**
 * Elastic's operator from its chart at the pinned version, CRDs included (the chart's
 * eck-operator-crds dependency, installCRDs: true). `wait` holds the release until the
 * operator, and so its validating webhook, answers: resources applied earlier are refused.
 */
export class EckOperator extends Construct {
  readonly release: Release;
  /** What every ECK resource must wait for. */
  readonly ready: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: EckOperatorProps) {
    super(scope, id);
    const namespace = props.namespace ?? ECK_OPERATOR_DEFAULTS.namespace;
    for (const ns of [namespace, ...props.managedNamespaces])
      if (!DNS_LABEL_PATTERN.test(ns))
        throw new Error(`${this.node.path}: namespace = ${JSON.stringify(ns)}: must be a DNS label`);
    // Keys of deploy/eck-operator/values.yaml (elastic/cloud-on-k8s v3.5.0).
    const values = {
      installCRDs: true,
      // Rights in the stack's namespaces only, not cluster-wide.
      managedNamespaces: [...props.managedNamespaces],
      telemetry: { disabled: true },
      config: { logVerbosity: "0" },
    };
    this.release = new Release(this, "Release", {
      name: "elastic-operator",
      namespace,
      createNamespace: true,
      repository: ECK_OPERATOR_CHART.repository,
      chart: ECK_OPERATOR_CHART.chart,
      version: ECK_OPERATOR_CHART.version,
      values: [JSON.stringify(values)],
      wait: true,
      timeout: 600,
    });
    this.ready = [this.release];
  }
}
