/**
 * Real Terraform over one synthesized stack, offline, with the schema-only providers:
 * init, validate, plan + apply, a second plan that must be empty, and a plan that
 * replaces every docker_container, which must destroy before it creates.
 *
 * Four Terraform commands per stack (init, apply, plan, plan -replace), because each one
 * costs ~0.5 s of CPU (graph building and evaluating the JSON's strings as templates):
 * - no separate `validate`: apply and plan run the same validation first. All call
 *   `terraform.Context.Validate(config, nil)` on the same loaded configuration, validate in
 *   internal/command/validate.go, plan and apply in localRun
 *   (internal/backend/local/backend_local.go, enabled by `cliOpts.Validation = true` in
 *   internal/command/meta_backend.go), hashicorp/terraform v1.11.4; apply stops on its errors
 *   and reports its warnings;
 * - the second plan and the replace plan skip the refresh: the schema-only provider's
 *   ReadResource returns the state it is given byte for byte (server.ts), so a refresh
 *   changes nothing; data sources are read in every plan, refresh or not
 *   (NodePlannableResourceInstance.dataResourceExecute, internal/terraform/
 *   node_resource_plan_instance.go, v1.11.4).
 *
 * The state lives in a temp folder (the stack's backend block is removed), and every
 * variable without a default gets a dummy value. Diagnostics are Terraform's own, one
 * line each, prefixed by the name of the stack they came from.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface TerraformEnv {
  /** TF_CLI_CONFIG_FILE: the filesystem mirror's CLI config (providers.ts). */
  readonly cliConfig: string;
  /** TF_REATTACH_PROVIDERS, when the providers already run; else Terraform starts them. */
  readonly reattach?: string;
}

export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  readonly detail: string;
  /** Where: a resource address, or the config line Terraform points at. */
  readonly where: string;
}

export interface CheckReport {
  readonly name: string;
  /** The first step that failed, if any (later steps did not run). */
  readonly failedStep?: string;
  /** Every error and warning of init, validate, plan and apply. */
  readonly diagnostics: readonly Diagnostic[];
  readonly applied: boolean;
  /** What the second plan would change: `address: action (attributes)`; empty is good. */
  readonly secondPlanChanges: readonly string[] | undefined;
  /** Planned actions of each docker_container under `-replace`, e.g. ["delete","create"]. */
  readonly replaceActions: Readonly<Record<string, readonly string[]>> | undefined;
  /** Terraform's own output of a step that failed without diagnostics. */
  readonly output: string;
  /** Wall time of each Terraform command, in ms (for `npm run bench`). */
  readonly timings: Readonly<Record<string, number>>;
}

export interface TerraformRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * One Terraform command, asynchronous so that the other commands of the same process keep
 * their pipes read. The output is decoded once it is whole: a chunk boundary can fall inside
 * a multi-byte character.
 */
export function terraform(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<TerraformRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
  });
}

interface JsonDiagnostic {
  severity: string;
  summary: string;
  detail?: string;
  address?: string;
  range?: { filename: string; start: { line: number } };
  snippet?: { context?: string | null };
}

function diagnostic(d: JsonDiagnostic): Diagnostic {
  const where =
    d.address ??
    d.snippet?.context ??
    (d.range ? `${path.basename(d.range.filename)}:${d.range.start.line}` : "");
  return {
    severity: d.severity === "error" ? "error" : "warning",
    summary: d.summary,
    detail: (d.detail ?? "").replace(/\s+/g, " ").trim(),
    where,
  };
}

/**
 * Warnings about the offline set-up itself, not about the stack: init computes the lock
 * file's checksums from the local mirror, for this platform only.
 */
const NOT_FROM_THE_PRODUCT = new Set(["Incomplete lock file information for providers"]);

/** Diagnostics of a `-json` command: one JSON object (validate) or a stream of lines. */
function diagnosticsOf(stdout: string): Diagnostic[] {
  type Message = { type?: string; diagnostic?: JsonDiagnostic; diagnostics?: JsonDiagnostic[] };
  let messages: Message[];
  try {
    messages = [JSON.parse(stdout) as Message]; // validate: one (indented) object
  } catch {
    messages = stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Message);
  }
  return messages
    .flatMap((m) => [
      ...(m.type === "diagnostic" && m.diagnostic ? [m.diagnostic] : []),
      ...(m.diagnostics ?? []),
    ])
    .filter((d) => !(d.severity === "warning" && NOT_FROM_THE_PRODUCT.has(d.summary)))
    .map(diagnostic);
}

