import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { LOG_FIELDS, LOG_TIME_FIELD } from "../../elasticsearch/fields";
import type { DashboardJson, TransformationJson } from "./common";
import {
  ELASTICSEARCH_DATASOURCE_TYPE,
  MIXED_DATASOURCE,
  allOf,
  catalogueField,
  requireNonEmpty,
  typeFilter,
} from "./common";
import type { ElasticsearchQuerySpec } from "./elasticsearch-query";
import { esBucket, esMetric, esQuery } from "./elasticsearch-query";
import { dreamFactoryUsersQuery, infinityTarget } from "./infinity";
import { buildDashboardJson, tablePanel, timeSeriesPanel } from "./panels";

export interface ApiActivityDashboardParams {
  /** Stable dashboard uid (Grafana uid rules: ≤ 40 of `[A-Za-z0-9_-]`). */
  readonly uid: string;
  readonly title: string;
  /** Elasticsearch datasource over `dreamfactory-logs-*`. */
  readonly logsDatasourceUid: string;
  /** Infinity datasource pointing at the DreamFactory gateway. */
  readonly usersDatasourceUid: string;
  /** Value of the `type` field on API activity documents (`LOG_TYPE`). */
  readonly logType: string;
}

/** Field of the log catalogue; throws if the catalogue does not have it. */
export function logField(path: string): string {
  return catalogueField(LOG_FIELDS, "log", path);
}

export const API_ACTIVITY_TAGS = ["dreamfactory", "users", "api", "activity"] as const;

/** Column names of Elasticsearch table results and the names shown instead. */
const COUNT_COLUMN = "Count";
const TOTAL_CALLS = "Total API Calls";
const USER_EMAIL = "User Email";
const ADMIN_USER_TEXT = "Admin User";

/**
 * The *DreamFactory API Activity* dashboard (DESIGN.md §1.2) as classic dashboard JSON.
 * Panel ids 1–7 and positions are fixed so that updates keep panel links and layout.
 */
