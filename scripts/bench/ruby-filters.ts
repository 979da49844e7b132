import { cpus, loadavg } from "node:os";
import { buildApiLogPipeline } from "../../constructs/logstash/pipeline";
import { SESSION_TOKEN_HEADER } from "../../contract/fields";
import { isDeepStrictEqual } from "node:util";
import {
  benchHarness,
  filterSteps,
  runHarness,
  type BenchResult,
  type HarnessCase,
  type HarnessStep,
} from "../../__tests__/support/ruby-harness";
import { apiCallEvent, loginEvent } from "../../__tests__/support/dreamfactory-events";
import { dfLoggerDatagrams, dfLoggerGelfJson, udpInputEvent } from "../../__tests__/support/df-logger-gelf";
import { HTTP_INPUT, PIPELINE_PARAMS, withLocalLibrary } from "../../__tests__/support/pipeline-params";
import { compileJavaEvent } from "./java-event/compile";

/**
 * Per-event cost of the generated Ruby filters under JRuby (what Logstash runs), against
 * the integration guide's own JWT filter, on the same realistic DreamFactory events, in one
 * JRuby process, repeated in several processes (`node scripts/run-ts.mjs
 * scripts/bench/ruby-filters.ts [iterations] [runs]`). Each figure is CPU time of the
 * timing thread (harness.rb), so the load other processes put on a shared machine moves it
 * far less than wall time would; it prints the median of the runs, each run's ratio, each
 * filter's share and the load average. It does so twice: on the tests' Ruby stand-in Event
 * (harness.rb), whose copies are Ruby loops, and on a Java stand-in
 * (java-event/StandInEvent.java) that converts on get and set in Java as Logstash 8.19's
 * Event does, after checking that the filters' outputs are the same on both. Neither is
 * Logstash itself (each file says what it models): compare the ratios.
 */

// The guide's filter (DESIGN.md §1.2, step 4): read the header, restore padding, decode,
// parse, set user.id; every error swallowed.
const GUIDE_JWT: HarnessStep = {
  init: "require 'base64'\nrequire 'json'",
  code: `begin
  token = event.get('[event][request][headers][${SESSION_TOKEN_HEADER}]')
  if token
    payload = token.split('.')[1]
    payload += '=' * (4 - payload.length % 4) if payload.length % 4 != 0
    claims = JSON.parse(Base64.urlsafe_decode64(payload))
    event.set('[user][id]', claims['user_id'].to_s) if claims['user_id']
  end
rescue StandardError
end`,
};

