#!/usr/bin/env node
// Builds a provider schema in the `terraform providers schema -json` format from a
// plugin-framework provider's Go source (for providers whose docs are hand-written and do
// not match the code, like helm 3.x), offline (no Go toolchain, no terraform).
//
//   node scripts/providers/schema-from-go.mjs SRC_DIR OUT.json --source HOST/NS/NAME \
//     --provider Type.Schema --resource TYPE=Type.Schema... --data-source TYPE=Type.Schema... \
//     [--check-bindings PACKAGE_DIR]
//
//   SRC_DIR    the Go package that declares the schemas (e.g. the helm repo's helm/)
//   --provider / --resource / --data-source  the `Schema` methods to read, by receiver type
//
// What go-schema.mjs reads, this keeps; descriptions, validators, defaults and plan
// modifiers are not part of the format.
import fs from "node:fs";
import path from "node:path";
import { writeSchema } from "./common.mjs";
import { frameworkSchema, parseGoFiles } from "./go-schema.mjs";

function fail(msg) {
  console.error(`error: ${msg}`);
  process.exit(2);
}

const positional = [];
const opts = { resource: [], "data-source": [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i].startsWith("--") ? argv[i].slice(2) : null;
  if (flag === "resource" || flag === "data-source") opts[flag].push(argv[++i]);
  else if (flag) opts[flag] = argv[++i];
  else positional.push(argv[i]);
}
if (positional.length !== 2 || !opts.source || !opts.provider) {
  fail(
    "usage: schema-from-go.mjs SRC_DIR OUT.json --source HOST/NS/NAME --provider Type.Schema " +
      "[--resource TYPE=Type.Schema]... [--data-source TYPE=Type.Schema]... [--check-bindings PACKAGE_DIR]",
  );
}
const [srcDir, outFile] = positional;
const version = path.basename(outFile).match(/^[^-]+-(\d[^/]*?)\.schema\.json$/)?.[1];
if (!version) fail(`${outFile}: name it <name>-<version>.schema.json`);

const functions = parseGoFiles(
  fs
    .readdirSync(srcDir)
    .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
    .sort()
    .map((f) => fs.readFileSync(path.join(srcDir, f), "utf8")),
);
const table = (pairs) =>
  Object.fromEntries(
    pairs.map((p) => {
      const [type, fn] = p.split("=");
      return [type, frameworkSchema(functions, fn)];
    }),
  );
const provider = {
  provider: frameworkSchema(functions, opts.provider),
  resource_schemas: table(opts.resource),
  data_source_schemas: table(opts["data-source"]),
};
const ok = await writeSchema(outFile, opts.source, version, provider, opts["check-bindings"]);
if (!ok) process.exit(1);
