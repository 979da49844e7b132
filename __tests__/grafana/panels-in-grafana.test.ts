import { LOG_TYPE } from "../../constructs/elasticsearch/fields";
import {
  ADMIN_USER_TEXT,
  NO_RESPONSE_TIME_TEXT,
  buildApiActivityDashboard,
} from "../../constructs/grafana/dashboards/api-activity";
import type { DashboardJson, PanelJson, TargetJson } from "../../constructs/grafana/dashboards/common";
import { buildEventsDashboard } from "../../constructs/grafana/dashboards/events";
import { renderTable, rowsBy } from "../support/grafana-table";
import {
  elasticsearchRawDataFrame,
  elasticsearchTermsFrame,
  infinityFrame,
  type InfinityTarget,
} from "../support/grafana-frames";

// Every table panel of both dashboards, run through @grafana/data 11.6.16 (the image's version):
// what a user sees, from frames shaped as the datasources return them (see grafana-frames.ts).

const apiActivity = buildApiActivityDashboard({
  uid: "dreamfactory-api-activity",
  title: "DreamFactory API Activity",
  logsDatasourceUid: "api-logs",
  usersDatasourceUid: "gateway-users",
  logType: LOG_TYPE,
});
const events = buildEventsDashboard({
  uid: "datafly-events",
  title: "Datafly Events",
  eventsDatasourceUid: "events",
});

