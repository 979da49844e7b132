import { createSocket, type Socket } from "node:dgram";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { inflateSync } from "node:zlib";
import { sendGelfUdp } from "../../scripts/smoke/gelf";
import { buildGelfMessage } from "../../scripts/smoke/payloads";

/**
 * What leaves the machine, checked on loopback against the GELF chunking format that
 * Logstash's gelf input (gelfd2) reassembles: magic 0x1e 0x0f, an 8-byte message id,
 * sequence number, sequence count, then a slice of the zlib-deflated JSON.
 */
describe("sendGelfUdp", () => {
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

  it("sends a large message as GELF chunks that reassemble to the JSON document", async () => {
    const message = buildGelfMessage({
      host: "test-host",
      marker: "smoke_0123",
      sentAt: new Date("2024-06-01T00:00:00Z"),
      sessionTokenHeader: "x-dreamfactory-session-token",
      sessionToken: "h.p.s",
      apiKey: "k3y",
      responseContent: randomBytes(3072).toString("base64"),
    });
    const json = JSON.stringify(message);
    const bytes = await sendGelfUdp("127.0.0.1", port, json);

    const deadline = Date.now() + 5000;
    const expectedCount = () => (datagrams.length > 0 ? datagrams[0][11] : Infinity);
    while (datagrams.length < expectedCount() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }

    expect(datagrams.length).toBeGreaterThan(1);
    expect(bytes).toBe(datagrams.reduce((n, d) => n + d.length, 0));
    const id = datagrams[0].subarray(2, 10);
    for (const d of datagrams) {
      expect([d[0], d[1]]).toEqual([0x1e, 0x0f]);
      expect(d.subarray(2, 10).equals(id)).toBe(true);
      expect(d[11]).toBe(datagrams.length);
      // Logstash reads datagrams into an 8192-byte buffer.
      expect(d.length).toBeLessThanOrEqual(8192);
    }
    const ordered = [...datagrams].sort((a, b) => a[10] - b[10]);
    expect(ordered.map((d) => d[10])).toEqual(ordered.map((_, i) => i));
    const inflated = inflateSync(Buffer.concat(ordered.map((d) => d.subarray(12)))).toString("utf8");
    expect(JSON.parse(inflated)).toEqual(message);
  });
});
