import * as dashboardSdk from "@grafana/grafana-foundation-sdk/dashboard";
import * as esSdk from "@grafana/grafana-foundation-sdk/elasticsearch";
import { LOG_FIELDS, LOG_TYPE } from "../../constructs/elasticsearch/fields";
import { buildApiActivityDashboard, logField } from "../../constructs/grafana/dashboards/api-activity";
import type {
  DashboardJson,
  EsBucketAggJson,
  PanelJson,
  TargetJson,
} from "../../constructs/grafana/dashboards/common";
import { DASHBOARD_SCHEMA_VERSION } from "../../constructs/grafana/dashboards/common";
import {
  ES_METRIC_TYPES,
  assertMetricTypes,
  esMetric,
  esQuery,
} from "../../constructs/grafana/dashboards/elasticsearch-query";
import type { InfinityJsonUrlQuery } from "../../constructs/grafana/dashboards/infinity";

const PARAMS = {
  uid: "dreamfactory-api-activity",
  title: "DreamFactory API Activity",
  logsDatasourceUid: "dreamfactory-logs",
  usersDatasourceUid: "dreamfactory-users",
  logType: LOG_TYPE,
} as const;

const dashboard = buildApiActivityDashboard(PARAMS);
const TYPE = `type:"${LOG_TYPE}"`;

function panel(title: string): PanelJson {
  const found = dashboard.panels.find((p) => p.title === title);
  if (found === undefined) throw new Error(`no panel "${title}"`);
  return found;
}

function target(p: PanelJson, refId = "A"): TargetJson {
  const found = p.targets?.find((t) => t.refId === refId);
  if (found === undefined) throw new Error(`panel "${p.title}" has no target ${refId}`);
  return found;
}

function buckets(p: PanelJson): readonly EsBucketAggJson[] {
  return target(p).bucketAggs ?? [];
}

/** type, field and settings of each bucket, outermost first. */
function bucketSummary(p: PanelJson) {
  return buckets(p).map((b) => ({ type: b.type, field: b.field, settings: b.settings }));
}

function terms(field: string, size: number, orderBy = "_count") {
  return {
    type: "terms",
    field,
    settings: { size: String(size), order: "desc", orderBy, min_doc_count: "1" },
  };
}

function transformation(p: PanelJson, id: string): Record<string, unknown> {
  const found = p.transformations?.find((t) => t.id === id);
  if (found === undefined) throw new Error(`panel "${p.title}" has no ${id} transformation`);
  return found.options as Record<string, unknown>;
}

function allValues(value: unknown, visit: (v: unknown, path: string) => void, path = "$"): void {
  visit(value, path);
  if (Array.isArray(value)) value.forEach((v, i) => allValues(v, visit, `${path}[${i}]`));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) allValues(v, visit, `${path}.${k}`);
  }
}

