import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { deflateSync } from "node:zlib";

/**
 * GELF over UDP exactly as the gateway sends it, df-logger 0.15.2
 * src/Components/GelfLogger.php: gzcompress (zlib format, level -1 = 6, what Node's
 * deflateSync writes); at most MAX_CHUNK_SIZE = 8154 bytes in one datagram; above, pieces
 * of 8154 bytes, each `pack('CC', 30, 15) . $msgId . pack('nn', $seq, $count) . $piece`
 * with a 32-byte SHA-256 `$msgId` (GELF 1.1 has an 8-byte id and 1-byte counters); more
 * than MAX_CHUNKS_ALLOWED = 128 pieces: nothing is sent. One socket per message.
 */
export const DF_LOGGER_MAX_CHUNK_SIZE = 8154;
export const DF_LOGGER_MAX_CHUNKS = 128;

/** The datagrams for one GELF JSON document, or [] when df-logger sends nothing. */
export function dfLoggerDatagrams(json: string, messageId: Buffer = randomMessageId()): Buffer[] {
  if (messageId.length !== 32)
    throw new Error(`dfLoggerDatagrams: messageId has ${messageId.length} bytes, not 32`);
  const gz = deflateSync(Buffer.from(json, "utf8"));
  if (gz.length <= DF_LOGGER_MAX_CHUNK_SIZE) return [gz];
  const pieces: Buffer[] = [];
  for (let at = 0; at < gz.length; at += DF_LOGGER_MAX_CHUNK_SIZE)
    pieces.push(gz.subarray(at, at + DF_LOGGER_MAX_CHUNK_SIZE));
  if (pieces.length > DF_LOGGER_MAX_CHUNKS) return [];
  return pieces.map((piece, seq) => {
    const counters = Buffer.alloc(4);
    counters.writeUInt16BE(seq, 0);
    counters.writeUInt16BE(pieces.length, 2);
    return Buffer.concat([Buffer.from([30, 15]), messageId, counters, piece]);
  });
}

const randomMessageId = () => createHash("sha256").update(randomBytes(32)).digest();

/** Sends one GELF document as df-logger would, from one socket; resolves with the bytes sent. */
export async function sendDfLoggerGelf(host: string, port: number, json: string): Promise<number> {
  const datagrams = dfLoggerDatagrams(json);
  if (datagrams.length === 0)
    throw new Error(
      `the message deflates to more than ${DF_LOGGER_MAX_CHUNKS} chunks: df-logger would send nothing`,
    );
  const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
  try {
    let bytes = 0;
    for (const d of datagrams) {
      await new Promise<void>((resolve, reject) =>
        socket.send(d, port, host, (error) => (error ? reject(error) : resolve())),
      );
      bytes += d.length;
    }
    return bytes;
  } finally {
    socket.close();
  }
}