export function buildApiActivityDashboard(params: ApiActivityDashboardParams): DashboardJson {
  const logsUid = requireNonEmpty("logsDatasourceUid", params.logsDatasourceUid);
  const usersUid = requireNonEmpty("usersDatasourceUid", params.usersDatasourceUid);
  const logs = { type: ELASTICSEARCH_DATASOURCE_TYPE, uid: logsUid };

  const userId = logField("user.id");
  const method = logField("event.request.method");
  const uri = logField("event.request.uri");
  const service = logField("event.request.service");
  const status = logField("event.response.status");
  const responseMs = logField("response_ms");
  const timeField = logField(LOG_TIME_FIELD);
  const onlyLogs = typeFilter(logField("type"), params.logType);
  const exists = (field: string): string => `${field}:*`;

  type LogsQuerySpec = Pick<ElasticsearchQuerySpec, "metrics" | "bucketAggs" | "alias">;
  const logsQuery = (query: string, spec: LogsQuerySpec) =>
    esQuery({ refId: "A", datasourceUid: logsUid, timeField, query, ...spec });

  // Tables joined with the user list query the Mixed datasource: A = Elasticsearch, B = Infinity.
  const withUsers = (query: ReturnType<typeof logsQuery>): cog.Builder<cog.Dataquery>[] => [
    query,
    infinityTarget(dreamFactoryUsersQuery("B", usersUid, userId)),
  ];

  const panels = [
    timeSeriesPanel({
      id: 1,
      title: "Requests per Minute",
      description: "All API requests logged by the gateway, per minute.",
      gridPos: { x: 0, y: 0, w: 12, h: 8 },
      datasource: logs,
      unit: "short",
      targets: [
        logsQuery(onlyLogs, {
          alias: "Requests",
          metrics: [esMetric.count("1")],
          bucketAggs: [esBucket.dateHistogram("2", timeField, "1m")],
        }),
      ],
    }),
    timeSeriesPanel({
      id: 2,
      title: "Error Rate by HTTP Status",
      description:
        "Responses with status ≥ 400 by status code. The error-rate alert fires above its threshold.",
      gridPos: { x: 12, y: 0, w: 12, h: 8 },
      datasource: logs,
      unit: "short",
      stackedBars: true,
      targets: [
        logsQuery(allOf(onlyLogs, `${status}:>=400`), {
          alias: `{{term ${status}}}`,
          metrics: [esMetric.count("1")],
          // Split by status, then by time: Grafana only returns time series when the date histogram is the innermost bucket.
          bucketAggs: [
            esBucket.terms("2", status, { size: 10 }),
            esBucket.dateHistogram("3", timeField, "auto"),
          ],
        }),
      ],
    }),
    tablePanel({
      id: 3,
      title: "Top API Consumers",
      description: "Users with the most API requests.",
      gridPos: { x: 0, y: 8, w: 12, h: 8 },
      datasource: logs,
      targets: [
        logsQuery(allOf(onlyLogs, exists(method)), {
          metrics: [esMetric.count("1")],
          bucketAggs: [esBucket.terms("2", userId, { size: 20 })],
        }),
      ],
      transformations: [organize({ renameByName: { [userId]: "User ID", [COUNT_COLUMN]: "API Calls" } })],
      sortBy: { displayName: "API Calls", desc: true },
    }),
    tablePanel({
      id: 4,
      title: "Slowest Endpoints",
      description: "Endpoints by average response time (documents that carry response_ms).",
      gridPos: { x: 12, y: 8, w: 12, h: 8 },
      datasource: logs,
      targets: [
        logsQuery(allOf(onlyLogs, exists(uri)), {
          metrics: [esMetric.avg("1", responseMs), esMetric.count("2")],
          bucketAggs: [esBucket.terms("3", uri, { size: 20, orderBy: "1" })],
        }),
      ],
      transformations: [
        organize({
          renameByName: {
            [uri]: "API Endpoint",
            [`Average ${responseMs}`]: "Avg Response Time",
            [COUNT_COLUMN]: "Requests",
          },
        }),
      ],
      sortBy: { displayName: "Avg Response Time", desc: true },
      overrides: [{ fieldName: "Avg Response Time", properties: [{ id: "unit", value: "ms" }] }],
    }),
    userTable({
      id: 5,
      title: "Total API Calls by User",
      description: "API calls per user, with the user's name and e-mail from DreamFactory.",
      gridPos: { x: 0, y: 16, w: 24, h: 8 },
      targets: withUsers(
        logsQuery(allOf(onlyLogs, exists(userId), exists(method)), {
          metrics: [esMetric.count("1")],
          bucketAggs: [esBucket.terms("2", userId, { size: 50 })],
        }),
      ),
      userId,
      // One row per user: the names fit here, so they stay visible.
      hidden: [],
      renames: { first_name: "First Name", last_name: "Last Name" },
      order: [userId, "first_name", "last_name", "email", COUNT_COLUMN],
    }),
    userTable({
      id: 6,
      title: "APIs Accessed by Each User",
      description: "Requests per user, HTTP method and endpoint.",
      gridPos: { x: 0, y: 24, w: 24, h: 10 },
      targets: withUsers(
        logsQuery(allOf(onlyLogs, exists(userId), exists(method), exists(uri)), {
          metrics: [esMetric.count("1")],
          bucketAggs: [
            esBucket.terms("2", userId, { size: 20 }),
            esBucket.terms("3", method, { size: 10 }),
            esBucket.terms("4", uri, { size: 25 }),
          ],
        }),
      ),
      userId,
      // Many rows per user: the e-mail identifies the user, the name columns only repeat it.
      hidden: ["first_name", "last_name"],
      renames: { [method]: "HTTP Method", [uri]: "API Endpoint" },
      order: [userId, "email", method, uri, COUNT_COLUMN],
    }),
    userTable({
      id: 7,
      title: "User Access to Specific Services",
      description: "Requests per user, DreamFactory service and HTTP method.",
      gridPos: { x: 0, y: 34, w: 24, h: 10 },
      targets: withUsers(
        logsQuery(allOf(onlyLogs, exists(userId), exists(method), exists(service)), {
          metrics: [esMetric.count("1")],
          bucketAggs: [
            esBucket.terms("2", userId, { size: 20 }),
            esBucket.terms("3", service, { size: 15 }),
            esBucket.terms("4", method, { size: 10 }),
          ],
        }),
      ),
      userId,
      hidden: ["first_name", "last_name"],
      renames: { [service]: "Service", [method]: "HTTP Method" },
      order: [userId, "email", service, method, COUNT_COLUMN],
    }),
  ];

  return buildDashboardJson({
    uid: params.uid,
    title: params.title,
    description: "DreamFactory API activity from the gateway logs, joined with DreamFactory users.",
    tags: API_ACTIVITY_TAGS,
    panels,
  });
}

