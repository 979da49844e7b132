#!/usr/bin/env node
// npm run bench: whole-process figures of the cdktf.json `app` command, measured the
// way a user runs it (fresh process each time, median of 5 after a warm-up).
//
// 1. the app command vs the cdktf template's `npx ts-node main.ts` on the same code;
// 2. the default stack vs a stack with 50 event indices (scale), see scripts/bench/scale.ts;
// 3. the generated Logstash Ruby filters vs the guide's JWT filter under JRuby (ruby), see
//    scripts/bench/ruby-filters.ts.
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

function measure(label, command, args, env = {}, beforeEach = () => {}) {
  const walls = [];
  const rss = [];
  for (let i = 0; i <= RUNS; i++) {
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
    if (run.status !== 0) {
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
console.log(
  `median of ${RUNS} runs after a warm-up; wall time (min–max) and peak RSS of the largest process\n`,
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
  console.log(`app command budget: <= 0.8 s and <= 150 MB -> ${within(app)}, first run ${within(cold)}\n`);
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

if (which === "all" || which === "ruby") {
  console.log("");
  const run = spawnSync(
    "node",
    [
      "scripts/run-ts.mjs",
      "scripts/bench/ruby-filters.ts",
      process.env.BENCH_RUBY_EVENTS ?? "20000",
      process.env.BENCH_RUBY_RUNS ?? "3",
    ],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  if (run.status !== 0) {
    console.error(`ruby filter benchmark failed:\n${run.stderr}`);
    process.exit(1);
  }
  process.stdout.write(run.stdout);
}
