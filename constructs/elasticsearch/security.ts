import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { estypes } from "@elastic/elasticsearch";
import { ElasticsearchSecurityRole } from "@cdktf-providers/elastic-elasticstack/elasticsearch-security-role";
import { ElasticsearchSecurityApiKey } from "@cdktf-providers/elastic-elasticstack/elasticsearch-security-api-key";
import { providerOf, type ElasticsearchConnection } from "./cluster";

/** Index privileges on some indices, as a role descriptor holds them. */
export interface IndexGrant {
  /** Index names or patterns. */
  readonly names: readonly string[];
  readonly privileges: readonly estypes.SecurityIndexPrivilege[];
}

/** Something whose privileges can be widened by a grant (an API key, a role). */
export interface IGrantable {
  /** Adds index privileges; identical privilege sets are merged into one entry. */
  addIndexPrivileges(grant: IndexGrant): void;
}

export interface ScopedApiKeyProps {
  /** The cluster the role and key live in. */
  readonly cluster: ElasticsearchConnection;
  /** Role name, e.g. `datafly_writer`; the key is named `<roleName>-key`. */
  readonly roleName: string;
  /** What the key is for, shown in the cluster. @default "Scoped API key <roleName>" */
  readonly description?: string;
  /** Cluster privileges. @default none */
  readonly clusterPrivileges?: readonly estypes.SecurityClusterPrivilege[];
  /** Index privileges to start with; `grant*` methods of indices add more. @default none */
  readonly indexPrivileges?: readonly IndexGrant[];
  /** More resources to wait for. @default the cluster's `ready` */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * A role and an API key limited to the same descriptor, built from one list of grants. The
 * role documents the grant in the cluster (and can be given to users); the key is what a
 * client authenticates with. No create_before_destroy: Terraform would force it onto the
 * containers the key depends on, whose fixed names and ports make a second copy fail.
 */
export class ScopedApiKey extends Construct implements IGrantable {
  readonly roleName: string;
  /** Base64 `id:api_key`, for `Authorization: ApiKey <encoded>` (Datafly Signal, Grafana). */
  readonly encoded: string;
  /** `id:api_key`, the form Logstash's elasticsearch output takes. */
  readonly idColonKey: string;
  /** Escape hatches. */
  readonly role: ElasticsearchSecurityRole;
  readonly apiKey: ElasticsearchSecurityApiKey;
  private readonly clusterPrivileges: readonly estypes.SecurityClusterPrivilege[];
  private readonly grants: IndexGrant[] = [];

  constructor(scope: Construct, id: string, props: ScopedApiKeyProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_.-]{1,507}$/.test(props.roleName))
      throw new Error(
        `${this.node.path}: roleName = ${JSON.stringify(props.roleName)}: must be letters, digits, _ . or -`,
      );
    this.roleName = props.roleName;
    this.clusterPrivileges = props.clusterPrivileges ?? [];
    const dependsOn = [...props.cluster.ready, ...(props.dependsOn ?? [])];
    const description = props.description ?? `Scoped API key ${props.roleName}`;
    this.role = new ElasticsearchSecurityRole(this, "Role", {
      name: props.roleName,
      description,
      cluster: [...this.clusterPrivileges],
      dependsOn,
      ...providerOf(props.cluster),
    });
    this.apiKey = new ElasticsearchSecurityApiKey(this, "ApiKey", {
      name: `${props.roleName}-key`,
      roleDescriptors: "{}",
      metadata: JSON.stringify({ managed_by: "elk-grafana-cdktf", role: props.roleName }),
      dependsOn: [...dependsOn, this.role],
      ...providerOf(props.cluster),
    });
    this.encoded = this.apiKey.encoded;
    this.idColonKey = `${this.apiKey.keyId}:${this.apiKey.apiKey}`;
    for (const grant of props.indexPrivileges ?? []) this.addIndexPrivileges(grant);
    this.refresh();
  }

  /** The role descriptor the role and the key both carry. */
  get descriptor(): estypes.SecurityRoleDescriptor {
    return {
      cluster: [...this.clusterPrivileges],
      indices: this.grants.map((g) => ({
        names: [...g.names],
        privileges: [...g.privileges],
        allow_restricted_indices: false,
      })),
    };
  }

  addIndexPrivileges(grant: IndexGrant): void {
    if (grant.names.length === 0 || grant.privileges.length === 0)
      throw new Error(`${this.node.path}: a grant needs index names and privileges`);
    const same = this.grants.findIndex((g) => samePrivileges(g.privileges, grant.privileges));
    if (same >= 0) {
      const names = [
        ...this.grants[same].names,
        ...grant.names.filter((n) => !this.grants[same].names.includes(n)),
      ];
      this.grants[same] = { names, privileges: this.grants[same].privileges };
    } else {
      this.grants.push({ names: [...grant.names], privileges: [...grant.privileges] });
    }
    this.refresh();
  }

  private refresh(): void {
    const descriptor = this.descriptor;
    this.role.putIndices(
      (descriptor.indices ?? []).map((entry) => ({
        names: entry.names as string[],
        privileges: entry.privileges,
        // Explicit: the provider reports a perpetual diff when it is left unset.
        allowRestrictedIndices: false,
      })),
    );
    this.apiKey.roleDescriptors = JSON.stringify({ [this.roleName]: descriptor });
  }
}

function samePrivileges(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p) => b.includes(p));
}
