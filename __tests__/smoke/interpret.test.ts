import { eventsIndexMappings } from "../../constructs/elasticsearch/definitions";
import { REDACTED } from "../../constructs/elasticsearch/fields";
import {
  compareMappings,
  describeUnreachable,
  esErrorSummary,
  interpretClusterHealth,
  interpretDashboard,
  interpretDatasourceHealth,
  interpretGrafanaHealth,
  interpretLogSearch,
  interpretMapping,
  interpretRefusal,
  interpretWriterIndex,
} from "../../scripts/smoke/interpret";

/** What Elasticsearch 8 serves for the events index: objects without `type`, `dynamic` as a string. */
function servedEventsMapping(): Record<string, unknown> {
  const keyword = { type: "keyword", ignore_above: 1024 };
  return {
    dynamic: "false",
    properties: {
      anonymous_id: keyword,
      context: { type: "object", dynamic: "true" },
      event: keyword,
      event_id: keyword,
      integration_id: keyword,
      properties: { type: "object", dynamic: "true" },
      received_at: { type: "date" },
      sent_at: { type: "date" },
      source_id: keyword,
      timestamp: { type: "date" },
      traits: { type: "object", dynamic: "true" },
      type: keyword,
      user_id: keyword,
    },
  };
}

function withProperties(
  mutate: (props: Record<string, unknown>) => void,
  base = servedEventsMapping(),
): Record<string, unknown> {
  mutate(base.properties as Record<string, unknown>);
  return base;
}

const securityError = (status: number, reason: string) => ({
  error: {
    root_cause: [{ type: "security_exception", reason }],
    type: "security_exception",
    reason,
  },
  status,
});

describe("compareMappings", () => {
  const declared = eventsIndexMappings();

  it("finds the served mapping equal to the declared one", () => {
    expect(compareMappings(declared, servedEventsMapping())).toEqual({ equal: true });
  });

  it("reports a missing field", () => {
    const live = withProperties((p) => delete p.sent_at);
    expect(compareMappings(declared, live)).toEqual({
      equal: false,
      path: "sent_at",
      problem: "field sent_at is declared but not in the live mapping",
    });
  });

  it("reports a field of another type", () => {
    const live = withProperties((p) => (p.user_id = { type: "text" }));
    expect(compareMappings(declared, live)).toMatchObject({
      equal: false,
      path: "user_id",
      problem: "field user_id has type = text, declared keyword",
    });
  });

  it("reports a differing parameter", () => {
    const live = withProperties((p) => (p.event_id = { type: "keyword", ignore_above: 256 }));
    expect(compareMappings(declared, live)).toMatchObject({
      path: "event_id",
      problem: "field event_id has ignore_above = 256, declared 1024",
    });
  });

  it("reports an undeclared field at the root", () => {
    const live = withProperties((p) => (p.page_url = { type: "text" }));
    expect(compareMappings(declared, live)).toMatchObject({
      equal: false,
      path: "page_url",
      problem: "field page_url is in the live mapping but not declared",
    });
  });

  it("accepts fields the router added below a dynamic object", () => {
    const live = withProperties(
      (p) =>
        (p.context = {
          dynamic: "true",
          properties: {
            page: { properties: { url: { type: "text", fields: { keyword: { type: "keyword" } } } } },
          },
        }),
    );
    expect(compareMappings(declared, live)).toEqual({ equal: true });
  });

  it("reports a root that became dynamic", () => {
    const live = { ...servedEventsMapping(), dynamic: "true" };
    expect(compareMappings(declared, live)).toMatchObject({
      path: "(root)",
      problem: "the mapping root has dynamic = true, declared false",
    });
  });

  it("reports the first difference in declared order", () => {
    const live = withProperties((p) => {
      p.type = { type: "text" };
      delete p.event_id;
    });
    expect(compareMappings(declared, live)).toMatchObject({ path: "event_id" });
  });
});

