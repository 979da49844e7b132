import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError, loadConfig } from "../../config";
import { formatResult, runSmoke, StackUnreachable, type CheckResult, type SmokeDeps } from "./checks";
import { sendDfLoggerGelf } from "./df-logger-gelf";
import { request } from "./http";
import {
  fileOutputs,
  InputError,
  parseCli,
  resolveSettings,
  terraformOutputs,
  USAGE,
  type SmokeSettings,
} from "./inputs";

/**
 * `npm run smoke`: a post-deploy end-to-end check of the deployed stack (docs/smoke.md).
 * Exit codes: 0 all checks passed, 1 a check failed, 2 bad input, 3 the stack is unreachable.
 */

export interface SmokeIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleIO: SmokeIO = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

export function defaultDeps(): SmokeDeps {
  return {
    http: request,
    sendGelf: sendDfLoggerGelf,
    now: () => new Date(),
    randomBytes: (size) => randomBytes(size),
    sleep: (ms) => sleep(ms),
    hostname: hostname(),
  };
}

export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  io: SmokeIO = consoleIO,
  deps: SmokeDeps = defaultDeps(),
): Promise<number> {
  let settings: SmokeSettings;
  try {
    const cli = parseCli(argv);
    if (cli.help) {
      io.out(USAGE);
      return 0;
    }
    const config = loadConfig(env);
    const outputs =
      cli.outputsFile !== undefined ? fileOutputs(cli.outputsFile) : await terraformOutputs(cli.stackDir);
    settings = resolveSettings(cli, env, config, outputs);
  } catch (e) {
    if (e instanceof InputError) {
      e.problems.forEach((p) => io.err(p));
      return 2;
    }
    if (e instanceof ConfigError) {
      e.problems.forEach((p) => io.err(`smoke: ${p}`));
      return 2;
    }
    throw e;
  }

  settings.notes.forEach((note) => io.out(`note: ${note}`));
  const results: CheckResult[] = [];
  try {
    await runSmoke(
      settings,
      (r) => {
        results.push(r);
        io.out(formatResult(r));
      },
      deps,
    );
  } catch (e) {
    if (e instanceof StackUnreachable) {
      io.err(e.sentence);
      return 3;
    }
    throw e;
  }
  const failed = results.filter((r) => !r.ok).length;
  io.out(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