/** `docker: error: Unsupported argument: An argument named "x" is not expected here. (docker_container.y)` */
export function formatDiagnostic(stack: string, d: Diagnostic): string {
  return `${stack}: ${d.severity}: ${d.summary}${d.detail ? `: ${d.detail}` : ""}${d.where ? ` (${d.where})` : ""}`;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Attribute paths where two JSON values differ (for the second plan's report). */
function differences(a: Json, b: Json, p = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const objects =
    a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b);
  if (!objects) return [p || "(value)"];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => differences(a[k] ?? null, b[k] ?? null, p ? `${p}.${k}` : k));
}

interface PlanJson {
  resource_changes?: {
    address: string;
    type: string;
    change: { actions: string[]; before: Json; after: Json; after_unknown?: Json };
  }[];
  output_changes?: Record<string, { actions: string[] }>;
}

/** A string that passes the checks our variables declare: PEM for certificates, https for URLs. */
function dummyString(name: string): string {
  if (/(certificate|_ca|_pem)$/.test(name))
    return `-----BEGIN CERTIFICATE-----\noffline-${name}\n-----END CERTIFICATE-----\n`;
  if (/_url$/.test(name)) return `https://${name.replace(/_/g, "-")}.offline.invalid`;
  return `offline-${name}`;
}

/**
 * Replace order from the human plan, which saves a `terraform show -json` per stack: the
 * `-json` stream calls both orders "replace", while the human plan marks each resource
 * `-/+` (destroy, then create) or `+/-` (create, then destroy): DiffActionSymbol in
 * hashicorp/terraform internal/command/format/format.go, v1.11.4.
 */
export function replaceActionsOf(humanPlan: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of humanPlan.matchAll(/^(-\/\+|\+\/-) resource "docker_container" "([^"]+)"/gm)) {
    out[`docker_container.${m[2]}`] = m[1] === "-/+" ? ["delete", "create"] : ["create", "delete"];
  }
  return out;
}

/** Dummy values for variables without a default, by declared type. */
function dummyVariables(tf: Record<string, unknown>): Record<string, string> {
  const vars = (tf["variable"] ?? {}) as Record<string, { default?: unknown; type?: string }>;
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(vars)) {
    if (v.default !== undefined) continue;
    const type = v.type ?? "string";
    out[`TF_VAR_${name}`] =
      type === "number" ? "1" : type === "bool" ? "false" : type === "string" ? dummyString(name) : "null";
  }
  return out;
}

export interface CheckOptions {
  readonly name: string;
  readonly env: TerraformEnv;
  /** Keep the work folder (for `npm run plan:offline --keep`). */
  readonly keep?: boolean;
  /**
   * Only validate, and plan when validate passes (one `plan`): for stacks expected to be
   * broken. No init for reattached providers: Terraform installs nothing for them (it reads
   * TF_REATTACH_PROVIDERS in every command).
   */
  readonly planOnly?: boolean;
  /** Receives Terraform's human-readable plan (one more plan, for people). */
  readonly showPlan?: (text: string) => void;
}

