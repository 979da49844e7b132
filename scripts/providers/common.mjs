// Shared by the schema converters: stable output and the cross-check against prebuilt
// cdktf bindings.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateProviderBindings } from "./generator.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

// --- output -----------------------------------------------------------------------

export function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

// --- cross-check against prebuilt bindings ----------------------------------------

/** Declarations without comments and blank lines, so that only the shape is compared. */
function shapeOf(dts) {
  return dts
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Writes one provider's schema in `terraform providers schema -json` form and, given the
 * prebuilt bindings' folder, checks the file against them. Returns false if the check fails.
 */
export async function writeSchema(outFile, source, version, provider, bindingsDir) {
  const out = { format_version: "1.0", provider_schemas: { [source]: provider } };
  fs.writeFileSync(outFile, JSON.stringify(sortKeys(out), null, 1) + "\n");
  console.log(
    `wrote ${outFile}: ${Object.keys(provider.resource_schemas).length} resources, ` +
      `${Object.keys(provider.data_source_schemas).length} data sources`,
  );
  return bindingsDir ? checkBindings(outFile, source, version, path.resolve(bindingsDir)) : true;
}

export async function checkBindings(schemaFile, source, version, packageDir) {
  const require = createRequire(path.join(root, "package.json"));
  const ts = require("typescript");

  const cache = path.join(root, "node_modules", ".cache");
  fs.mkdirSync(cache, { recursive: true });
  const work = fs.mkdtempSync(path.join(cache, "schema-from-docs-"));
  try {
    const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
    const genDir = await generateProviderBindings({ schema, source, version, outDir: work });
    const namespaces = fs
      .readdirSync(genDir)
      .filter((d) => fs.existsSync(path.join(genDir, d, "index.ts")))
      .sort();
    const program = ts.createProgram(
      namespaces.map((d) => path.join(genDir, d, "index.ts")),
      {
        declaration: true,
        emitDeclarationOnly: true,
        outDir: path.join(work, "dts"),
        rootDir: genDir,
        skipLibCheck: true,
        strict: true,
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.CommonJS,
      },
    );
    const diagnostics = ts.getPreEmitDiagnostics(program);
    if (diagnostics.length) {
      throw new Error(
        `generated bindings do not compile: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n")}`,
      );
    }
    program.emit();
    const prebuilt = fs
      .readdirSync(path.join(packageDir, "lib"))
      .filter((d) => fs.existsSync(path.join(packageDir, "lib", d, "index.d.ts")))
      .sort();
    let differences = 0;
    for (const ns of new Set([...namespaces, ...prebuilt])) {
      const ours = path.join(work, "dts", ns, "index.d.ts");
      const theirs = path.join(packageDir, "lib", ns, "index.d.ts");
      if (!fs.existsSync(ours) || !fs.existsSync(theirs)) {
        console.log(
          `${ns}: only in ${fs.existsSync(ours) ? "the docs-derived schema" : "the prebuilt bindings"}`,
        );
        differences++;
        continue;
      }
      const a = shapeOf(fs.readFileSync(ours, "utf8"));
      const b = shapeOf(fs.readFileSync(theirs, "utf8"));
      const onlyOurs = a.filter((l) => !b.includes(l));
      const onlyTheirs = b.filter((l) => !a.includes(l));
      for (const l of onlyOurs) console.log(`${ns}: + ${l}`);
      for (const l of onlyTheirs) console.log(`${ns}: - ${l}`);
      differences += onlyOurs.length + onlyTheirs.length;
    }
    console.log(
      `checked ${namespaces.length} binding namespaces against ${packageDir}: ${differences} difference(s)` +
        " (+ only from this schema, - only in the prebuilt bindings)",
    );
    return differences === 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
