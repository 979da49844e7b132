/**
 * Entry point of the schema-only provider: `main.cjs --schema FILE [--exit-with-stdin]`.
 * Terraform runs it from the filesystem mirror (mirror.ts); the harness starts it itself
 * with --exit-with-stdin, so that it never outlives the process that started it.
 */
import { serve } from "./server";

export async function main(args: readonly string[] = process.argv.slice(2)): Promise<number | undefined> {
  const schemaAt = args.indexOf("--schema");
  if (schemaAt < 0 || !args[schemaAt + 1]) {
    process.stderr.write("usage: provider --schema FILE [--exit-with-stdin]\n");
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
    await serve({ schemaFile: args[schemaAt + 1] });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  return undefined; // keep serving
}
