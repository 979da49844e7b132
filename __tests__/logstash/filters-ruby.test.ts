import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  LEVEL_UNKNOWN_TAG,
  REDACTION_FAILURE_TAG,
  STATUS_FAILURE_TAG,
  buildApiLogPipeline,
  ecsHostRubyCode,
  levelRubyCode,
  redactRubyFilter,
  responseStatusRubyCode,
  stripUnderscoreRubyCode,
  type ApiLogPipelineParams,
} from "../../constructs/logstash/pipeline";
import {
  MONOLOG_LEVELS,
  REDACTED,
  SECRET_KEYS,
  SYSLOG_LEVEL_NAMES,
  isSecretKey,
} from "../../contract/fields";
import {
  RUBIES,
  filterSteps,
  requireRuby,
  runHarness,
  type EventData,
  type HarnessCase,
  type HarnessResult,
  type HarnessStep,
  type Json,
} from "../support/ruby-harness";
import {
  HTTP_INPUT,
  LOCAL_RUBY_LIBRARY,
  PIPELINE_PARAMS,
  STACK_REDACTION,
  withLocalLibrary,
} from "../support/pipeline-params";
import { PLANTED, apiCallEvent, httpApiCallEvent, loginEvent } from "../support/dreamfactory-events";

// The whole generated filter section runs on realistic DreamFactory events in MRI and in
// JRuby (what Logstash runs), through __tests__/logstash/harness.rb.

const REDACTION = STACK_REDACTION;
const PARAMS: ApiLogPipelineParams = {
  ...PIPELINE_PARAMS,
  http: HTTP_INPUT,
  responseTime: { enabled: true, sourceField: "[event][response][duration_ms]" },
};

const LOCAL_PARAMS = withLocalLibrary(PARAMS);
const PIPELINE = filterSteps(buildApiLogPipeline(LOCAL_PARAMS));
const step = (f: { init?: string; code: string }): HarnessStep[] => [f];
const PROGRAMS: Record<string, readonly HarnessStep[]> = {
  pipeline: PIPELINE,
  host: step(ecsHostRubyCode()),
  level: step(levelRubyCode(SYSLOG_LEVEL_NAMES, MONOLOG_LEVELS)),
  status: step(responseStatusRubyCode()),
  redact: step(redactRubyFilter(REDACTION, LOCAL_RUBY_LIBRARY)),
  strip: step(stripUnderscoreRubyCode()),
  // The compiled filter's view: reads under [event] see its own writes, the event sees
  // them only at flush, in order; other references go to the event at once.
  view: [
    {
      init: `require '${LOCAL_RUBY_LIBRARY}'`,
      code: `view = ::ElkGrafanaCdktf::EventView.new(event)
view.set('[event][a][b]', 1)
view.remove('[event][c]')
view.set('[x]', view.get('[event][a][b]'))
event.set('before_flush', [event.get('[event][a]'), event.get('[event][c]')])
view.flush`,
    },
  ],
  // A name list Ruby's predicate answers for, to compare with the TypeScript twin.
  secretKeys: [
    {
      init: redactRubyFilter(REDACTION, LOCAL_RUBY_LIBRARY).init,
      code: `event.set('secret', event.get('names').select { |n| @redactor.secret_key?(n) })`,
    },
  ],
};

/** The event as Elasticsearch would index it: Logstash never writes @metadata. */
const indexed = (e: EventData): EventData =>
  Object.fromEntries(Object.entries(e).filter(([k]) => k !== "@metadata"));
const at = (e: Json | undefined, path: string): Json | undefined =>
  path
    .split(".")
    .reduce<Json | undefined>(
      (node, k) => (node !== null && typeof node === "object" && !Array.isArray(node) ? node[k] : undefined),
      e,
    );

const CASES: HarnessCase[] = [];
const add = (name: string, program: string, event: EventData) => CASES.push({ name, program, event });

