import { createHash, randomBytes } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import { GELF_LOG_CONTEXT } from "../../contract/fields";
import {
  DF_LOGGER_MAX_CHUNK_SIZE,
  GELF_INPUT_RECV_BYTES,
  dfLoggerDatagrams,
  dfLoggerGelfJson,
  gelfd2Read,
  pickContext,
} from "../support/df-logger-gelf";
import { apiCallEvent } from "../support/dreamfactory-events";

// The framing df-logger sends, with messages below and above the limit shaped as df-logger
// 0.15.2 src/Components/GelfLogger.php builds them, read as gelfd2 0.4.1
// lib/gelfd2/chunked_parser.rb (used by logstash-input-gelf v3.3.2) reads them: why the
// pipeline reads GELF with a udp input and its own decoder (gelf-decoder.test.ts) instead.

/** df-logger's whole context for an event (LoggingEventHandler: `_event`, `_platform`). */
function fullContext(responseContent: unknown): Record<string, unknown> {
  const e = apiCallEvent() as { event: { request: unknown; resource: unknown }; platform: unknown };
  return {
    _event: {
      request: e.event.request,
      resource: e.event.resource,
      response: { status_code: 200, content_type: "application/json", content: responseContent },
    },
    _platform: e.platform,
  };
}

/** Rows of a table read with random values: their JSON deflates to a little over `kb` KB. */
const rows = (kb: number) =>
  Array.from({ length: Math.ceil((kb * 1024) / 30) }, (_, i) => ({
    id: i,
    v: randomBytes(30).toString("base64"),
  }));

test("below the limit: one zlib datagram, which the input inflates to the message", () => {
  const json = dfLoggerGelfJson(6, "db._table.contacts.get.post_process", fullContext({ resource: rows(2) }));
  const datagrams = dfLoggerDatagrams(json);
  expect(datagrams).toHaveLength(1);
  expect(datagrams[0].length).toBeLessThanOrEqual(DF_LOGGER_MAX_CHUNK_SIZE);
  const [outcome] = gelfd2Read(datagrams);
  expect(outcome.kind).toBe("zlib");
  expect(outcome.kind === "zlib" && JSON.parse(inflateSync(outcome.data).toString("utf8"))).toEqual(
    JSON.parse(json),
  );
});

test("the limit is on the compressed size: up to 8154 bytes is one datagram, one more byte of content is chunked", () => {
  // Incompressible padding grows the deflated size byte by byte; find both sides of the limit.
  const pad = randomBytes(9000).toString("latin1");
  const sizeWith = (n: number) => dfLoggerDatagrams(dfLoggerGelfJson(6, "m", { _p: pad.slice(0, n) }));
  let lo = 0;
  let hi = 9000;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sizeWith(mid).length === 1) lo = mid;
    else hi = mid;
  }
  const below = sizeWith(lo);
  const above = sizeWith(hi);
  expect(below).toHaveLength(1);
  expect(below[0].length).toBeLessThanOrEqual(DF_LOGGER_MAX_CHUNK_SIZE);
  expect(below[0].length).toBeGreaterThan(DF_LOGGER_MAX_CHUNK_SIZE - 16);
  expect(above).toHaveLength(2);
  expect(above[0].length - 38 + above[1].length - 38).toBeGreaterThan(DF_LOGGER_MAX_CHUNK_SIZE);
});

test("above the limit: df-logger's own header (32-byte id, 16-bit counters), 8192-byte datagrams", () => {
  const json = dfLoggerGelfJson(6, "m", fullContext({ resource: rows(20) }));
  const datagrams = dfLoggerDatagrams(json, "seed");
  expect(datagrams.length).toBeGreaterThan(2);
  const id = createHash("sha256").update("seed").digest();
  datagrams.forEach((d, seq) => {
    expect([d[0], d[1]]).toEqual([0x1e, 0x0f]);
    expect(d.subarray(2, 34).equals(id)).toBe(true);
    expect(d.readUInt16BE(34)).toBe(seq);
    expect(d.readUInt16BE(36)).toBe(datagrams.length);
    // 2 + 32 + 4 + 8154 = 8192: the input's recvfrom(8192) just fits a full chunk.
    if (seq < datagrams.length - 1) expect(d.length).toBe(GELF_INPUT_RECV_BYTES);
  });
  const rebuilt = inflateSync(Buffer.concat(datagrams.map((d) => d.subarray(38)))).toString("utf8");
  expect(JSON.parse(rebuilt)).toEqual(JSON.parse(json));
});

