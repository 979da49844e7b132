/**
 * `npm run schemas:compare [-- --out DIR]`: where the registry is reachable (the PR workflow),
 * installs the real providers at the vendored versions with `terraform init`, dumps
 * `terraform providers schema -json` and compares it with providers/*.schema.json. The
 * docker and elasticstack files were derived from documentation, so this is what checks
 * them against the real providers. Prints one line per difference and exits 1 if any; with
 * --out it also writes the real dump per provider (`<type>-<version>.schema.json`), ready
 * to be vendored.
 *
 * Compared: resource and data source types, attribute names, types, nesting, the required,
 * optional, computed, sensitive, deprecated and write-only flags, and block nesting with
 * min/max items. Not compared: descriptions, schema versions (the docs do not give them),
 * functions, ephemeral resources and resource identity (not vendored).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ProviderSchema, SchemaAttribute, SchemaBlock } from "../provider-schema";
import { terraform } from "./check";
import { readSchemaFile } from "./provider/server";
import { vendoredProviders, type VendoredProvider } from "./providers";
import { terraformProblem } from "./terraform-version";

const FLAGS = ["required", "optional", "computed", "sensitive", "deprecated", "write_only"] as const;

function flags(a: SchemaAttribute): string {
  return FLAGS.filter((f) => a[f]).join("+") || "(no flags)";
}

function attributeDiffs(where: string, vendored: SchemaAttribute, real: SchemaAttribute): string[] {
  const out: string[] = [];
  if (flags(vendored) !== flags(real)) out.push(`${where}: vendored ${flags(vendored)}, real ${flags(real)}`);
  if (JSON.stringify(vendored.type) !== JSON.stringify(real.type))
    out.push(`${where}: vendored type ${JSON.stringify(vendored.type)}, real ${JSON.stringify(real.type)}`);
  const vn = vendored.nested_type;
  const rn = real.nested_type;
  if (Boolean(vn) !== Boolean(rn) || (vn && rn && vn.nesting_mode !== rn.nesting_mode)) {
    out.push(`${where}: vendored nesting ${vn?.nesting_mode ?? "none"}, real ${rn?.nesting_mode ?? "none"}`);
  } else if (vn && rn) {
    out.push(...attributesDiffs(where, vn.attributes, rn.attributes));
  }
  return out;
}

function attributesDiffs(
  where: string,
  vendored: Readonly<Record<string, SchemaAttribute>>,
  real: Readonly<Record<string, SchemaAttribute>>,
): string[] {
  return [...new Set([...Object.keys(vendored), ...Object.keys(real)])].sort().flatMap((name) => {
    const at = `${where}.${name}`;
    if (!real[name]) return [`${at}: vendored, not in the real provider`];
    if (!vendored[name]) return [`${at}: in the real provider (${flags(real[name])}), not vendored`];
    return attributeDiffs(at, vendored[name], real[name]);
  });
}

function blockDiffs(where: string, vendored: SchemaBlock, real: SchemaBlock): string[] {
  const out = attributesDiffs(where, vendored.attributes ?? {}, real.attributes ?? {});
  if (Boolean(vendored.deprecated) !== Boolean(real.deprecated))
    out.push(
      `${where}: vendored deprecated=${Boolean(vendored.deprecated)}, real ${Boolean(real.deprecated)}`,
    );
  const vb = vendored.block_types ?? {};
  const rb = real.block_types ?? {};
  for (const name of [...new Set([...Object.keys(vb), ...Object.keys(rb)])].sort()) {
    const at = `${where}.${name}`;
    if (!rb[name]) out.push(`${at}: block vendored, not in the real provider`);
    else if (!vb[name]) out.push(`${at}: block in the real provider, not vendored`);
    else {
      const shape = (b: (typeof rb)[string]) => `${b.nesting_mode} ${b.min_items ?? 0}..${b.max_items ?? 0}`;
      if (shape(vb[name]) !== shape(rb[name]))
        out.push(`${at}: vendored block ${shape(vb[name])}, real ${shape(rb[name])}`);
      out.push(...blockDiffs(at, vb[name].block, rb[name].block));
    }
  }
  return out;
}

/** Every difference between a vendored provider schema and the real one. */
export function compareProviderSchemas(
  source: string,
  vendored: ProviderSchema,
  real: ProviderSchema,
): string[] {
  const out = blockDiffs(`${source}: provider`, vendored.provider?.block ?? {}, real.provider?.block ?? {});
  for (const [kind, key] of [
    ["resource", "resource_schemas"],
    ["data source", "data_source_schemas"],
  ] as const) {
    const v = vendored[key] ?? {};
    const r = real[key] ?? {};
    for (const type of [...new Set([...Object.keys(v), ...Object.keys(r)])].sort()) {
      const at = `${source}: ${kind} ${type}`;
      if (!r[type]) out.push(`${at}: vendored, not in the real provider`);
      else if (!v[type]) out.push(`${at}: in the real provider, not vendored`);
      else out.push(...blockDiffs(at, v[type].block, r[type].block));
    }
  }
  return out;
}

