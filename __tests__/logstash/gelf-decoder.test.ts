import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { deflateSync, gzipSync } from "node:zlib";
import udp from "gelf-pro/lib/adapter/udp";
import {
  GELF_CHUNK_TIMEOUT_SECONDS,
  GELF_DECODE_FAILURE_TAG,
  GELF_INCOMPLETE_TAG,
  GELF_JSON_FAILURE_TAG,
  buildApiLogPipeline,
  gelfDecoderRubyFilter,
  renderPipeline,
  type ApiLogPipelineParams,
} from "../../constructs/logstash/pipeline";
import { PLANTED, apiCallEvent } from "../support/dreamfactory-events";
import { dfLoggerDatagrams, dfLoggerGelfJson, udpInputEvent } from "../support/df-logger-gelf";
import { PIPELINE_PARAMS, withLocalLibrary } from "../support/pipeline-params";
import {
  RUBIES,
  filterSteps,
  requireRuby,
  runHarness,
  type EventData,
  type HarnessCase,
  type HarnessResult,
  type HarnessStep,
} from "../support/ruby-harness";

// The GELF path as Logstash runs it: datagrams as logstash-input-udp v3.5.0
// (lib/logstash/inputs/udp.rb) hands them to the filters through logstash-codec-plain
// v3.1.0 with charset ISO-8859-1 (logstash-core v8.19.20 lib/logstash/util/charset.rb),
// then the pipeline's filter section, in MRI and in JRuby. Senders: df-logger's framing
// (__tests__/support/df-logger-gelf.ts, from df-logger 0.15.2 GelfLogger.php), and
// gelf-pro 1.4.0's UDP adapter, run for real, for GELF 1.1 chunks.

const PARAMS: ApiLogPipelineParams = withLocalLibrary(PIPELINE_PARAMS);
const PIPELINE = filterSteps(buildApiLogPipeline(PARAMS));
// The decoder alone (the first step, guarded by the transport), to compare with what the
// gelf input made of a message; one with a short deadline, one with a small budget (and a
// deadline no slow machine reaches), each followed by the rest of the filter section.
const DECODE = PIPELINE.slice(0, 1);
const withDecoder = (limits: { timeoutSeconds: number; maxPendingBytes?: number }): HarnessStep[] => [
  {
    ...gelfDecoderRubyFilter({ logType: PARAMS.logType, rubyLibraryPath: PARAMS.rubyLibraryPath, ...limits }),
    when: [["[@metadata][transport]", "gelf"]],
  },
  ...PIPELINE.slice(1),
];
const QUICK = withDecoder({ timeoutSeconds: 0.3 });
const SMALL_BUDGET = withDecoder({ timeoutSeconds: 600, maxPendingBytes: 20_000 });

const SENDER = "172.18.0.5";

const datagram = udpInputEvent;

const TICK: EventData = {
  message: "ok",
  host: "logstash-0",
  "@version": "1",
  "@metadata": { transport: "gelf", gelf_tick: "true" },
};

/** df-logger's document for the realistic API call, with a response body of about `kb` KB. */
function apiCallJson(kb: number): { json: string; content: unknown } {
  const e = apiCallEvent() as { event: Record<string, Record<string, unknown>>; platform: unknown };
  const content =
    kb === 0
      ? e.event.response.content
      : {
          resource: Array.from({ length: Math.ceil((kb * 1024) / 30) }, (_, i) => ({
            id: i,
            v: randomBytes(30).toString("base64"),
          })),
        };
  const event = { ...e.event, response: { ...e.event.response, content } };
  return {
    json: dfLoggerGelfJson(6, "db._table.contacts.get.post_process", {
      _event: event,
      _platform: e.platform,
    }),
    content,
  };
}

/** GELF 1.1 chunks as gelf-pro's UDP adapter sends them, caught on a loopback socket. */
async function gelfProDatagrams(json: string): Promise<Buffer[]> {
  const socket = createSocket("udp4");
  const got: Buffer[] = [];
  socket.on("message", (m) => got.push(m));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  udp.setOptions({ host: "127.0.0.1", port: socket.address().port, protocol: "udp4" });
  await new Promise<void>((resolve, reject) =>
    udp.send(json, (error) => (error ? reject(error) : resolve())),
  );
  const deadline = Date.now() + 5000;
  // The adapter has sent every chunk once its callback runs; the loopback delivers them in order.
  while (got.length === 0 || got[0][11] !== got.length) {
    if (Date.now() > deadline) throw new Error(`gelf-pro: ${got.length} datagrams arrived`);
    await new Promise((r) => setTimeout(r, 5));
  }
  socket.close();
  return got;
}