add("api call", "pipeline", apiCallEvent());
add("login", "pipeline", loginEvent());
add("api call over http", "pipeline", httpApiCallEvent());
add("event of another type", "pipeline", { type: "syslog", host: "router-1", message: "hi" });
add("event without type", "pipeline", { host: "router-2", message: "hi" });
for (let n = 0; n <= 7; n++) add(`syslog level ${n}`, "level", { level: n });
add("syslog level as a string", "level", { level: "3" });
add("syslog level as a float", "level", { level: 4.0 });
add("level name in lower case", "level", { level: "warning" });
add("unknown level number", "level", { level: 9 });
add("unknown level name", "level", { level: "verbose" });
add("no level", "level", { message: "x" });
for (const [n, name] of Object.entries(MONOLOG_LEVELS))
  add(`monolog level ${n} (${name}) over http`, "level", {
    level: Number(n),
    "@metadata": { transport: "http" },
  });
add("syslog 6 over http is unknown", "level", { level: 6, "@metadata": { transport: "http" } });
add("status_code integer", "status", { event: { response: { status_code: 404 } } });
add("status_code string", "status", { event: { response: { status_code: " 503 " } } });
add("status integer (the guide's name)", "status", { event: { response: { status: 201 } } });
add("status_code wins over status", "status", { event: { response: { status: 200, status_code: 500 } } });
add("status not a code", "status", { event: { response: { status_code: "OK" } } });
add("status out of range", "status", { event: { response: { status: 42 } } });
add("no status at all", "status", { event: { response: { content: "x" } } });
add("response not a map", "status", { event: { response: "oops" } });
add("string host", "host", { host: "df-web-1" });
add("numeric host", "host", { host: 42 });
add("host map is left alone", "host", { host: { ip: "10.0.0.1" } });
add("no host", "host", { message: "x" });
add("underscored keys", "strip", { _event: { a: 1 }, _level: 200, type: "t", _: 1 });
add("redaction: nested lists and maps, any case", "redact", {
  event: {
    request: {
      headers: { Authorization: "Bearer abc", "X-DreamFactory-Foo": "v", Accept: "json" },
      payload: {
        users: [
          { name: "a", Password: "p1" },
          { name: "b", new_password: "p2" },
        ],
      },
      content: "email=a%40b.c&password=p3&remember=1",
      uri: "/x?API_KEY=k1&api%5Fkey=k2&Session_Token=t1&q=1#frag",
    },
    response: { content: ["ok", { access_token: "at", nested: { client_secret: "cs" } }] },
  },
});
add("redaction: a JSON body string", "redact", {
  event: { request: { content: '{"email":"a@b.c","password":"p4"}' } },
});
add("redaction: nothing to do", "redact", {
  event: { request: { uri: "/api/v2/db/_table/contacts?limit=10", headers: { accept: "json" } } },
});
add("redaction: subtree is a string", "redact", { event: { request: "session_token=t9" } });
// Changed entries are written back one by one; a key no field reference can name takes the whole subtree.
add("redaction: a key with brackets", "redact", {
  event: { request: { "form[login]": { password: "p5" }, headers: { cookie: "c" }, method: "POST" } },
});
add("redaction: no event", "redact", { message: "x" });
add("view: deferred writes under [event]", "view", { event: { c: "gone" } });
// The query walk compares a value with the marker only when their lengths match.
add("redaction: query values that are, or only start with, the marker", "redact", {
  event: {
    request: {
      uri: `/x?api_key=${REDACTED}&session_token=${REDACTED}x&password=[red&id_token=${"r".repeat(REDACTED.length)}&q=1`,
    },
  },
});
add("redaction: already redacted is kept", "redact", {
  event: { request: { parameters: { api_key: REDACTED } } },
});
const NAMES = [
  ...SECRET_KEYS.names,
  "Authorization",
  "X-DreamFactory-API-Key",
  "x-dreamfactory-application-name",
  "refresh_token",
  "X-CSRF-Token",
  "old_password",
  "oauth_secret",
  "accept",
  "limit",
  "tokens",
  "passwords",
  "user_id",
  "session",
];
add("secret keys", "secretKeys", { names: NAMES });

const results = new Map<string, Map<string, HarnessResult>>();
beforeAll(() => {
  for (const ruby of RUBIES) results.set(ruby, runHarness(ruby, PROGRAMS, CASES));
}, 60_000);

