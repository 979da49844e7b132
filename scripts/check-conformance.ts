/**
 * Checks every synthesized stack for what Terraform cannot see with schema-only providers
 * (scripts/conformance.ts; `npm run plan:offline` runs Terraform itself):
 *
 *   check-conformance [PATH...]
 *
 * PATH is a `cdk.tf.json` or a cdktf output directory; without one it reads
 * `$CDKTF_OUTDIR` (default `cdktf.out`). Prints one line per problem and exits 1 if
 * there is any error or nothing to check.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { checkConformance, formatProblem, loadVendoredSchemas } from "./conformance";
import type { ProviderSchemaSet } from "./provider-schema";

/** `cdk.tf.json` files of an output directory, or the file itself. */
export function stackFiles(target: string): string[] {
  if (fs.existsSync(target) && fs.statSync(target).isFile()) return [target];
  const stacks = path.join(target, "stacks");
  if (!fs.existsSync(stacks)) return [];
  return fs
    .readdirSync(stacks)
    .sort()
    .map((s) => path.join(stacks, s, "cdk.tf.json"))
    .filter((f) => fs.existsSync(f));
}

export interface MainOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly schemas?: ProviderSchemaSet;
  readonly out?: (line: string) => void;
}

/** Returns the exit code. */
export function main(args: readonly string[] = process.argv.slice(2), options: MainOptions = {}): number {
  const env = options.env ?? process.env;
  const out = options.out ?? ((line: string) => console.log(line));
  const targets = args.length > 0 ? args : [env["CDKTF_OUTDIR"] || "cdktf.out"];
  const files = targets.flatMap(stackFiles);
  if (files.length === 0) {
    out(`error: no cdk.tf.json found in ${targets.join(", ")}; run the synth first`);
    return 1;
  }
  const schemas = options.schemas ?? loadVendoredSchemas();
  let errors = 0;
  let warnings = 0;
  for (const file of files) {
    // Stack name for the usual layout, the file name otherwise.
    const stack = path.basename(file) === "cdk.tf.json" ? path.basename(path.dirname(file)) : file;
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      out(`${stack}: error: cannot read ${file}: ${(e as Error).message}`);
      errors++;
      continue;
    }
    for (const problem of checkConformance(doc, schemas)) {
      out(`${stack}: ${formatProblem(problem)}`);
      if (problem.severity === "error") errors++;
      else warnings++;
    }
  }
  out(`conformance: ${files.length} stack(s), ${errors} error(s), ${warnings} warning(s)`);
  return errors > 0 ? 1 : 0;
}