const small = apiCallJson(0);
const large = apiCallJson(40);
const other = apiCallJson(20);
const largeGrams = dfLoggerDatagrams(large.json, "large");
const otherGrams = dfLoggerDatagrams(other.json, "other");
const PROGRAM_CASES: { name: string; program: string; event: EventData; sleep?: number }[] = [];
const add = (name: string, program: string, event: EventData, sleep?: number) =>
  PROGRAM_CASES.push({ name, program, event, ...(sleep === undefined ? {} : { sleep }) });

let gelfProGrams: Buffer[] = [];
const results = new Map<string, Map<string, HarnessResult>>();

beforeAll(async () => {
  gelfProGrams = await gelfProDatagrams(other.json);
  // One stream per program (filter state lives across cases), in this order.
  add("small/decode", "decode", datagram(dfLoggerDatagrams(small.json)[0]));
  add("small/pipeline", "pipeline", datagram(dfLoggerDatagrams(small.json)[0]));
  // Chunks of two messages from two senders, interleaved, one of them reversed.
  const reversed = [...otherGrams].reverse();
  for (let i = 0; i < Math.max(largeGrams.length, reversed.length); i++) {
    if (i < largeGrams.length) add(`large/${i}`, "pipeline", datagram(largeGrams[i]));
    if (i < reversed.length) add(`other/${i}`, "pipeline", datagram(reversed[i], "172.18.0.9"));
  }
  add("large/duplicate-first", "pipeline", datagram(largeGrams[0]));
  gelfProGrams.forEach((g, i) => add(`gelf-pro/${i}`, "pipeline", datagram(g, "10.0.0.2")));
  add("gzip", "decode", datagram(gzipSync(Buffer.from(small.json))));
  add("raw", "decode", datagram(Buffer.from(small.json)));
  // A zlib header, then a block of type 3, which does not exist (RFC 1951 3.2.3).
  add(
    "bad-zlib",
    "pipeline",
    datagram(Buffer.concat([Buffer.from([0x78, 0x9c, 0x07]), Buffer.from(`${PLANTED.password}`)])),
  );
  add("truncated-zlib", "pipeline", datagram(deflateSync(small.json).subarray(0, 300)));
  add(
    "too-many-chunks",
    "pipeline",
    datagram(
      Buffer.concat([
        Buffer.from([0x1e, 0x0f]),
        randomBytes(8),
        Buffer.from([0, 200]),
        Buffer.alloc(40, 0xab),
      ]),
    ),
  );
  add("short-chunk", "pipeline", datagram(Buffer.from([0x1e, 0x0f, 1, 2, 3])));
  add(
    "bad-key",
    "decode",
    datagram(deflateSync(JSON.stringify({ short_message: "m", _level: 6, "_bad]": 1 }))),
  );
  add("not-json", "pipeline", datagram(deflateSync(`password=${PLANTED.password}`)));
  add("json-array", "pipeline", datagram(deflateSync("[1,2]")));
  add("tick", "pipeline", TICK);
  // Incomplete messages (a 0.3 s deadline) and over-budget ones (20,000 bytes of chunks).
  add("lost/first-chunk", "quick", datagram(largeGrams[0]));
  add("lost/tick", "quick", TICK, 0.5);
  add("lost/late-chunk", "quick", datagram(largeGrams[1]));
  const budget = [apiCallJson(30), apiCallJson(31), apiCallJson(32)].map(
    (m, i) => dfLoggerDatagrams(m.json, `b${i}`)[0],
  );
  budget.forEach((g, i) => add(`budget/${i}`, "budget", datagram(g)));
  for (const ruby of RUBIES) {
    results.set(
      ruby,
      runHarness(
        ruby,
        { pipeline: PIPELINE, decode: DECODE, quick: QUICK, budget: SMALL_BUDGET },
        PROGRAM_CASES as HarnessCase[],
      ),
    );
  }
}, 120_000);

const planted = Object.values(PLANTED);
const leaks = (event: unknown) => planted.filter((p) => JSON.stringify(event).includes(p));

