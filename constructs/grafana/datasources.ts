import { Construct } from "constructs";
import { Fn, type ITerraformDependable } from "cdktf";
import { DataSource } from "../../.gen/providers/grafana/data-source";
import { INFINITY_PLUGIN_ID } from "./instance";
import type { GrafanaProvider } from "../../.gen/providers/grafana/provider";

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

export interface ElasticsearchDatasourceProps {
  /** Stable uid that dashboards and alert rules refer to. */
  readonly uid: string;
  /** Name shown in Grafana. */
  readonly name: string;
  /** Elasticsearch URL as Grafana reaches it (one URL that any healthy node answers). */
  readonly url: string;
  /** CA of the cluster. @default none: a publicly trusted certificate */
  readonly caCertPem?: string;
  /** `encoded` value of a read-only API key, sent as `Authorization: ApiKey …`. */
  readonly apiKeyEncoded: string;
  /** Index name or pattern to search, and its time field. */
  readonly target: ElasticsearchDatasourceTarget;
  /** Resources the datasource waits for (the Grafana instance). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** Provider of the target Grafana. @default the stack's default grafana provider */
  readonly provider?: GrafanaProvider;
}

/**
 * An Elasticsearch datasource over verified TLS with a scoped key. Secrets travel only in
 * `http_headers` and `secure_json_data_encoded` (both sensitive in the provider), never in json_data.
 */
export class ElasticsearchDatasource extends Construct {
  readonly uid: string;
  readonly index: string;
  /** Escape hatch. */
  readonly resource: DataSource;

  constructor(scope: Construct, id: string, props: ElasticsearchDatasourceProps) {
    super(scope, id);
    const { target } = props;
    if (!indexPatternMatches(target.index, target.writtenIndex))
      throw new Error(
        `${this.node.path}: target.index = ${JSON.stringify(target.index)}: does not match ${JSON.stringify(target.writtenIndex)}, the index that is written: its panels would show "No data"`,
      );
    this.uid = props.uid;
    this.index = target.index;
    // "Default" keeps the resource's address that of this construct.
    this.resource = new DataSource(this, "Default", {
      uid: props.uid,
      name: props.name,
      type: "elasticsearch",
      url: props.url,
      jsonDataEncoded: JSON.stringify({
        index: target.index,
        timeField: target.timeField,
        // Grafana 9+ only talks to Elasticsearch 7.16+/8.x; the version key documents the target.
        esVersion: "8.0.0",
        maxConcurrentShardRequests: 5,
        tlsAuthWithCACert: props.caCertPem !== undefined,
      }),
      ...(props.caCertPem !== undefined
        ? { secureJsonDataEncoded: Fn.jsonencode({ tlsCACert: props.caCertPem }) }
        : {}),
      // The provider refuses header keys in json_data; http_headers keeps the key sensitive.
      httpHeaders: { Authorization: `ApiKey ${props.apiKeyEncoded}` },
      dependsOn: [...(props.dependsOn ?? [])],
      ...(props.provider ? { provider: props.provider } : {}),
    });
  }
}

export interface InfinityDatasourceProps {
  readonly uid: string;
  readonly name: string;
  /** Base URL the queries' paths are appended to, as plain strings (so no trailing "/"). */
  readonly baseUrl: string;
  /** Headers sent with every request, e.g. an API key; kept sensitive. @default none */
  readonly headers?: Readonly<Record<string, string>>;
  /** Hosts Infinity may send requests (and so the headers) to. @default [baseUrl] */
  readonly allowedHosts?: readonly string[];
  /** CA the server's certificate is verified with. @default none: the system's trust store */
  readonly caCertPem?: string;
  /** HTTP basic authentication; the password is kept in secure_json_data. @default none */
  readonly basicAuth?: { readonly user: string; readonly password: string };
  /** @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** @default the stack's default grafana provider */
  readonly provider?: GrafanaProvider;
}

/** An Infinity (JSON over HTTP) datasource, e.g. the gateway's user list. */
export class InfinityDatasource extends Construct {
  readonly uid: string;
  readonly resource: DataSource;

  constructor(scope: Construct, id: string, props: InfinityDatasourceProps) {
    super(scope, id);
    this.uid = props.uid;
    this.resource = new DataSource(this, "Default", {
      uid: props.uid,
      name: props.name,
      type: INFINITY_PLUGIN_ID,
      url: props.baseUrl,
      // Infinity refuses every host but these, so the headers can't be sent elsewhere. Keys as
      // Infinity reads them (pkg/models/settings.go LoadSettings: auth_method, tlsAuthWithCACert;
      // secure basicAuthPassword, tlsCACert; grafana/grafana-infinity-datasource).
      jsonDataEncoded: Fn.jsonencode({
        allowedHosts: [...(props.allowedHosts ?? [props.baseUrl])],
        auth_method: props.basicAuth ? "basicAuth" : "none",
        ...(props.caCertPem !== undefined ? { tlsAuthWithCACert: true } : {}),
      }),
      ...(props.basicAuth ? { basicAuthEnabled: true, basicAuthUsername: props.basicAuth.user } : {}),
      ...(props.caCertPem !== undefined || props.basicAuth
        ? {
            secureJsonDataEncoded: Fn.jsonencode({
              ...(props.caCertPem !== undefined ? { tlsCACert: props.caCertPem } : {}),
              ...(props.basicAuth ? { basicAuthPassword: props.basicAuth.password } : {}),
            }),
          }
        : {}),
      ...(props.headers ? { httpHeaders: { ...props.headers } } : {}),
      dependsOn: [...(props.dependsOn ?? [])],
      ...(props.provider ? { provider: props.provider } : {}),
    });
  }
}