/** What a step is, for the per-filter lines: the compiled class it calls, or the mutate. */
function stepLabel(step: HarnessStep): string {
  if (step.replace) return "mutate replace";
  return /ElkGrafanaCdktf::(?:Compiled::)?(\w+)/.exec(step.init ?? "")?.[1] ?? "ruby (guide)";
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

type StandIn = "Ruby" | "Java";

/**
 * The filters' outputs on the Java stand-in must equal those on the Ruby stand-in for the
 * events the bench times (key order aside: Logstash's maps are identity maps); else abort.
 */
function verifyJavaEvent(
  programs: Readonly<Record<string, readonly HarnessStep[]>>,
  cases: readonly HarnessCase[],
  classes: string,
): void {
  const onRuby = runHarness("jruby", programs, cases);
  const onJava = runHarness("jruby", programs, cases, { javaEvent: classes });
  for (const c of cases) {
    const r = onRuby.get(c.name);
    const j = onJava.get(c.name);
    if (!r || !j || r.error !== j.error || !isDeepStrictEqual(r.event, j.event))
      throw new Error(
        `Java stand-in Event disagrees with the Ruby stand-in on ${c.name}:\n` +
          `Ruby: ${JSON.stringify(r)}\nJava: ${JSON.stringify(j)}`,
      );
  }
}

export function main(): number {
  const iterations = Number(process.argv[2] ?? "10000");
  // Separate JRuby processes: the machine is shared, one process's figures can be skewed.
  const runs = Number(process.argv[3] ?? "3");
  // Every Ruby filter the pipeline can generate: the http input and response time on too.
  const ours = filterSteps(
    buildApiLogPipeline(
      withLocalLibrary({
        ...PIPELINE_PARAMS,
        http: HTTP_INPUT,
        responseTime: { enabled: true, sourceField: "[event][response][duration_ms]" },
      }),
    ),
  );
  const programs = { guide: [GUIDE_JWT], ours };
  const events = { "API call": apiCallEvent(), login: loginEvent() };
  const cases = Object.entries(events).flatMap(([name, event]) => [
    { name: `guide:${name}`, program: "guide", event },
    { name: `ours:${name}`, program: "ours", event },
  ]);
  const java = compileJavaEvent();
  const standIns: StandIn[] = ["Ruby"];
  if ("classes" in java) {
    verifyJavaEvent(programs, cases, java.classes);
    standIns.push("Java");
  } else {
    console.log(`Java stand-in Event skipped: ${java.missing}; timing the Ruby stand-in only`);
  }
  // Runs alternate between the stand-ins, so a busy spell on the machine hits both alike.
  const results: Record<StandIn, Map<string, BenchResult>[]> = { Ruby: [], Java: [] };
  for (let i = 0; i < runs; i++)
    for (const standIn of standIns)
      results[standIn].push(
        benchHarness(
          "jruby",
          programs,
          cases,
          iterations,
          5,
          standIn === "Java" && "classes" in java ? { javaEvent: java.classes } : {},
        ),
      );
  const [load1, load5] = loadavg();
  console.log(
    `generated Ruby filters vs the guide's JWT filter, JRuby, CPU time per event over ${iterations} events each ` +
      `after as many for warm-up, median of 5 rounds; median of ${runs} JRuby runs per stand-in Event; load average ` +
      `${load1.toFixed(2)} (1 min), ${load5.toFixed(2)} (5 min) on ${cpus().length} cores`,
  );
  const verdicts: string[] = [];
  for (const standIn of standIns) {
    const runsOf = results[standIn];
    const total = (name: string) => median(runsOf.map((r) => r.get(name)?.microseconds ?? NaN));
    const step = (name: string, i: number) => median(runsOf.map((r) => r.get(name)?.steps[i] ?? NaN));
    // Ratio within each JRuby process (both sides ran under the same conditions), then the median.
    const ratios = (name: string) =>
      runsOf.map(
        (r) => (r.get(`ours:${name}`)?.microseconds ?? NaN) / (r.get(`guide:${name}`)?.microseconds ?? NaN),
      );
    console.log(
      standIn === "Ruby"
        ? "Ruby stand-in Event (__tests__/logstash/harness.rb, copies in Ruby loops):"
        : "Java stand-in Event (scripts/bench/java-event/StandInEvent.java, converts in Java as Logstash 8.19 does):",
    );
    let budgetRatio = NaN;
    for (const name of Object.keys(events)) {
      const guide = total(`guide:${name}`);
      const mine = total(`ours:${name}`);
      const perRun = ratios(name);
      const ratio = median(perRun);
      if (name === "API call") budgetRatio = ratio;
      console.log(
        `  ${name.padEnd(10)} guide ${guide.toFixed(1).padStart(7)} µs  ours (${ours.length} filters) ${mine.toFixed(1).padStart(7)} µs  ` +
          `ratio ${ratio.toFixed(2)}x (runs: ${perRun.map((r) => r.toFixed(2)).join(", ")})  (~${Math.round(1e6 / mine)} events/s per worker)`,
      );
      // Per filter, timed one by one in a separate round (conditionals included in their filter).
      const parts = ours.map((s, i) => `${stepLabel(s)} ${step(`ours:${name}`, i).toFixed(1)}`);
      console.log(`  ${"".padEnd(10)} per filter (µs): ${parts.join(", ")}`);
      // Allocation does not move with the machine's load, unlike the CPU figures above.
      const bytes = (n: string) => median(runsOf.map((r) => r.get(n)?.bytes ?? NaN));
      const [gb, ob] = [bytes(`guide:${name}`), bytes(`ours:${name}`)];
      if (Number.isFinite(gb) && Number.isFinite(ob))
        console.log(
          `  ${"".padEnd(10)} allocated per event: guide ${(gb / 1024).toFixed(1)} KB, ours ${(ob / 1024).toFixed(1)} KB (${(ob / gb).toFixed(2)}x)`,
        );
    }
    verdicts.push(
      `${standIn} stand-in ${budgetRatio.toFixed(2)}x -> ${budgetRatio <= 3 ? "within" : "OVER"}`,
    );
  }
  // On the login the guide's filter raises on the one-element header list and sets no user.id,
  // so only the API call compares like with like.
  console.log(
    `ratio on the API call (budget: <= 3x): ${verdicts.join("; ")}; ` +
      "the login lines are informative only (the guide's filter fails on its header list)",
  );
  benchGelfDecoder(ours, iterations, runs, standIns, "classes" in java ? java.classes : undefined);
  return 0;
}

// Logstash's gelf input did this much of the decoder's work too (with JrJackson for the parse),
// on the bytes it read from the socket: here they are taken from the event once, in the warm-up.
const INFLATE_AND_PARSE: HarnessStep = {
  init: "require 'json'\nrequire 'zlib'",
  code: `@bytes ||= event.get('message').encode(::Encoding::ISO_8859_1).force_encoding(::Encoding::BINARY)
::JSON.parse(::Zlib::Inflate.inflate(@bytes).force_encoding(::Encoding::UTF_8))`,
};

/**
 * The GELF decoder (the pipeline's first filter), which takes over the gelf input's work:
 * per unchunked datagram of the API call as df-logger sends it, on both stand-in Events
 * (outputs checked equal first). Not part of the ratio above, which compares the filters
 * the guide's pipeline also runs after its input. End to end, in the same JRuby processes:
 * decoder + our filters against inflate + JSON.parse (the least the gelf input did for the
 * guide's pipeline; it also built the event) + the guide's filter.
 */
function benchGelfDecoder(
  ours: readonly HarnessStep[],
  iterations: number,
  runs: number,
  standIns: readonly StandIn[],
  javaClasses: string | undefined,
): void {
  const e = apiCallEvent() as { event: unknown; platform: unknown; message: string };
  const [gram] = dfLoggerDatagrams(
    dfLoggerGelfJson(6, e.message, { _event: e.event, _platform: e.platform }),
  );
  const datagram = udpInputEvent(gram);
  const programs = { decoder: [ours[0]], parse: [INFLATE_AND_PARSE], ours, guide: [GUIDE_JWT] };
  const cases = [
    { name: "decoder", program: "decoder", event: datagram },
    { name: "parse", program: "parse", event: datagram },
    { name: "ours", program: "ours", event: apiCallEvent() },
    { name: "guide", program: "guide", event: apiCallEvent() },
  ];
  if (javaClasses !== undefined)
    verifyJavaEvent({ decoder: programs.decoder }, cases.slice(0, 1), javaClasses);
  console.log(
    `GELF decoder (replaces the gelf input), per ${gram.length}-byte zlib datagram of the API call (median of ${runs} JRuby runs):`,
  );
  for (const standIn of standIns) {
    const options = standIn === "Java" && javaClasses !== undefined ? { javaEvent: javaClasses } : {};
    const out = Array.from({ length: runs }, () =>
      benchHarness("jruby", programs, cases, iterations, 5, options),
    );
    const us = (n: string) => median(out.map((r) => r.get(n)?.microseconds ?? NaN));
    const kb = (n: string) => median(out.map((r) => r.get(n)?.bytes ?? NaN)) / 1024;
    const endToEnd = median(
      out.map((r) => {
        const t = (n: string) => r.get(n)?.microseconds ?? NaN;
        return (t("decoder") + t("ours")) / (t("parse") + t("guide"));
      }),
    );
    console.log(
      `  ${standIn} stand-in: ${us("decoder").toFixed(1)} µs, ${kb("decoder").toFixed(1)} KB allocated ` +
        `(~${Math.round(1e6 / us("decoder"))} datagrams/s per worker), of which inflate + JSON.parse as the gelf input does them ${us("parse").toFixed(1)} µs; ` +
        `end to end, decoder + our filters ${(us("decoder") + us("ours")).toFixed(1)} µs against that + the guide's filter ${(us("parse") + us("guide")).toFixed(1)} µs: ` +
        `${endToEnd.toFixed(2)}x (informative: the budget is on the filters' ratio above)`,
    );
  }
}
