import { EVENT_FIELDS, LOG_FIELDS, LOG_TYPE } from "../../constructs/elasticsearch/fields";
import { buildApiActivityDashboard } from "../../constructs/grafana/dashboards/api-activity";
import type { DashboardJson, PanelJson, TargetJson } from "../../constructs/grafana/dashboards/common";
import { buildEventsDashboard } from "../../constructs/grafana/dashboards/events";
import {
  DashboardFieldError,
  assertDashboardFields,
  checkDashboardFields,
  luceneFields,
  luceneRangeFields,
} from "../../constructs/grafana/dashboards/field-check";

const LOGS = "dreamfactory-logs";
const USERS = "dreamfactory-users";
const EVENTS = "datafly-events-es";
const catalogues = { [LOGS]: LOG_FIELDS, [EVENTS]: EVENT_FIELDS };

const api = buildApiActivityDashboard({
  uid: "dreamfactory-api-activity",
  title: "DreamFactory API Activity",
  logsDatasourceUid: LOGS,
  usersDatasourceUid: USERS,
  logType: LOG_TYPE,
});
const events = buildEventsDashboard({
  uid: "datafly-events",
  title: "Datafly Events",
  eventsDatasourceUid: EVENTS,
});

/** A one-panel dashboard around an Elasticsearch target on `datasourceUid`. */
function dashboardWith(target: Partial<TargetJson>, datasourceUid = LOGS): DashboardJson {
  const datasource = { type: "elasticsearch", uid: datasourceUid };
  const panel: PanelJson = {
    id: 1,
    type: "table",
    title: "Broken",
    datasource,
    targets: [
      {
        refId: "A",
        datasource,
        timeField: "@timestamp",
        query: "*",
        metrics: [{ id: "1", type: "count" }],
        ...target,
      },
    ],
  };
  return { ...api, title: "Test", panels: [panel] };
}

describe("field check on the real dashboards", () => {
  test("both dashboards pass against the field catalogues", () => {
    expect(checkDashboardFields(api, catalogues)).toEqual([]);
    expect(checkDashboardFields(events, catalogues)).toEqual([]);
    expect(() => assertDashboardFields(api, catalogues)).not.toThrow();
    expect(() => assertDashboardFields(events, catalogues)).not.toThrow();
  });

  test("the Infinity target of the mixed panels is not checked against Elasticsearch catalogues", () => {
    expect(Object.keys(catalogues)).not.toContain(USERS);
    expect(checkDashboardFields(api, catalogues)).toEqual([]);
  });

  test("the log dashboard fails against the events catalogue, naming every field", () => {
    const problems = checkDashboardFields(api, { [LOGS]: EVENT_FIELDS });
    expect(problems).toContain(
      'dashboard "DreamFactory API Activity", panel "Slowest Endpoints": field "response_ms" (avg metric of query A) is not in the field catalogue of datasource "dreamfactory-logs"',
    );
    expect(problems).toContain(
      'dashboard "DreamFactory API Activity", panel "Requests per Minute": field "@timestamp" (time field of query A) is not in the field catalogue of datasource "dreamfactory-logs"',
    );
  });

  test("a datasource without a catalogue is reported, not skipped", () => {
    const problems = checkDashboardFields(events, {});
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(
      /^dashboard "Datafly Events", panel "Events over Time by Type": field "timestamp" \(time field of query A\) cannot be checked: datasource "datafly-events-es" has no field catalogue$/,
    );
  });
});

