import { checkConformance, formatProblem, loadVendoredSchemas } from "../../scripts/conformance";
import { SHIPPED_CONFIGS as CONFIGS, synthStack } from "../support/synth";

const schemas = loadVendoredSchemas();

// What Terraform cannot see with schema-only providers (scripts/conformance.ts), on every
// provider, resource and data block of the real stack in every shipped configuration.
describe.each(Object.keys(CONFIGS))("the %s stack", (name) => {
  const tf = synthStack(CONFIGS[name]);
  const problems = checkConformance(tf, schemas);

  it("conforms to the provider schemas", () => {
    expect(problems.filter((p) => p.severity === "error").map(formatProblem)).toEqual([]);
  });

  it("uses no deprecated attribute", () => {
    expect(problems.map(formatProblem)).toEqual([]);
  });

  it("is caught when a resource is broken", () => {
    const broken = JSON.parse(JSON.stringify(tf)) as typeof tf;
    const [first] = Object.values(broken.resource.elasticstack_elasticsearch_security_role);
    first.name = null;
    expect(checkConformance(broken, schemas).map(formatProblem)).toEqual([
      expect.stringContaining('required attribute "name" is null'),
    ]);
  });
});
