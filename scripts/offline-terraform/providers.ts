/**
 * Runs the schema-only providers for real Terraform, offline:
 *
 * - `writeMirror`: a filesystem_mirror (unpacked layout,
 *   `<host>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>_v<version>`)
 *   and a CLI config that installs from it only, so `terraform init` succeeds without a
 *   registry (`dev_overrides` would not: init still asks the registry);
 * - `startProviders`: one process serving every vendored schema, started once and shared by
 *   every Terraform command through TF_REATTACH_PROVIDERS, instead of Terraform starting a
 *   node process per provider per command (~0.3 s of CPU each).
 *
 * Layout and reattach format: hashicorp/terraform v1.11.4, internal/getproviders
 * (filesystem_mirror_source.go, the unpacked layout) and main.go (parseReattachProviders);
 * `Test: true` keeps go-plugin's client from killing a process it did not start
 * (hashicorp/go-plugin v1.6.0 client.go, ReattachConfig.Test).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, readSchemaFile } from "./provider/server";
import { terraformProblem } from "./terraform-version";

// A bundle placed elsewhere (dist/) finds the repository by its package.json.
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "providers")))
      return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`no repository (package.json + providers/) above ${__dirname}`);
  }
}

export interface VendoredProvider {
  /** `registry.terraform.io/kreuzwerker/docker`. */
  readonly source: string;
  readonly version: string;
  readonly schemaFile: string;
}

const vendored = new Map<string, readonly VendoredProvider[]>();

/**
 * Every `<type>-<version>.schema.json` in providers/. Read once per process: each file is
 * parsed whole for its one source address, and the schemas are large.
 */
export function vendoredProviders(dir = path.join(repoRoot(), "providers")): readonly VendoredProvider[] {
  let found = vendored.get(dir);
  if (!found) vendored.set(dir, (found = readVendored(dir)));
  return found;
}

function readVendored(dir: string): VendoredProvider[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".schema.json"))
    .sort()
    .map((f) => {
      const version = /^.+?-(\d[^/]*)\.schema\.json$/.exec(f)?.[1];
      if (!version) throw new Error(`providers/${f}: name it <type>-<version>.schema.json`);
      const schemaFile = path.join(dir, f);
      return { source: readSchemaFile(schemaFile).source, version, schemaFile };
    });
}

let bundled: string | undefined;

/** Bundles the provider program once per process (dist/ is git-ignored). */
export function providerProgram(): string {
  if (bundled) return bundled;
  const root = repoRoot();
  const outfile = path.join(root, "dist", "offline-terraform", "provider.cjs");
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
    dependencies: Record<string, string>;
  };
  const result = buildSync({
    entryPoints: [path.join(root, "scripts", "offline-terraform", "provider", "cli.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    external: Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }),
    logLevel: "warning",
    absWorkingDir: root,
  });
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  // Several jest workers may build at once: write aside, then rename (atomic).
  const tmp = `${outfile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, result.outputFiles[0].contents);
  fs.renameSync(tmp, outfile);
  bundled = outfile;
  return outfile;
}

function osArch(): string {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const arch =
    { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" }[process.arch as string] ?? process.arch;
  return `${os}_${arch}`;
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Writes the mirror and its CLI config into `dir`; returns the CLI config file. */
export function writeMirror(dir: string, providers = vendoredProviders()): string {
  const program = providerProgram();
  for (const p of providers) {
    const [host, namespace, type] = p.source.split("/");
    const target = path.join(dir, "mirror", host, namespace, type, p.version, osArch());
    fs.mkdirSync(target, { recursive: true });
    const exe = path.join(target, `terraform-provider-${type}_v${p.version}`);
    fs.writeFileSync(
      exe,
      `#!/bin/sh\nexec ${sh(process.execPath)} ${sh(program)} --schema ${sh(p.schemaFile)}\n`,
    );
    fs.chmodSync(exe, 0o755);
  }
  const config = path.join(dir, "terraform.rc");
  const mirror = path.join(dir, "mirror");
  fs.writeFileSync(
    config,
    `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`,
  );
  return config;
}

export interface RunningProviders {
  /** The value of TF_REATTACH_PROVIDERS. */
  readonly reattach: string;
  stop(): Promise<void>;
}

/** Starts one process serving every vendored schema and waits for its handshake lines. */
export async function startProviders(providers = vendoredProviders()): Promise<RunningProviders> {
  const program = providerProgram();
  const args = [program, ...providers.flatMap((p) => ["--schema", p.schemaFile]), "--exit-with-stdin"];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_CLIENT_CERT: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // A timer that holds the event loop until the child has exited: the child and its
      // pipes are unref'd, so without it a caller with nothing else pending (a CLI awaiting
      // stop()) would exit with an unsettled promise (exit code 13) instead of its own.
      const kill = setTimeout(() => child.kill("SIGKILL"), 2000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.stdin?.end(); // --exit-with-stdin
    });
  try {
    const lines = await handshakes(child, providers.length);
    // Never what keeps the caller alive (a test file whose tests were all filtered out never
    // calls stop()): when the caller exits, stdin closes and the providers exit with it.
    child.unref();
    for (const pipe of [child.stdin, child.stdout, child.stderr])
      (pipe as unknown as { unref?: () => void } | null)?.unref?.();
    const entries = providers.map((p, i) => {
      const [, version, network, address] = lines[i].split("|");
      const reattach = { Protocol: "grpc", ProtocolVersion: Number(version), Pid: child.pid, Test: true };
      return [p.source, { ...reattach, Addr: { Network: network, String: address } }] as const;
    });
    return { reattach: JSON.stringify(Object.fromEntries(entries)), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function handshakes(child: ChildProcess, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const lines = out.split("\n");
      if (lines.length > count) resolve(lines.slice(0, count));
    });
    child.once("exit", (code) =>
      reject(new Error(`the providers exited (${code}) before their handshakes: ${err.trim()}`)),
    );
    child.once("error", reject);
  });
}

export interface OfflineTerraform {
  /** What check.ts needs: the mirror's CLI config and the running providers. */
  readonly env: { readonly cliConfig: string; readonly reattach: string };
  stop(): Promise<void>;
}

/**
 * The mirror in a temp folder and the providers running: one set for many stacks. A stack
 * that needs only some providers can ask for those (the kubernetes schema alone is 2.4 MB).
 */
export async function startOfflineTerraform(providers = vendoredProviders()): Promise<OfflineTerraform> {
  const problem = terraformProblem();
  if (problem) throw new Error(problem);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-offline-"));
  const cliConfig = writeMirror(dir, providers);
  const running = await startProviders(providers);
  return {
    env: { cliConfig, reattach: running.reattach },
    stop: async () => {
      await running.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
