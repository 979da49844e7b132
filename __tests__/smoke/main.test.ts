import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../scripts/smoke/main";

/** A port on 127.0.0.1 where nothing listens: bound once by the OS, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

function outputsFile(values: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "smoke-main-"));
  const file = join(dir, "outputs.json");
  const tf = Object.fromEntries(
    Object.entries(values).map(([k, value]) => [k, { sensitive: false, type: "string", value }]),
  );
  writeFileSync(file, JSON.stringify(tf));
  return file;
}

const env = { SMOKE_ES_PASSWORD: "pw", SMOKE_GRAFANA_AUTH: "admin:pw" };

describe("main", () => {
  it("exits non-zero with one sentence when nothing listens at the endpoint", async () => {
    const port = await freePort();
    const file = outputsFile({
      elasticsearch_endpoint: `https://127.0.0.1:${port}`,
      grafana_url: `https://127.0.0.1:${port}`,
      events_writer_api_key: "a2V5",
    });
    const { out, err, io } = capture();
    const started = Date.now();
    const code = await main(["--outputs", file, "--timeout", "2"], env, io);
    expect(code).toBe(3);
    expect(err).toEqual([
      `smoke: cannot reach Elasticsearch at https://127.0.0.1:${port} (connection refused): is the stack deployed and running?`,
    ]);
    expect(out).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("exits 2 naming the missing outputs before touching the network", async () => {
    const file = outputsFile({ grafana_url: "https://127.0.0.1:1" });
    const { err, io } = capture();
    expect(await main(["--outputs", file], env, io)).toBe(2);
    expect(err).toHaveLength(2);
    expect(err[0]).toContain("has no elasticsearch_endpoint output");
  });

  it("exits 2 on an invalid STACK_CONFIG, as the synth would", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smoke-config-"));
    const config = join(dir, "stack.json");
    writeFileSync(config, JSON.stringify({ logs: { indexPrefix: "Bad" } }));
    const { err, io } = capture();
    expect(await main(["--outputs", "unused.json"], { ...env, STACK_CONFIG: config }, io)).toBe(2);
    expect(err[0]).toMatch(/^smoke: .*stack\.json: logs\.indexPrefix = "Bad": must be lowercase/);
  });

  it("prints the usage for --help", async () => {
    const { out, io } = capture();
    expect(await main(["--help"], {}, io)).toBe(0);
    expect(out[0]).toMatch(/^usage: npm run smoke/);
  });
});
