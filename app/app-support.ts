import { relative, resolve, sep } from "node:path";
import { ConfigError } from "../config";

export const STACK_NAME = "analytics";

/**
 * State file in the project folder, named relative to the stack's synth directory:
 * terraform runs in <outdir>/stacks/<name>, and a relative path keeps the JSON
 * identical on every machine.
 */
export function localStatePath(outdir: string, stackName: string): string {
  const stackDir = resolve(outdir, "stacks", stackName);
  return [relative(stackDir, process.cwd()), `terraform.${stackName}.tfstate`].join(sep).split(sep).join("/");
}

/**
 * Runs the app; a configuration mistake prints its one-line problems and exits 1 before
 * anything is written. Anything else is a bug and keeps its stack trace.
 */
export function runOrExplain(run: () => void): void {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const problem of e.problems) console.error(`error: ${problem}`);
      process.exit(1);
    }
    throw e;
  }
}