function panel(d: DashboardJson, id: number): PanelJson {
  const found = d.panels.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no panel ${id}`);
  return found;
}

function target(p: PanelJson, refId: string): TargetJson {
  const found = p.targets?.find((t) => t.refId === refId);
  if (found === undefined) throw new Error(`panel ${p.id} has no target ${refId}`);
  return found;
}

/** The gateway's user list: 42 has no e-mail; 99 made no calls; 1 (an admin) is not in the list. */
function users(p: PanelJson) {
  return infinityFrame(target(p, "B") as unknown as InfinityTarget, [
    { id: "7", first_name: "Ada", last_name: "Lovelace", email: "ada@example.com" },
    { id: "42", first_name: "Bob", last_name: "Kahn", email: "" },
    { id: "99", first_name: "Grace", last_name: "Hopper", email: "grace@example.com" },
  ]);
}

describe("API activity tables, through Grafana's own code", () => {
  test("Top API Consumers: User ID and API Calls, sorted by calls", async () => {
    const p = panel(apiActivity, 3);
    const view = await renderTable(p, [
      elasticsearchTermsFrame(target(p, "A"), [
        { "user.id": "7", "1": 120 },
        { "user.id": "42", "1": 9 },
      ]),
    ]);
    expect(view.columns).toEqual(["User ID", "API Calls"]);
    expect(view.rows).toEqual([
      ["7", "120"],
      ["42", "9"],
    ]);
    expect(view.sortedBy).toEqual({ column: "API Calls", desc: true });
  });

  test("Slowest Endpoints: the Average column is renamed, in ms, and the table sorts by it", async () => {
    const p = panel(apiActivity, 4);
    const view = await renderTable(p, [
      elasticsearchTermsFrame(target(p, "A"), [
        { "event.request.uri": "/api/v2/db/_table/orders", "1": 812.4, "2": 30 },
        { "event.request.uri": "/api/v2/user/session", "1": 48, "2": 210 },
      ]),
    ]);
    expect(view.columns).toEqual(["API Endpoint", "Avg Response Time", "Requests"]);
    expect(view.rows).toEqual([
      ["/api/v2/db/_table/orders", "812 ms", "30"],
      ["/api/v2/user/session", "48 ms", "210"],
    ]);
    expect(view.sortedBy).toEqual({ column: "Avg Response Time", desc: true });
  });

  test("Slowest Endpoints without response timing (the default): the column says why it is empty", async () => {
    const p = panel(apiActivity, 4);
    // No document carries response_ms: Elasticsearch's avg is {"value": null} for every bucket.
    const view = await renderTable(p, [
      elasticsearchTermsFrame(target(p, "A"), [
        { "event.request.uri": "/api/v2/db/_table/orders", "1": null, "2": 30 },
      ]),
    ]);
    expect(view.rows).toEqual([["/api/v2/db/_table/orders", NO_RESPONSE_TIME_TEXT, "30"]]);
    expect(p.description).toMatch(/logstash\.responseTime/);
  });

  test("Total API Calls by User: names and User Email from DreamFactory, Admin User when there is none", async () => {
    const p = panel(apiActivity, 5);
    const view = await renderTable(p, [
      elasticsearchTermsFrame(target(p, "A"), [
        { "user.id": "7", "1": 120 },
        { "user.id": "1", "1": 15 },
        { "user.id": "42", "1": 9 },
      ]),
      users(p),
    ]);
    expect(view.frameCount).toBe(1);
    expect(view.columns).toEqual(["User ID", "First Name", "Last Name", "User Email", "Total API Calls"]);
    const byUser = rowsBy(view, "User ID");
    expect([...byUser.keys()].sort()).toEqual(["1", "42", "7"]); // 99 made no calls: dropped
    expect(byUser.get("7")).toEqual({
      "User ID": "7",
      "First Name": "Ada",
      "Last Name": "Lovelace",
      "User Email": "ada@example.com",
      "Total API Calls": "120",
    });
    expect(byUser.get("42")?.["User Email"]).toBe(ADMIN_USER_TEXT); // empty e-mail
    expect(byUser.get("1")?.["User Email"]).toBe(ADMIN_USER_TEXT); // not in the user list
    expect(view.sortedBy).toEqual({ column: "Total API Calls", desc: true });
  });

  test("APIs Accessed by Each User: one row per user, method and endpoint; names hidden", async () => {
    const p = panel(apiActivity, 6);
    const row = (user: string, method: string, uri: string, count: number) => ({
      "user.id": user,
      "event.request.method": method,
      "event.request.uri": uri,
      "1": count,
    });
    const view = await renderTable(p, [
      elasticsearchTermsFrame(target(p, "A"), [
        row("7", "GET", "/api/v2/db/_table/orders", 80),
        row("7", "POST", "/api/v2/db/_table/orders", 40),
        row("1", "GET", "/api/v2/system/user", 15),
      ]),
      users(p),
    ]);
    expect(view.frameCount).toBe(1);
    expect(view.columns).toEqual(["User ID", "User Email", "HTTP Method", "API Endpoint", "Total API Calls"]);
    expect(view.rows).toHaveLength(3); // the outer tabular join keeps both rows of user 7
    expect(view.rows).toContainEqual(["7", "ada@example.com", "POST", "/api/v2/db/_table/orders", "40"]);
    expect(view.rows).toContainEqual(["1", ADMIN_USER_TEXT, "GET", "/api/v2/system/user", "15"]);
    expect(view.sortedBy).toEqual({ column: "Total API Calls", desc: true });
  });

  test("User Access to Specific Services: service and method per user", async () => {
    const p = panel(apiActivity, 7);
    const view = await renderTable(p, [
      elasticsearchTermsFrame(target(p, "A"), [
        { "user.id": "42", "event.request.service": "db", "event.request.method": "GET", "1": 9 },
        { "user.id": "1", "event.request.service": "system", "event.request.method": "PATCH", "1": 2 },
      ]),
      users(p),
    ]);
    expect(view.columns).toEqual(["User ID", "User Email", "Service", "HTTP Method", "Total API Calls"]);
    expect(view.rows).toContainEqual(["42", ADMIN_USER_TEXT, "db", "GET", "9"]);
    expect(view.rows).toContainEqual(["1", ADMIN_USER_TEXT, "system", "PATCH", "2"]);
    expect(view.rows).toHaveLength(2);
  });

  test("upstream fact the user tables are built around: after the join, a named frame's fields carry its name", async () => {
    // grafana/grafana joinByField (v11.6, via @grafana/data): without renames before the join,
    // Infinity's `email` shows as `email B`, which organize renames and value mappings miss.
    const p = panel(apiActivity, 5);
    const bare: PanelJson = {
      ...p,
      transformations: [{ id: "joinByField", options: { byField: "user.id", mode: "outerTabular" } }],
      fieldConfig: { defaults: {}, overrides: [] },
    };
    const view = await renderTable(bare, [
      elasticsearchTermsFrame(target(p, "A"), [{ "user.id": "7", "1": 1 }]),
      users(p),
    ]);
    expect(view.columns).toEqual(["user.id", "Count", "first_name B", "last_name B", "email B"]);
  });
});

describe("Datafly events tables, through Grafana's own code", () => {
  test("Events by Source: Source and Events, sorted by events", async () => {
    const p = panel(events, 3);
    const view = await renderTable(p, [
      elasticsearchTermsFrame(target(p, "A"), [
        { source_id: "web", "1": 300 },
        { source_id: "ios", "1": 12 },
      ]),
    ]);
    expect(view.columns).toEqual(["Source", "Events"]);
    expect(view.rows).toEqual([
      ["web", "300"],
      ["ios", "12"],
    ]);
    expect(view.sortedBy).toEqual({ column: "Events", desc: true });
  });

  test("Newest Events: timestamp first, then the document's fields; hit metadata noise hidden", async () => {
    const p = panel(events, 4);
    const view = await renderTable(p, [
      elasticsearchRawDataFrame(target(p, "A"), "timestamp", [
        {
          _id: "e1",
          _index: "datafly-events",
          _source: {
            event_id: "evt-1",
            type: "track",
            event: "Order Completed",
            timestamp: "2026-11-30T10:00:00.000Z",
            properties: { revenue: 42.5 },
          },
        },
      ]),
    ]);
    expect(view.columns).toEqual([
      "timestamp",
      "_id",
      "_index",
      "event",
      "event_id",
      "properties.revenue",
      "type",
    ]);
    expect(rowsBy(view, "event_id").get("evt-1")).toMatchObject({
      timestamp: "2026-11-30 10:00:00",
      event: "Order Completed",
      "properties.revenue": "42.5",
    });
    expect(view.sortedBy).toEqual({ column: "timestamp", desc: true });
  });
});

test("every table panel of both dashboards is run above", () => {
  const tables = (d: DashboardJson) => d.panels.filter((p) => p.type === "table").map((p) => p.id);
  expect(tables(apiActivity)).toEqual([3, 4, 5, 6, 7]);
  expect(tables(events)).toEqual([3, 4]);
});