describe("DreamFactory API Activity dashboard: settings", () => {
  test("uid, title, time range, refresh, tags and schema version", () => {
    expect(dashboard.uid).toBe(PARAMS.uid);
    expect(dashboard.title).toBe(PARAMS.title);
    expect(dashboard.time).toEqual({ from: "now-24h", to: "now" });
    expect(dashboard.refresh).toBe("1m");
    expect(dashboard.tags).toEqual(["dreamfactory", "users", "api", "activity"]);
    expect(dashboard.schemaVersion).toBe(41);
    expect(dashboard.schemaVersion).toBe(DASHBOARD_SCHEMA_VERSION);
  });

  test("the installed SDK targets the same dashboard schema version as the Grafana 11.6 image", () => {
    expect(new dashboardSdk.DashboardBuilder("probe").build().schemaVersion).toBe(DASHBOARD_SCHEMA_VERSION);
  });

  test("the seven panels, in order, with fixed ids and visualizations", () => {
    expect(dashboard.panels.map((p) => [p.id, p.title, p.type])).toEqual([
      [1, "Requests per Minute", "timeseries"],
      [2, "Error Rate by HTTP Status", "timeseries"],
      [3, "Top API Consumers", "table"],
      [4, "Slowest Endpoints", "table"],
      [5, "Total API Calls by User", "table"],
      [6, "APIs Accessed by Each User", "table"],
      [7, "User Access to Specific Services", "table"],
    ]);
  });

  test("grid positions are fixed, inside 24 columns and do not overlap", () => {
    expect(dashboard.panels.map((p) => p.gridPos)).toEqual([
      { x: 0, y: 0, w: 12, h: 8 },
      { x: 12, y: 0, w: 12, h: 8 },
      { x: 0, y: 8, w: 12, h: 8 },
      { x: 12, y: 8, w: 12, h: 8 },
      { x: 0, y: 16, w: 24, h: 8 },
      { x: 0, y: 24, w: 24, h: 10 },
      { x: 0, y: 34, w: 24, h: 10 },
    ]);
    const cells = new Set<string>();
    for (const { gridPos } of dashboard.panels) {
      if (gridPos === undefined) throw new Error("panel without gridPos");
      expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

describe("DreamFactory API Activity dashboard: queries and aggregations", () => {
  test("every Elasticsearch target uses the logs datasource and @timestamp", () => {
    for (const p of dashboard.panels) {
      const t = target(p, "A");
      expect(t.datasource).toEqual({ type: "elasticsearch", uid: PARAMS.logsDatasourceUid });
      expect(t.timeField).toBe("@timestamp");
      expect(t.query?.startsWith(`${TYPE}`)).toBe(true);
    }
  });

  test("Requests per Minute: all dreamfactory documents, count per 1m date histogram", () => {
    const p = panel("Requests per Minute");
    expect(target(p).query).toBe(TYPE);
    expect(target(p).metrics).toEqual([{ id: "1", type: "count" }]);
    expect(bucketSummary(p)).toEqual([
      { type: "date_histogram", field: "@timestamp", settings: { interval: "1m", min_doc_count: "0" } },
    ]);
  });

  test("Error Rate by HTTP Status: status >= 400, split by status with time innermost, stacked bars", () => {
    const p = panel("Error Rate by HTTP Status");
    expect(target(p).query).toBe(`${TYPE} AND event.response.status:>=400`);
    expect(target(p).metrics).toEqual([{ id: "1", type: "count" }]);
    expect(bucketSummary(p)).toEqual([
      terms("event.response.status", 10),
      { type: "date_histogram", field: "@timestamp", settings: { interval: "auto", min_doc_count: "0" } },
    ]);
    expect(target(p).alias).toBe("{{term event.response.status}}");
    const custom = (p.fieldConfig as { defaults: { custom: Record<string, unknown> } }).defaults.custom;
    expect(custom.drawStyle).toBe("bars");
    expect(custom.stacking).toEqual({ mode: "normal", group: "A" });
    expect((p.options as { legend: { showLegend: boolean } }).legend.showLegend).toBe(true);
  });

  test("Top API Consumers: requests with a method, terms on user.id size 20 by count desc", () => {
    const p = panel("Top API Consumers");
    expect(target(p).query).toBe(`${TYPE} AND event.request.method:*`);
    expect(target(p).metrics).toEqual([{ id: "1", type: "count" }]);
    expect(bucketSummary(p)).toEqual([terms("user.id", 20)]);
  });

  test("Slowest Endpoints: terms on uri ordered by the avg(response_ms) metric, descending", () => {
    const p = panel("Slowest Endpoints");
    const t = target(p);
    expect(t.query).toBe(`${TYPE} AND event.request.uri:*`);
    const avg = t.metrics?.find((m) => m.type === "avg");
    expect(avg).toEqual({ id: "1", type: "avg", field: "response_ms" });
    expect(bucketSummary(p)).toEqual([terms("event.request.uri", 20, avg?.id)]);
    // What the table shows is checked with Grafana's own code in panels-in-grafana.test.ts.
  });

  test("Total API Calls by User: user.id and method present, terms user.id size 50", () => {
    const p = panel("Total API Calls by User");
    expect(target(p).query).toBe(`${TYPE} AND user.id:* AND event.request.method:*`);
    expect(bucketSummary(p)).toEqual([terms("user.id", 50)]);
  });

  test("APIs Accessed by Each User: user.id 20 → method 10 → uri 25", () => {
    const p = panel("APIs Accessed by Each User");
    expect(target(p).query).toBe(`${TYPE} AND user.id:* AND event.request.method:* AND event.request.uri:*`);
    expect(bucketSummary(p)).toEqual([
      terms("user.id", 20),
      terms("event.request.method", 10),
      terms("event.request.uri", 25),
    ]);
  });

  test("User Access to Specific Services: user.id 20 → service 15 → method 10", () => {
    const p = panel("User Access to Specific Services");
    expect(target(p).query).toBe(
      `${TYPE} AND user.id:* AND event.request.method:* AND event.request.service:*`,
    );
    expect(bucketSummary(p)).toEqual([
      terms("user.id", 20),
      terms("event.request.service", 15),
      terms("event.request.method", 10),
    ]);
  });

  test("bucket and metric ids are unique within each query", () => {
    for (const p of dashboard.panels) {
      const t = target(p);
      const ids = [...(t.metrics ?? []), ...(t.bucketAggs ?? [])].map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

describe("DreamFactory API Activity dashboard: user tables", () => {
  const userTables = [
    "Total API Calls by User",
    "APIs Accessed by Each User",
    "User Access to Specific Services",
  ];

  test.each(userTables)(
    "%s queries Elasticsearch (A) and the Infinity user list (B) through Mixed",
    (title) => {
      const p = panel(title);
      expect(p.datasource).toEqual({ type: "datasource", uid: "-- Mixed --" });
      expect(p.targets?.map((t) => t.refId)).toEqual(["A", "B"]);
      const users = target(p, "B") as unknown as InfinityJsonUrlQuery;
      expect(users).toEqual({
        refId: "B",
        datasource: { type: "yesoreyeram-infinity-datasource", uid: PARAMS.usersDatasourceUid },
        type: "json",
        source: "url",
        format: "table",
        parser: "backend",
        url: "/api/v2/system/user",
        url_options: {
          method: "GET",
          params: [
            { key: "fields", value: "id,first_name,last_name,email" },
            { key: "limit", value: "100" },
          ],
        },
        root_selector: "resource",
        columns: [
          { selector: "id", text: "user.id", type: "string" },
          { selector: "first_name", text: "first_name", type: "string" },
          { selector: "last_name", text: "last_name", type: "string" },
          { selector: "email", text: "email", type: "string" },
        ],
        filters: [],
      });
    },
  );

  test.each(userTables)(
    "%s: renames before the outer join on user id, then drops rows without a count, then orders",
    (title) => {
      // Columns, headers and cell texts are checked with Grafana's own code in panels-in-grafana.test.ts.
      const p = panel(title);
      expect(p.transformations?.map((t) => t.id)).toEqual([
        "organize",
        "joinByField",
        "filterByValue",
        "organize",
      ]);
      expect(transformation(p, "joinByField")).toEqual({ byField: "user.id", mode: "outerTabular" });
      expect(transformation(p, "filterByValue")).toEqual({
        type: "exclude",
        match: "any",
        filters: [{ fieldName: "Total API Calls", config: { id: "isNull", options: {} } }],
      });
    },
  );

  test.each(userTables)("%s shows an empty or missing e-mail as Admin User", (title) => {
    const overrides = (panel(title).fieldConfig as { overrides: unknown[] }).overrides;
    expect(overrides).toEqual([
      {
        matcher: { id: "byName", options: "User Email" },
        properties: [
          {
            id: "mappings",
            value: [
              { type: "special", options: { match: "empty", result: { text: "Admin User" } } },
              { type: "special", options: { match: "null", result: { text: "Admin User" } } },
            ],
          },
        ],
      },
    ]);
  });
});

describe("Elasticsearch metric types", () => {
  test("the SDK still emits type unknown for metrics, which is why the wrapper exists", () => {
    expect(new esSdk.CountBuilder().id("1").build().type).toBe("unknown");
    expect(new esSdk.AverageBuilder().id("1").field("x").build().type).toBe("unknown");
  });

  test("every metric of every panel has a real Elasticsearch metric type", () => {
    const metrics = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).flatMap((t) => (t.metrics ?? []).map((m) => ({ panel: p.title, ...m }))),
    );
    expect(metrics.length).toBeGreaterThanOrEqual(8);
    for (const metric of metrics) {
      expect(ES_METRIC_TYPES.has(metric.type)).toBe(true);
      expect(metric.type).not.toBe("unknown");
    }
  });

  test("each wrapper factory sets its type", () => {
    expect(esMetric.count("1").build().type).toBe("count");
    expect(esMetric.avg("1", "response_ms").build()).toMatchObject({ type: "avg", field: "response_ms" });
    expect(esMetric.rawData("1", 10).build()).toMatchObject({ type: "raw_data", settings: { size: "10" } });
  });

  test("the query builder refuses a metric without a real type", () => {
    const broken = { build: () => new esSdk.CountBuilder().id("1").build() };
    const query = esQuery({
      refId: "A",
      datasourceUid: "x",
      query: "*",
      timeField: "@timestamp",
      metrics: [broken as unknown as ReturnType<typeof esMetric.count>],
    });
    expect(() => query.build()).toThrow(/metric 1 has type "unknown"/);
    expect(() => assertMetricTypes("A", [{ id: "7", type: "unknown" }])).toThrow(/query A: metric 7/);
  });
});

describe("DreamFactory API Activity dashboard: JSON hygiene and validation", () => {
  test("two builds stringify identically", () => {
    expect(JSON.stringify(buildApiActivityDashboard({ ...PARAMS }))).toBe(JSON.stringify(dashboard));
  });

  test("no null and no undefined anywhere; the object is already plain JSON", () => {
    expect(JSON.parse(JSON.stringify(dashboard))).toEqual(dashboard);
    const bad: string[] = [];
    allValues(dashboard, (v, path) => {
      if (v === null || v === undefined || typeof v === "function") bad.push(path);
    });
    expect(bad).toEqual([]);
  });

  test("field names come from the log catalogue; unknown names throw", () => {
    for (const field of ["user.id", "event.request.uri", "response_ms", "@timestamp"]) {
      expect(LOG_FIELDS.some((f) => f.path === field)).toBe(true);
      expect(logField(field)).toBe(field);
    }
    expect(() => logField("event.request.url")).toThrow(
      /"event.request.url" is not in the log field catalogue/,
    );
  });

  test("rejects a log type that would break the Lucene query, and a bad uid", () => {
    expect(() => buildApiActivityDashboard({ ...PARAMS, logType: 'x" OR *' })).toThrow(/logType/);
    expect(() => buildApiActivityDashboard({ ...PARAMS, uid: "has spaces" })).toThrow(/uid/);
    expect(() => buildApiActivityDashboard({ ...PARAMS, usersDatasourceUid: "" })).toThrow(
      /usersDatasourceUid/,
    );
  });

  test("snapshot", () => {
    expect(dashboard satisfies DashboardJson).toMatchSnapshot();
  });
});
