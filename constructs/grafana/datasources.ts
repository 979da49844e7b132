import { Construct } from "constructs";
import { Fn, TerraformStack, TerraformVariable, type ITerraformDependable } from "cdktf";
import { DataSource } from "../../.gen/providers/grafana/data-source";
import { INFINITY_PLUGIN_ID } from "./instance";
import { ConfigError } from "../../config";

/** Stable datasource uids: dashboards refer to them, so changing one breaks panels. */
export const DATASOURCE_UIDS = {
  logs: "api-logs",
  events: "product-events",
  users: "gateway-users",
} as const;

/**
 * The gateway's base URL: scheme, host and an optional path, never ending in "/". RE2 (Terraform's
 * regex) and JavaScript read this pattern alike.
 */
export const GATEWAY_URL_PATTERN = "^https?://[^/?#\\s]+(/[^?#\\s]*[^/?#\\s])?$";

export interface ElasticsearchDatasourceTarget {
  /** Index name or pattern the datasource searches. */
  readonly index: string;
  readonly timeField: string;
  /** An index the stack creates or writes, which `index` must match (else: "No data"). */
  readonly writtenIndex: string;
}

/** Elasticsearch-style match of an index name against a name or `*` wildcard pattern. */
export function indexPatternMatches(pattern: string, index: string): boolean {
  return pattern.split(",").some((p) =>
    new RegExp(
      `^${p
        .split("*")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    ).test(index),
  );
}

export interface DatasourcesProps {
  /** Elasticsearch URL as Grafana reaches it. */
  readonly elasticsearchUrl: string;
  /** CA of the cluster; undefined for a publicly trusted cluster. */
  readonly elasticsearchCaPem?: string;
  /** `encoded` value of the grafana_reader API key. */
  readonly readerKeyEncoded: string;
  readonly logs: ElasticsearchDatasourceTarget;
  readonly events: ElasticsearchDatasourceTarget;
  readonly dependsOn: ITerraformDependable[];
}

/**
 * The three datasources. Secrets travel only in `http_headers` and
 * `secure_json_data_encoded` (both sensitive in the provider), never in json_data.
 */
export class Datasources extends Construct {
  readonly logs: DataSource;
  readonly events: DataSource;
  readonly users: DataSource;

  constructor(scope: Construct, id: string, props: DatasourcesProps) {
    super(scope, id);
    for (const [which, target] of [
      ["logs", props.logs],
      ["events", props.events],
    ] as const) {
      if (!indexPatternMatches(target.index, target.writtenIndex)) {
        throw new ConfigError([
          `${this.node.path}: grafana datasource "${which}": index pattern ${JSON.stringify(target.index)} does not match ${JSON.stringify(target.writtenIndex)}, the index the stack writes: its panels would show "No data"`,
        ]);
      }
    }
    const es = (id: string, uid: string, name: string, target: ElasticsearchDatasourceTarget) =>
      new DataSource(this, id, {
        uid,
        name,
        type: "elasticsearch",
        url: props.elasticsearchUrl,
        jsonDataEncoded: JSON.stringify({
          index: target.index,
          timeField: target.timeField,
          // Grafana 9+ only talks to Elasticsearch 7.16+/8.x; the version key documents the target.
          esVersion: "8.0.0",
          maxConcurrentShardRequests: 5,
          tlsAuthWithCACert: props.elasticsearchCaPem !== undefined,
        }),
        ...(props.elasticsearchCaPem !== undefined
          ? { secureJsonDataEncoded: Fn.jsonencode({ tlsCACert: props.elasticsearchCaPem }) }
          : {}),
        // The provider refuses header keys in json_data; http_headers keeps the key sensitive.
        httpHeaders: { Authorization: `ApiKey ${props.readerKeyEncoded}` },
        dependsOn: props.dependsOn,
      });
    this.logs = es("Logs", DATASOURCE_UIDS.logs, "API activity logs", props.logs);
    this.events = es("Events", DATASOURCE_UIDS.events, "Product events", props.events);

    const gatewayUrl = new TerraformVariable(TerraformStack.of(this), "dreamfactory_url", {
      type: "string",
      sensitive: true,
      description:
        "Base URL of the DreamFactory gateway whose user API the Infinity datasource reads, e.g. https://api.example.com",
      // Infinity prefixes the query path to the base URL as a plain string (grafana-infinity-datasource
      // pkg/infinity/request.go GetQueryURL, v3.11.1): a trailing "/" would request //api/v2/...
      validation: [
        {
          // In Terraform JSON an expression is a "${...}" template; a bare string would be a string.
          condition: `\${can(regex(${JSON.stringify(GATEWAY_URL_PATTERN)}, var.dreamfactory_url))}`,
          errorMessage:
            'dreamfactory_url must be an http(s) URL without a trailing "/", query or fragment, e.g. https://api.example.com',
        },
      ],
    });
    const gatewayKey = new TerraformVariable(TerraformStack.of(this), "dreamfactory_api_key", {
      type: "string",
      sensitive: true,
      description:
        "DreamFactory API key of a role limited to GET system/user (fields id, first_name, last_name, email).",
    });
    this.users = new DataSource(this, "GatewayUsers", {
      uid: DATASOURCE_UIDS.users,
      name: "Gateway users",
      type: INFINITY_PLUGIN_ID,
      url: gatewayUrl.stringValue,
      // Infinity refuses every host but the gateway, so the key can't be sent elsewhere.
      jsonDataEncoded: Fn.jsonencode({ allowedHosts: [gatewayUrl.stringValue], auth_method: "none" }),
      httpHeaders: { "X-DreamFactory-API-Key": gatewayKey.stringValue },
      dependsOn: props.dependsOn,
    });
  }
}