/** Runs the whole check on a parsed `cdk.tf.json`. */
export async function checkStack(tf: Record<string, unknown>, options: CheckOptions): Promise<CheckReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tf-offline-${options.name}-`));
  try {
    return await run(tf, dir, options);
  } finally {
    if (options.keep) process.stderr.write(`terraform work folder kept: ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run(tf: Record<string, unknown>, dir: string, options: CheckOptions): Promise<CheckReport> {
  const config = structuredClone(tf);
  const block = config["terraform"] as Record<string, unknown> | undefined;
  if (block) delete block["backend"]; // local state in the temp folder
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config, null, 1));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...dummyVariables(config),
    TF_CLI_CONFIG_FILE: options.env.cliConfig,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    TF_LOG: "",
    // Go's collector takes a fifth of Terraform's CPU in these short runs; at 400 it runs a
    // quarter as often for ~40 MB more per process (measured here: -20 % CPU; off costs more
    // in page faults than it saves).
    GOGC: process.env["GOGC"] ?? "400",
  };
  if (options.env.reattach) env["TF_REATTACH_PROVIDERS"] = options.env.reattach;
  else delete env["TF_REATTACH_PROVIDERS"];
  const timings: Record<string, number> = {};
  const tfc = async (...args: string[]) => {
    const started = Date.now();
    const r = await terraform(args, dir, env);
    const step = args[0] === "plan" && args.some((a) => a.startsWith("-replace")) ? "plan -replace" : args[0];
    timings[step] = (timings[step] ?? 0) + Date.now() - started;
    return r;
  };

  const diagnostics: Diagnostic[] = [];
  const report = (extra: Partial<CheckReport>): CheckReport => ({
    name: options.name,
    // validate, plan and apply repeat the same warnings
    diagnostics: [...new Map(diagnostics.map((d) => [formatDiagnostic("", d), d])).values()],
    applied: false,
    secondPlanChanges: undefined,
    replaceActions: undefined,
    output: "",
    timings,
    ...extra,
  });
  const failed = (step: string, r: TerraformRun) =>
    report({ failedStep: step, output: diagnostics.length ? "" : `${r.stdout}${r.stderr}`.trim() });

  if (!(options.planOnly && options.env.reattach)) {
    const init = await tfc("init", "-input=false", "-json", "-no-color");
    diagnostics.push(...diagnosticsOf(init.stdout));
    if (init.code !== 0) return failed("init", init);
  }

  if (options.planOnly) {
    // plan validates first and stops there on an error (opPlan after localRun,
    // internal/backend/local/backend_plan.go, v1.11.4): validate, then plan if valid.
    const plan = await tfc("plan", "-input=false", "-lock=false", "-json", "-no-color");
    diagnostics.push(...diagnosticsOf(plan.stdout));
    return plan.code !== 0 ? failed("plan", plan) : report({});
  }

  if (options.showPlan) {
    const plan = await tfc("plan", "-input=false", "-lock=false", "-no-color");
    options.showPlan(`${plan.stdout}${plan.stderr}`);
  }

  // The plan that apply makes and applies is the plan `cdktf diff` shows; apply validates
  // first (see the top of this file).
  const apply = await tfc("apply", "-input=false", "-auto-approve", "-json", "-no-color");
  diagnostics.push(...diagnosticsOf(apply.stdout));
  if (apply.code !== 0) return failed("apply", apply);

  const second = await tfc(
    "plan",
    "-input=false",
    "-lock=false",
    "-refresh=false",
    "-json",
    "-no-color",
    "-detailed-exitcode",
    "-out=second.tfplan",
  );
  diagnostics.push(...diagnosticsOf(second.stdout));
  if (second.code === 1) return failed("second plan", second);
  let secondPlanChanges: string[] = [];
  if (second.code === 2) {
    const shown = JSON.parse((await tfc("show", "-json", "second.tfplan")).stdout) as PlanJson;
    secondPlanChanges = [
      ...(shown.resource_changes ?? [])
        .filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read"))
        .map((c) => {
          const attrs = differences(c.change.before, c.change.after);
          return `${c.address}: ${c.change.actions.join("+")} (${attrs.join(", ")})`;
        }),
      ...Object.entries(shown.output_changes ?? {})
        .filter(([, o]) => !o.actions.every((a) => a === "no-op"))
        .map(([k, o]) => `output.${k}: ${o.actions.join("+")}`),
    ];
  }

  const resources = (config["resource"] ?? {}) as Record<string, Record<string, unknown>>;
  const containers = Object.keys(resources["docker_container"] ?? {}).map((n) => `docker_container.${n}`);
  let replaceActions: Record<string, string[]> | undefined;
  if (containers.length > 0) {
    // One plan for all of them: each instance's action comes from its own address in the
    // -replace list and its create_before_destroy, which the plan graph fixes beforehand
    // (getAction in internal/terraform/node_resource_abstract_instance.go, ForcedCBDTransformer
    // in internal/terraform/graph_builder_plan.go, hashicorp/terraform v1.11.4).
    const replace = await tfc(
      "plan",
      "-input=false",
      "-lock=false",
      "-no-color",
      "-refresh=false",
      ...containers.map((c) => `-replace=${c}`),
    );
    if (replace.code !== 0)
      return report({
        applied: true,
        secondPlanChanges,
        failedStep: "replace plan",
        output: `${replace.stdout}${replace.stderr}`.trim(),
      });
    replaceActions = replaceActionsOf(replace.stdout);
  }
  return report({ applied: true, secondPlanChanges, replaceActions });
}
