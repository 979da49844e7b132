import { createHash } from "node:crypto";
import { dfLoggerDatagrams as sendersDatagrams } from "../../scripts/smoke/df-logger-gelf";
import type { EventData } from "./ruby-harness";

export { DF_LOGGER_MAX_CHUNK_SIZE, DF_LOGGER_MAX_CHUNKS } from "../../scripts/smoke/df-logger-gelf";

/**
 * GELF datagrams exactly as df-logger builds them (scripts/smoke/df-logger-gelf.ts, which
 * the smoke check sends), and how the gelf input's parser reads them. The parser does not
 * run here (a gem that only rubygems.org ships), so it is written from the source:
 *
 * - gelfd2 0.4.1 (ptqa/gelfd2 commit 1789d53) lib/gelfd2/chunked_parser.rb parse_chunk:
 *   msg_id = bytes 2..9, seq = byte 10, total = byte 11, data from byte 12; total > 128
 *   raises TooManyChunksError; a message is assembled when the number of distinct seq
 *   numbers stored under its id equals total. lib/gelfd2.rb: ZLIB_MAGIC 78 9c,
 *   CHUNKED_MAGIC 1e 0f.
 * - logstash-input-gelf v3.3.2 lib/logstash/inputs/gelf.rb: recvfrom(8192), and a parse
 *   error is logged (WARN "Gelfd failed to parse a message skipping") and the datagram
 *   dropped.
 */

/** df-logger's GelfMessage::toArray(): the GELF fields, then the context's underscored keys. */
export function dfLoggerGelfJson(level: number, message: string, context: Record<string, unknown>): string {
  return JSON.stringify({
    version: "1.1",
    host: "df-web-1",
    short_message: null,
    full_message: message,
    timestamp: 1764579600.1234,
    level,
    _php_sapi: "fpm-fcgi",
    _file: "/opt/dreamfactory/public/index.php",
    ...context,
  });
}

/**
 * df-logger 0.15.2 src/Services/BaseService.php setContextByKeys: the service's `context`
 * setting lists dotted keys; each is copied with Arr::set($context, $key, Arr::get($all, $key)).
 */
export function pickContext(all: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const parts = key.split(".");
    let value: unknown = all;
    for (const p of parts)
      value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[p] : undefined;
    let node = out;
    for (const p of parts.slice(0, -1)) {
      node[p] = (node[p] as Record<string, unknown> | undefined) ?? {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value ?? null;
  }
  return out;
}
/** logstash-input-gelf reads at most this many bytes of a datagram. */
export const GELF_INPUT_RECV_BYTES = 8192;

/** df-logger's datagrams (scripts/smoke/df-logger-gelf.ts) with a message id fixed by `seed`. */
export function dfLoggerDatagrams(json: string, seed = "0"): Buffer[] {
  return sendersDatagrams(json, createHash("sha256").update(seed).digest());
}

export type Gelfd2Outcome =
  | { readonly kind: "zlib"; readonly data: Buffer }
  | { readonly kind: "assembled"; readonly data: Buffer }
  | { readonly kind: "too-many-chunks"; readonly total: number }
  | { readonly kind: "waiting" };

/**
 * What the gelf input's parser makes of a sequence of datagrams from one sender: the
 * outcome after the last one (a chunk map per run, as gelfd2 keeps one per process).
 */
export function gelfd2Read(datagrams: readonly Buffer[]): Gelfd2Outcome[] {
  const map = new Map<string, { total: number; chunks: Map<number, Buffer> }>();
  return datagrams.map((received) => {
    const d = received.subarray(0, GELF_INPUT_RECV_BYTES);
    if (d[0] === 0x78 && d[1] === 0x9c) return { kind: "zlib", data: d };
    if (!(d[0] === 0x1e && d[1] === 0x0f)) throw new Error("not modelled: gzip or raw GELF");
    const id = d.subarray(2, 10).toString("hex");
    const seq = d[10];
    const total = d[11];
    if (total > 128) return { kind: "too-many-chunks", total };
    const entry = map.get(id) ?? { total: 0, chunks: new Map<number, Buffer>() };
    entry.total = total;
    entry.chunks.set(seq, d.subarray(12));
    map.set(id, entry);
    if (entry.chunks.size !== entry.total) return { kind: "waiting" };
    map.delete(id);
    const data = Buffer.concat(
      [...entry.chunks.keys()].sort((a, b) => a - b).map((k) => entry.chunks.get(k) ?? Buffer.alloc(0)),
    );
    return { kind: "assembled", data };
  });
}

/**
 * The event logstash-input-udp v3.5.0 makes of a datagram with the pipeline's settings
 * (constructs/logstash/pipeline/gelf.ts): the plain codec's ISO-8859-1 text of the bytes in
 * `message`, the sender's address in `source_host`, the input's type and transport mark.
 */
export function udpInputEvent(bytes: Buffer, sender = "172.18.0.5"): EventData {
  return {
    message: bytes.toString("latin1"),
    "@version": "1",
    type: "dreamfactory",
    source_host: sender,
    "@metadata": { transport: "gelf" },
  };
}
