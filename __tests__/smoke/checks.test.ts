import { grafanaContentUids } from "../../app/analytics-stack";
import { catalogueMappings } from "../../constructs/elasticsearch/definitions";
import { EVENT_FIELDS, REDACTED, SESSION_TOKEN_HEADER, isSecretKey } from "../../contract/fields";
import { runSmoke, StackUnreachable, type CheckResult, type SmokeDeps } from "../../scripts/smoke/checks";
import { RequestFailed, type HttpRequest, type HttpResponse } from "../../scripts/smoke/http";
import type { SmokeSettings } from "../../scripts/smoke/inputs";

const ES = "https://es.test:9200";
const GRAFANA = "https://grafana.test:3000";
const KIBANA = "https://kibana.test:5601";
const ADMIN = "Basic ZWxhc3RpYzpwdw==";
const WRITER = "ApiKey d3JpdGVy";

const settings: SmokeSettings = {
  elasticsearch: { url: ES, user: "elastic", adminAuthorization: ADMIN, writerAuthorization: WRITER },
  grafana: { url: GRAFANA, authorization: "Bearer glsa" },
  grafanaContent: grafanaContentUids("docker"),
  eventsIndex: "datafly-events",
  logsPrefix: "dreamfactory-logs",
  gelf: { host: "127.0.0.9", port: 12201, timeoutMs: 5000 },
  requestTimeoutMs: 1000,
  notes: [],
};

interface PipelineBehaviour {
  /** Searches that find nothing before the document appears; undefined: it never does. */
  readonly arrivesAfterPolls?: number;
  /** Whether the JWT filter sets user.id. */
  readonly extractsUserId?: boolean;
}

const json = (status: number, body: unknown): HttpResponse => ({ status, body, text: JSON.stringify(body) });
const denied = (status: number) =>
  json(status, { error: { type: "security_exception", reason: "action is unauthorized" }, status });
const noIndex = () =>
  json(404, { error: { type: "index_not_found_exception", reason: "no such index" }, status: 404 });

/**
 * A scripted stack: Elasticsearch and Grafana answer as a healthy deployment does, and the
 * "pipeline" turns the GELF message that was sent into the document Logstash would index.
 */
class FakeStack {
  readonly calls: HttpRequest[] = [];
  readonly gelf: { host: string; port: number; json: string }[] = [];
  clock = Date.parse("2024-06-01T10:00:00Z");
  private searches = 0;
  refuseGrafana = false;
  /** Data views Kibana lists (the stack creates datafly-events and api-logs). */
  kibanaViews = ["datafly-events", "api-logs"];
  kibanaLevel = "available";
  grafanaBug = false;

  constructor(
    private readonly pipeline: PipelineBehaviour = { arrivesAfterPolls: 1, extractsUserId: true },
  ) {}

  deps(): SmokeDeps {
    let counter = 0;
    return {
      http: async (req) => this.answer(req),
      sendGelf: async (host, port, text) => {
        this.gelf.push({ host, port, json: text });
        return text.length;
      },
      now: () => new Date(this.clock),
      randomBytes: (size) => Buffer.alloc(size, ++counter),
      sleep: async (ms) => {
        this.clock += ms;
      },
      hostname: "ops-laptop",
    };
  }

  private indexedLog(): Record<string, unknown> {
    const sent = JSON.parse(this.gelf[0].json) as {
      host: string;
      short_message: string;
      _event: { request: { headers: Record<string, string>; uri: string } };
    };
    const token = sent._event.request.headers[SESSION_TOKEN_HEADER];
    // A stand-in for the pipeline (the real filters run in __tests__/logstash/filters-ruby.test.ts).
    const headers = Object.fromEntries(
      Object.entries(sent._event.request.headers).map(([h, v]) => [h, isSecretKey(h) ? REDACTED : v]),
    );
    const uri = sent._event.request.uri.replace(/(api_key|session_token)=[^&]*/g, `$1=${REDACTED}`);
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as {
      user_id: string;
    };
    return {
      message: sent.short_message,
      host: { name: sent.host },
      source_hostname: sent.host,
      ...(this.pipeline.extractsUserId
        ? { user: { id: claims.user_id } }
        : { tags: ["_jwt_user_id_failure"] }),
      level: "INFO",
      event: { request: { headers, uri }, response: { status: 200 } },
    };
  }

