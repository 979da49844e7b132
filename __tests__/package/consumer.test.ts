import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkConformance, formatProblem, loadVendoredSchemas } from "../../scripts/conformance";
import { stackFiles } from "../../scripts/check-conformance";
import { checkStack } from "../../scripts/offline-terraform/check";
import { problems as terraformProblems } from "../../scripts/offline-terraform/plan-offline";
import { startOfflineTerraform, type OfflineTerraform } from "../../scripts/offline-terraform/providers";
import {
  ROOT_PACKAGE,
  compileExamples,
  createConsumer,
  exampleNames,
  packLibrary,
  run,
  synthExample,
  type CompileResult,
  type Consumer,
  type PackedLibrary,
} from "../support/consumer";

// The library as a user gets it: `npm pack`ed, installed into a fresh app outside this
// repo, and every app of examples/ compiled by that app's tsc and run with node.
// Pack (with its build), install and compile run once, in beforeAll: about 45 s on two busy
// cores (build ~15 s, install ~11 s, consumer tsc ~9 s), the longest file of npm test.

const examples = exampleNames();
const schemas = loadVendoredSchemas();

let workDir: string;
let packed: PackedLibrary;
let consumer: Consumer;
let compiled: CompileResult;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "elk-grafana-pack-"));
  packed = packLibrary(workDir);
  consumer = createConsumer(packed.tarball);
  if (consumer.install.status === 0) compiled = compileExamples(consumer);
}, 600_000);

afterAll(() => {
  // KEEP_CONSUMER=1 keeps the tarball and the consumer app for a look after a failure.
  if (process.env["KEEP_CONSUMER"]) return console.log(`kept ${workDir} and ${consumer?.dir}`);
  for (const dir of [workDir, consumer?.dir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the packed library", () => {
  it("ships the compiled entry file, its declarations and the grafana bindings, and no sources", () => {
    expect(packed.files).toEqual(
      expect.arrayContaining(["package.json", "dist/index.js", "dist/index.d.ts"]),
    );
    // The constructs import these by relative path; a consumer has no .gen/ of its own.
    expect(packed.files).toEqual(expect.arrayContaining(["dist/.gen/providers/grafana/dashboard/index.js"]));
    expect(packed.files).toEqual(
      expect.arrayContaining(["dist/.gen/providers/grafana/dashboard/index.d.ts"]),
    );
    const sources = packed.files.filter((f) => /\.(ts|cjs|json)$/.test(f) && !f.endsWith(".d.ts"));
    expect(sources).toEqual(["package.json"]);
  });

  it("installs into a fresh app with the peer dependencies at the pinned versions", () => {
    if (consumer.install.status !== 0) throw new Error(consumer.install.output);
    for (const [name, version] of Object.entries(ROOT_PACKAGE.peerDependencies)) {
      const installed = JSON.parse(
        fs.readFileSync(path.join(consumer.dir, "node_modules", name, "package.json"), "utf8"),
      ) as { version: string };
      expect(`${name}@${installed.version}`).toBe(`${name}@${version}`);
      // One copy, shared with the app: a second one breaks construct scopes and provider lookups.
      const nested = path.join(consumer.dir, "node_modules", ROOT_PACKAGE.name, "node_modules", name);
      expect(`${name} nested: ${fs.existsSync(nested)}`).toBe(`${name} nested: false`);
    }
  });

  it("loads with require() under this Node (the ESM-only elasticstack bindings included)", () => {
    const probe = run(
      process.execPath,
      [
        "-e",
        `const m = require(${JSON.stringify(ROOT_PACKAGE.name)}); console.log(Object.keys(m).sort().join(","))`,
      ],
      consumer.dir,
    );
    if (probe.status !== 0) throw new Error(probe.output);
    // The entry file loads every module, so every binding the constructs require.
    for (const name of [
      "CertificateAuthority",
      "ExternalElasticsearchCluster",
      "MappedIndex",
      "Logstash",
      "GrafanaFolder",
    ]) {
      expect(probe.stdout.split(",")).toContain(name);
    }
  });

  it("exposes one entry point: internal modules are not importable", () => {
    const deep = run(
      process.execPath,
      ["-e", `require(${JSON.stringify(`${ROOT_PACKAGE.name}/dist/constructs/stack.js`)})`],
      consumer.dir,
    );
    expect(deep.status).not.toBe(0);
    expect(deep.output).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  it("type-checks every example with the consumer's tsc (nodenext, strict)", () => {
    if (compiled.status !== 0) throw new Error(`the consumer's tsc failed:\n${compiled.output}`);
  });

  it("resolves every import of its declarations for the consumer (no type turns into any)", () => {
    expect(compiled.unresolved).toEqual([]);
  });
});

describe.each(examples)("examples/%s, built in the consumer app", (name) => {
  let synth: ReturnType<typeof synthExample>;
  beforeAll(() => {
    if (compiled?.status === 0) synth = synthExample(consumer, name);
  });

  it("synthesizes a stack", () => {
    if (compiled.status !== 0) throw new Error(`not compiled:\n${compiled.output}`);
    if (synth.status !== 0) throw new Error(`the app failed:\n${synth.output}`);
    const files = stackFiles(synth.outdir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const tf = JSON.parse(fs.readFileSync(file, "utf8")) as { resource?: Record<string, unknown> };
      expect(Object.keys(tf.resource ?? {}).length).toBeGreaterThan(0);
    }
  });

  it("conforms to the provider schemas", () => {
    const files = synth ? stackFiles(synth.outdir) : [];
    expect(files.length).toBeGreaterThan(0);
    const problems = files.flatMap((file) =>
      checkConformance(JSON.parse(fs.readFileSync(file, "utf8")), schemas).map(
        (p) => `${path.basename(path.dirname(file))}: ${formatProblem(p)}`,
      ),
    );
    expect(problems).toEqual([]);
  });

  it("passes real Terraform offline: init, validate, plan, apply, an empty second plan, replace", async () => {
    const files = synth ? stackFiles(synth.outdir) : [];
    expect(files.length).toBeGreaterThan(0);
    const terraform: OfflineTerraform = await startOfflineTerraform();
    try {
      const found: string[] = [];
      for (const file of files) {
        const report = await checkStack(
          JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>,
          {
            name: `${name}.${path.basename(path.dirname(file))}`,
            env: terraform.env,
          },
        );
        found.push(...terraformProblems(report));
      }
      expect(found).toEqual([]);
    } finally {
      await terraform.stop();
    }
  }, 120_000);
});
