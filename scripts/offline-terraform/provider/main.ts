/**
 * Entry point of the schema-only provider: `provider.cjs --schema FILE... [--exit-with-stdin]`.
 * Terraform runs it with one schema from the filesystem mirror (providers.ts). The harness
 * starts one process for all schemas (one handshake line each, in order: a fifth of the
 * start-up time), with --exit-with-stdin so that it never outlives the process that
 * started it.
 */
import { serve } from "./server";

export async function main(args: readonly string[] = process.argv.slice(2)): Promise<number | undefined> {
  const schemas = args.flatMap((a, i) => (a === "--schema" && args[i + 1] ? [args[i + 1]] : []));
  if (schemas.length === 0) {
    process.stderr.write("usage: provider --schema FILE... [--exit-with-stdin]\n");
    return 1;
  }
  // Terraform forwards Ctrl-C to its plugins and then asks each to shut down.
  process.on("SIGINT", () => undefined);
  if (args.includes("--exit-with-stdin")) {
    process.stdin.on("end", () => process.exit(0));
    process.stdin.on("error", () => process.exit(0));
    process.stdin.resume();
  }
  try {
    for (const schemaFile of schemas) process.stdout.write(`${(await serve({ schemaFile })).handshake}\n`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  return undefined; // keep serving
}
