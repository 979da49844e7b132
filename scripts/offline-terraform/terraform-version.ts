/**
 * Terraform is a prerequisite (cdktf deploy runs it, and the tests run it offline): without
 * it, `npm test` and `npm run plan:offline` stop with one line instead of skipping. 1.5 is
 * the oldest Terraform whose JSON syntax, `-replace` and `show -json` these checks rely on.
 *
 * As a script (`npm test` runs it first): exit 1 with that line, else 0.
 */
import { spawnSync } from "node:child_process";

export const MINIMUM = [1, 5] as const;

/** The one line to print when Terraform is missing or too old; null when it is fine. */
export function terraformProblem(env: NodeJS.ProcessEnv = process.env): string | null {
  const run = spawnSync("terraform", ["version", "-json"], { encoding: "utf8", env });
  let version: string | undefined;
  try {
    version =
      run.status === 0
        ? (JSON.parse(run.stdout) as { terraform_version?: string }).terraform_version
        : undefined;
  } catch {
    version = undefined;
  }
  const [major, minor] = (version ?? "0.0").split(".").map(Number);
  if (major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1])) return null;
  const found = version ? `found ${version}` : "terraform is not on the PATH";
  return `error: Terraform ≥ ${MINIMUM.join(".")} is required (${found}); it is also what cdktf deploy runs`;
}

export function main(): number {
  const problem = terraformProblem();
  if (problem) console.error(problem);
  return problem ? 1 : 0;
}