interface UserTableSpec {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets: readonly cog.Builder<cog.Dataquery>[];
  readonly userId: string;
  /** Infinity columns not shown in this table. */
  readonly hidden: readonly string[];
  /** Renames besides the shared ones (user id, e-mail, count). */
  readonly renames: Readonly<Record<string, string>>;
  /** Column order (names before renaming). */
  readonly order: readonly string[];
}

/**
 * A per-user table: Elasticsearch counts joined with the DreamFactory user list. Users without
 * calls (null count after the outer join) are dropped; ids the list does not know (admins live
 * outside `system/user`) get no e-mail and are shown as "Admin User".
 */
function userTable(spec: UserTableSpec) {
  return tablePanel({
    id: spec.id,
    title: spec.title,
    description: spec.description,
    gridPos: spec.gridPos,
    datasource: MIXED_DATASOURCE,
    targets: spec.targets,
    transformations: [
      // outerTabular is Grafana's outer join for tables: it keeps duplicated keys (many rows per user).
      { id: "joinByField", options: { byField: spec.userId, mode: "outerTabular" } },
      {
        id: "filterByValue",
        options: {
          type: "exclude",
          match: "any",
          filters: [{ fieldName: COUNT_COLUMN, config: { id: "isNull", options: {} } }],
        },
      },
      organize({
        excludeByName: Object.fromEntries(spec.hidden.map((name) => [name, true])),
        indexByName: Object.fromEntries(spec.order.map((name, index) => [name, index])),
        renameByName: {
          [spec.userId]: "User ID",
          email: USER_EMAIL,
          [COUNT_COLUMN]: TOTAL_CALLS,
          ...spec.renames,
        },
      }),
    ],
    sortBy: { displayName: TOTAL_CALLS, desc: true },
    overrides: [
      {
        fieldName: USER_EMAIL,
        properties: [
          {
            id: "mappings",
            value: [
              {
                type: dashboard.MappingType.SpecialValue,
                options: { match: dashboard.SpecialValueMatch.Empty, result: { text: ADMIN_USER_TEXT } },
              },
              {
                type: dashboard.MappingType.SpecialValue,
                options: { match: dashboard.SpecialValueMatch.Null, result: { text: ADMIN_USER_TEXT } },
              },
            ] satisfies dashboard.ValueMapping[],
          },
        ],
      },
    ],
  });
}

function organize(options: {
  readonly excludeByName?: Readonly<Record<string, boolean>>;
  readonly indexByName?: Readonly<Record<string, number>>;
  readonly renameByName: Readonly<Record<string, string>>;
}): TransformationJson {
  return {
    id: "organize",
    options: {
      excludeByName: options.excludeByName ?? {},
      indexByName: options.indexByName ?? {},
      renameByName: options.renameByName,
    },
  };
}
