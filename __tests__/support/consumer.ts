/**
 * A consumer app outside this repo: packs the library with `npm pack` (its `prepack`
 * builds dist/), installs the tarball with the peer dependencies into a fresh folder
 * with its own package.json, and builds and runs the apps of examples/ there.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const EXAMPLES_DIR = path.join(ROOT, "examples");

interface PackageJson {
  readonly name: string;
  readonly peerDependencies: Record<string, string>;
  readonly dependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
}

export const ROOT_PACKAGE = JSON.parse(
  fs.readFileSync(path.join(ROOT, "package.json"), "utf8"),
) as PackageJson;

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  /** The command, stdout and stderr, for a failure message. */
  readonly output: string;
}

export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): RunResult {
  const result = spawnSync(command, args, {
    cwd,
    env: env ?? process.env,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (result.error) throw result.error;
  const output = `$ ${command} ${args.join(" ")}  (in ${cwd})\n${result.stdout}${result.stderr}`;
  return { status: result.status, stdout: result.stdout, output };
}

/** Runs, returns stdout, and throws with the command's output if it fails. */
function runOrThrow(command: string, args: readonly string[], cwd: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) throw new Error(`exit ${result.status}\n${result.output}`);
  return result.stdout;
}

/** Every folder of examples/ with a main.ts: the apps the consumer builds. */
export function exampleNames(): string[] {
  return fs
    .readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(EXAMPLES_DIR, e.name, "main.ts")))
    .map((e) => e.name)
    .sort();
}

export interface PackedLibrary {
  readonly tarball: string;
  /** Paths inside the tarball, without the `package/` prefix. */
  readonly files: readonly string[];
}

export function packLibrary(destination: string): PackedLibrary {
  const out = runOrThrow("npm", ["pack", "--json", "--pack-destination", destination], ROOT);
  // prepack's build may print before the JSON array.
  const json = out.slice(out.search(/^\[/m));
  const [info] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  return { tarball: path.join(destination, info.filename), files: info.files.map((f) => f.path) };
}

/**
 * The consumer's compiler settings: what the README tells a user to use. The ESM-only
 * elasticstack bindings need nodenext. skipLibCheck, as cdktf's own app template has it:
 * checking every library's declarations would add ~14 s; unresolved imports of our
 * declarations are caught from the resolution trace instead (see compileExamples).
 */
export const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2022"],
    module: "nodenext",
    moduleResolution: "nodenext",
    strict: true,
    skipLibCheck: true,
    types: ["node"],
    outDir: "build",
    rootDir: ".",
  },
  include: ["examples/**/*.ts"],
};

export interface Consumer {
  readonly dir: string;
  readonly install: RunResult;
}

/** A fresh app depending on the tarball and on the peers at the versions this repo pins. */
export function createConsumer(tarball: string): Consumer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "elk-grafana-consumer-"));
  const peers = ROOT_PACKAGE.peerDependencies;
  const dev = ROOT_PACKAGE.devDependencies;
  const pkg = {
    name: "consumer-app",
    version: "0.0.0",
    private: true,
    dependencies: { [ROOT_PACKAGE.name]: `file:${tarball}`, ...peers },
    devDependencies: { typescript: dev["typescript"], "@types/node": dev["@types/node"] },
  };
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
  // CI has only the npm registry and ran `npm ci` first: the cache holds every version.
  const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], dir);
  for (const name of exampleNames()) {
    fs.cpSync(path.join(EXAMPLES_DIR, name), path.join(dir, "examples", name), { recursive: true });
  }
  return { dir, install };
}

export interface CompileResult extends RunResult {
  /**
   * `module from file` for each import in the library's declarations that does not
   * resolve for the consumer. With skipLibCheck such a type silently becomes `any`.
   */
  readonly unresolved: readonly string[];
}

/** The consumer's own tsc over every example; `output` holds its diagnostics only. */
export function compileExamples(consumer: Consumer): CompileResult {
  const tsc = path.join(consumer.dir, "node_modules", "typescript", "bin", "tsc");
  const result = run(
    process.execPath,
    [tsc, "-p", ".", "--pretty", "false", "--traceResolution"],
    consumer.dir,
  );
  const lines = result.stdout.split("\n");
  const library = path.join(consumer.dir, "node_modules", ROOT_PACKAGE.name) + path.sep;
  const unresolved: string[] = [];
  let resolving: { module: string; from: string } | undefined;
  for (const line of lines) {
    const start = /^======== Resolving module '([^']+)' from '([^']+)'\. ========$/.exec(line);
    if (start) resolving = { module: start[1], from: start[2] };
    const failed = /^======== Module name '([^']+)' was not resolved\. ========$/.exec(line);
    // node: builtins resolve through @types/node's ambient declarations, not as files.
    if (
      failed &&
      resolving?.module === failed[1] &&
      resolving.from.startsWith(library) &&
      !failed[1].startsWith("node:")
    ) {
      unresolved.push(`${failed[1]} from ${path.relative(library, resolving.from)}`);
    }
  }
  // Diagnostics are the lines naming an error and their indented continuations.
  const diagnostics: string[] = [];
  for (const line of lines) {
    if (/error TS\d+:/.test(line)) diagnostics.push(line);
    else if (diagnostics.length > 0 && /^ {2}\S/.test(line)) diagnostics.push(line);
  }
  // Without a diagnostic (a crash), the end of what tsc printed.
  const shown = diagnostics.length > 0 ? diagnostics : result.output.split("\n").slice(-40);
  const output = `$ tsc -p . (in ${consumer.dir})\n${shown.join("\n")}`;
  return { status: result.status, stdout: result.stdout, output, unresolved };
}

export interface SynthResult extends RunResult {
  /** Where the app wrote its output (CDKTF_OUTDIR). */
  readonly outdir: string;
}

/** Runs a compiled example with node, as `cdktf synth` would run the app. */
export function synthExample(consumer: Consumer, name: string): SynthResult {
  const outdir = path.join(consumer.dir, "cdktf.out", name);
  // cdktf creates only the last level of the output directory.
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const env = {
    PATH: process.env["PATH"],
    HOME: consumer.dir,
    CDKTF_OUTDIR: outdir,
    CHECKPOINT_DISABLE: "1",
  };
  const result = run(process.execPath, [path.join("build", "examples", name, "main.js")], consumer.dir, env);
  return { ...result, outdir };
}
