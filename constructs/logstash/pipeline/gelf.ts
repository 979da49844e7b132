/**
 * GELF over UDP without Logstash's gelf input: a `udp` input passes each datagram on as
 * bytes, a heartbeat ticks, and the first filter (GelfDecoder in GELF_RUBY_SOURCE)
 * reassembles, inflates and parses. Why: the gelf input bundled with Logstash 8.19
 * (logstash-input-gelf 3.3.2, gelfd2 0.4.1) reads df-logger's chunk counters from its
 * message id and loses those messages, half of them without a trace.
 */
import { rubyStringLiteral } from "./jwt-user-id";
import { TRANSPORT_FIELD } from "./normalize";
import { hash, type Statement } from "./model";
import type { RubyFilter } from "./normalize";

/** `[@metadata][transport]` of datagrams and ticks: the decoder runs only on these. */
export const TRANSPORT_GELF = "gelf";

/** On the event a message became when it stayed incomplete (it carries `[gelf]` counts). */
export const GELF_INCOMPLETE_TAG = "_gelf_incomplete";
/** On a datagram that is not GELF (bad chunk header, inflate error, not UTF-8); `[gelf][error]` says why. */
export const GELF_DECODE_FAILURE_TAG = "_gelf_decode_failure";
/** On a message that is not a JSON object: the gelf input's own tag, kept for operators' searches. */
export const GELF_JSON_FAILURE_TAG = "_jsonparsefailure";

/** How long a chunked message may take: GELF 1.1 says all chunks within 5 seconds. */
export const GELF_CHUNK_TIMEOUT_SECONDS = 5;
/** Heartbeat interval: an incomplete message is reported at most this long after its deadline. */
export const GELF_TICK_SECONDS = 1;
/**
 * Chunk data kept for incomplete messages, in all. df-logger's largest message is 128
 * chunks of 8154 bytes (about 1 MiB); past the budget the oldest are reported and dropped.
 */
export const GELF_MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** Largest inflated message: a small datagram may not inflate into the heap's size. */
export const GELF_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/**
 * Bytes the udp input reads per datagram: a UDP payload's maximum, so an unchunked
 * message above the gelf input's 8192 is read whole.
 */
export const GELF_UDP_BUFFER_BYTES = 65535;

export interface GelfInputParams {
  readonly port: number;
  /** `type` of the events (datagrams and incomplete reports). */
  readonly logType: string;
}

/** `@metadata` flag of the heartbeat's ticks. */
const TICK_FIELD = "[@metadata][gelf_tick]";
/** Where the udp input puts the sender's address: where the gelf input put it. */
const SOURCE_FIELD = "source_host";

/**
 * The inputs. logstash-input-udp v3.5.0: the plain codec decodes each datagram (codec
 * plain v3.1.0, LogStash::Util::Charset: ISO-8859-1 maps every byte to one character, so
 * the bytes come back unchanged); `source_ip_fieldname` puts the sender's address where
 * the gelf input put it (`source_host`). ECS off on both: the codec would otherwise copy
 * the datagram into `[event][original]`, DreamFactory's `event` object.
 */
export function gelfInputs(params: GelfInputParams): Statement[] {
  const transport = [TRANSPORT_FIELD, TRANSPORT_GELF] as const;
  return [
    {
      plugin: "udp",
      settings: {
        port: params.port,
        type: params.logType,
        buffer_size: GELF_UDP_BUFFER_BYTES,
        codec: {
          kind: "plugin",
          name: "plain",
          settings: { charset: "ISO-8859-1", ecs_compatibility: "disabled" },
        },
        source_ip_fieldname: SOURCE_FIELD,
        ecs_compatibility: "disabled",
        add_field: hash(transport),
      },
    },
    {
      plugin: "heartbeat",
      settings: {
        interval: GELF_TICK_SECONDS,
        ecs_compatibility: "disabled",
        add_field: hash(transport, [TICK_FIELD, "true"]),
      },
    },
  ];
}

export interface GelfDecoderParams {
  readonly logType: string;
  /** Absolute path of the Ruby library (GELF_RUBY_SOURCE is part of it). */
  readonly rubyLibraryPath: string;
  /** @default GELF_CHUNK_TIMEOUT_SECONDS */
  readonly timeoutSeconds?: number;
  /** @default GELF_MAX_PENDING_BYTES */
  readonly maxPendingBytes?: number;
  /** @default GELF_MAX_MESSAGE_BYTES */
  readonly maxMessageBytes?: number;
}

/**
 * The decoder filter's init and code; `new_event_block` is logstash-filter-ruby 3.1.8's
 * block for new events (its inline code runs as a method taking `event, &new_event_block`).
 */
export function gelfDecoderRubyFilter(params: GelfDecoderParams): RubyFilter {
  const timeout = params.timeoutSeconds ?? GELF_CHUNK_TIMEOUT_SECONDS;
  const pending = params.maxPendingBytes ?? GELF_MAX_PENDING_BYTES;
  const message = params.maxMessageBytes ?? GELF_MAX_MESSAGE_BYTES;
  for (const [name, value] of [
    ["timeoutSeconds", timeout],
    ["maxPendingBytes", pending],
    ["maxMessageBytes", message],
  ] as const) {
    if (!(Number.isFinite(value) && value > 0))
      throw new Error(`gelfDecoderRubyFilter: ${name} = ${JSON.stringify(value)} must be a positive number`);
  }
  const r = rubyStringLiteral;
  return {
    init: `require ${r(params.rubyLibraryPath)}
@decoder = ::ElkGrafanaCdktf::GelfDecoder.new(
  type: ${r(params.logType)}, source_field: ${r(SOURCE_FIELD)}, tick_field: ${r(TICK_FIELD)},
  timeout: ${timeout}, max_pending_bytes: ${Math.floor(pending)},
  max_message_bytes: ${Math.floor(message)}, incomplete_tag: ${r(GELF_INCOMPLETE_TAG)},
  failure_tag: ${r(GELF_DECODE_FAILURE_TAG)}, json_failure_tag: ${r(GELF_JSON_FAILURE_TAG)}
)`,
    code: "@decoder.filter(event, new_event_block)",
  };
}