const perRuby = RUBIES.map((r) => [r] as const);
function result(ruby: string, name: string): EventData {
  const r = results.get(ruby)?.get(name);
  expect(r).toBeDefined();
  expect(r?.error).toBeNull();
  return r?.event ?? {};
}

const tags = (e: EventData) => (Array.isArray(e.tags) ? e.tags : []);

describe.each(perRuby)("%s: realistic DreamFactory events through the whole filter section", (ruby) => {
  test.each(["api call", "login", "api call over http"])(
    "%s: no credential anywhere in the document",
    (name) => {
      const doc = JSON.stringify(indexed(result(ruby, name)));
      const jwtSignature = PLANTED.jwt.split(".")[2];
      for (const secret of [
        PLANTED.apiKey,
        PLANTED.jwt,
        jwtSignature,
        PLANTED.password,
        PLANTED.cookie,
        PLANTED.refreshToken,
      ])
        expect(doc).not.toContain(secret);
      expect(doc).toContain(REDACTED);
    },
  );

  test.each(["api call", "login", "api call over http"])(
    "%s: integer status, a level name, user.id from the JWT, no failure tag",
    (name) => {
      const doc = result(ruby, name);
      expect(at(doc, "event.response.status")).toBe(200);
      expect(at(doc, "event.response.status_code")).toBeUndefined();
      expect(doc.level).toBe("INFO");
      expect(at(doc, "user.id")).toBe("7");
      expect(doc.log_source).toBe("dreamfactory");
      expect(tags(doc)).toEqual([]);
    },
  );

  test("the API call keeps what the dashboards read and marks what it removed", () => {
    const doc = result(ruby, "api call");
    expect(at(doc, "host.name")).toBe("df-web-1");
    expect(doc.source_hostname).toBe("df-web-1");
    expect(at(doc, "event.request.method")).toBe("GET");
    expect(at(doc, "event.request.service")).toBe("db");
    expect(at(doc, "event.request.uri")).toBe(
      `/api/v2/db/_table/contacts?api_key=${REDACTED}&session_token=${REDACTED}&limit=10&fields=id,name`,
    );
    expect(at(doc, "event.request.parameters")).toEqual({
      api_key: REDACTED,
      session_token: REDACTED,
      limit: "10",
      fields: "id,name",
    });
    expect(at(doc, "event.request.headers.accept")).toBe("application/json");
    expect(at(doc, "event.request.headers.cookie")).toBe(REDACTED);
    expect(at(doc, "event.request.headers.x-forwarded-for")).toBe("203.0.113.9");
    expect(at(doc, "event.response.content")).toEqual(at(apiCallEvent(), "event.response.content"));
  });

  test("the login keeps the user's public fields and the body stays JSON", () => {
    const doc = result(ruby, "login");
    expect(JSON.parse(at(doc, "event.request.content") as string)).toEqual({
      email: "ada@example.com",
      password: REDACTED,
      remember_me: true,
    });
    expect(at(doc, "event.response.content.email")).toBe("ada@example.com");
    expect(at(doc, "event.response.content.session_id")).toBe(REDACTED);
    expect(at(doc, "event.response.headers.set-cookie")).toBe(REDACTED);
  });

  test("http events get the GELF names: underscores stripped, the input's host map kept", () => {
    const doc = result(ruby, "api call over http");
    expect(doc.message).toBe("db._table.contacts.get.post_process");
    expect(Object.keys(doc).filter((k) => k.startsWith("_"))).toEqual([]);
    expect(doc.host).toEqual({ ip: "172.18.0.5" });
  });

  test.each(["event of another type", "event without type"])(
    "%s: ECS host applies to every event, the rest does not",
    (name) => {
      const doc = result(ruby, name);
      expect(typeof at(doc, "host.name")).toBe("string");
      expect(doc.log_source).toBeUndefined();
    },
  );
});

