import { spawnSync } from "node:child_process";
import { join } from "node:path";

describe("the schema-only providers' process", () => {
  // A CLI (npm run plan:offline) awaits stop() with nothing else pending; node exits with 13
  // when the event loop empties under an unsettled top-level await (nodejs.org/api/process.html,
  // "Exit codes"), which replaced plan:offline's own exit code.
  it("stops, and lets the process that awaited stop() exit with its own code", () => {
    const run = spawnSync(process.execPath, ["scripts/run-ts.mjs", "__tests__/support/stop-providers.ts"], {
      cwd: join(__dirname, "..", ".."),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
  });
});
