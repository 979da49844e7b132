import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatDiagnostic, replaceActionsOf } from "../../scripts/offline-terraform/check";
import { main as compareSchemas } from "../../scripts/offline-terraform/compare-schemas";

describe("reading Terraform's output", () => {
  // DiffActionSymbol, hashicorp/terraform internal/command/format/format.go at v1.11.4.
  it("tells destroy-then-create (-/+) from create-then-destroy (+/-) in the human plan", () => {
    const plan = [
      "  # docker_container.A must be replaced",
      '-/+ resource "docker_container" "A" {',
      "  # docker_container.B will be replaced, as requested",
      '+/- resource "docker_container" "B" {',
      '  ~ resource "docker_volume" "C" {',
      '-/+ resource "docker_image" "D" {',
    ].join("\n");
    expect(replaceActionsOf(plan)).toEqual({
      "docker_container.A": ["delete", "create"],
      "docker_container.B": ["create", "delete"],
    });
  });

  it("prints a diagnostic on one line with the stack it came from", () => {
    expect(
      formatDiagnostic("docker", {
        severity: "error",
        summary: "Unsupported attribute",
        detail: 'This object has no argument named "x".',
        where: "resource.docker_container.y",
      }),
    ).toBe(
      'docker: error: Unsupported attribute: This object has no argument named "x". (resource.docker_container.y)',
    );
  });
});

describe("npm run schemas:compare where it cannot install the providers", () => {
  it("exits 1 with Terraform's own error and one line saying why, not a stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "schemas-compare-"));
    mkdirSync(join(dir, "empty-mirror"));
    const cliConfig = join(dir, "terraform.rc");
    // A filesystem mirror with nothing in it: init fails at once, as offline against the registry.
    writeFileSync(
      cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path = "${dir}/empty-mirror"\n  }\n}\n`,
    );
    const saved = process.env.TF_CLI_CONFIG_FILE;
    process.env.TF_CLI_CONFIG_FILE = cliConfig;
    const errors = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await expect(compareSchemas([])).resolves.toBe(1);
      const printed = errors.mock.calls.map((c) => String(c[0]));
      expect(printed.at(-1)).toBe(
        "schemas:compare: terraform init could not install the real providers; it needs the registry (or the mirror your CLI config names)",
      );
      expect(printed.join("\n")).toMatch(/Error: Failed to query available provider packages/);
      expect(printed.join("\n")).not.toMatch(/\n\s+at /);
    } finally {
      errors.mockRestore();
      if (saved === undefined) delete process.env.TF_CLI_CONFIG_FILE;
      else process.env.TF_CLI_CONFIG_FILE = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