describe.each(perRuby)("%s: filters one by one", (ruby) => {
  test("syslog levels 0..7 are EMERGENCY … DEBUG (df-logger 0.15.2 src/Components/GelfLevels.php)", () => {
    const names = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => result(ruby, `syslog level ${n}`).level);
    expect(names).toEqual(["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"]);
    expect(result(ruby, "syslog level as a string").level).toBe("ERROR");
    expect(result(ruby, "syslog level as a float").level).toBe("WARNING");
    expect(result(ruby, "level name in lower case").level).toBe("WARNING");
    expect(result(ruby, "no level")).toEqual({ message: "x" });
  });

  test("unknown levels stay visible: kept as text and tagged", () => {
    expect(result(ruby, "unknown level number")).toEqual({ level: "9", tags: [LEVEL_UNKNOWN_TAG] });
    expect(result(ruby, "unknown level name")).toEqual({ level: "verbose", tags: [LEVEL_UNKNOWN_TAG] });
    expect(result(ruby, "syslog 6 over http is unknown").tags).toEqual([LEVEL_UNKNOWN_TAG]);
  });

  // df-logger 0.15.2 src/Components/NetworkLogger.php: _level = Logger::toMonologLevel($level)
  test.each(Object.entries(MONOLOG_LEVELS))("monolog level %s over http is %s", (n, name) => {
    expect(result(ruby, `monolog level ${n} (${name}) over http`).level).toBe(name);
  });

  // df-core 1.0.15 src/Utility/ServiceResponse.php toArray(): status_code
  test("status: status_code or status becomes an integer status, one field", () => {
    expect(result(ruby, "status_code integer")).toEqual({ event: { response: { status: 404 } } });
    expect(result(ruby, "status_code string")).toEqual({ event: { response: { status: 503 } } });
    expect(result(ruby, "status integer (the guide's name)")).toEqual({
      event: { response: { status: 201 } },
    });
    expect(result(ruby, "status_code wins over status")).toEqual({ event: { response: { status: 500 } } });
    expect(result(ruby, "no status at all")).toEqual({ event: { response: { content: "x" } } });
    expect(result(ruby, "response not a map")).toEqual({ event: { response: "oops" } });
  });

  test("status: a value that is not an HTTP code is removed and tagged", () => {
    expect(result(ruby, "status not a code")).toEqual({
      event: { response: {} },
      tags: [STATUS_FAILURE_TAG],
    });
    expect(result(ruby, "status out of range")).toEqual({
      event: { response: {} },
      tags: [STATUS_FAILURE_TAG],
    });
  });

  test("host: a string or number moves to source_hostname and host.name; a map stays", () => {
    expect(result(ruby, "string host")).toEqual({ source_hostname: "df-web-1", host: { name: "df-web-1" } });
    expect(result(ruby, "numeric host")).toEqual({ source_hostname: "42", host: { name: "42" } });
    expect(result(ruby, "host map is left alone")).toEqual({ host: { ip: "10.0.0.1" } });
    expect(result(ruby, "no host")).toEqual({ message: "x" });
  });

  test("leading underscores are stripped like the gelf input does (logstash-input-gelf v3.3.2)", () => {
    expect(result(ruby, "underscored keys")).toEqual({ event: { a: 1 }, level: 200, type: "t", _: 1 });
  });

  test("redaction reaches nested maps and lists, form bodies and encoded query names", () => {
    expect(result(ruby, "redaction: nested lists and maps, any case")).toEqual({
      event: {
        request: {
          headers: { Authorization: REDACTED, "X-DreamFactory-Foo": REDACTED, Accept: "json" },
          payload: {
            users: [
              { name: "a", Password: REDACTED },
              { name: "b", new_password: REDACTED },
            ],
          },
          content: `email=a%40b.c&password=${REDACTED}&remember=1`,
          uri: `/x?API_KEY=${REDACTED}&api%5Fkey=${REDACTED}&Session_Token=${REDACTED}&q=1#frag`,
        },
        response: { content: ["ok", { access_token: REDACTED, nested: { client_secret: REDACTED } }] },
      },
    });
    expect(result(ruby, "redaction: a JSON body string")).toEqual({
      event: { request: { content: `{"email":"a@b.c","password":"${REDACTED}"}` } },
    });
    expect(result(ruby, "redaction: subtree is a string")).toEqual({
      event: { request: `session_token=${REDACTED}` },
    });
    expect(result(ruby, "redaction: a key with brackets")).toEqual({
      event: {
        request: { "form[login]": { password: REDACTED }, headers: { cookie: REDACTED }, method: "POST" },
      },
    });
  });

  test("redaction: a query value that is not exactly the marker is still redacted", () => {
    expect(result(ruby, "redaction: query values that are, or only start with, the marker")).toEqual({
      event: {
        request: {
          uri: `/x?api_key=${REDACTED}&session_token=${REDACTED}&password=${REDACTED}&id_token=${REDACTED}&q=1`,
        },
      },
    });
  });

  test("redaction leaves clean events alone", () => {
    for (const name of [
      "redaction: nothing to do",
      "redaction: no event",
      "redaction: already redacted is kept",
    ]) {
      expect(result(ruby, name)).toEqual(CASES.find((c) => c.name === name)?.event);
    }
  });

  test("the Ruby predicate and the TypeScript one (smoke check) agree on every name", () => {
    expect(result(ruby, "secret keys").secret).toEqual(NAMES.filter(isSecretKey));
  });
});

