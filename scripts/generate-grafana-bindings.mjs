#!/usr/bin/env node
// Regenerates .gen/providers/grafana from the vendored provider schema, offline:
// no terraform, no registry. `cdktf get` gives the same code where the registry is reachable.
//
//   npm run generate:grafana
//
// Only the resources the stack uses are generated: the full provider is ~5.5 MB of
// TypeScript and would slow every type check.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateProviderBindings } from "./providers/generator.mjs";

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

const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
const fqpn = "registry.terraform.io/grafana/grafana";
const full = schema.provider_schemas[fqpn];
const resourceSchemas = {};
for (const type of GRAFANA_RESOURCES) {
  if (!full.resource_schemas[type]) throw new Error(`${type} is not in ${schemaFile}`);
  resourceSchemas[type] = full.resource_schemas[type];
}

fs.rmSync(path.join(outDir, "providers", "grafana"), { recursive: true, force: true });
const generated = await generateProviderBindings({
  schema: {
    format_version: schema.format_version,
    provider_schemas: {
      [fqpn]: { provider: full.provider, resource_schemas: resourceSchemas, data_source_schemas: {} },
    },
  },
  source: fqpn,
  version,
  constraint: `= ${version}`,
  outDir,
});
// lazy-index.ts needs @types/node and is unused: imports go per resource file.
fs.rmSync(path.join(generated, "lazy-index.ts"), { force: true });
console.log(
  `generated grafana ${version}: provider + ${GRAFANA_RESOURCES.length} resources -> .gen/providers/grafana`,
);