  private answer(req: HttpRequest): HttpResponse {
    this.calls.push(req);
    const method = req.method ?? "GET";
    if (req.url.startsWith(GRAFANA)) return this.grafana(req.url.slice(GRAFANA.length));
    if (req.url.startsWith(KIBANA)) return this.kibana(req.url.slice(KIBANA.length), req);
    const path = req.url.slice(ES.length);
    const admin = req.authorization === ADMIN;
    if (method === "GET" && path === "/_cluster/health" && admin) {
      return json(200, { status: "green", number_of_nodes: 1, active_shards: 4, unassigned_shards: 0 });
    }
    if (method === "GET" && path === "/datafly-events/_mapping" && admin) {
      return json(200, { "datafly-events": { mappings: catalogueMappings(EVENT_FIELDS) } });
    }
    if (method === "POST" && path === "/datafly-events/_doc?refresh=wait_for" && !admin) {
      return json(201, { _index: "datafly-events", _id: "ev1", result: "created" });
    }
    if (method === "POST" && /^\/dreamfactory-logs-smoke-[0-9a-f]+\/_doc$/.test(path)) return denied(403);
    if (method === "GET" && path === "/datafly-events/_search?size=1" && !admin) return denied(403);
    if (method === "POST" && path === "/dreamfactory-logs-2024.06.01/_search" && admin) {
      this.searches += 1;
      const arrives = this.pipeline.arrivesAfterPolls;
      if (arrives === undefined) return noIndex();
      if (this.searches <= arrives) return json(200, { hits: { hits: [] } });
      return json(200, { hits: { hits: [{ _id: "log1", _source: this.indexedLog() }] } });
    }
    if (method === "POST" && path.startsWith("/dreamfactory-logs-2024.06.01/_delete_by_query") && admin) {
      return this.pipeline.arrivesAfterPolls === undefined
        ? noIndex()
        : json(200, { deleted: 1, failures: [] });
    }
    if (method === "DELETE" && path === "/datafly-events/_doc/ev1?refresh=true" && admin) {
      return json(200, { result: "deleted" });
    }
    return json(400, { error: { type: "unexpected_request", reason: `${method} ${path}` }, status: 400 });
  }

  // Shapes of Kibana 8's GET /api/status (status.overall.level) and GET /api/data_views (data_view[].id).
  private kibana(path: string, req: HttpRequest): HttpResponse {
    if (req.authorization !== ADMIN) return json(401, { statusCode: 401, error: "Unauthorized" });
    if (path === "/api/status")
      return json(200, { version: { number: "8.19.18" }, status: { overall: { level: this.kibanaLevel } } });
    if (path === "/api/data_views")
      return json(200, { data_view: this.kibanaViews.map((id) => ({ id, title: id, name: id })) });
    return json(404, { statusCode: 404 });
  }

  private grafana(path: string): HttpResponse {
    if (this.refuseGrafana)
      throw new RequestFailed(`${GRAFANA}${path}`, "ECONNREFUSED", "connect ECONNREFUSED");
    if (this.grafanaBug && path.startsWith("/api/dashboards")) throw new Error("bug in a check");
    if (path === "/api/health") return json(200, { database: "ok", version: "11.6.16" });
    if (/^\/api\/datasources\/uid\/[\w-]+\/health$/.test(path))
      return json(200, { status: "OK", message: "ok" });
    if (path.startsWith("/api/dashboards/uid/")) {
      return json(200, { dashboard: { title: "T", panels: [{}] }, meta: { folderTitle: "API Analytics" } });
    }
    return json(404, { message: "Not found" });
  }
}

async function run(stack: FakeStack, s: SmokeSettings = settings): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  await runSmoke(s, (r) => results.push(r), stack.deps());
  return results;
}

describe("Kibana, when the stack has one", () => {
  const withKibana: SmokeSettings = { ...settings, kibana: { url: KIBANA } };

  it("checks its status and both data views as the admin, after Grafana", async () => {
    const stack = new FakeStack();
    const results = await run(stack, withKibana);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const names = results.map((r) => r.name);
    expect(names.slice(names.indexOf("grafana.dashboard.stack-health") + 1, -2)).toEqual([
      "kibana.status",
      "kibana.data-views",
    ]);
    expect(results.find((r) => r.name === "kibana.status")?.reason).toBe("Kibana 8.19.18 available");
  });

  it("fails on a Kibana that is not available, and names a missing data view", async () => {
    const stack = new FakeStack();
    stack.kibanaLevel = "unavailable";
    stack.kibanaViews = ["datafly-events"];
    const results = await run(stack, withKibana);
    expect(results.find((r) => r.name === "kibana.status")).toMatchObject({ ok: false });
    expect(results.find((r) => r.name === "kibana.data-views")).toEqual({
      name: "kibana.data-views",
      ok: false,
      reason: "data views missing: api-logs (present: datafly-events)",
    });
  });

  it("is not checked when the stack has no Kibana", async () => {
    const results = await run(new FakeStack());
    expect(results.some((r) => r.name.startsWith("kibana."))).toBe(false);
  });
});

