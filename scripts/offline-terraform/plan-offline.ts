/**
 * `npm run plan:offline [-- --keep]`: what `cdktf diff` will say about your configuration
 * before you have registry access. Synthesizes the stack from STACK_CONFIG (like `npm run
 * synth`), then runs real Terraform over it with the schema-only providers: init, plan
 * (printed; it validates first), apply into a throw-away state, a second plan that must be
 * empty, and a replace of every docker_container that must destroy before it creates.
 *
 * Exits 1 on any error or warning, printing Terraform's own lines. What this cannot see
 * (provider-side validation, defaults, ForceNew, normalization) is listed in README.md,
 * "Offline Terraform check".
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { ConfigError, loadConfig } from "../../config";
import { AnalyticsStack } from "../../app/analytics-stack";
import { STACK_NAME, localStatePath } from "../../app/app-support";
import { checkStack, formatDiagnostic, type CheckReport } from "./check";
import { startOfflineTerraform } from "./providers";
import { terraformProblem } from "./terraform-version";

function synthesize(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-offline-synth-"));
  try {
    const app = new App({ outdir });
    const config = loadConfig(env);
    new AnalyticsStack(app, STACK_NAME, { config, localStatePath: localStatePath(outdir, STACK_NAME) });
    app.synth();
    const file = path.join(outdir, "stacks", STACK_NAME, "cdk.tf.json");
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The verdict lines of a report; empty when everything passed. */
export function problems(r: CheckReport): string[] {
  const out = r.diagnostics.map((d) => formatDiagnostic(r.name, d));
  if (r.failedStep)
    out.push(`${r.name}: error: terraform ${r.failedStep} failed${r.output ? `:\n${r.output}` : ""}`);
  for (const change of r.secondPlanChanges ?? [])
    out.push(`${r.name}: error: the second plan is not empty: ${change}`);
  for (const [address, actions] of Object.entries(r.replaceActions ?? {})) {
    if (actions.join() !== "delete,create")
      out.push(
        `${r.name}: error: ${address} is replaced by ${actions.join(" then ")}, not destroyed first (create_before_destroy forced onto it by a dependent)`,
      );
  }
  return out;
}

export async function main(args: readonly string[] = process.argv.slice(2)): Promise<number> {
  const missing = terraformProblem();
  if (missing) {
    console.error(missing);
    return 1;
  }
  let tf: Record<string, unknown>;
  try {
    tf = synthesize(process.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const problem of e.problems) console.error(`error: ${problem}`);
    return 1;
  }
  const name = process.env["STACK_CONFIG"] ? path.basename(process.env["STACK_CONFIG"]) : "defaults";
  const terraform = await startOfflineTerraform();
  try {
    const report = await checkStack(tf, {
      name,
      env: terraform.env,
      keep: args.includes("--keep"),
      showPlan: (text) => console.log(text.trim()),
    });
    const found = problems(report);
    for (const line of found) console.error(line);
    const replaced = Object.keys(report.replaceActions ?? {}).length;
    console.log(
      found.length === 0
        ? `plan:offline: ${name}: valid, applies, second plan empty${replaced ? `, ${replaced} container(s) destroyed before re-created` : ""}`
        : `plan:offline: ${name}: ${found.length} problem(s)`,
    );
    return found.length === 0 ? 0 : 1;
  } finally {
    await terraform.stop();
  }
}
