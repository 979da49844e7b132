import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from "node:net";
import { request, RequestFailed } from "../../scripts/smoke/http";

/** Loopback servers: one that answers like Elasticsearch, one that accepts and never answers. */
describe("request", () => {
  const seen: { method?: string; url?: string; authorization?: string; body: string }[] = [];
  const answering = createHttpServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { type: "security_exception", reason: "denied" }, status: 403 }));
    });
  });
  const sockets: Socket[] = [];
  const silent: Server = createTcpServer((socket) => sockets.push(socket));
  const portOf = (s: { address(): unknown }) => (s.address() as AddressInfo).port;

  beforeAll(async () => {
    await new Promise<void>((r) => answering.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  });

  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((r) => answering.close(() => r()));
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it("returns any status with its parsed body, and sends the authorization and JSON body", async () => {
    const res = await request({
      url: `http://127.0.0.1:${portOf(answering)}/datafly-events/_doc`,
      method: "POST",
      authorization: "ApiKey abc",
      json: { event_id: "e1" },
      timeoutMs: 2000,
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { type: "security_exception", reason: "denied" }, status: 403 });
    expect(seen).toEqual([
      { method: "POST", url: "/datafly-events/_doc", authorization: "ApiKey abc", body: '{"event_id":"e1"}' },
    ]);
  });

  it("gives up on a server that never answers within the bound", async () => {
    const started = Date.now();
    const pending = request({ url: `http://127.0.0.1:${portOf(silent)}/_cluster/health`, timeoutMs: 300 });
    await expect(pending).rejects.toBeInstanceOf(RequestFailed);
    await expect(pending).rejects.toMatchObject({ code: "ETIMEDOUT" });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