test("the secret list covers df-logger 0.15.2's own (src/Services/BaseService.php redactInPlace)", () => {
  const dfLogger = [
    "authorization",
    "cookie",
    "set-cookie",
    "x-dreamfactory-session-token",
    "x-dreamfactory-api-key",
    "x-mcp-internal-key",
    "session_token",
    "api_key",
    "password",
    "secret",
    "client_secret",
    "access_token",
    "refresh_token",
    "id_token",
  ];
  // and the session keys its getPlatformInfo unsets
  const session = [
    "lookup_secret",
    "session_token",
    "api_key",
    "jwt",
    "token",
    "access_token",
    "refresh_token",
  ];
  expect([...dfLogger, ...session].filter((k) => !isSecretKey(k))).toEqual([]);
});

test.each(RUBIES)("%s: the compiled filter's EventView replays its writes at flush", (ruby) => {
  expect(result(ruby, "view: deferred writes under [event]")).toEqual({
    event: { a: { b: 1 } },
    x: 1,
    before_flush: [null, "gone"],
  });
});

test("a redaction failure drops the subtrees and tags the event, never raises", () => {
  // Same code, with a predicate that raises: the failure path, in MRI (the rescue is plain Ruby).
  const broken = redactRubyFilter(REDACTION, LOCAL_RUBY_LIBRARY);
  const init = `${broken.init}\n@redactor.define_singleton_method(:secret_key?) { |_k| raise ::ArgumentError, 'boom' }`;
  const out = runHarness("ruby", { broken: [{ init, code: broken.code }] }, [
    {
      name: "x",
      program: "broken",
      event: { event: { request: { a: 1 }, response: { b: 2 } }, platform: {} },
    },
  ]).get("x");
  expect(out?.error).toBeNull();
  expect(out?.event).toEqual({ event: {}, tags: [REDACTION_FAILURE_TAG] });
});

test("redaction refuses names that are not lower-case, and a relative library path", () => {
  expect(() => redactRubyFilter({ ...REDACTION, names: ["Password"] }, LOCAL_RUBY_LIBRARY)).toThrow(
    /lower-case/,
  );
  expect(() => redactRubyFilter(REDACTION, "elk-filters.rb")).toThrow(/must be absolute/);
});

test.each([
  ["the static library", () => LOCAL_RUBY_LIBRARY],
  ["the pipeline's generated library", () => LOCAL_PARAMS.rubyLibraryPath],
])("%s compiles without warnings (MRI -wc)", (_name, file) => {
  requireRuby("ruby");
  const check = spawnSync("ruby", ["-wc", file()], { encoding: "utf8" });
  expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: "" });
});

describe("the generated Ruby compiles without warnings (MRI -wc)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ruby-normalize-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const all = PIPELINE.filter((s) => s.code !== undefined);
  test.each(all.map((s, i) => [i, s] as const))("filter %i", (i, s) => {
    requireRuby("ruby");
    const file = join(dir, `f${i}.rb`);
    writeFileSync(file, `${s.init ?? ""}\nlambda { |event|\n${s.code}\n}\n`);
    const check = spawnSync("ruby", ["-wc", file], { encoding: "utf8" });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: "" });
  });
});
