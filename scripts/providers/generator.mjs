// Offline cdktf binding generation from a `terraform providers schema -json` document:
// no terraform, no registry. Shared by the grafana bindings script and the schema
// converter's bindings check.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Generates TypeScript bindings into `<outDir>/providers/<name>` and returns that folder.
 * `source` is the registry address (registry.terraform.io/NS/NAME); `schema` holds that
 * provider only; `constraint` is what the bindings record (default: the version).
 */
export async function generateProviderBindings({ schema, source, version, constraint = version, outDir }) {
  // @cdktf/commons runs `terraform version` when loaded; point it at nothing.
  process.env.CHECKPOINT_DISABLE = "1";
  process.env.CDKTF_DISABLE_TELEMETRY = "1";
  process.env.TERRAFORM_BINARY_NAME = "no-terraform-needed-for-generating-bindings";
  const require = createRequire(path.join(root, "package.json"));
  // The package root also loads `cdktf get` machinery that needs jsii-pacmak.
  const generatorRequire = createRequire(require.resolve("@cdktf/provider-generator"));
  const { TerraformProviderGenerator } = generatorRequire("./get/generator/provider-generator");
  const { CodeMaker } = generatorRequire("codemaker");
  const { TerraformProviderConstraint, ConstructsMakerProviderTarget, Language } =
    generatorRequire("@cdktf/commons");

  const [, namespace, name] = source.split("/");
  const code = new CodeMaker();
  new TerraformProviderGenerator(code, { ...schema, provider_versions: { [source]: version } }).generate(
    new ConstructsMakerProviderTarget(
      new TerraformProviderConstraint({
        name,
        source: `${namespace}/${name}`,
        version: constraint,
        namespace,
      }),
      Language.TYPESCRIPT,
    ),
  );
  await code.save(outDir);
  return path.join(outDir, "providers", name);
}
