/**
 * Entry point for __tests__/terraform/providers-lifecycle.test.ts, run in its own process by
 * scripts/run-ts.mjs as a CLI (plan-offline.ts) is: start the providers, stop them, and
 * return 0 if their process is gone, 3 if it is still running.
 */
import { startProviders } from "../../scripts/offline-terraform/providers";
import { providerPid } from "../../scripts/bench/proc-cpu";

export async function main(): Promise<number> {
  const running = await startProviders();
  await running.stop();
  try {
    process.kill(providerPid(running.reattach), 0);
    return 3;
  } catch {
    return 0;
  }
}
