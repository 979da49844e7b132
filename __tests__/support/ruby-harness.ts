import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PipelineModel, Statement, Value } from "../../constructs/logstash/pipeline";

/**
 * Runs generated filter code in real Ruby through __tests__/logstash/harness.rb (read it
 * for what it models). Both interpreters are required: MRI, and JRuby, which is what
 * Logstash runs (8.19 bundles JRuby 9.4; Debian 12's `jruby` package is 9.3, installed by
 * scripts/setup-test-tools.sh).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type EventData = { [key: string]: Json };

export interface HarnessStep {
  readonly init?: string;
  readonly code?: string;
  readonly replace?: Readonly<Record<string, string>>;
  readonly when?: readonly (readonly [string, string])[];
}

export interface HarnessCase {
  readonly name: string;
  readonly program: string;
  readonly event: EventData;
  /** Seconds to wait before this case (filter state lives across a run's cases). */
  readonly sleep?: number;
}

export interface HarnessResult {
  readonly name: string;
  /** The case's event after the program (also when it was cancelled). */
  readonly event: EventData;
  readonly error: string | null;
  /** Whether a filter cancelled it (it would not reach the output). */
  readonly cancelled: boolean;
  /** Events the filters emitted while processing it, as they reach the output. */
  readonly emitted: readonly EventData[];
}

export const RUBIES = ["ruby", "jruby"] as const;
export type RubyName = (typeof RUBIES)[number];

// Next to this file in jest; from the project root when bundled (npm run bench).
const HARNESS =
  [
    join(__dirname, "..", "logstash", "harness.rb"),
    join(process.cwd(), "__tests__", "logstash", "harness.rb"),
  ].find((p) => existsSync(p)) ?? "__tests__/logstash/harness.rb";

/** As Logstash runs JRuby: elastic/logstash v8.19.20 config/jvm.options turns on invokedynamic. */
const JRUBY_FLAGS = ["-J-Djruby.compile.invokedynamic=true"];

export function requireRuby(ruby: RubyName): void {
  const probe = spawnSync(ruby, ["-v"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `These tests run the generated ruby-filter code in real Ruby, but \`${ruby}\` is not available ` +
        `(${probe.error?.message ?? probe.stderr}). Run \`bash scripts/setup-test-tools.sh\` ` +
        `(apt-get install ruby jruby).`,
    );
  }
}

function runRaw(ruby: RubyName, input: unknown): string {
  requireRuby(ruby);
  const run = spawnSync(ruby, [...(ruby === "jruby" ? JRUBY_FLAGS : []), HARNESS], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`${ruby} harness failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

/**
 * Which Event the harness builds: its Ruby stand-in (tests), or, for the bench under JRuby,
 * the Java stand-in compiled into a class directory (scripts/bench/java-event/).
 */
export interface HarnessOptions {
  readonly javaEvent?: string;
}

const eventOption = (options: HarnessOptions) =>
  options.javaEvent === undefined ? {} : { java_event: options.javaEvent };

export function runHarness(
  ruby: RubyName,
  programs: Readonly<Record<string, readonly HarnessStep[]>>,
  cases: readonly HarnessCase[],
  options: HarnessOptions = {},
): Map<string, HarnessResult> {
  const out = JSON.parse(runRaw(ruby, { programs, cases, ...eventOption(options) })) as HarnessResult[];
  return new Map(out.map((r) => [r.name, r]));
}

export interface BenchResult {
  /** CPU microseconds per event of the whole program: median of the timed rounds. */
  readonly microseconds: number;
  /** The same, round by round. */
  readonly rounds: readonly number[];
  /** CPU microseconds per event of each step, in order, from a separate timed round. */
  readonly steps: readonly number[];
  /** Bytes allocated per event by the whole program (JRuby only; null under MRI). */
  readonly bytes: number | null;
}

/**
 * Per-event CPU cost of each case's program, in total and per step, in batches of fresh
 * events after a warm-up of `iterations` events per case (harness.rb says how it times).
 */
export function benchHarness(
  ruby: RubyName,
  programs: Readonly<Record<string, readonly HarnessStep[]>>,
  cases: readonly HarnessCase[],
  iterations: number,
  rounds = 5,
  options: HarnessOptions = {},
): Map<string, BenchResult> {
  const input = { programs, cases, bench: { iterations, rounds }, ...eventOption(options) };
  const out = JSON.parse(runRaw(ruby, input)) as ({
    name: string;
  } & BenchResult)[];
  return new Map(
    out.map((r) => [
      r.name,
      { microseconds: r.microseconds, rounds: r.rounds, steps: r.steps, bytes: r.bytes ?? null },
    ]),
  );
}

const isText = (v: Value | undefined): v is string => typeof v === "string";

/**
 * The filter section of a pipeline as harness steps, in order. Only what the harness
 * models is accepted (ruby filters, mutate replace with literals, `==` guards on a
 * literal); anything else throws, so a new kind of filter cannot slip past these tests.
 */
export function filterSteps(model: PipelineModel): HarnessStep[] {
  const steps: HarnessStep[] = [];
  const walk = (statements: readonly Statement[], guards: readonly (readonly [string, string])[]) => {
    for (const s of statements) {
      if ("plugin" in s) {
        const when = guards.length > 0 ? { when: guards } : {};
        if (s.plugin === "ruby" && isText(s.settings.code)) {
          const init = s.settings.init;
          if (init !== undefined && !isText(init)) throw new Error("ruby init must be a string");
          const extra = Object.keys(s.settings).filter((k) => k !== "code" && k !== "init");
          if (extra.length > 0) throw new Error(`harness does not model ruby settings ${extra.join(", ")}`);
          steps.push({ ...(init === undefined ? {} : { init }), code: s.settings.code, ...when });
        } else if (s.plugin === "mutate" && Object.keys(s.settings).join() === "replace") {
          const value = s.settings.replace;
          if (
            typeof value !== "object" ||
            Array.isArray(value) ||
            !("kind" in value) ||
            value.kind !== "hash"
          )
            throw new Error("mutate replace must be a hash");
          const replace: Record<string, string> = {};
          for (const [k, v] of value.entries) {
            if (!isText(v) || v.includes("%{")) throw new Error(`harness models literal replace only: ${k}`);
            replace[k] = v;
          }
          steps.push({ replace, ...when });
        } else {
          throw new Error(`harness does not model filter ${s.plugin} ${JSON.stringify(s.settings)}`);
        }
      } else {
        const c = s.if;
        if (c.kind !== "compare" || c.op !== "==" || typeof c.value !== "string" || s.elseIfs || s.else)
          throw new Error(`harness does not model condition ${JSON.stringify(c)}`);
        const ref = `[${c.field.path.join("][")}]`;
        walk(s.then, [...guards, [ref, c.value]]);
      }
    }
  };
  walk(model.filter, []);
  return steps;
}
