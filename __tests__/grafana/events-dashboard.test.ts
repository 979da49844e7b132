import { EVENT_FIELDS } from "../../contract/fields";
import type { PanelJson, TargetJson } from "../../constructs/grafana/dashboards/common";
import { DASHBOARD_SCHEMA_VERSION } from "../../constructs/grafana/dashboards/common";
import { ES_METRIC_TYPES } from "../../constructs/grafana/dashboards/elasticsearch-query";
import {
  NEWEST_EVENTS_SIZE,
  buildEventsDashboard,
  eventField,
} from "../../constructs/grafana/dashboards/events";

const PARAMS = {
  uid: "datafly-events",
  title: "Datafly Events",
  eventsDatasourceUid: "datafly-events-es",
} as const;
const dashboard = buildEventsDashboard(PARAMS);

function panel(title: string): PanelJson {
  const found = dashboard.panels.find((p) => p.title === title);
  if (found === undefined) throw new Error(`no panel "${title}"`);
  return found;
}

function target(p: PanelJson): TargetJson {
  expect(p.targets).toHaveLength(1);
  return (p.targets ?? [])[0];
}

function bucketSummary(p: PanelJson) {
  return (target(p).bucketAggs ?? []).map((b) => ({ type: b.type, field: b.field, settings: b.settings }));
}

function terms(field: string, size: number) {
  return {
    type: "terms",
    field,
    settings: { size: String(size), order: "desc", orderBy: "_count", min_doc_count: "1" },
  };
}

describe("Datafly Events dashboard", () => {
  test("uid, title, time range, refresh, tags and schema version", () => {
    expect(dashboard.uid).toBe(PARAMS.uid);
    expect(dashboard.title).toBe(PARAMS.title);
    expect(dashboard.time).toEqual({ from: "now-24h", to: "now" });
    expect(dashboard.refresh).toBe("1m");
    expect(dashboard.tags).toEqual(["datafly", "events"]);
    expect(dashboard.schemaVersion).toBe(DASHBOARD_SCHEMA_VERSION);
  });

  test("four panels with fixed ids, types and positions", () => {
    expect(dashboard.panels.map((p) => [p.id, p.title, p.type, p.gridPos])).toEqual([
      [1, "Events over Time by Type", "timeseries", { x: 0, y: 0, w: 24, h: 8 }],
      [2, "Top Events", "barchart", { x: 0, y: 8, w: 12, h: 10 }],
      [3, "Events by Source", "table", { x: 12, y: 8, w: 12, h: 10 }],
      [4, "Newest Events", "table", { x: 0, y: 18, w: 24, h: 12 }],
    ]);
  });

  test("every query runs on the events datasource with timestamp as time field", () => {
    for (const p of dashboard.panels) {
      expect(p.datasource).toEqual({ type: "elasticsearch", uid: PARAMS.eventsDatasourceUid });
      expect(target(p).datasource).toEqual({ type: "elasticsearch", uid: PARAMS.eventsDatasourceUid });
      expect(target(p).timeField).toBe("timestamp");
      expect(target(p).query).toBe("*");
    }
  });

  test("events over time: terms on type, then a date histogram on timestamp (one series per type)", () => {
    const p = panel("Events over Time by Type");
    expect(target(p).metrics).toEqual([{ id: "1", type: "count" }]);
    expect(bucketSummary(p)).toEqual([
      terms("type", 10),
      { type: "date_histogram", field: "timestamp", settings: { interval: "auto", min_doc_count: "0" } },
    ]);
    expect(target(p).alias).toBe("{{term type}}");
  });

  test("top events: terms on event, size 20, by count desc, as a horizontal bar chart", () => {
    const p = panel("Top Events");
    expect(target(p).metrics).toEqual([{ id: "1", type: "count" }]);
    expect(bucketSummary(p)).toEqual([terms("event", 20)]);
    expect(p.options).toMatchObject({ xField: "event", orientation: "horizontal" });
  });

  test("events by source: terms on source_id, size 20, renamed columns, sorted by count", () => {
    const p = panel("Events by Source");
    expect(target(p).metrics).toEqual([{ id: "1", type: "count" }]);
    expect(bucketSummary(p)).toEqual([terms("source_id", 20)]);
    expect(p.transformations).toEqual([
      {
        id: "organize",
        options: {
          excludeByName: {},
          indexByName: {},
          renameByName: { source_id: "Source", Count: "Events" },
        },
      },
    ]);
    expect((p.options as { sortBy: unknown }).sortBy).toEqual([{ displayName: "Events", desc: true }]);
  });

  test("newest events: raw documents, no buckets, sized and sorted by timestamp descending", () => {
    const p = panel("Newest Events");
    expect(target(p).metrics).toEqual([
      { id: "1", type: "raw_data", settings: { size: String(NEWEST_EVENTS_SIZE) } },
    ]);
    expect(target(p).bucketAggs).toEqual([]);
    expect(NEWEST_EVENTS_SIZE).toBeGreaterThan(0);
    expect(NEWEST_EVENTS_SIZE).toBeLessThanOrEqual(500);
    expect((p.options as { sortBy: unknown }).sortBy).toEqual([{ displayName: "timestamp", desc: true }]);
  });

  test("every metric of every panel has a real Elasticsearch metric type", () => {
    const metrics = dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => t.metrics ?? []));
    expect(metrics).toHaveLength(4);
    for (const metric of metrics) {
      expect(ES_METRIC_TYPES.has(metric.type)).toBe(true);
    }
  });

  test("fields come from the event catalogue; unknown names throw", () => {
    for (const field of ["type", "event", "source_id", "timestamp"]) {
      expect(EVENT_FIELDS.some((f) => f.path === field)).toBe(true);
      expect(eventField(field)).toBe(field);
    }
    expect(() => eventField("event_name")).toThrow(/"event_name" is not in the event field catalogue/);
  });

  test("deterministic, plain JSON without null or undefined", () => {
    const again = buildEventsDashboard({ ...PARAMS });
    expect(JSON.stringify(again)).toBe(JSON.stringify(dashboard));
    expect(JSON.parse(JSON.stringify(dashboard))).toEqual(dashboard);
    expect(JSON.stringify(dashboard)).not.toMatch(/null/);
  });

  test("rejects an empty datasource uid", () => {
    expect(() => buildEventsDashboard({ ...PARAMS, eventsDatasourceUid: " " })).toThrow(
      /eventsDatasourceUid/,
    );
  });

  test("snapshot", () => {
    expect(dashboard).toMatchSnapshot();
  });
});