/** A Terraform command that exited non-zero: Terraform's own output, for the user. */
export class TerraformFailed extends Error {
  constructor(
    readonly command: string,
    readonly output: string,
  ) {
    super(`terraform ${command} failed:\n${output}`);
  }
}

export interface Dump {
  readonly provider_schemas: Record<string, ProviderSchema>;
}

/**
 * Installs the providers (`terraform init`, from wherever the CLI config says: the registry
 * by default) and returns `terraform providers schema -json`.
 */
export async function dumpSchemas(
  providers: readonly VendoredProvider[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Dump> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schemas-"));
  try {
    const required = Object.fromEntries(
      providers.map((p) => [p.source.split("/")[2], { source: p.source, version: p.version }]),
    );
    fs.writeFileSync(
      path.join(dir, "main.tf.json"),
      JSON.stringify({ terraform: { required_providers: required } }),
    );
    const run = async (...args: string[]) => {
      const r = await terraform(args, dir, env);
      if (r.code !== 0) throw new TerraformFailed(args[0], `${r.stdout}${r.stderr}`.trim());
      return r.stdout;
    };
    await run("init", "-input=false", "-no-color", "-backend=false");
    return JSON.parse(await run("providers", "schema", "-json")) as Dump;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Differences between a dump and the vendored files, one line each. */
export function compareWithVendored(dump: Dump, providers: readonly VendoredProvider[]): string[] {
  return providers.flatMap((p) => {
    const real = dump.provider_schemas[p.source];
    if (!real) return [`${p.source}: not in the dump`];
    return compareProviderSchemas(p.source, readSchemaFile(p.schemaFile).schema, real);
  });
}

export async function main(args: readonly string[] = process.argv.slice(2)): Promise<number> {
  const missing = terraformProblem();
  if (missing) {
    console.error(missing);
    return 1;
  }
  const providers = vendoredProviders();
  let dump: Dump;
  try {
    dump = await dumpSchemas(providers);
  } catch (e) {
    // Not our bug: no registry (or mirror) to install from. Terraform's words, no stack trace.
    if (!(e instanceof TerraformFailed)) throw e;
    console.error(e.output);
    console.error(
      `schemas:compare: terraform ${e.command} could not install the real providers; it needs the registry (or the mirror your CLI config names)`,
    );
    return 1;
  }
  const outAt = args.indexOf("--out");
  if (outAt >= 0 && args[outAt + 1]) {
    const out = args[outAt + 1];
    fs.mkdirSync(out, { recursive: true });
    for (const p of providers) {
      const schema = dump.provider_schemas[p.source];
      if (!schema) continue;
      const file = path.join(out, path.basename(p.schemaFile));
      fs.writeFileSync(
        file,
        JSON.stringify({ format_version: "1.0", provider_schemas: { [p.source]: schema } }, null, 1),
      );
    }
  }
  const differences = compareWithVendored(dump, providers);
  for (const line of differences) console.log(line);
  console.log(
    `schemas: ${providers.length} provider(s), ${differences.length} difference(s) from providers/`,
  );
  return differences.length === 0 ? 0 : 1;
}