describe.each(RUBIES)("under %s", (ruby) => {
  const get = (name: string): HarnessResult => {
    const r = results.get(ruby)?.get(name);
    if (!r) throw new Error(`no case ${name}`);
    expect(r.error).toBeNull();
    return r;
  };

  test("an unchunked datagram becomes the event the gelf input made of it", () => {
    // logstash-input-gelf v3.3.2 lib/logstash/inputs/gelf.rb new_event, remap_gelf,
    // strip_leading_underscore: full_message as message, short_message (null, not equal)
    // kept, numeric timestamp as @timestamp, _event/_platform/_php_sapi/_file stripped.
    const r = get("small/decode");
    expect(r.cancelled).toBe(false);
    expect(r.emitted).toEqual([]);
    const { "@timestamp": timestamp, ...fields } = r.event;
    expect(fields).toEqual({
      ...apiCallEvent(),
      short_message: null,
      "@version": "1",
      "@metadata": { transport: "gelf" },
    });
    // df-logger's microtime(true), 1764579600.1234, to the microsecond.
    const [whole, frac] = String(timestamp).split(".");
    expect(whole).toBe("2025-12-01T09:00:00");
    expect(frac).toBe("123400000Z");
  });

  test("gzip and raw JSON datagrams decode the same", () => {
    expect(get("gzip").event).toEqual(get("small/decode").event);
    expect(get("raw").event).toEqual(get("small/decode").event);
  });

  test("through the whole filter section the decoded event is normalized and redacted", () => {
    const { event } = get("small/pipeline");
    expect((event.event as { response: { status: number } }).response.status).toBe(200);
    expect(event.level).toBe("INFO");
    expect(event.user).toEqual({ id: "7" });
    expect(event.host).toEqual({ name: "df-web-1" });
    expect(leaks(event)).toEqual([]);
  });

  test("df-logger's chunks above 8154 bytes are reassembled, interleaved and in any order", () => {
    expect(largeGrams.length).toBeGreaterThanOrEqual(4);
    expect(otherGrams.length).toBeGreaterThanOrEqual(2);
    for (const [prefix, grams, sender] of [
      ["large", largeGrams, SENDER],
      ["other", otherGrams, "172.18.0.9"],
    ] as const) {
      const outcomes = grams.map((_, i) => get(`${prefix}/${i}`));
      // Every chunk but the one completing the message is cancelled: one document per message.
      expect(outcomes.map((r) => r.cancelled)).toEqual(grams.map((_, i) => i < grams.length - 1));
      expect(outcomes.flatMap((r) => r.emitted)).toEqual([]);
      const { event } = outcomes[outcomes.length - 1];
      expect(event.source_host).toBe(sender);
      expect(event.message).toBe("db._table.contacts.get.post_process");
      const response = (event.event as { response: { status: number; content: unknown } }).response;
      expect(response.status).toBe(200);
      expect(response.content).toEqual(prefix === "large" ? large.content : other.content);
      expect(leaks(event)).toEqual([]);
    }
  });

  test("a repeated chunk of a message already delivered starts a new one and is not delivered twice", () => {
    const r = get("large/duplicate-first");
    expect(r.cancelled).toBe(true);
    expect(r.emitted).toEqual([]);
  });

  test("GELF 1.1 chunks from gelf-pro (8-byte id, 1-byte counters) are reassembled too", () => {
    expect(gelfProGrams.length).toBeGreaterThan(2);
    const outcomes = gelfProGrams.map((_, i) => get(`gelf-pro/${i}`));
    expect(outcomes.map((r) => r.cancelled)).toEqual(gelfProGrams.map((_, i) => i < gelfProGrams.length - 1));
    const { event } = outcomes[outcomes.length - 1];
    expect((event.event as { response: { content: unknown } }).response.content).toEqual(other.content);
    expect(event.source_host).toBe("10.0.0.2");
  });

  test("a datagram that is not GELF is kept, tagged, with the reason and without its text", () => {
    for (const [name, reason] of [
      ["bad-zlib", /^message does not inflate \(zlib: /],
      ["too-many-chunks", /chunk 0 of 200: a message has 1\.\.128 chunks/],
      ["short-chunk", /shorter than a chunk header/],
      ["truncated-zlib", /^zlib stream is truncated$/],
    ] as const) {
      const r = get(name);
      expect(r.cancelled).toBe(false);
      expect(r.event.tags).toEqual([GELF_DECODE_FAILURE_TAG]);
      expect((r.event.gelf as { error: string }).error).toMatch(reason);
      expect(r.event.message).toBeUndefined();
      expect(leaks(r.event)).toEqual([]);
    }
    for (const name of ["not-json", "json-array"]) {
      const r = get(name);
      expect(r.event.tags).toEqual([GELF_JSON_FAILURE_TAG]);
      expect(r.event.message).toBeUndefined();
      expect(leaks(r.event)).toEqual([]);
    }
  });

  test("a field Logstash cannot take is left out, the rest set, and the event tagged", () => {
    const { event } = get("bad-key");
    expect(event).toMatchObject({ message: "m", level: 6, tags: [GELF_DECODE_FAILURE_TAG] });
    expect(event.gelf).toEqual({ error: "fields not set: bad]", bytes: expect.any(Number) });
  });

  test("a heartbeat tick only sweeps: it never reaches the output", () => {
    const r = get("tick");
    expect(r.cancelled).toBe(true);
    expect(r.emitted).toEqual([]);
  });

  test("a message still incomplete after the deadline becomes a tagged event with its counts", () => {
    expect(get("lost/first-chunk").cancelled).toBe(true);
    const tick = get("lost/tick");
    expect(tick.cancelled).toBe(true);
    expect(tick.emitted).toHaveLength(1);
    const [lost] = tick.emitted;
    expect(lost.tags).toEqual([GELF_INCOMPLETE_TAG]);
    expect(lost.gelf).toEqual({
      framing: "df-logger",
      message_id: createHash("sha256").update("large").digest("hex"),
      chunks_received: 1,
      chunks_expected: largeGrams.length,
      bytes: largeGrams[0].length - 38,
      reason: "timeout",
    });
    expect(lost.message).toBe(`GELF message lost: 1 of ${largeGrams.length} chunks arrived (timeout)`);
    // It went through the rest of the filter section like any log event.
    expect(lost).toMatchObject({ type: "dreamfactory", log_source: "dreamfactory", source_host: SENDER });
    // A late chunk starts over (and will be reported in turn): it is never mistaken for a whole message.
    const late = get("lost/late-chunk");
    expect(late.cancelled).toBe(true);
    expect(late.emitted).toEqual([]);
  });

  test("past the memory budget the oldest incomplete messages are reported and dropped", () => {
    const outcomes = [0, 1, 2].map((i) => get(`budget/${i}`));
    expect(outcomes.every((r) => r.cancelled)).toBe(true);
    expect(outcomes[0].emitted).toEqual([]);
    expect(outcomes[1].emitted).toEqual([]);
    // 3 × 8154 bytes > 20,000: the third chunk pushes the first message out.
    expect(outcomes[2].emitted.map((e) => e.gelf)).toEqual([
      expect.objectContaining({
        reason: "pending_limit",
        message_id: createHash("sha256").update("b0").digest("hex"),
      }),
    ]);
  });
});

test("the pipeline reads GELF with a udp input that keeps the bytes, and the decoder uses GELF's 5 s", () => {
  const text = renderPipeline(buildApiLogPipeline(PIPELINE_PARAMS));
  expect(text).not.toMatch(/^\s*gelf \{/m);
  expect(text).toMatch(
    /udp \{\n\s+port => 12201\n[\s\S]*codec => plain \{\n\s+charset => "ISO-8859-1"\n\s+ecs_compatibility => "disabled"\n\s+\}/,
  );
  expect(text).toContain('source_ip_fieldname => "source_host"');
  expect(GELF_CHUNK_TIMEOUT_SECONDS).toBe(5);
  expect(text).toContain(`timeout: ${GELF_CHUNK_TIMEOUT_SECONDS},`);
});

test("bad decoder limits fail with one line naming the setting", () => {
  expect(() => gelfDecoderRubyFilter({ logType: "t", rubyLibraryPath: "/x.rb", timeoutSeconds: 0 })).toThrow(
    "gelfDecoderRubyFilter: timeoutSeconds = 0 must be a positive number",
  );
});

// elastic/logstash v8.19.20 logstash-core/src/main/java/org/logstash/config/ir/CompiledPipeline.java:
// filters are set up once and every worker's buildExecution takes the same instances.
test("under JRuby, four threads sharing one assembler (as a pipeline's workers share a filter) deliver each message once", () => {
  requireRuby("jruby");
  // 120 messages of 3 df-logger chunks each, interleaved round robin, fed by 4 threads.
  const messages = Array.from({ length: 120 }, (_, i) =>
    dfLoggerDatagrams(JSON.stringify({ i, v: randomBytes(18_000).toString("base64") }), `m${i}`),
  );
  expect(messages.every((m) => m.length === 3)).toBe(true);
  const interleaved = [0, 1, 2].flatMap((seq) => messages.map((m) => m[seq].toString("base64")));
  const script = `
require ARGV[0]
require 'base64'
require 'digest'
require 'json'
chunks = JSON.parse($stdin.read).map { |c| Base64.strict_decode64(c) }
queue = Queue.new
chunks.each { |c| queue << c }
assembler = ElkGrafanaCdktf::GelfAssembler.new(timeout: 600, max_pending_bytes: 1 << 30)
threads = Array.new(4) do
  Thread.new do
    out = []
    loop do
      chunk = begin
        queue.pop(true)
      rescue ThreadError
        break
      end
      status, value = assembler.accept(chunk, '172.18.0.5', 0.0)
      out << Digest::SHA256.hexdigest(value) if status == :message
    end
    out
  end
end
$stdout.write(JSON.generate('messages' => threads.flat_map(&:value).sort, 'pending' => assembler.pending_bytes))
`;
  const run = spawnSync("jruby", ["-e", script, PARAMS.rubyLibraryPath], {
    input: JSON.stringify(interleaved),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(run.stderr).toBe("");
  const out = JSON.parse(run.stdout) as { messages: string[]; pending: number };
  const expected = messages.map((m) =>
    createHash("sha256")
      .update(Buffer.concat(m.map((d) => d.subarray(38))))
      .digest("hex"),
  );
  expect(out.messages).toEqual(expected.sort());
  expect(out.pending).toBe(0);
}, 60_000);
