#!/usr/bin/env node
// Regenerates .gen/providers/grafana from the vendored provider schema, offline:
// no terraform, no registry. `cdktf get` gives the same code where the registry is reachable.
//
//   npm run generate:grafana
//
// Only the resources the stack uses are generated: the full provider is ~5.5 MB of
// TypeScript and would slow every type check.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const GRAFANA_RESOURCES = [
  "grafana_contact_point",
  "grafana_dashboard",
  "grafana_data_source",
  "grafana_folder",
  "grafana_notification_policy",
  "grafana_rule_group",
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const schemaFile = path.join(root, "providers", "grafana-4.45.1.schema.json");
const version = "4.45.1";
const outDir = path.join(root, ".gen");

// @cdktf/commons runs `terraform version` when loaded; point it at nothing.
process.env.CHECKPOINT_DISABLE = "1";
process.env.CDKTF_DISABLE_TELEMETRY = "1";
process.env.TERRAFORM_BINARY_NAME = "no-terraform-needed-for-generate-bindings";

const require = createRequire(path.join(root, "package.json"));
// The package root also loads `cdktf get` machinery that needs jsii-pacmak.
const generatorRequire = createRequire(require.resolve("@cdktf/provider-generator"));
const { TerraformProviderGenerator } = generatorRequire("./get/generator/provider-generator");
const { CodeMaker } = generatorRequire("codemaker");
const { TerraformProviderConstraint, ConstructsMakerProviderTarget, Language } =
  generatorRequire("@cdktf/commons");

const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
const fqpn = "registry.terraform.io/grafana/grafana";
const full = schema.provider_schemas[fqpn];
const resourceSchemas = {};
for (const type of GRAFANA_RESOURCES) {
  if (!full.resource_schemas[type]) throw new Error(`${type} is not in ${schemaFile}`);
  resourceSchemas[type] = full.resource_schemas[type];
}

const target = new ConstructsMakerProviderTarget(
  new TerraformProviderConstraint({
    name: "grafana",
    source: "grafana/grafana",
    version: `= ${version}`,
    namespace: "grafana",
  }),
  Language.TYPESCRIPT,
);
const code = new CodeMaker();
new TerraformProviderGenerator(code, {
  format_version: schema.format_version,
  provider_schemas: {
    [fqpn]: { provider: full.provider, resource_schemas: resourceSchemas, data_source_schemas: {} },
  },
  provider_versions: { [fqpn]: version },
}).generate(target);

fs.rmSync(path.join(outDir, "providers", "grafana"), { recursive: true, force: true });
await code.save(outDir);
// lazy-index.ts needs @types/node and is unused: imports go per resource file.
fs.rmSync(path.join(outDir, "providers", "grafana", "lazy-index.ts"), { force: true });
console.log(
  `generated grafana ${version}: provider + ${GRAFANA_RESOURCES.length} resources -> .gen/providers/grafana`,
);
