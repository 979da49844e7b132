import { parseConfig } from "../../config";
import { LOG_ROTATION_DEFAULTS, logOptions } from "../../constructs/docker/common";
import { SHIPPED_CONFIGS, resourcesOf, synthStack } from "../support/synth";

const stacks = Object.entries({
  ...SHIPPED_CONFIGS,
  custom: { docker: { logRotation: { maxSize: "50m", maxFiles: 3 } } },
})
  // mode: kubernetes runs no docker container (the kubelet rotates container logs).
  .filter(([, input]) => (input as { mode?: string }).mode !== "kubernetes")
  .map(([name, input]) => [name, synthStack(input)] as const);

describe("log rotation on every container", () => {
  // kreuzwerker/terraform-provider-docker v3.6.2 internal/provider/resource_docker_container_funcs.go:
  // read sets log_driver from HostConfig.LogConfig.Type and log_opts from LogConfig.Config, a map of
  // strings (ForceNew, no diff suppression), so max-file is written as the string docker stores.
  test.each(stacks)("%s: json-file with max-size and max-file as strings", (name, tf) => {
    const want =
      name === "custom"
        ? { "max-size": "50m", "max-file": "3" }
        : { "max-size": LOG_ROTATION_DEFAULTS.maxSize, "max-file": String(LOG_ROTATION_DEFAULTS.maxFiles) };
    const containers = Object.values(resourcesOf(tf, "docker_container"));
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      expect([c.name, c.log_driver]).toEqual([c.name, "json-file"]);
      expect([c.name, c.log_opts]).toEqual([c.name, want]);
    }
  });

  test("defaults are 10m × 5", () => {
    expect(logOptions()).toEqual({ logDriver: "json-file", logOpts: { "max-size": "10m", "max-file": "5" } });
  });

  test("bad values are one-line config errors naming the key", () => {
    expect(() => parseConfig({ docker: { logRotation: { maxSize: "10MB" } } })).toThrow(
      /^config: docker\.logRotation\.maxSize = "10MB": must be a size such as 10m/,
    );
    expect(() => parseConfig({ docker: { logRotation: { maxFiles: 0 } } })).toThrow(
      /docker\.logRotation\.maxFiles = 0/,
    );
  });

  test("the construct refuses a bad size too", () => {
    expect(() => logOptions({ maxSize: "ten" })).toThrow(/maxSize = "ten"/);
  });
});