describe("interpretMapping", () => {
  const declared = eventsIndexMappings();

  it("passes on the served mapping of a concrete index behind the name", () => {
    const v = interpretMapping(
      "datafly-events",
      200,
      { "datafly-events-000001": { mappings: servedEventsMapping() } },
      declared,
    );
    expect(v.ok).toBe(true);
  });

  it("fails naming the conflict", () => {
    const live = withProperties((p) => (p.timestamp = { type: "keyword" }));
    const v = interpretMapping("datafly-events", 200, { "datafly-events": { mappings: live } }, declared);
    expect(v).toMatchObject({ ok: false });
    expect(v.reason).toContain("field timestamp has type = keyword, declared date");
    expect(v.reason).toContain("mapping conflict");
  });

  it("fails on a missing index", () => {
    const body = {
      error: { type: "index_not_found_exception", reason: "no such index [datafly-events]" },
      status: 404,
    };
    expect(interpretMapping("datafly-events", 404, body, declared).reason).toContain("does not exist");
  });
});

describe("interpretClusterHealth", () => {
  const health = (status: string, unassigned = 0) => ({
    cluster_name: "elk-cluster",
    status,
    number_of_nodes: 1,
    active_shards: 7,
    unassigned_shards: unassigned,
  });

  it("passes green", () => {
    expect(interpretClusterHealth(200, health("green"), "elastic")).toEqual({
      ok: true,
      reason: "green, 1 node(s), 7 active shard(s)",
    });
  });

  it("passes yellow and explains the unassigned replicas", () => {
    const v = interpretClusterHealth(200, health("yellow", 3), "elastic");
    expect(v.ok).toBe(true);
    expect(v.reason).toContain("3 unassigned replica shard(s)");
  });

  it("fails red", () => {
    const v = interpretClusterHealth(200, health("red", 2), "elastic");
    expect(v.ok).toBe(false);
    expect(v.reason).toContain("primaries");
  });

  it("fails 401 naming the user and the password variable", () => {
    const body = securityError(
      401,
      "unable to authenticate user [elastic] for REST request [/_cluster/health]",
    );
    const v = interpretClusterHealth(401, body, "elastic");
    expect(v.ok).toBe(false);
    expect(v.reason).toContain("HTTP 401 (security_exception: unable to authenticate user [elastic]");
    expect(v.reason).toContain("SMOKE_ES_PASSWORD");
  });
});

