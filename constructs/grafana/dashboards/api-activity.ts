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
import { DREAMFACTORY_USER_FIELDS, dreamFactoryUsersQuery, infinityTarget } from "./infinity";
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

/** Id of the "Error Rate by HTTP Status" panel, which the error-rate alert rule links to. */
export const ERROR_RATE_PANEL_ID = 2;

/**
 * Metric columns of Elasticsearch table results: Grafana's backend names them by metric type and
 * adds the field only when two metrics share a type (grafana/grafana
 * pkg/tsdb/elasticsearch/response_parser.go, addOtherMetricsToFields, v11.6 line).
 */
const COUNT_COLUMN = "Count";
const AVERAGE_COLUMN = "Average";
/** Headers shown instead. */
const TOTAL_CALLS = "Total API Calls";
const USER_EMAIL = "User Email";
const AVG_RESPONSE_TIME = "Avg Response Time";
/** Shown for ids the user list lacks (admins live outside `system/user`) and for empty e-mails. */
export const ADMIN_USER_TEXT = "Admin User";
/** Shown in the response-time column when no document of an endpoint carries response_ms. */
export const NO_RESPONSE_TIME_TEXT = "not logged";

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
      id: ERROR_RATE_PANEL_ID,
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
      description:
        "Endpoints by average response time, slowest first. Needs response timing: Logstash fills response_ms only when it parses the duration the gateway logs (logstash.responseTime, off by default); until then the column reads “not logged”.",
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
            [AVERAGE_COLUMN]: AVG_RESPONSE_TIME,
            [COUNT_COLUMN]: "Requests",
          },
        }),
      ],
      sortBy: { displayName: AVG_RESPONSE_TIME, desc: true },
      overrides: [
        {
          fieldName: AVG_RESPONSE_TIME,
          properties: [
            { id: "unit", value: "ms" },
            { id: "noValue", value: NO_RESPONSE_TIME_TEXT },
          ],
        },
      ],
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
      columns: [
        [userId, "User ID"],
        ["first_name", "First Name"],
        ["last_name", "Last Name"],
        ["email", USER_EMAIL],
        [COUNT_COLUMN, TOTAL_CALLS],
      ],
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
      columns: [
        [userId, "User ID"],
        ["email", USER_EMAIL],
        [method, "HTTP Method"],
        [uri, "API Endpoint"],
        [COUNT_COLUMN, TOTAL_CALLS],
      ],
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
      columns: [
        [userId, "User ID"],
        ["email", USER_EMAIL],
        [service, "Service"],
        [method, "HTTP Method"],
        [COUNT_COLUMN, TOTAL_CALLS],
      ],
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
  /** The join key: the Elasticsearch terms field and the user list's id column. */
  readonly userId: string;
  /**
   * Visible columns in order, as [name in the data, header shown]; names are Elasticsearch terms
   * fields, metric columns (`Count`) or user list columns. User list columns not named are hidden.
   * Must include the user id, `email` and `Count`.
   */
  readonly columns: readonly (readonly [string, string])[];
}

/**
 * A per-user table: Elasticsearch counts joined with the DreamFactory user list. Users without
 * calls (null count after the outer join) are dropped; ids the list does not know (admins live
 * outside `system/user`) get no e-mail and are shown as "Admin User".
 *
 * Join by field labels every non-key field of a named frame with the frame's name (Infinity names
 * its frame after the refId, so `email` shows as `email B` after the join). Columns are therefore
 * renamed, and unwanted user list columns dropped, before the join: a display name set on a field
 * wins over its labels. Only the join key keeps its name through the join.
 */
function userTable(spec: UserTableSpec) {
  const shown = new Map(spec.columns);
  const header = (name: string): string => {
    const value = shown.get(name);
    if (value === undefined) throw new Error(`user table ${spec.id}: column ${name} must be shown`);
    return value;
  };
  const userIdHeader = header(spec.userId);
  const emailHeader = header("email");
  const callsHeader = header(COUNT_COLUMN);
  const hiddenUserColumns = DREAMFACTORY_USER_FIELDS.filter((f) => f !== "id" && !shown.has(f));
  return tablePanel({
    id: spec.id,
    title: spec.title,
    description: spec.description,
    gridPos: spec.gridPos,
    datasource: MIXED_DATASOURCE,
    targets: spec.targets,
    transformations: [
      organize({
        excludeByName: Object.fromEntries(hiddenUserColumns.map((name) => [name, true])),
        renameByName: Object.fromEntries(spec.columns.filter(([name]) => name !== spec.userId)),
      }),
      // outerTabular is Grafana's outer join for tables: it keeps duplicated keys (many rows per user).
      { id: "joinByField", options: { byField: spec.userId, mode: "outerTabular" } },
      {
        id: "filterByValue",
        options: {
          type: "exclude",
          match: "any",
          filters: [{ fieldName: callsHeader, config: { id: "isNull", options: {} } }],
        },
      },
      // Organize orders by the names before its own rename: the key by its field name, the rest by header.
      organize({
        indexByName: Object.fromEntries(
          spec.columns.map(([name, shownAs], index) => [name === spec.userId ? name : shownAs, index]),
        ),
        renameByName: { [spec.userId]: userIdHeader },
      }),
    ],
    sortBy: { displayName: callsHeader, desc: true },
    overrides: [
      {
        fieldName: emailHeader,
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

/** Grafana's "Organize fields by name"; every name is a field's display name at that step. */
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
