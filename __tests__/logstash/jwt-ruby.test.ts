import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  JWT_USER_ID_FAILURE_TAG,
  jwtUserIdRubyInit,
  RESPONSE_MS_FAILURE_TAG,
  jwtUserIdRubyCode,
  responseMsRubyCode,
} from "../../constructs/logstash/pipeline";
import {
  RUBIES,
  requireRuby,
  runHarness,
  type EventData,
  type HarnessResult,
  type Json,
} from "../support/ruby-harness";
import { LOCAL_RUBY_LIBRARY } from "../support/pipeline-params";

// The generated filter code runs in real Ruby, MRI and JRuby (what Logstash runs), through
// __tests__/logstash/harness.rb; one process per interpreter serves all cases.

const HEADER = "x-dreamfactory-session-token";
const JWT_CODE = jwtUserIdRubyCode(HEADER);
const RESPONSE_MS_CODE = responseMsRubyCode("[event][response][duration_ms]");

const b64url = (text: string | Buffer) => Buffer.from(text).toString("base64url");
const jwtWithPayload = (payloadB64: string) =>
  `${b64url('{"alg":"HS256","typ":"JWT"}')}.${payloadB64}.${b64url("sig")}`;
const jwt = (claims: string) => jwtWithPayload(b64url(claims));
const withHeaders = (headers: Json): EventData => ({ event: { request: { method: "GET", headers } } });

/** Claims whose base64url payload length is `residue` mod 4 (0, 2 or 3 → 0, 2 or 1 `=` restored). */
function claimsWithPayloadLength(residue: number, userId: string): { claims: string; payload: string } {
  for (let k = 0; k < 8; k++) {
    const claims = JSON.stringify({ user_id: userId, note: "?~".repeat(k) });
    const payload = b64url(claims);
    if (payload.length % 4 === residue) return { claims, payload };
  }
  throw new Error(`no payload of length ${residue} mod 4`);
}

const padding = [0, 3, 2].map((residue) => ({
  residue,
  ...claimsWithPayloadLength(residue, `u-pad-${residue}`),
}));

interface Case {
  readonly name: string;
  readonly program: "jwt" | "responseMs";
  readonly event: EventData;
  /** The event as the code must leave it. */
  readonly expected: EventData;
}

const tagged = (event: EventData, tag: string): EventData => ({
  ...event,
  tags: [...((event.tags as Json[] | undefined) ?? []), tag],
});
const withUser = (event: EventData, id: string): EventData => ({
  ...event,
  user: { ...((event.user as EventData | undefined) ?? {}), id },
});

function jwtCase(name: string, event: EventData, outcome: { userId: string } | "tag" | "untouched"): Case {
  const expected =
    outcome === "tag"
      ? tagged(event, JWT_USER_ID_FAILURE_TAG)
      : outcome === "untouched"
        ? event
        : withUser(event, outcome.userId);
  return { name, program: "jwt", event, expected };
}

function msCase(name: string, duration: Json | undefined, outcome: number | "tag" | "untouched"): Case {
  const event: EventData = {
    event: { response: duration === undefined ? { status: 200 } : { status: 200, duration_ms: duration } },
  };
  const expected =
    outcome === "tag"
      ? tagged(event, RESPONSE_MS_FAILURE_TAG)
      : outcome === "untouched"
        ? event
        : { ...event, response_ms: outcome };
  return { name, program: "responseMs", event, expected };
}