describe("field check on broken panels", () => {
  test("unknown field in a terms bucket", () => {
    const broken = dashboardWith({
      bucketAggs: [{ id: "2", type: "terms", field: "user.name", settings: { size: "10" } }],
    });
    expect(checkDashboardFields(broken, catalogues)).toEqual([
      'dashboard "Test", panel "Broken": field "user.name" (terms bucket of query A) is not in the field catalogue of datasource "dreamfactory-logs"',
    ]);
  });

  test("text field in a terms bucket", () => {
    const broken = dashboardWith({ bucketAggs: [{ id: "2", type: "terms", field: "short_message" }] });
    expect(checkDashboardFields(broken, catalogues)).toEqual([
      'dashboard "Test", panel "Broken": field "short_message" (terms bucket of query A) has type text; it needs one of keyword, date, integer, long, float',
    ]);
  });

  test("text field in the query string is allowed", () => {
    expect(
      checkDashboardFields(dashboardWith({ query: 'short_message:"timeout" AND level:ERROR' }), catalogues),
    ).toEqual([]);
  });

  test("unknown field in the query string", () => {
    expect(
      checkDashboardFields(
        dashboardWith({ query: "event.response.code:>=400 AND _exists_:user.email" }),
        catalogues,
      ),
    ).toEqual([
      'dashboard "Test", panel "Broken": field "event.response.code" (range query of query A) is not in the field catalogue of datasource "dreamfactory-logs"',
      'dashboard "Test", panel "Broken": field "user.email" (query string of query A) is not in the field catalogue of datasource "dreamfactory-logs"',
    ]);
  });

  test("type rules per aggregation: date histogram needs a date, avg needs a number", () => {
    const broken = dashboardWith({
      timeField: "user.id",
      metrics: [{ id: "1", type: "avg", field: "event.request.uri" }],
      bucketAggs: [{ id: "2", type: "date_histogram", field: "level" }],
    });
    expect(checkDashboardFields(broken, catalogues)).toEqual([
      'dashboard "Test", panel "Broken": field "user.id" (time field of query A) has type keyword; it needs one of date',
      'dashboard "Test", panel "Broken": field "level" (date_histogram bucket of query A) has type keyword; it needs one of date',
      'dashboard "Test", panel "Broken": field "event.request.uri" (avg metric of query A) has type keyword; it needs one of integer, long, float',
    ]);
  });

  test("alias terms must name a known field", () => {
    expect(
      checkDashboardFields(dashboardWith({ alias: "{{term event.response.code}}" }), catalogues),
    ).toEqual([
      'dashboard "Test", panel "Broken": field "event.response.code" (alias of query A) is not in the field catalogue of datasource "dreamfactory-logs"',
    ]);
  });

  test("sub-fields of an enabled object: queryable, but not aggregatable", () => {
    const queried = dashboardWith({ timeField: "timestamp", query: "properties.plan:pro" }, EVENTS);
    expect(checkDashboardFields(queried, catalogues)).toEqual([]);
    const bucketed = dashboardWith(
      { timeField: "timestamp", bucketAggs: [{ id: "2", type: "terms", field: "properties.plan" }] },
      EVENTS,
    );
    expect(checkDashboardFields(bucketed, catalogues)).toEqual([
      'dashboard "Test", panel "Broken": field "properties.plan" (terms bucket of query A) is not in the field catalogue of datasource "datafly-events-es"',
    ]);
  });

  test("panels inside rows are checked too", () => {
    const inner = dashboardWith({ bucketAggs: [{ id: "2", type: "terms", field: "nope" }] }).panels[0];
    const row: PanelJson = { id: 9, type: "row", title: "Row", panels: [inner] };
    expect(checkDashboardFields({ title: "Rows", panels: [row] }, catalogues)).toEqual([
      'dashboard "Rows", panel "Broken": field "nope" (terms bucket of query A) is not in the field catalogue of datasource "dreamfactory-logs"',
    ]);
  });

  test("the target's datasource wins over the panel's", () => {
    const broken = dashboardWith({ datasource: { type: "elasticsearch", uid: EVENTS } });
    expect(checkDashboardFields(broken, catalogues)).toEqual([
      'dashboard "Test", panel "Broken": field "@timestamp" (time field of query A) is not in the field catalogue of datasource "datafly-events-es"',
    ]);
  });

  test("assertDashboardFields throws DashboardFieldError carrying every problem", () => {
    const broken = dashboardWith({
      bucketAggs: [
        { id: "2", type: "terms", field: "user.name" },
        { id: "3", type: "terms", field: "full_message" },
      ],
    });
    let error: unknown;
    try {
      assertDashboardFields(broken, catalogues);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DashboardFieldError);
    expect(error).toBeInstanceOf(Error);
    const problems = (error as DashboardFieldError).problems;
    expect(problems).toHaveLength(2);
    expect(problems.every((p) => /^dashboard "Test", panel "Broken": field "[^"]+" /.test(p))).toBe(true);
    expect((error as Error).message).toContain('field "full_message"');
  });
});

describe("lucene field extraction", () => {
  test.each([
    ['type:"dreamfactory" AND event.response.status:>=400', ["type", "event.response.status"]],
    ["user.id:* AND event.request.method:*", ["user.id", "event.request.method"]],
    ['(level:ERROR OR level:WARN) AND NOT short_message:"a:b c:d"', ["level", "short_message"]],
    ["_exists_:response_ms AND -tags:_grokparsefailure", ["response_ms", "tags"]],
    ["@timestamp:[now-1h TO now]", ["@timestamp"]],
    ["*", []],
    ["", []],
  ])("%s", (query, fields) => {
    expect(luceneFields(query)).toEqual(fields);
  });
});

describe("range queries", () => {
  test.each([
    ['type:"dreamfactory" AND event.response.status:>=400', ["event.response.status"]],
    ["@timestamp:[now-1h TO now] AND level:ERROR", ["@timestamp"]],
    ["response_ms:{100 TO *} OR response_ms:<5", ["response_ms"]],
    ['short_message:"status:>=400"', []],
    ["user.id:*", []],
  ])("%s", (query, fields) => {
    expect(luceneRangeFields(query)).toEqual(fields);
  });

  it("refuses a range on a keyword field: it would compare strings", () => {
    // The guide's error query on a status that the mapping declared as keyword.
    const keywordStatus = LOG_FIELDS.map((f) =>
      f.path === "event.response.status" ? { ...f, type: "keyword" as const } : f,
    );
    const query = 'type:"dreamfactory" AND event.response.status:>=400';
    expect(checkDashboardFields(dashboardWith({ query }), { [LOGS]: keywordStatus })).toEqual([
      'dashboard "Test", panel "Broken": field "event.response.status" (range query of query A) has type keyword; it needs one of integer, long, float, date',
    ]);
    expect(checkDashboardFields(dashboardWith({ query }), catalogues)).toEqual([]);
    // The real dashboards' error queries pass only because the status is mapped as a number.
    expect(
      checkDashboardFields(api, { [LOGS]: keywordStatus, [EVENTS]: EVENT_FIELDS }).length,
    ).toBeGreaterThan(0);
  });
});
