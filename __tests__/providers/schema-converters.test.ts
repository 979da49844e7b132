/**
 * The schema converters on small inputs written in the forms they read: a plugin-framework
 * provider's Go schema literals (as in hashicorp/terraform-provider-helm helm/*.go at
 * v3.1.1) and tfplugindocs pages (as in hashicorp/terraform-provider-kubernetes docs/ at
 * v2.38.0). The vendored files themselves are proven by `--check-bindings` (providers/README.md).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "schema-converters-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const provider = (file: string) =>
  Object.values(
    (
      JSON.parse(fs.readFileSync(file, "utf8")) as {
        provider_schemas: Record<string, Record<string, unknown>>;
      }
    ).provider_schemas,
  )[0] as Record<string, Record<string, unknown>>;

const GO = `package demo

import "github.com/hashicorp/terraform-plugin-framework/resource/schema"

var defaults = map[string]interface{}{"wait": true}

func (p *DemoProvider) Schema(ctx context.Context, req provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"kubernetes": schema.SingleNestedAttribute{Optional: true, Attributes: kubeSchema()},
		},
	}
}

func kubeSchema() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"host": schema.StringAttribute{Optional: true, Description: "a } brace " + "in a string"},
		"paths": schema.ListAttribute{Optional: true, ElementType: types.StringType},
	}
}

func (r *Demo) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: 2,
		Attributes: map[string]schema.Attribute{
			"id":   schema.StringAttribute{Computed: true},
			"wait": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(defaults["wait"].(bool))},
			"count": schema.Int64Attribute{Optional: true, DeprecationMessage: "use size"},
			"set": schema.ListNestedAttribute{
				Optional: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":  schema.StringAttribute{Required: true},
						"value": schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true},
					},
				},
				Validators: []validator.List{listvalidator.SizeAtLeast(1)},
			},
			"labels": schema.MapNestedAttribute{Optional: true, NestedObject: schema.NestedAttributeObject{
				Attributes: map[string]schema.Attribute{"v": schema.NumberAttribute{Required: true}},
			}},
			"rules": schema.SetNestedAttribute{Optional: true, NestedObject: schema.NestedAttributeObject{
				Attributes: map[string]schema.Attribute{"r": schema.StringAttribute{Optional: true}},
			}},
			"meta": schema.ObjectAttribute{Computed: true, AttributeTypes: map[string]attr.Type{
				"tags": types.SetType{ElemType: types.StringType},
			}},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Delete: true}),
		},
		Blocks: map[string]schema.Block{
			"hook": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{"cmd": schema.StringAttribute{Required: true}},
			}},
		},
	}
}
`;

describe("schema-from-go.mjs", () => {
  it("turns framework literals into the schema JSON, nested attributes in every mode kept as nested_type", () => {
    const src = path.join(tmp, "go");
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, "demo.go"), GO);
    const out = path.join(tmp, "demo-1.0.0.schema.json");
    execFileSync(process.execPath, [
      path.join(ROOT, "scripts/providers/schema-from-go.mjs"),
      src,
      out,
      "--source",
      "registry.terraform.io/example/demo",
      "--provider",
      "DemoProvider.Schema",
      "--resource",
      "demo_thing=Demo.Schema",
    ]);
    const p = provider(out);
    expect(p.provider).toEqual({
      version: 0,
      block: {
        attributes: {
          kubernetes: {
            optional: true,
            nested_type: {
              nesting_mode: "single",
              attributes: {
                host: { optional: true, type: "string" },
                paths: { optional: true, type: ["list", "string"] },
              },
            },
          },
        },
      },
    });
    expect(p.resource_schemas).toEqual({
      demo_thing: {
        version: 2,
        block: {
          attributes: {
            id: { computed: true, type: "string" },
            wait: { optional: true, computed: true, type: "bool" },
            count: { optional: true, deprecated: true, type: "number" },
            set: {
              optional: true,
              nested_type: {
                nesting_mode: "list",
                attributes: {
                  name: { required: true, type: "string" },
                  value: { optional: true, sensitive: true, write_only: true, type: "string" },
                },
              },
            },
            labels: {
              optional: true,
              nested_type: { nesting_mode: "map", attributes: { v: { required: true, type: "number" } } },
            },
            rules: {
              optional: true,
              nested_type: { nesting_mode: "set", attributes: { r: { optional: true, type: "string" } } },
            },
            meta: { computed: true, type: ["object", { tags: ["set", "string"] }] },
            timeouts: {
              optional: true,
              nested_type: {
                nesting_mode: "single",
                attributes: {
                  create: { optional: true, type: "string" },
                  delete: { optional: true, type: "string" },
                },
              },
            },
          },
          block_types: {
            hook: {
              nesting_mode: "list",
              block: { attributes: { cmd: { required: true, type: "string" } } },
            },
          },
        },
      },
    });
  });
});

const PAGE = `# demo_thing

## Schema

### Required

- \`spec\` (Block List, Min: 1, Max: 1) A spec whose description
runs over two lines. (see [below for nested schema](#nestedblock--spec))

### Read-Only

- \`id\` (String) The ID of this resource.
- \`status\` (List of Object) (see [below for nested schema](#nestedatt--status))

<a id="nestedblock--spec"></a>
### Nested Schema for \`spec\`

Optional:

- \`label_selector\` (Block List) Pods. (see [below for nested schema](#nestedblock--spec--label_selector))
- \`namespace_selector\` (Block List) Namespaces.
- \`port\` (Integer) A port.

<a id="nestedblock--spec--label_selector"></a>
<a id="nestedblock--spec--namespace_selector"></a>
### Nested Schema for \`namespace_selector\` and \`label_selector\` in \`spec\`

Optional:

- \`match_labels\` (Map of String) Labels.

<a id="nestedatt--status"></a>
### Nested Schema for \`status\`

Read-Only:

- \`load_balancer\` (List of Object) (see [below for nested schema](#nestedobjatt--status--load_balancer))

<a id="nestedobjatt--status--load_balancer"></a>
### Nested Schema for \`status.load_balancer\`

Read-Only:

- \`hostname\` (String)
`;

describe("schema-from-docs.mjs", () => {
  it("follows links on continuation lines, shared sections, objects in objects; --sdkv2-id", () => {
    const docs = path.join(tmp, "docs");
    fs.mkdirSync(path.join(docs, "resources"), { recursive: true });
    fs.writeFileSync(path.join(docs, "index.md"), "# demo\n\n## Schema\n");
    fs.writeFileSync(path.join(docs, "resources", "thing.md"), PAGE);
    const out = path.join(tmp, "demo-2.0.0.schema.json");
    execFileSync(process.execPath, [
      path.join(ROOT, "scripts/providers/schema-from-docs.mjs"),
      docs,
      out,
      "--source",
      "registry.terraform.io/example/demo",
      "--sdkv2-id",
    ]);
    const selector = {
      nesting_mode: "list",
      block: { attributes: { match_labels: { optional: true, type: ["map", "string"] } } },
    };
    expect(provider(out).resource_schemas).toEqual({
      demo_thing: {
        version: 0,
        block: {
          attributes: {
            id: { computed: true, optional: true, type: "string" },
            status: {
              computed: true,
              type: ["list", ["object", { load_balancer: ["list", ["object", { hostname: "string" }]] }]],
            },
          },
          block_types: {
            spec: {
              nesting_mode: "list",
              min_items: 1,
              max_items: 1,
              block: {
                attributes: { port: { optional: true, type: "number" } },
                block_types: { label_selector: selector, namespace_selector: selector },
              },
            },
          },
        },
      },
    });
  });
});