const CASES: readonly Case[] = [
  jwtCase(
    "valid JWT with a string user_id",
    withHeaders({ [HEADER]: jwt('{"user_id":"abc-123","exp":1}') }),
    {
      userId: "abc-123",
    },
  ),
  jwtCase("JWT without user_id", withHeaders({ [HEADER]: jwt('{"sub":"abc"}') }), "tag"),
  jwtCase(
    "malformed base64 payload",
    withHeaders({ [HEADER]: jwtWithPayload("eyJ1c2VyX2lkIjoi@@@") }),
    "tag",
  ),
  jwtCase("impossible base64url length (1 mod 4)", withHeaders({ [HEADER]: jwtWithPayload("eyJ1c") }), "tag"),
  jwtCase("token with no dots", withHeaders({ [HEADER]: "abcdef" }), "tag"),
  jwtCase(
    "token with two parts only",
    withHeaders({ [HEADER]: `${b64url("{}")}.${b64url('{"user_id":"x"}')}` }),
    "tag",
  ),
  // The parts are found with index, not split: exactly two dots, the middle part non-empty.
  jwtCase("token with four parts", withHeaders({ [HEADER]: `${jwt('{"user_id":"x"}')}.extra` }), "tag"),
  jwtCase("token with an empty payload part", withHeaders({ [HEADER]: `${b64url("{}")}..sig` }), "tag"),
  jwtCase(
    "token with an empty signature part",
    withHeaders({ [HEADER]: `${b64url("{}")}.${b64url('{"user_id":"s"}')}.` }),
    {
      userId: "s",
    },
  ),
  jwtCase("numeric token", withHeaders({ [HEADER]: 12345 }), "tag"),
  jwtCase("token that is a list of two strings", withHeaders({ [HEADER]: ["a.b.c", "d.e.f"] }), "tag"),
  jwtCase("token that is a map", withHeaders({ [HEADER]: { value: "a.b.c" } }), "tag"),
  jwtCase("token in a one-element list (header bag)", withHeaders({ [HEADER]: [jwt('{"user_id":"bag"}')] }), {
    userId: "bag",
  }),
  jwtCase("no headers map at all", { event: { request: { method: "GET" } }, message: "hi" }, "untouched"),
  jwtCase("no event field at all", { message: "hi" }, "untouched"),
  jwtCase("headers map without the token (anonymous)", withHeaders({ accept: "*/*" }), "untouched"),
  jwtCase("blank token (anonymous)", withHeaders({ [HEADER]: "  " }), "untouched"),
  jwtCase("headers not a map", withHeaders(`${HEADER}: ${jwt('{"user_id":"x"}')}`), "tag"),
  // Unpadded payloads: urlsafe_decode64 restores the padding itself (ruby/base64 v0.3.0 lib/base64.rb,
  // the version elastic/logstash v8.19.20 Gemfile.jruby-3.1.lock.release locks).
  ...padding.map(({ residue, claims, payload }) =>
    jwtCase(
      `payload needing ${(4 - residue) % 4} padding character(s)`,
      withHeaders({ [HEADER]: jwtWithPayload(payload) }),
      {
        userId: (JSON.parse(claims) as { user_id: string }).user_id,
      },
    ),
  ),
  jwtCase("numeric user_id", withHeaders({ [HEADER]: jwt('{"user_id":42}') }), { userId: "42" }),
  jwtCase("float user_id", withHeaders({ [HEADER]: jwt('{"user_id":4.2}') }), "tag"),
  jwtCase("empty user_id", withHeaders({ [HEADER]: jwt('{"user_id":""}') }), "tag"),
  jwtCase(
    "mixed-case header name",
    withHeaders({ "X-DreamFactory-Session-Token": jwt('{"user_id":"mixed"}') }),
    {
      userId: "mixed",
    },
  ),
  jwtCase("invalid JSON payload", withHeaders({ [HEADER]: jwt('{"user_id":') }), "tag"),
  jwtCase("JSON payload that is not an object", withHeaders({ [HEADER]: jwt('["user_id", 1]') }), "tag"),
  jwtCase(
    "payload that is not UTF-8",
    withHeaders({ [HEADER]: jwtWithPayload(b64url(Buffer.from([0xff, 0xfe, 0x7b]))) }),
    "tag",
  ),
  jwtCase("existing tags are kept", { ...withHeaders({ [HEADER]: "nodots" }), tags: ["gelf"] }, "tag"),
  jwtCase("[user] is a string", { ...withHeaders({ [HEADER]: jwt('{"user_id":"x"}') }), user: "bob" }, "tag"),
  jwtCase(
    "[user] map keeps its other fields",
    { ...withHeaders({ [HEADER]: jwt('{"user_id":"x"}') }), user: { name: "b" } },
    {
      userId: "x",
    },
  ),
  msCase("integer duration", 120, 120),
  msCase("float duration", 12.5, 12.5),
  msCase("numeric string duration", " 7.25 ", 7.25),
  msCase("non-numeric string duration", "fast", "tag"),
  msCase("NaN string duration", "NaN", "tag"),
  msCase("infinite duration", "1e400", "tag"),
  msCase("boolean duration", true, "tag"),
  msCase("map duration", { ms: 3 }, "tag"),
  msCase("missing duration", undefined, "untouched"),
];

const results = new Map<string, Map<string, HarnessResult>>();

beforeAll(() => {
  for (const ruby of RUBIES) {
    results.set(
      ruby,
      runHarness(
        ruby,
        {
          jwt: [{ init: jwtUserIdRubyInit(LOCAL_RUBY_LIBRARY), code: JWT_CODE }],
          responseMs: [{ code: RESPONSE_MS_CODE }],
        },
        CASES.map(({ name, program, event }) => ({ name, program, event })),
      ),
    );
  }
}, 60_000);

describe("the generated Ruby compiles without warnings", () => {
  const dir = mkdtempSync(join(tmpdir(), "ruby-filter-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each([
    ["JWT code", JWT_CODE],
    ["JWT code for a header name with a quote", jwtUserIdRubyCode("x-it's")],
    ["response-time code", RESPONSE_MS_CODE],
  ])("%s", (name, code) => {
    requireRuby("ruby");
    const file = join(dir, `${name.replace(/\W+/g, "-")}.rb`);
    writeFileSync(file, `lambda { |event|\n${code}\n}\n`);
    const check = spawnSync("ruby", ["-wc", file], { encoding: "utf8" });
    expect({ status: check.status, stdout: check.stdout, stderr: check.stderr }).toEqual({
      status: 0,
      stdout: "Syntax OK\n",
      stderr: "",
    });
  });
});

test("the header name is embedded as an exact Ruby string literal", () => {
  expect(jwtUserIdRubyCode("x-it's")).toContain(`k.casecmp?('x-it\\'s')`);
  expect(() => jwtUserIdRubyCode("x-session token")).toThrow(/not an HTTP header name/);
  expect(() => jwtUserIdRubyCode("")).toThrow(/not an HTTP header name/);
});

test("Logstash would not substitute anything in the code (no ${...})", () => {
  expect(JWT_CODE).not.toContain("${");
  expect(RESPONSE_MS_CODE).not.toContain("${");
});

test("the padding cases really need 0, 1 and 2 '=' characters", () => {
  expect(padding.map(({ payload }) => payload.length % 4)).toEqual([0, 3, 2]);
  expect(padding.map(({ payload }) => (4 - (payload.length % 4)) % 4)).toEqual([0, 1, 2]);
  // At least one payload uses the URL-safe alphabet, so a plain base64 decoder would fail.
  expect(padding.some(({ payload }) => /[-_]/.test(payload))).toBe(true);
});

const rubyCases = RUBIES.flatMap((ruby) => CASES.map((c) => [ruby, c.name, c] as const));
test.each(rubyCases)("%s: %s", (ruby, name, c) => {
  const result = results.get(ruby)?.get(name);
  expect(result).toBeDefined();
  expect(result?.error).toBeNull();
  expect(result?.event).toEqual(c.expected);
});
