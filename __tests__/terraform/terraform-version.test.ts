import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { terraformProblem } from "../../scripts/offline-terraform/terraform-version";

// npm test runs this check first: no Terraform means one line and a failure, never a skip.
describe("the Terraform prerequisite", () => {
  it("is met by the Terraform on the PATH", () => {
    expect(terraformProblem()).toBeNull();
  });

  it("fails in one line when terraform is not on the PATH", () => {
    expect(terraformProblem({ PATH: join(tmpdir(), "no-such-dir") })).toBe(
      "error: Terraform ≥ 1.5 is required (terraform is not on the PATH); it is also what cdktf deploy runs",
    );
  });

  it("fails in one line when it is older than 1.5", () => {
    const dir = mkdtempSync(join(tmpdir(), "old-terraform-"));
    try {
      const exe = join(dir, "terraform");
      writeFileSync(exe, `#!/bin/sh\necho '{"terraform_version":"1.4.7"}'\n`);
      chmodSync(exe, 0o755);
      expect(terraformProblem({ PATH: `${dir}:/usr/bin:/bin` })).toBe(
        "error: Terraform ≥ 1.5 is required (found 1.4.7); it is also what cdktf deploy runs",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
