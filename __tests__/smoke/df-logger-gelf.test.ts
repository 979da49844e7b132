import { createSocket, type Socket } from "node:dgram";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { inflateSync } from "node:zlib";
import { GELF_TEST_BODY_BYTES } from "../../scripts/smoke/checks";
import {
  DF_LOGGER_MAX_CHUNK_SIZE,
  dfLoggerDatagrams,
  sendDfLoggerGelf,
} from "../../scripts/smoke/df-logger-gelf";
import { buildGelfMessage } from "../../scripts/smoke/payloads";

// What leaves the machine, checked on loopback against df-logger 0.15.2
// src/Components/GelfLogger.php prepareChunks: magic 0x1e 0x0f, a 32-byte message id,
// 16-bit big-endian sequence number and count, then a slice of the zlib-deflated JSON.
// That the pipeline's decoder reassembles these is gelf-decoder.test.ts.
describe("sendDfLoggerGelf", () => {
  let server: Socket;
  let port: number;
  const datagrams: Buffer[] = [];

  beforeAll(async () => {
    server = createSocket("udp4");
    server.on("message", (msg) => datagrams.push(msg));
    await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends the smoke check's message as df-logger's chunks that reassemble to the JSON document", async () => {
    const message = buildGelfMessage({
      host: "test-host",
      marker: "smoke_0123",
      sentAt: new Date("2024-06-01T00:00:00Z"),
      sessionTokenHeader: "x-dreamfactory-session-token",
      sessionToken: "h.p.s",
      apiKey: "k3y",
      responseContent: randomBytes(GELF_TEST_BODY_BYTES).toString("base64"),
    });
    const json = JSON.stringify(message);
    const bytes = await sendDfLoggerGelf("127.0.0.1", port, json);

    const deadline = Date.now() + 5000;
    const expectedCount = () => (datagrams.length > 0 ? datagrams[0].readUInt16BE(36) : Infinity);
    while (datagrams.length < expectedCount() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }

    expect(datagrams).toHaveLength(2);
    expect(bytes).toBe(datagrams.reduce((n, d) => n + d.length, 0));
    const id = datagrams[0].subarray(2, 34);
    const ordered = [...datagrams].sort((a, b) => a.readUInt16BE(34) - b.readUInt16BE(34));
    ordered.forEach((d, seq) => {
      expect([d[0], d[1]]).toEqual([0x1e, 0x0f]);
      expect(d.subarray(2, 34).equals(id)).toBe(true);
      expect([d.readUInt16BE(34), d.readUInt16BE(36)]).toEqual([seq, 2]);
      expect(d.length).toBeLessThanOrEqual(38 + DF_LOGGER_MAX_CHUNK_SIZE);
    });
    expect(ordered[0].length).toBe(38 + DF_LOGGER_MAX_CHUNK_SIZE);
    const inflated = inflateSync(Buffer.concat(ordered.map((d) => d.subarray(38)))).toString("utf8");
    expect(JSON.parse(inflated)).toEqual(message);
  });

  it("sends a small message as one zlib datagram, and refuses one df-logger would not send", async () => {
    expect(dfLoggerDatagrams('{"short_message":"x"}')).toEqual([expect.any(Buffer)]);
    expect(dfLoggerDatagrams('{"short_message":"x"}')[0][0]).toBe(0x78);
    const huge = JSON.stringify({ v: randomBytes(129 * DF_LOGGER_MAX_CHUNK_SIZE).toString("base64") });
    expect(dfLoggerDatagrams(huge)).toEqual([]);
    await expect(sendDfLoggerGelf("127.0.0.1", port, huge)).rejects.toThrow(
      "the message deflates to more than 128 chunks: df-logger would send nothing",
    );
  });
});
