import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configReference } from "../config/reference";

const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");

describe("README", () => {
  it("holds the configuration reference generated from the schema (npm run docs:config)", () => {
    expect(readme).toContain(configReference());
  });

  it("documents every required key path", () => {
    for (const key of [
      "mode",
      "elasticsearch.version",
      "elasticsearch.nodes",
      "events.index",
      "logs.indexPrefix",
      "logs.retentionDays",
      "logstash.gelfPort",
      "grafana.port",
    ]) {
      expect(readme).toContain(`| \`${key}\` |`);
    }
  });

  it("gives the test command that .ci/run runs", () => {
    const ci = readFileSync(join(__dirname, "..", ".ci", "run"), "utf8");
    const command = "bash scripts/setup-test-tools.sh && npm ci && npm test";
    expect(readme).toContain(`\`${command}\``);
    expect(ci.trim().split("\n").pop()).toBe(command);
  });
});
