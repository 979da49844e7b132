/**
 * Real Terraform (on the PATH) over every shipped config, offline, with the schema-only
 * providers (scripts/offline-terraform): init, apply (which validates and plans first), an
 * empty second plan, and destroy-then-create for every docker_container under `-replace`. Then the same
 * Terraform on deliberately broken copies of the default stack, each of which it must refuse.
 * One set of provider processes serves every stack; a few Terraform commands run at a time.
 */
import { appendFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { checkStack, formatDiagnostic, type CheckReport } from "../../scripts/offline-terraform/check";
import { compareWithVendored, dumpSchemas, type Dump } from "../../scripts/offline-terraform/compare-schemas";
import {
  startOfflineTerraform,
  vendoredProviders,
  type OfflineTerraform,
} from "../../scripts/offline-terraform/providers";
import { SHIPPED_CONFIGS, synthStack, type TfJson } from "../support/synth";
import { cpuSeconds, providerPid } from "../../scripts/bench/proc-cpu";

// Terraform commands at a time: one more than the cores, as each command also waits for the
// one provider process (measured on 2 cores: 3 at a time keeps both busy).
const PARALLEL = availableParallelism() + 1;

// The providers start first and come up while jest synthesizes the stacks below.
const starting = startOfflineTerraform();
starting.catch(() => undefined); // awaited, and so reported, by beforeAll

async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

const clone = (tf: TfJson): TfJson => structuredClone(tf);
const synthesized: Record<string, TfJson> = Object.fromEntries(
  Object.entries(SHIPPED_CONFIGS).map(([name, config]) => [name, synthStack(config)]),
);
const docker = synthesized.docker;
const only = (tf: TfJson, type: string, match: RegExp): Record<string, unknown> => {
  const key = Object.keys(tf.resource[type]).find((k) => match.test(k));
  if (!key) throw new Error(`no ${type} matching ${match}`);
  return tf.resource[type][key];
};
const grafanaContainer = (tf: TfJson) => only(tf, "docker_container", /^Grafana_Container/);

/** Each broken copy, the error Terraform must report (summary), and why it is broken. */
const BROKEN: Record<string, { summary: RegExp; detail?: RegExp; breakIt: (tf: TfJson) => void }> = {
  "a reference to a missing attribute": {
    summary: /^Unsupported attribute$/,
    detail: /no_such_attribute/,
    breakIt: (tf) => {
      const c = grafanaContainer(tf);
      c.env = [...(c.env as string[]), "X=${docker_network.Network.no_such_attribute}"];
    },
  },
  "a dependency cycle": {
    summary: /^Cycle: /,
    breakIt: (tf) => {
      const container = Object.keys(tf.resource.docker_container).find((k) => /^Grafana_Container/.test(k));
      tf.resource.docker_network.Network.depends_on = [`docker_container.${container}`];
    },
  },
  "an output exposing a sensitive value without sensitive = true": {
    summary: /^Output refers to sensitive values$/,
    breakIt: (tf) => {
      delete (tf.output ?? {}).elastic_password.sensitive;
    },
  },
  "a literal of the wrong type": {
    summary: /^Incorrect attribute value type$/,
    breakIt: (tf) => {
      (grafanaContainer(tf).healthcheck as Record<string, unknown>).retries = "many";
    },
  },
  "a missing required argument": {
    summary: /^Missing required argument$/,
    detail: /"image"/,
    breakIt: (tf) => {
      delete grafanaContainer(tf).image;
    },
  },
  "an unknown block": {
    // Terraform JSON's word for an unknown argument or block.
    summary: /^Extraneous JSON object property$/,
    detail: /healthchecks/,
    breakIt: (tf) => {
      const c = grafanaContainer(tf);
      c.healthchecks = c.healthcheck;
      delete c.healthcheck;
    },
  },
  "too many healthcheck blocks": {
    summary: /^Too many healthcheck blocks$/,
    breakIt: (tf) => {
      const c = grafanaContainer(tf);
      c.healthcheck = [c.healthcheck, c.healthcheck];
    },
  },
};

/** One small provider: Terraform starts a node process for it on every command. */
const MIRRORED: Record<string, unknown> = {
  terraform: { required_providers: { random: { source: "hashicorp/random", version: "3.7.2" } } },
  resource: { random_password: { p: { length: 24 } } },
  output: { length: { value: "${length(random_password.p.result)}", sensitive: true } },
};

let terraform: OfflineTerraform | undefined;
const shipped = new Map<string, CheckReport>();
const broken = new Map<string, CheckReport>();
let managed: CheckReport | undefined;
let schemaDump: Dump | undefined;
let throughApply: CheckReport | undefined;
const providers = vendoredProviders();

beforeAll(async () => {
  const started = Date.now();
  const benchFile = process.env.BENCH_TERRAFORM_FILE;
  const reapedBefore = benchFile ? cpuSeconds("self", true) : 0;
  terraform = await starting;
  const startMs = Date.now() - started; // what is left of the start after the synth
  const env = terraform.env;
  const size = (tf: TfJson) => JSON.stringify(tf).length;
  const jobs = [
    // The largest stacks first, the short jobs below them fill the end (2 cores).
    ...Object.entries(synthesized)
      .sort(([, a], [, b]) => size(b) - size(a))
      .map(([name, tf]) => async () => {
        shipped.set(name, await checkStack(tf, { name, env }));
      }),
    async () => {
      schemaDump = await dumpSchemas(providers, {
        ...process.env,
        TF_CLI_CONFIG_FILE: env.cliConfig,
        TF_REATTACH_PROVIDERS: env.reattach,
      });
    },
    async () => {
      // The whole check, which runs no `terraform validate` of its own (check.ts).
      const tf = clone(docker);
      const c = grafanaContainer(tf);
      c.env = [
        ...(c.env as string[]),
        "D=${docker_network.Network.check_duplicate}", // deprecated in docker 3.6.2: a warning
        "X=${docker_network.Network.no_such_attribute}",
      ];
      throughApply = await checkStack(tf, { name: "broken", env });
    },
    ...Object.entries(BROKEN).map(([name, b]) => async () => {
      const tf = clone(docker);
      b.breakIt(tf);
      broken.set(name, await checkStack(tf, { name: "broken", env, planOnly: true }));
    }),
    async () => {
      // No TF_REATTACH_PROVIDERS: init installs from the mirror, and Terraform starts each
      // provider with AutoMTLS (TF_DISABLE_PLUGIN_TLS unset) on every command.
      managed = await checkStack(MIRRORED, {
        name: "mirrored",
        env: { cliConfig: env.cliConfig },
        planOnly: true,
      });
    },
  ];
  await pool(jobs, PARALLEL);
  // npm run bench measures the Terraform part from here (tests never assert on time): wall
  // time, and the CPU of every Terraform command (children this process reaped) and of the
  // provider process (alive until afterAll; its start-up, during the synth, included).
  if (benchFile) {
    const all = [...shipped.values(), ...broken.values(), ...(managed ? [managed] : [])];
    const steps: Record<string, number> = {};
    for (const r of all) for (const [k, ms] of Object.entries(r.timings)) steps[k] = (steps[k] ?? 0) + ms;
    const line = {
      totalMs: Date.now() - started,
      startMs,
      stacks: all.length,
      steps,
      terraformCpu: cpuSeconds("self", true) - reapedBefore,
      providerCpu: cpuSeconds(providerPid(env.reattach)),
    };
    appendFileSync(benchFile, `${JSON.stringify(line)}\n`);
  }
}, 120_000);

afterAll(async () => {
  await terraform?.stop();
});

function got(reports: Map<string, CheckReport>, name: string): CheckReport {
  const r = reports.get(name);
  if (!r) throw new Error(`no report for ${name}: the beforeAll failed`);
  return r;
}

const lines = (r: CheckReport) => r.diagnostics.map((d) => formatDiagnostic(r.name, d));

describe.each(Object.keys(SHIPPED_CONFIGS))("the %s stack under real Terraform", (name) => {
  const report = () => got(shipped, name);

  it("initializes, validates, plans and applies with no error and no warning", () => {
    const r = report();
    expect(lines(r)).toEqual([]);
    expect({ failedStep: r.failedStep, output: r.output }).toEqual({ failedStep: undefined, output: "" });
    expect(r.applied).toBe(true);
  });

  it("plans no change after apply", () => {
    expect(report().secondPlanChanges).toEqual([]);
  });

  // Terraform forces create_before_destroy onto every resource a create_before_destroy
  // resource depends on (hashicorp/terraform internal/terraform/transform_destroy_cbd.go,
  // v1.11.4); a container must stop before its successor can take its name and ports.
  it("replaces every docker_container by destroying it first", () => {
    const containers = Object.keys(synthesized[name].resource.docker_container ?? {});
    expect(report().replaceActions ?? {}).toEqual(
      Object.fromEntries(containers.map((c) => [`docker_container.${c}`, ["delete", "create"]])),
    );
  });
});

describe("Terraform starting the provider itself", () => {
  it("installs it from the filesystem mirror, then validates and plans over AutoMTLS", () => {
    const r = managed;
    expect(r && { failed: r.failedStep, output: r.output, diagnostics: lines(r) }).toEqual({
      failed: undefined,
      output: "",
      diagnostics: [],
    });
  });
});

describe("the provider schemas as Terraform reads them", () => {
  const dump = (): Dump => {
    if (!schemaDump) throw new Error("no schema dump: the beforeAll failed");
    return structuredClone(schemaDump); // the second test changes its copy
  };

  // The same comparison the PR workflow runs against the real providers (npm run schemas:compare).
  it("are the vendored schemas, attribute for attribute, through the schema-only providers", () => {
    const d = dump();
    expect(Object.keys(d.provider_schemas).sort()).toEqual(providers.map((p) => p.source).sort());
    expect(compareWithVendored(d, providers)).toEqual([]);
  });

  it("differ, one line each, where a flag, an attribute or a resource differs", () => {
    const d = dump();
    const docker = d.provider_schemas["registry.terraform.io/kreuzwerker/docker"];
    const container = docker.resource_schemas?.docker_container.block.attributes as Record<
      string,
      Record<string, unknown>
    >;
    container.hostname = { ...container.hostname, computed: true };
    delete container.image;
    (docker.resource_schemas as Record<string, unknown>).docker_new = { block: {} };
    expect(compareWithVendored(d, providers)).toEqual([
      "registry.terraform.io/kreuzwerker/docker: resource docker_container.hostname: vendored optional, real optional+computed",
      "registry.terraform.io/kreuzwerker/docker: resource docker_container.image: vendored, not in the real provider",
      "registry.terraform.io/kreuzwerker/docker: resource docker_new: in the real provider, not vendored",
    ]);
  });
});

describe("real Terraform refuses a broken stack", () => {
  it("accepts the unbroken default stack (the control)", () => {
    expect(lines(got(shipped, "docker"))).toEqual([]);
  });

  it("stops the whole check at apply with the errors and warnings of validate", () => {
    const r = throughApply;
    expect(r?.failedStep).toBe("apply");
    expect(r?.diagnostics.map((d) => `${d.severity}: ${d.summary}`).sort()).toEqual([
      "error: Unsupported attribute",
      "warning: Deprecated attribute",
    ]);
  });

  it.each(Object.keys(BROKEN))("%s", (name) => {
    const r = got(broken, name);
    const { summary, detail } = BROKEN[name];
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(r.failedStep).toBeDefined();
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          summary: expect.stringMatching(summary),
          ...(detail ? { detail: expect.stringMatching(detail) } : {}),
        }),
      ]),
    );
  });
});
