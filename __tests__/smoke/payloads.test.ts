import { createHmac, randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { GELF_TEST_BODY_BYTES } from "../../scripts/smoke/checks";
import { DF_LOGGER_MAX_CHUNK_SIZE } from "../../scripts/smoke/df-logger-gelf";
import { EVENT_FIELDS, SESSION_TOKEN_HEADER } from "../../contract/fields";
import {
  base64url,
  buildGelfMessage,
  buildSessionJwt,
  dailyIndexName,
  eventsTestDocument,
  smokeMarker,
} from "../../scripts/smoke/payloads";

/** Decodes a JWT part the way the pipeline's Ruby filter does: restore `=` padding, then urlsafe base64. */
function decodeLikePipeline(part: string): string {
  const padded = part + "=".repeat((4 - (part.length % 4)) % 4);
  return Buffer.from(padded.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
}

describe("buildSessionJwt", () => {
  const secret = Buffer.from("0123456789abcdef0123456789abcdef");

  it("is three base64url parts without padding whose payload carries user_id", () => {
    const token = buildSessionJwt({ user_id: "smoke-1a2b", iat: 1700000000, exp: 1700000300 }, secret);
    const parts = token.split(".");
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(decodeLikePipeline(parts[0]))).toEqual({ alg: "HS256", typ: "JWT" });
    expect(JSON.parse(decodeLikePipeline(parts[1]))).toEqual({
      user_id: "smoke-1a2b",
      iat: 1700000000,
      exp: 1700000300,
    });
  });

  it("is signed with HS256 over header.payload", () => {
    const token = buildSessionJwt({ user_id: 42, iat: 1, exp: 2 }, secret);
    const [header, payload, signature] = token.split(".");
    const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
    expect(signature).toBe(expected);
  });

  it("round-trips any user id through the pipeline's padding-restoring decoder", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ minLength: 1 }), fc.integer({ min: 0 })), (userId) => {
        const token = buildSessionJwt({ user_id: userId, iat: 0, exp: 1 }, secret);
        const payload = token.split(".")[1];
        expect(payload).not.toContain("=");
        expect(JSON.parse(decodeLikePipeline(payload)).user_id).toEqual(userId);
      }),
    );
  });

  it("base64url never pads or uses + and /", () => {
    expect(base64url(Buffer.from([0xfb, 0xff]))).toBe("-_8");
    expect(base64url("a")).toBe("YQ");
  });
});

/** A date whose local-time getters answer as on a machine five hours west of UTC. */
class NewYorkDate extends Date {
  private local(): Date {
    return new Date(this.getTime() - 5 * 3600 * 1000);
  }
  override getFullYear(): number {
    return this.local().getUTCFullYear();
  }
  override getMonth(): number {
    return this.local().getUTCMonth();
  }
  override getDate(): number {
    return this.local().getUTCDate();
  }
}

describe("dailyIndexName", () => {
  it("names the UTC day with zero-padded month and day", () => {
    expect(dailyIndexName("dreamfactory-logs", new Date("2024-03-05T12:00:00Z"))).toBe(
      "dreamfactory-logs-2024.03.05",
    );
  });

  it("uses the UTC date, not the machine's local one", () => {
    // 04:30 UTC on 10 March is still 9 March on a machine in New York.
    expect(dailyIndexName("logs", new NewYorkDate("2024-03-10T04:30:00Z"))).toBe("logs-2024.03.10");
    expect(dailyIndexName("logs", new NewYorkDate("2025-01-01T00:00:00Z"))).toBe("logs-2025.01.01");
    expect(dailyIndexName("logs", new Date("2024-12-31T23:59:59.999Z"))).toBe("logs-2024.12.31");
  });
});

describe("buildGelfMessage", () => {
  const sentAt = new Date("2024-06-01T10:20:30.456Z");
  const params = {
    host: "ops-laptop",
    marker: smokeMarker(Buffer.from("0011223344556677", "hex")),
    sentAt,
    sessionTokenHeader: SESSION_TOKEN_HEADER,
    sessionToken: "h.p.s",
    apiKey: "k3y",
    responseContent: "body",
  };
  const message = buildGelfMessage(params);

  it("has the GELF 1.1 standard fields", () => {
    expect(message).toMatchObject({
      version: "1.1",
      host: "ops-laptop",
      short_message: "smoke check smoke_0011223344556677",
      timestamp: 1717237230.456,
      level: 6,
    });
  });

  it("names every other field as a GELF additional field (leading _, allowed characters, no _id)", () => {
    const standard = new Set(["version", "host", "short_message", "full_message", "timestamp", "level"]);
    for (const key of Object.keys(message)) {
      if (standard.has(key)) continue;
      expect(key).toMatch(/^_[\w.-]+$/);
      expect(key).not.toBe("_id");
    }
  });

  it("arrives as the nested [event] the pipeline reads once the gelf input strips the leading underscore", () => {
    // logstash-input-gelf parses the whole JSON document, then renames top-level `_x` keys to `x`.
    const event: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(
      JSON.parse(JSON.stringify(message)) as Record<string, unknown>,
    )) {
      event[key.startsWith("_") ? key.slice(1) : key] = value;
    }
    const request = (event.event as { request: { headers: Record<string, string>; uri: string } }).request;
    expect(request.headers[SESSION_TOKEN_HEADER]).toBe("h.p.s");
    expect(request.headers["x-dreamfactory-api-key"]).toBe("k3y");
    expect(request.uri).toContain(params.marker);
    // DreamFactory accepts both as query parameters (df-core 1.0.15 src/Http/Middleware/AuthCheck.php).
    expect(request.uri).toContain("?api_key=k3y&session_token=h.p.s");
    // df-core 1.0.15 src/Utility/ServiceResponse.php toArray(): status_code, not status.
    expect((event.event as { response: Record<string, unknown> }).response.status_code).toBe(200);
  });

  it("goes as two df-logger chunks once deflated when the response content is random", () => {
    const big = buildGelfMessage({
      ...params,
      responseContent: randomBytes(GELF_TEST_BODY_BYTES).toString("base64"),
    });
    // df-logger chunks what deflates to more than 8154 bytes (and sends nothing past 128 chunks).
    const deflated = deflateSync(JSON.stringify(big)).length;
    expect(deflated).toBeGreaterThan(DF_LOGGER_MAX_CHUNK_SIZE);
    expect(deflated).toBeLessThan(2 * DF_LOGGER_MAX_CHUNK_SIZE);
  });
});

describe("smokeMarker", () => {
  it("is one token for Elasticsearch's standard analyzer (letters, digits and _ only)", () => {
    expect(smokeMarker(Buffer.from([0xab, 0x01]))).toMatch(/^smoke_[0-9a-f]{4}$/);
  });
});

describe("eventsTestDocument", () => {
  const doc = eventsTestDocument("smoke-1", new Date("2024-06-01T00:00:00Z"));

  it("uses declared top-level fields only, none of the dynamic objects", () => {
    const declared = new Map(EVENT_FIELDS.map((f) => [f.path, f.type]));
    for (const key of Object.keys(doc)) {
      expect(declared.has(key)).toBe(true);
      expect(declared.get(key)).not.toBe("object");
    }
  });

  it("writes ISO dates into the date fields", () => {
    for (const f of EVENT_FIELDS.filter((f) => f.type === "date")) {
      expect(doc[f.path]).toBe("2024-06-01T00:00:00.000Z");
    }
    expect(doc.event_id).toBe("smoke-1");
  });
});