describe("runSmoke", () => {
  it("runs the checks in order and cleans up what it wrote", async () => {
    const stack = new FakeStack();
    const results = await run(stack);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.map((r) => r.name)).toEqual([
      "es.cluster-health",
      "es.events-mapping",
      "events-key.write",
      "events-key.other-index",
      "events-key.read",
      "gelf.pipeline",
      "grafana.health",
      "grafana.datasource.api-logs",
      "grafana.datasource.product-events",
      "grafana.datasource.gateway-users",
      "grafana.datasource.stack-health-cluster",
      "grafana.datasource.stack-health-logstash",
      "grafana.datasource.dead-letters",
      "grafana.dashboard.dreamfactory-api-activity",
      "grafana.dashboard.datafly-events",
      "grafana.dashboard.stack-health",
      "cleanup.events-document",
      "cleanup.gelf-document",
    ]);
    expect(results.find((r) => r.name === "gelf.pipeline")?.reason).toMatch(
      /to udp:\/\/127\.0\.0\.9:12201, in dreamfactory-logs-2024\.06\.01 after \d+ s: user\.id "smoke-[0-9a-f]+" extracted/,
    );
  });

  it("writes with the events key only and reads back and cleans up as the admin", async () => {
    const stack = new FakeStack();
    await run(stack);
    const writes = stack.calls.filter((c) => c.method === "POST" && c.url.includes("/_doc"));
    expect(writes.map((c) => c.authorization)).toEqual([WRITER, WRITER]);
    const cleanups = stack.calls.filter((c) => c.method === "DELETE" || c.url.includes("_delete_by_query"));
    expect(cleanups.map((c) => c.authorization)).toEqual([ADMIN, ADMIN]);
    // The read-back query and the delete-by-query look for the marker the GELF message carried.
    const marker = (JSON.parse(stack.gelf[0].json) as { short_message: string }).short_message
      .split(" ")
      .pop();
    const deleteByQuery = cleanups[1].json as { query: { multi_match: { query: string } } };
    expect(deleteByQuery.query.multi_match.query).toBe(marker);
    expect(stack.gelf[0]).toMatchObject({ host: "127.0.0.9", port: 12201 });
  });

  it("gives up on the GELF message after the timeout, with a bounded number of searches", async () => {
    const stack = new FakeStack({ arrivesAfterPolls: undefined });
    const results = await run(stack);
    const searches = stack.calls.filter((c) => c.url.endsWith("/_search") && c.method === "POST");
    expect(searches.length).toBeLessThanOrEqual(Math.ceil(5000 / 2000) + 1);
    expect(stack.clock - Date.parse("2024-06-01T10:00:00Z")).toBeLessThanOrEqual(5000);
    expect(results.find((r) => r.name === "gelf.pipeline")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("dreamfactory-logs-2024.06.01 was not created within 5 s"),
    });
    expect(results.find((r) => r.name === "cleanup.gelf-document")).toMatchObject({
      ok: true,
      reason: "nothing to delete, dreamfactory-logs-2024.06.01 does not exist",
    });
  });

  it("fails the pipeline check when user.id is not extracted", async () => {
    const results = await run(new FakeStack({ arrivesAfterPolls: 0, extractsUserId: false }));
    expect(results.find((r) => r.name === "gelf.pipeline")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("no user.id and is tagged _jwt_user_id_failure"),
    });
  });

  it("stops with one sentence when Elasticsearch does not answer", async () => {
    const stack = new FakeStack();
    const deps = {
      ...stack.deps(),
      http: async (req: HttpRequest): Promise<HttpResponse> => {
        stack.calls.push(req);
        throw new RequestFailed(req.url, "ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9200");
      },
    };
    const results: CheckResult[] = [];
    const outcome = runSmoke(settings, (r) => results.push(r), deps);
    await expect(outcome).rejects.toBeInstanceOf(StackUnreachable);
    await expect(outcome).rejects.toThrow(
      "smoke: cannot reach Elasticsearch at https://es.test:9200 (connection refused): is the stack deployed and running?",
    );
    expect(stack.calls).toHaveLength(1);
    expect(results).toEqual([]);
  });

  it("reports an unreachable Grafana as one failure and still cleans up", async () => {
    const stack = new FakeStack();
    stack.refuseGrafana = true;
    const results = await run(stack);
    expect(results.filter((r) => r.name.startsWith("grafana."))).toEqual([
      {
        name: "grafana.health",
        ok: false,
        reason:
          "smoke: cannot reach Grafana at https://grafana.test:3000 (connection refused): is the stack deployed and running? (datasources and dashboards not checked)",
      },
    ]);
    expect(results.slice(-2).map((r) => r.name)).toEqual([
      "cleanup.events-document",
      "cleanup.gelf-document",
    ]);
  });

  it("cleans up even when a check throws", async () => {
    const stack = new FakeStack();
    stack.grafanaBug = true;
    const results: CheckResult[] = [];
    await expect(runSmoke(settings, (r) => results.push(r), stack.deps())).rejects.toThrow("bug in a check");
    expect(results.slice(-2)).toEqual([
      { name: "cleanup.events-document", ok: true, reason: "deleted event ev1 from datafly-events" },
      {
        name: "cleanup.gelf-document",
        ok: true,
        reason: "deleted 1 GELF test document(s) from dreamfactory-logs-2024.06.01",
      },
    ]);
  });
});
