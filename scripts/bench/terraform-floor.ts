import { availableParallelism, loadavg } from "node:os";
import { checkStack } from "../offline-terraform/check";
import { startOfflineTerraform } from "../offline-terraform/providers";
import { SHIPPED_CONFIGS, synthStack } from "../../__tests__/support/synth";
import { cpuSeconds, providerPid } from "./proc-cpu";

/**
 * The least the Terraform part of the tests can take: the whole check (init, apply, second
 * plan, replace plan) of each shipped config, one config at a time, with the CPU seconds of
 * its Terraform commands (the children this process reaped) and of the provider process.
 * The CPU of one config's check, divided by the cores, is a lower bound on its wall time
 * however many run at a time; the broken stacks, the mirror run and the schema dump of the
 * test come on top. `node scripts/run-ts.mjs scripts/bench/terraform-floor.ts`.
 */
export async function main(): Promise<number> {
  const stacks = Object.entries(SHIPPED_CONFIGS).map(([name, config]) => [name, synthStack(config)] as const);
  const terraform = await startOfflineTerraform();
  const pid = providerPid(terraform.env.reattach);
  const rows: { name: string; terraform: number; provider: number; failed?: string }[] = [];
  try {
    for (const [name, tf] of stacks) {
      const [reaped, provider] = [cpuSeconds("self", true), cpuSeconds(pid)];
      const report = await checkStack(tf, { name, env: terraform.env });
      rows.push({
        name,
        terraform: cpuSeconds("self", true) - reaped,
        provider: cpuSeconds(pid) - provider,
        failed: report.failedStep,
      });
    }
  } finally {
    await terraform.stop();
  }
  const cores = availableParallelism();
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const tfTotal = sum(rows.map((r) => r.terraform));
  const providerTotal = sum(rows.map((r) => r.provider));
  console.log(
    `shipped configs one at a time, CPU seconds of the whole check (load average ${loadavg()[0].toFixed(2)}):`,
  );
  for (const r of rows)
    console.log(
      `  ${r.name.padEnd(20)} Terraform ${r.terraform.toFixed(2)} s, provider ${r.provider.toFixed(2)} s` +
        (r.failed ? `  (failed at ${r.failed}: a product finding, see npm test)` : ""),
    );
  console.log(
    `  ${rows.length} configs: Terraform ${tfTotal.toFixed(1)} s + provider ${providerTotal.toFixed(1)} s of CPU, ` +
      `i.e. >= ${((tfTotal + providerTotal) / cores).toFixed(1)} s of wall time on ${cores} cores ` +
      `(Terraform's own commands alone: >= ${(tfTotal / cores).toFixed(1)} s)`,
  );
  return 0;
}
