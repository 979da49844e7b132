import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIGS, synthStack } from "./support/synth";

const root = join(__dirname, "..");

/** Runs the cdktf.json app command in `cwd`, writing to the relative outdir `out`. */
function synthIn(cwd: string, config?: object): Buffer {
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: "out" };
  delete env.STACK_CONFIG;
  if (config) {
    env.STACK_CONFIG = join(cwd, "stack.json");
    writeFileSync(env.STACK_CONFIG, JSON.stringify(config));
  }
  const run = spawnSync(process.execPath, [join(root, "scripts", "run-ts.mjs"), "main.ts"], {
    cwd,
    env,
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`synth in ${cwd} failed: ${run.stderr}`);
  return readFileSync(join(cwd, "out", "stacks", "analytics", "cdk.tf.json"));
}

describe("synthesized JSON is byte-identical", () => {
  it.each(Object.keys(CONFIGS))("%s: twice in one process", (name) => {
    expect(JSON.stringify(synthStack(CONFIGS[name]))).toBe(JSON.stringify(synthStack(CONFIGS[name])));
  });

  it("from two different working directories, through the app command", () => {
    const a = synthIn(mkdtempSync(join(tmpdir(), "synth-a-")));
    const b = synthIn(mkdtempSync(join(tmpdir(), "synth-b-")));
    expect(a.equals(b)).toBe(true);
    expect(a.toString("utf8")).not.toMatch(/synth-[ab]-|\/tmp\//);
  });

  it("for a config file, from two working directories", () => {
    const a = synthIn(mkdtempSync(join(tmpdir(), "synth-c-")), CONFIGS.threeNodes);
    const b = synthIn(mkdtempSync(join(tmpdir(), "synth-d-")), CONFIGS.threeNodes);
    expect(a.equals(b)).toBe(true);
    const containers = Object.keys(JSON.parse(a.toString("utf8")).resource.docker_container as object);
    expect(containers.filter((k) => k.startsWith("Elasticsearch_Cluster_Node"))).toHaveLength(3);
  });
});
