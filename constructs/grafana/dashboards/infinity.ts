import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import type { DataSourceRefJson } from "./common";
import { INFINITY_DATASOURCE_TYPE, requireNonEmpty } from "./common";

/**
 * Typed builder for the Infinity datasource query model (JSON from a URL), using the plugin's
 * own field names: `type`, `source`, `format`, `parser`, `url`, `url_options`, `root_selector`,
 * `columns` (`selector`/`text`/`type`), `filters`.
 */

export type InfinityColumnType = "string" | "number" | "timestamp" | "timestamp_epoch" | "timestamp_epoch_s";

export interface InfinityColumn {
  /** Path inside each row object. */
  readonly selector: string;
  /** Column name in the resulting data frame. */
  readonly text: string;
  readonly type: InfinityColumnType;
}

export interface InfinityKeyValue {
  readonly key: string;
  readonly value: string;
}

export interface InfinityJsonUrlQuery {
  readonly refId: string;
  readonly datasource: DataSourceRefJson;
  readonly type: "json";
  readonly source: "url";
  readonly format: "table";
  /** The backend parser runs server-side, which alerting and public dashboards need. */
  readonly parser: "backend";
  /** Relative URLs are resolved against the datasource's base URL. */
  readonly url: string;
  readonly url_options: {
    readonly method: "GET";
    readonly params: readonly InfinityKeyValue[];
  };
  readonly root_selector: string;
  readonly columns: readonly InfinityColumn[];
  readonly filters: readonly [];
}

export interface InfinityJsonQuerySpec {
  readonly refId: string;
  readonly datasourceUid: string;
  readonly path: string;
  readonly params?: readonly InfinityKeyValue[];
  readonly rootSelector: string;
  readonly columns: readonly InfinityColumn[];
}

export function infinityJsonQuery(spec: InfinityJsonQuerySpec): InfinityJsonUrlQuery {
  if (!spec.path.startsWith("/")) {
    throw new Error(
      `Infinity query ${spec.refId}: path "${spec.path}" must start with "/" (it is relative to the datasource URL)`,
    );
  }
  if (spec.columns.length === 0) {
    throw new Error(`Infinity query ${spec.refId}: at least one column is required`);
  }
  return {
    refId: requireNonEmpty("refId", spec.refId),
    datasource: { type: INFINITY_DATASOURCE_TYPE, uid: requireNonEmpty("datasourceUid", spec.datasourceUid) },
    type: "json",
    source: "url",
    format: "table",
    parser: "backend",
    url: spec.path,
    url_options: { method: "GET", params: [...(spec.params ?? [])] },
    root_selector: spec.rootSelector,
    columns: [...spec.columns],
    filters: [],
  };
}

/** User fields the least-privilege API key may read (DESIGN.md §1.2). */
export const DREAMFACTORY_USER_FIELDS = ["id", "first_name", "last_name", "email"] as const;

/** Page size of the user list request; DreamFactory returns at most this many users. */
export const DREAMFACTORY_USER_LIMIT = 100;

/**
 * The DreamFactory user list (`/api/v2/system/user?fields=id,first_name,last_name,email&limit=100`,
 * rows under `resource`). The id column is named `idColumn` so a join-by-field can match it
 * against the Elasticsearch terms column of the same name.
 */
export function dreamFactoryUsersQuery(
  refId: string,
  datasourceUid: string,
  idColumn: string,
): InfinityJsonUrlQuery {
  return infinityJsonQuery({
    refId,
    datasourceUid,
    path: "/api/v2/system/user",
    params: [
      { key: "fields", value: DREAMFACTORY_USER_FIELDS.join(",") },
      { key: "limit", value: String(DREAMFACTORY_USER_LIMIT) },
    ],
    rootSelector: "resource",
    columns: [
      // The ids are strings on both sides: user.id is a keyword in Elasticsearch.
      { selector: "id", text: idColumn, type: "string" },
      { selector: "first_name", text: "first_name", type: "string" },
      { selector: "last_name", text: "last_name", type: "string" },
      { selector: "email", text: "email", type: "string" },
    ],
  });
}

/** Lets a plain Infinity query sit among SDK targets. */
export function infinityTarget(query: InfinityJsonUrlQuery): cog.Builder<cog.Dataquery> {
  return { build: () => ({ ...query, _implementsDataqueryVariant: () => undefined }) };
}