describe("interpretWriterIndex", () => {
  it("passes 201 created", () => {
    const body = { _index: "datafly-events", _id: "abc", result: "created", _shards: { successful: 1 } };
    expect(interpretWriterIndex("datafly-events", 201, body)).toEqual({
      ok: true,
      reason: "indexed document abc into datafly-events (201 created)",
    });
  });

  it("fails 403 with the Elasticsearch reason", () => {
    const body = securityError(
      403,
      "action [indices:data/write/index] is unauthorized for API key id [k1] of user [elastic] on indices [datafly-events]",
    );
    const v = interpretWriterIndex("datafly-events", 403, body);
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(
      /^HTTP 403 \(security_exception: action \[indices:data\/write\/index\] is unauthorized/,
    );
    expect(v.reason).toContain("lacks the write privilege");
  });

  it("fails 401 as an invalid or revoked key", () => {
    const body = securityError(
      401,
      "unable to authenticate with provided credentials and anonymous access is not allowed",
    );
    const v = interpretWriterIndex("datafly-events", 401, body);
    expect(v.ok).toBe(false);
    expect(v.reason).toContain("invalid or revoked");
  });

  it("names index_not_found_exception", () => {
    const body = {
      error: { type: "index_not_found_exception", reason: "no such index [datafly-events]" },
      status: 404,
    };
    expect(interpretWriterIndex("datafly-events", 404, body).reason).toContain("create_index");
  });
});

describe("interpretRefusal", () => {
  it("passes a 403", () => {
    const v = interpretRefusal(
      "search datafly-events",
      403,
      securityError(403, "action [indices:data/read/search] is unauthorized"),
    );
    expect(v.ok).toBe(true);
    expect(v.reason).toContain("refused to search datafly-events with HTTP 403");
  });

  it("fails when the key was allowed", () => {
    const v = interpretRefusal("write to logs-smoke-1", 201, { result: "created" });
    expect(v.ok).toBe(false);
    expect(v.reason).toContain("was allowed");
  });

  it("fails a 401: privileges were never checked", () => {
    expect(interpretRefusal("search x", 401, securityError(401, "unable to authenticate")).ok).toBe(false);
  });
});

describe("interpretLogSearch", () => {
  const expect_ = {
    userId: "smoke-1a2b",
    hostName: "ops-laptop",
    credentials: ["k3y-value", "h.p.s"],
    jwtFailureTag: "_jwt_user_id_failure",
    level: "INFO",
    status: 200,
  };
  const hit = (source: Record<string, unknown>) => ({
    hits: {
      total: { value: 1, relation: "eq" },
      hits: [{ _index: "logs-2024.06.01", _id: "1", _source: source }],
    },
  });
  const good = {
    message: "smoke check smoke_00",
    host: { name: "ops-laptop" },
    user: { id: "smoke-1a2b" },
    level: "INFO",
    event: {
      request: {
        uri: `/api/v2/smoke/x?api_key=${REDACTED}`,
        headers: { accept: "application/json", "x-dreamfactory-api-key": REDACTED },
      },
      response: { status: 200 },
    },
  };

  it("passes a document with user.id, host.name, status, level and no credential", () => {
    const poll = interpretLogSearch(200, hit(good), expect_);
    expect(poll).toEqual({
      state: "done",
      verdict: {
        ok: true,
        reason:
          'user.id "smoke-1a2b" extracted, host.name set, status 200, level INFO, no credential indexed',
      },
    });
  });

  it.each([
    [
      "a status_code never normalized",
      { event: { ...good.event, response: { status_code: 200 } } },
      "status",
    ],
    ["a string status", { event: { ...good.event, response: { status: "200" } } }, "status"],
    ["a numeric level", { level: 6 }, "level is 6"],
    [
      "a credential value in the URI",
      { event: { ...good.event, request: { uri: "/x?api_key=k3y-value" } } },
      "credential value",
    ],
    [
      "a secret parameter",
      { event: { ...good.event, request: { parameters: { session_token: "other" } } } },
      "event.request.parameters.session_token",
    ],
  ])("fails %s", (_name, change, reason) => {
    const poll = interpretLogSearch(200, hit({ ...good, ...change }), expect_);
    expect(poll.state === "done" && poll.verdict.ok).toBe(false);
    expect(poll.state === "done" && poll.verdict.reason).toContain(reason);
  });

  it("fails a document without user.id and names the failure tag", () => {
    const poll = interpretLogSearch(
      200,
      hit({ ...good, user: undefined, tags: ["_jwt_user_id_failure"] }),
      expect_,
    );
    expect(poll.state).toBe("done");
    if (poll.state !== "done") return;
    expect(poll.verdict.ok).toBe(false);
    expect(poll.verdict.reason).toContain("no user.id and is tagged _jwt_user_id_failure");
  });

  it("fails when the session token header was indexed", () => {
    const source = {
      ...good,
      event: { request: { headers: { "X-DreamFactory-Session-Token": "a.b.c" } } },
    };
    const poll = interpretLogSearch(200, hit(source), expect_);
    expect(poll.state === "done" && poll.verdict).toMatchObject({ ok: false });
  });

  it("fails a wrong host.name", () => {
    const poll = interpretLogSearch(200, hit({ ...good, host: { name: "logstash" } }), expect_);
    expect(poll.state === "done" && poll.verdict.reason).toContain('host.name is "logstash"');
  });

  it("keeps waiting while there is no hit or no index yet", () => {
    expect(interpretLogSearch(200, { hits: { hits: [] } }, expect_)).toEqual({
      state: "pending",
      indexExists: true,
    });
    const missing = { error: { type: "index_not_found_exception", reason: "no such index" }, status: 404 };
    expect(interpretLogSearch(404, missing, expect_)).toEqual({ state: "pending", indexExists: false });
  });

  it("stops on an authentication failure", () => {
    const poll = interpretLogSearch(
      401,
      securityError(401, "unable to authenticate user [elastic]"),
      expect_,
    );
    expect(poll.state === "done" && poll.verdict.ok).toBe(false);
  });
});

describe("Grafana answers", () => {
  it("health: database ok passes", () => {
    expect(interpretGrafanaHealth(200, { database: "ok", version: "11.6.16" })).toEqual({
      ok: true,
      reason: "Grafana 11.6.16, database ok",
    });
    expect(interpretGrafanaHealth(503, { database: "failing" }).ok).toBe(false);
  });

  it("datasource: OK passes, ERROR fails with Grafana's message and the No data consequence", () => {
    expect(
      interpretDatasourceHealth("api-logs", 200, {
        status: "OK",
        message: "Elasticsearch data source is healthy.",
      }).ok,
    ).toBe(true);
    const v = interpretDatasourceHealth("api-logs", 400, {
      status: "ERROR",
      message: "Elasticsearch error: 401 Unauthorized",
    });
    expect(v.ok).toBe(false);
    expect(v.reason).toContain("Elasticsearch error: 401 Unauthorized");
    expect(v.reason).toContain("No data");
    expect(interpretDatasourceHealth("api-logs", 404, { message: "Data source not found" }).reason).toContain(
      "not found",
    );
    expect(interpretDatasourceHealth("api-logs", 401, { message: "Unauthorized" }).reason).toContain(
      "SMOKE_GRAFANA_AUTH",
    );
  });

  it("dashboard: present with panels passes, 404 fails", () => {
    const body = {
      dashboard: { uid: "d", title: "DreamFactory API Activity", panels: [{}, {}] },
      meta: { folderTitle: "API Analytics" },
    };
    expect(interpretDashboard("d", 200, body)).toEqual({
      ok: true,
      reason: '"DreamFactory API Activity" in folder "API Analytics", 2 panel(s)',
    });
    expect(interpretDashboard("d", 404, { message: "Dashboard not found" }).ok).toBe(false);
  });
});

describe("esErrorSummary", () => {
  it("reads type and reason, and tolerates non-error bodies", () => {
    expect(esErrorSummary(securityError(403, "denied"))).toBe("security_exception: denied");
    expect(esErrorSummary({ acknowledged: true })).toBeUndefined();
    expect(esErrorSummary("text")).toBeUndefined();
  });
});

describe("describeUnreachable", () => {
  const url = "https://localhost:9200";

  it("says connection refused in one sentence", () => {
    expect(
      describeUnreachable("Elasticsearch", url, {
        code: "ECONNREFUSED",
        message: "connect ECONNREFUSED 127.0.0.1:9200",
      }),
    ).toBe(
      "smoke: cannot reach Elasticsearch at https://localhost:9200 (connection refused): is the stack deployed and running?",
    );
  });

  it("names the host of a failed DNS lookup", () => {
    expect(
      describeUnreachable("Elasticsearch", "https://es.example.invalid:9200", {
        code: "ENOTFOUND",
        message: "getaddrinfo ENOTFOUND es.example.invalid",
      }),
    ).toBe(
      "smoke: cannot reach Elasticsearch at https://es.example.invalid:9200 (DNS lookup of es.example.invalid failed): check the URL in the stack outputs and your DNS.",
    );
  });

  it("points an untrusted certificate to the CA and never to disabling verification", () => {
    const s = describeUnreachable("Elasticsearch", url, {
      code: "SELF_SIGNED_CERT_IN_CHAIN",
      message: "self-signed certificate in certificate chain",
    });
    expect(s).toBe(
      "smoke: cannot verify the TLS certificate of Elasticsearch at https://localhost:9200 (self-signed certificate in certificate chain): pass the stack CA with the ca_certificate output or --ca-file; verification is never turned off.",
    );
  });

  it("explains a certificate issued for another name", () => {
    const s = describeUnreachable("Grafana", "https://10.0.0.5:3000", {
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
      message: "Hostname/IP does not match certificate's altnames",
    });
    expect(s).toContain("not valid for 10.0.0.5");
  });

  it("treats a timeout as a network problem", () => {
    expect(
      describeUnreachable("Grafana", "https://g:3000", { code: "ETIMEDOUT", message: "no answer" }),
    ).toContain("(no answer in time)");
  });

  it("is always a single line", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "CERT_HAS_EXPIRED", "ECONNRESET", "EWHATEVER"]) {
      expect(describeUnreachable("Elasticsearch", url, { code, message: "a\nb" })).not.toContain("\n");
    }
  });
});
