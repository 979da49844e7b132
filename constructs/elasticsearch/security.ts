import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { estypes } from "@elastic/elasticsearch";
import { ElasticsearchSecurityRole } from "@cdktf-providers/elastic-elasticstack/elasticsearch-security-role";
import { ElasticsearchSecurityApiKey } from "@cdktf-providers/elastic-elasticstack/elasticsearch-security-api-key";

export interface ScopedApiKeyProps {
  /** Role name, e.g. datafly_writer. */
  readonly roleName: string;
  readonly descriptor: estypes.SecurityRoleDescriptor;
  readonly description: string;
  readonly dependsOn: ITerraformDependable[];
}

/**
 * A role and an API key limited to the same descriptor. The role documents the grant in
 * the cluster (and can be given to users); the key is what a client authenticates with.
 */
export class ScopedApiKey extends Construct {
  readonly roleName: string;
  /** Base64 `id:api_key`, for `Authorization: ApiKey <encoded>` (Datafly Signal, Grafana). */
  readonly encoded: string;
  /** `id:api_key`, the form Logstash's elasticsearch output takes. */
  readonly idColonKey: string;
  readonly descriptor: estypes.SecurityRoleDescriptor;

  constructor(scope: Construct, id: string, props: ScopedApiKeyProps) {
    super(scope, id);
    this.roleName = props.roleName;
    this.descriptor = props.descriptor;
    const role = new ElasticsearchSecurityRole(this, "Role", {
      name: props.roleName,
      description: props.description,
      cluster: props.descriptor.cluster ?? [],
      indices: (props.descriptor.indices ?? []).map((entry) => ({
        names: toArray(entry.names),
        privileges: entry.privileges,
        // Explicit: the provider reports a perpetual diff when it is left unset.
        allowRestrictedIndices: entry.allow_restricted_indices ?? false,
      })),
      dependsOn: props.dependsOn,
    });
    const key = new ElasticsearchSecurityApiKey(this, "ApiKey", {
      name: `${props.roleName}-key`,
      roleDescriptors: JSON.stringify({ [props.roleName]: props.descriptor }),
      metadata: JSON.stringify({ managed_by: "elk-grafana-cdktf", role: props.roleName }),
      // No create_before_destroy: Terraform would force it onto everything the key depends on,
      // the Elasticsearch containers included, whose fixed names and ports make a second copy fail.
      dependsOn: [...props.dependsOn, role],
    });
    this.encoded = key.encoded;
    this.idColonKey = `${key.keyId}:${key.apiKey}`;
  }
}

function toArray(names: estypes.Indices): string[] {
  return Array.isArray(names) ? names : [names];
}
