import { formatDiagnostic, replaceActionsOf } from "../../scripts/offline-terraform/check";

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
