#!/usr/bin/env node
// npm run bench: whole-process figures of the cdktf.json `app` command, measured the
// way a user runs it (fresh process each time, median of 5 after a warm-up).
//
// 1. the app command vs the cdktf template's `npx ts-node main.ts` on the same code, and in mode: kubernetes;
// 2. the default stack vs a stack with 50 event indices (scale), see scripts/bench/scale.ts;
// 3. the generated Logstash Ruby filters vs the guide's JWT filter under JRuby (ruby), see
//    scripts/bench/ruby-filters.ts;
// 4. the real-Terraform check (__tests__/terraform/offline.test.ts): the whole jest file, and
//    its Terraform part (providers started, every shipped config, the broken stacks, the
//    mirror run), which the test reports itself when BENCH_TERRAFORM_FILE is set, and the
//    CPU of each shipped config's check run alone, the floor under it (terraform).
//
// It prints figures and the budgets next to them; it never fails a build.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const probe = path.join(root, "scripts", "bench", "rss-probe.cjs");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function measure(
  label,
  command,
  args,
  env = {},
  beforeEach = () => {},
  { runs = RUNS, allowFailure = false } = {},
) {
  const walls = [];
  const rss = [];
  for (let i = 0; i <= runs; i++) {
    const work = mkdtempSync(path.join(tmpdir(), "bench-"));
    const rssFile = path.join(work, "rss");
    writeFileSync(rssFile, "");
    beforeEach();
    const started = process.hrtime.bigint();
    const run = spawnSync(command, args, {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        ...env,
        CDKTF_OUTDIR: path.join(work, "out"),
        BENCH_RSS_FILE: rssFile,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${probe}`.trim(),
      },
    });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (run.status !== 0 && !allowFailure) {
      console.error(`${label} failed:\n${run.stderr}`);
      process.exit(1);
    }
    const peak = Math.max(...readFileSync(rssFile, "utf8").trim().split("\n").map(Number));
    rmSync(work, { recursive: true, force: true });
    if (i === 0) continue; // warm-up: disk cache, and the app's bundle cache
    walls.push(wall);
    rss.push(peak / 1024);
  }
  return {
    label,
    wall: median(walls),
    wallMin: Math.min(...walls),
    wallMax: Math.max(...walls),
    rss: median(rss),
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function row(m) {
  return `${m.label.padEnd(44)} ${m.wall.toFixed(3).padStart(7)} s  (${m.wallMin.toFixed(3)}–${m.wallMax.toFixed(3)})  ${m.rss.toFixed(0).padStart(5)} MB`;
}

const which = process.argv[2] ?? "all";

/** Runs a TypeScript bench script that prints its own figures; its failure ends the bench. */
function benchScript(label, script, ...args) {
  const run = spawnSync("node", ["scripts/run-ts.mjs", script, ...args], { cwd: root, encoding: "utf8" });
  if (run.status !== 0) {
    console.error(`${label} benchmark failed:\n${run.stderr}`);
    process.exit(1);
  }
  process.stdout.write(run.stdout);
}
console.log(
  `median of ${RUNS} runs (Terraform: BENCH_TERRAFORM_RUNS, default 3) after a warm-up; wall time (min–max) and peak RSS of the largest process\n`,
);

if (which === "all" || which === "app") {
  const appArgs = ["scripts/run-ts.mjs", "main.ts"];
  const app = measure("app command: node scripts/run-ts.mjs main.ts", "node", appArgs);
  // As on a fresh clone: no bundle yet, so each run includes the esbuild build.
  const cold = measure("app command, first run (bundle build included)", "node", appArgs, {}, () =>
    rmSync(path.join(root, "dist"), { recursive: true, force: true }),
  );
  const tsNode = measure("template default: npx ts-node main.ts", "npx", ["ts-node", "main.ts"]);
  console.log(row(app));
  console.log(row(cold));
  console.log(row(tsNode));
  console.log(
    `speed-up over ts-node: ${(tsNode.wall / app.wall).toFixed(1)}x, first run ${(tsNode.wall / cold.wall).toFixed(1)}x (budget: >= 4x)`,
  );
  const within = (m) => (m.wall <= 0.8 && m.rss <= 150 ? "within" : "OVER");
  console.log(`app command budget: <= 0.8 s and <= 150 MB -> ${within(app)}, first run ${within(cold)}`);
  // mode: kubernetes loads the kubernetes and helm bindings (per-resource subpaths) instead of docker's.
  const k8s = measure("app command, examples/kubernetes/stack.yaml", "node", appArgs, {
    STACK_CONFIG: "examples/kubernetes/stack.yaml",
  });
  console.log(`${row(k8s)}  -> ${within(k8s)}\n`);
}

if (which === "all" || which === "scale") {
  const base = measure("default stack (1 events index)", "node", [
    "scripts/run-ts.mjs",
    "scripts/bench/scale.ts",
    "1",
  ]);
  const big = measure("same constructs, 50 events indices", "node", [
    "scripts/run-ts.mjs",
    "scripts/bench/scale.ts",
    "50",
  ]);
  console.log(row(base));
  console.log(row(big));
  const ratio = big.wall / base.wall;
  console.log(
    `growth: ${ratio.toFixed(2)}x time, ${(big.rss / base.rss).toFixed(2)}x memory (budget: <= 3x time) -> ${ratio <= 3 ? "within" : "OVER"}`,
  );
}

if (which === "all" || which === "terraform") {
  const work = mkdtempSync(path.join(tmpdir(), "bench-tf-"));
  const file = path.join(work, "terraform.jsonl");
  const runs = Number(process.env.BENCH_TERRAFORM_RUNS ?? 3);
  // Failing assertions (a product finding) do not invalidate the timing.
  const jest = measure(
    "jest __tests__/terraform/offline.test.ts",
    "npx",
    ["jest", "__tests__/terraform/offline.test.ts", "--silent"],
    { BENCH_TERRAFORM_FILE: file },
    () => {},
    { runs, allowFailure: true },
  );
  // CPU seconds do not depend on what else the shared machine runs: bash's `times` gives
  // the user + system time of jest and every Terraform and provider process under it.
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const run = spawnSync(
      "bash",
      ["-c", "npx jest __tests__/terraform/offline.test.ts --silent >/dev/null 2>&1; times"],
      { cwd: root, encoding: "utf8" },
    );
    const children = run.stdout.trim().split("\n").pop().split(/\s+/);
    const seconds = (t) => Number(/(\d+)m([\d.]+)s/.exec(t)[1]) * 60 + Number(/(\d+)m([\d.]+)s/.exec(t)[2]);
    cpu.push(seconds(children[0]) + seconds(children[1]));
  }
  const reports = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .slice(1);
  rmSync(work, { recursive: true, force: true });
  const part = reports.map((r) => r.totalMs / 1000);
  const stepTotals = {};
  for (const r of reports)
    for (const [step, ms] of Object.entries(r.steps)) (stepTotals[step] ??= []).push(ms / 1000);
  console.log(row(jest));
  console.log(
    `Terraform part: ${median(part).toFixed(1)} s (${Math.min(...part).toFixed(1)}–${Math.max(...part).toFixed(1)}), ` +
      `${reports[0].stacks} stacks, providers started in ${median(reports.map((r) => r.startMs / 1000)).toFixed(2)} s ` +
      `(budget: <= 15 s) -> ${median(part) <= 15 ? "within" : "OVER"}`,
  );
  console.log(
    `  CPU of the whole file (jest, synth, Terraform, providers): ${median(cpu).toFixed(1)} s, i.e. ` +
      `>= ${(median(cpu) / 2).toFixed(1)} s of wall time on 2 idle cores; load average now ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]}`,
  );
  // From /proc: every Terraform command the test reaped, and the one provider process.
  const tfCpu = reports.map((r) => r.terraformCpu);
  const providerCpu = reports.map((r) => r.providerCpu);
  console.log(
    `  CPU of the Terraform part: Terraform commands ${median(tfCpu).toFixed(1)} s ` +
      `(${Math.min(...tfCpu).toFixed(1)}–${Math.max(...tfCpu).toFixed(1)}), provider process ` +
      `${median(providerCpu).toFixed(1)} s, i.e. >= ${((median(tfCpu) + median(providerCpu)) / 2).toFixed(1)} s of wall time on 2 idle cores`,
  );
  console.log(
    "  Terraform command time summed over stacks (several run at a time): " +
      Object.entries(stepTotals)
        .map(([step, xs]) => `${step} ${median(xs).toFixed(1)} s`)
        .join(", "),
  );
  // The floor under all of it: each shipped config's check alone (scripts/bench/terraform-floor.ts).
  benchScript("terraform floor", "scripts/bench/terraform-floor.ts");
}

if (which === "all" || which === "ruby") {
  console.log("");
  benchScript(
    "ruby filter",
    "scripts/bench/ruby-filters.ts",
    process.env.BENCH_RUBY_EVENTS ?? "10000",
    process.env.BENCH_RUBY_RUNS ?? "3",
  );
}