test("more than 128 chunks: df-logger sends nothing at all", () => {
  const json = dfLoggerGelfJson(6, "m", {
    _p: randomBytes(129 * DF_LOGGER_MAX_CHUNK_SIZE).toString("base64"),
  });
  expect(dfLoggerDatagrams(json)).toEqual([]);
});

test("the gelf input reassembles none of them: about half raise TooManyChunksError, the rest wait forever", () => {
  const json = dfLoggerGelfJson(6, "m", fullContext({ resource: rows(10) }));
  const runs = 1000;
  const tally = { assembledValid: 0, tooMany: 0, waiting: 0, garbage: 0 };
  for (let i = 0; i < runs; i++) {
    const datagrams = dfLoggerDatagrams(json, `msg-${i}`);
    expect(datagrams).toHaveLength(2);
    const outcomes = gelfd2Read(datagrams);
    if (outcomes.some((o) => o.kind === "too-many-chunks")) tally.tooMany++;
    const assembled = outcomes.find((o) => o.kind === "assembled");
    if (assembled && assembled.kind === "assembled") {
      let valid = false;
      try {
        valid = JSON.stringify(JSON.parse(inflateSync(assembled.data).toString("utf8"))) === json;
      } catch {
        valid = false;
      }
      if (valid) tally.assembledValid++;
      else tally.garbage++;
    } else if (!outcomes.some((o) => o.kind === "too-many-chunks")) tally.waiting++;
  }
  expect(tally.assembledValid).toBe(0);
  // gelfd2 reads the chunk count from byte 11, a byte of the SHA-256 id: > 128 in 127 of 256 cases.
  expect(tally.tooMany / runs).toBeGreaterThan(0.4);
  expect(tally.tooMany / runs).toBeLessThan(0.6);
  expect(tally.waiting + tally.garbage + tally.tooMany).toBe(runs);
});

test("the same model reassembles standard GELF chunks (8-byte id, 1-byte counters)", () => {
  const json = dfLoggerGelfJson(6, "m", fullContext({ resource: rows(10) }));
  const gz = deflateSync(json);
  const pieces = [gz.subarray(0, 8000), gz.subarray(8000)];
  const id = randomBytes(8);
  const standard = pieces.map((p, seq) =>
    Buffer.concat([Buffer.from([0x1e, 0x0f]), id, Buffer.from([seq, 2]), p]),
  );
  const outcomes = gelfd2Read(standard);
  const last = outcomes[outcomes.length - 1];
  expect(last.kind).toBe("assembled");
  expect(last.kind === "assembled" && inflateSync(last.data).toString("utf8")).toBe(json);
});

test("the documented log context keeps a large event in one datagram", () => {
  const all = fullContext({ resource: rows(200) });
  const full = dfLoggerDatagrams(dfLoggerGelfJson(6, "m", all));
  expect(full.length).toBeGreaterThan(1);
  const trimmed = pickContext(all, GELF_LOG_CONTEXT);
  const datagrams = dfLoggerDatagrams(dfLoggerGelfJson(6, "m", trimmed));
  expect(datagrams).toHaveLength(1);
  // What the pipeline and the dashboards need is still there.
  const sent = JSON.parse(inflateSync(datagrams[0]).toString("utf8")) as {
    _event: { request: Record<string, unknown>; response: Record<string, unknown> };
  };
  expect(Object.keys(sent._event.request).sort()).toEqual([
    "headers",
    "method",
    "resource",
    "service",
    "uri",
  ]);
  expect(sent._event.response).toEqual({ status_code: 200 });
});
