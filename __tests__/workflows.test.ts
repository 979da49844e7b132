import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import YAML from "yaml";
import type * as WorkflowParser from "@actions/workflow-parser";

const ROOT = join(__dirname, "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const SYNTH_JSON = "cdktf.out/stacks/analytics/cdk.tf.json";
const MARKER = "<!-- cdktf-diff:analytics -->";

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  environment?: string | { name: string };
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

/**
 * GitHub's parser ships as ESM that imports its JSON schema without import attributes, which neither
 * jest's CommonJS runtime nor Node's ESM loader accepts: esbuild bundles it to CommonJS, as the app runner does.
 */
function loadWorkflowParser(): typeof WorkflowParser {
  const dir = mkdtempSync(join(tmpdir(), "workflow-parser-"));
  try {
    const outfile = join(dir, "parser.cjs");
    buildSync({
      stdin: { contents: 'export * from "@actions/workflow-parser";', resolveDir: ROOT },
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      outfile,
      logLevel: "silent",
    });
    return jest.requireActual<typeof WorkflowParser>(outfile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const parser = loadWorkflowParser();

/** Parses with GitHub's schema, then converts, which finds what the schema alone cannot (e.g. job cycles). */
async function validate(name: string, content: string) {
  const parsed = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  const template = parsed.value
    ? await parser.convertWorkflowTemplate(parsed.context, parsed.value)
    : undefined;
  return { errors: parsed.context.errors.getErrors().map((e) => e.message), template };
}

const workflowFiles = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const raw = (file: string) => readFileSync(join(WORKFLOWS, file), "utf8");
const load = (file: string) => YAML.parse(raw(file)) as Workflow;

/** The backticked command in README's "The two commands" table, in the row whose first cell starts so. */
function readmeCommand(rowStart: string): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const row = readme.split("\n").find((line) => line.startsWith(`| ${rowStart}`));
  const command = row === undefined ? undefined : /`([^`]+)`\s*\|\s*$/.exec(row)?.[1];
  if (command === undefined) throw new Error(`README.md has no "${rowStart}" command row`);
  return command;
}

const stepsOf = (job: Job) => job.steps;
const uses = (step: Step, action: string) => step.uses?.startsWith(`${action}@`) ?? false;
const effectivePermissions = (wf: Workflow, job: Job) => job.permissions ?? wf.permissions;

describe("workflow syntax (GitHub's own parser)", () => {
  test("there are the PR and deploy workflows", () => {
    expect(workflowFiles).toEqual(expect.arrayContaining(["pr.yml", "deploy.yml"]));
  });

  test.each(workflowFiles)("%s has no errors", async (file) => {
    const { errors, template } = await validate(file, raw(file));
    expect(errors).toEqual([]);
    expect(template?.jobs.length).toBeGreaterThan(0);
  });

  test("the validator rejects an unknown key, a bad `on` and a job without runs-on", async () => {
    const broken = (edit: (doc: YAML.Document) => void) => {
      const doc = YAML.parseDocument(raw("pr.yml"));
      edit(doc);
      return doc.toString();
    };
    const cases: [string, string, RegExp][] = [
      ["unknown key", broken((d) => d.set("deploy-on-friday", true)), /Unexpected value 'deploy-on-friday'/],
      ["bad on", broken((d) => d.set("on", "pull-request")), /Unexpected value 'pull-request'/],
      [
        "no runs-on",
        broken((d) => d.deleteIn(["jobs", "test", "runs-on"])),
        /Required property is missing: runs-on/,
      ],
    ];
    expect((await validate("pr.yml", raw("pr.yml"))).errors).toEqual([]);
    for (const [what, content, expected] of cases) {
      const { errors } = await validate(`${what}.yml`, content);
      expect(errors).toEqual([expect.stringMatching(expected)]);
    }
  });

  test("secrets reach only the step that runs Terraform, not npm ci's install scripts", () => {
    const hasSecret = (env?: Record<string, string>) =>
      Object.values(env ?? {}).some((v) => v.includes("secrets."));
    for (const file of workflowFiles) {
      const wf = load(file);
      expect(hasSecret(wf.env)).toBe(false);
      const holders = Object.values(wf.jobs).flatMap((job) => {
        expect(hasSecret(job.env)).toBe(false);
        return job.steps.filter(
          (step) => hasSecret(step.env) || JSON.stringify(step.with ?? {}).includes("secrets."),
        );
      });
      expect(holders.length).toBe(1);
      expect(holders[0].run).toMatch(/terraform plan|cdktf deploy/);
    }
  });

  test("every action is pinned to a full commit SHA with its version in a comment", () => {
    for (const file of workflowFiles) {
      const lines = raw(file)
        .split("\n")
        .filter((line) => /^\s*(- )?uses:/.test(line));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines)
        expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });
});

// The tests run real Terraform offline (scripts/offline-terraform): every job that runs them gets it first.
test.each(workflowFiles)("%s gives its test job Terraform 1.11.4, unwrapped, before the tests", (file) => {
  const steps = stepsOf(load(file).jobs.test);
  const tf = steps.findIndex((s) => uses(s, "hashicorp/setup-terraform"));
  expect(steps[tf]?.with).toEqual({ terraform_version: "1.11.4", terraform_wrapper: false });
  const tests = steps.findIndex((s) => s.run?.trim() === readmeCommand("tests:"));
  expect(tf).toBeGreaterThan(-1);
  expect(tf).toBeLessThan(tests);
});

describe("pr.yml", () => {
  const wf = load("pr.yml");
  const { test: testJob, diff } = wf.jobs;
  const sameRepo = "github.event.pull_request.head.repo.full_name == github.repository";
  const plan = stepsOf(diff).find((s) => s.id === "plan");
  const comment = stepsOf(diff).find((s) => uses(s, "actions/github-script"));

  test("runs on pull requests only", async () => {
    const { template } = await validate("pr.yml", raw("pr.yml"));
    expect(Object.keys(template?.events ?? {})).toEqual(["pull_request"]);
  });

  test("runs exactly README's test command, after checkout and Node 20", () => {
    const command = readmeCommand("tests:");
    expect(command).toBe("bash scripts/setup-test-tools.sh && npm ci && npm test");
    const steps = stepsOf(testJob);
    const at = steps.findIndex((s) => s.run?.trim() === command);
    expect(at).toBeGreaterThan(-1);
    expect(steps.findIndex((s) => uses(s, "actions/checkout"))).toBeLessThan(at);
    const node = steps.find((s) => uses(s, "actions/setup-node"));
    expect(node?.with).toMatchObject({ "node-version": 20, cache: "npm" });
    // The stack config is for the synth only: the tests must see the defaults.
    expect(wf.env?.STACK_CONFIG).toBeUndefined();
    expect(testJob.env?.STACK_CONFIG).toBeUndefined();
  });

  test("synthesizes with README's main command and the configured STACK_CONFIG, then uploads the JSON", () => {
    const steps = stepsOf(diff);
    const synth = steps.findIndex((s) => s.run?.trim() === readmeCommand("main job:"));
    expect(synth).toBeGreaterThan(-1);
    expect(steps[synth].env?.STACK_CONFIG).toBe("${{ vars.STACK_CONFIG }}");
    const upload = steps.findIndex((s) => uses(s, "actions/upload-artifact"));
    expect(upload).toBeGreaterThan(synth);
    expect(steps[upload].with).toMatchObject({ path: SYNTH_JSON, "if-no-files-found": "error" });
    expect(steps[upload].if).toBeUndefined();
    expect(diff.needs).toBe("test");
  });

  test("has pull-requests: write only where the comment is written, and nothing broader", () => {
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(effectivePermissions(wf, testJob)).toEqual({ contents: "read" });
    expect(effectivePermissions(wf, diff)).toEqual({ contents: "read", "pull-requests": "write" });
    expect(effectivePermissions(wf, wf.jobs.schemas)).toEqual({ contents: "read" });
    expect(Object.keys(wf.jobs).sort()).toEqual(["diff", "schemas", "test"]);
  });

  test("compares the vendored schemas with the real providers' dump after a real init, and keeps the dump", () => {
    const { schemas } = wf.jobs;
    const steps = stepsOf(schemas);
    const tf = steps.findIndex((s) => uses(s, "hashicorp/setup-terraform"));
    const compare = steps.findIndex((s) =>
      /npm run schemas:compare -- --out real-schemas$/.test(s.run ?? ""),
    );
    expect(tf).toBeGreaterThan(-1);
    expect(steps[tf].with).toMatchObject({ terraform_version: "1.11.4", terraform_wrapper: false });
    expect(compare).toBeGreaterThan(tf);
    // The real registry, not the offline mirror, and no secret: it runs for forks too.
    expect(JSON.stringify(schemas)).not.toMatch(/TF_CLI_CONFIG_FILE|secrets\.|TF_REATTACH_PROVIDERS/);
    expect(steps[compare].if).toBeUndefined();
    const upload = steps.findIndex((s) => uses(s, "actions/upload-artifact"));
    expect(upload).toBeGreaterThan(compare);
    expect(steps[upload].if).toBe("${{ !cancelled() }}");
    expect(steps[upload].with).toMatchObject({ path: "real-schemas/" });
    expect(schemas.needs).toBe("test");
  });

  test("keeps one run per pull request", () => {
    expect(wf.concurrency?.group).toContain("${{ github.event.pull_request.number }}");
    expect(wf.concurrency?.["cancel-in-progress"]).toBe(true);
  });

  test("plans with pinned Terraform 1.11 and the stack's secrets, skipped with a notice for forks", () => {
    const tf = stepsOf(diff).find((s) => uses(s, "hashicorp/setup-terraform"));
    expect(String(tf?.with?.terraform_version)).toMatch(/^1\.11\.\d+$/);
    expect(tf?.with?.terraform_wrapper).toBe(false);

    expect(plan?.if).toBe(sameRepo);
    expect(plan?.run).toMatch(/terraform plan .*-detailed-exitcode/);
    const variables = [
      "dreamfactory_url",
      "dreamfactory_api_key",
      "elasticsearch_password",
      "elasticsearch_ca_certificate",
      "grafana_auth",
      "alert_webhook_url",
    ];
    for (const v of variables) {
      expect(plan?.env?.[`TF_VAR_${v}`]).toBe(`\${{ secrets.${v.toUpperCase()} }}`);
    }
    const fork = stepsOf(diff).find((s) => s.if === sameRepo.replace("==", "!="));
    expect(fork?.run).toContain("::notice");
  });

  test("the comment step runs after the plan, also when it failed", () => {
    const steps = stepsOf(diff);
    expect(steps.indexOf(comment as Step)).toBeGreaterThan(steps.indexOf(plan as Step));
    expect(comment?.if).toContain("steps.plan.outcome == 'failure'");
    expect(comment?.env?.PLAN_LOG).toBe(SYNTH_JSON.replace("cdk.tf.json", "plan.log"));
  });

  describe("the comment script", () => {
    const PLAN_LOG = [
      "Terraform used the selected providers to generate the following execution plan.",
      "Resource actions are indicated with the following symbols:",
      "  + create",
      "",
      "Terraform will perform the following actions:",
      "",
      "  # docker_container.Elasticsearch_Node0_1A2B3C4D will be created",
      '  + resource "docker_container" "Elasticsearch_Node0_1A2B3C4D" {',
      '      + name = "elk-es-0"',
      "    }",
      "",
      "  # grafana_dashboard.ApiActivity_5E6F7A8B will be updated in-place",
      '  ~ resource "grafana_dashboard" "ApiActivity_5E6F7A8B" {',
      "        # (3 unchanged attributes hidden)",
      "    }",
      "",
      "  # elasticstack_elasticsearch_security_api_key.Writer_9C0D must be replaced",
      "",
      "Plan: 2 to add, 1 to change, 1 to destroy.",
    ].join("\n");

    interface Comment {
      id: number;
      body: string;
      user: { type: string };
    }

    /** Runs the step's script as github-script does (an async function body), against a fake API. */
    async function runScript(opts: {
      log?: string;
      exitCode: string;
      backend?: string;
      existing?: Comment[];
    }) {
      const dir = mkdtempSync(join(tmpdir(), "pr-comment-"));
      const logFile = join(dir, "plan.log");
      if (opts.log !== undefined) writeFileSync(logFile, opts.log);
      const calls: string[] = [];
      const listComments = jest.fn();
      const createComment = jest.fn(async () => void calls.push("create"));
      const updateComment = jest.fn(async () => void calls.push("update"));
      const github = {
        rest: { issues: { listComments, createComment, updateComment } },
        paginate: jest.fn(async (method: unknown, params: { issue_number: number }) => {
          expect(method).toBe(listComments);
          expect(params.issue_number).toBe(7);
          calls.push("list");
          return opts.existing ?? [];
        }),
      };
      const context = {
        repo: { owner: "acme", repo: "analytics" },
        issue: { number: 7 },
        serverUrl: "https://github.com",
        runId: 42,
        sha: "merge-sha",
        payload: { pull_request: { head: { sha: "head-sha" } } },
      };
      const env = { PLAN_EXIT_CODE: opts.exitCode, PLAN_BACKEND: opts.backend ?? "s3", PLAN_LOG: logFile };
      const fakeRequire = (id: string) => {
        if (id !== "fs") throw new Error(`unexpected require(${id})`);
        return { existsSync, readFileSync };
      };
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
        ...args: string[]
      ) => (...values: unknown[]) => Promise<unknown>;
      const script = new AsyncFunction(
        "github",
        "context",
        "require",
        "process",
        String(comment?.with?.script),
      );
      try {
        await script(github, context, fakeRequire, { env });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return { calls, createComment, updateComment };
    }

    const bodyOf = (fn: jest.Mock) => (fn.mock.calls[0] as [{ body: string }])[0].body;

    test("creates its comment, marked, with the summary and the resource changes", async () => {
      const { calls, createComment } = await runScript({ log: PLAN_LOG, exitCode: "2" });
      expect(calls).toEqual(["list", "create"]);
      const body = bodyOf(createComment);
      expect(body.startsWith(MARKER)).toBe(true);
      expect(body).toContain("**Plan: 2 to add, 1 to change, 1 to destroy.**");
      expect(body).toContain("# docker_container.Elasticsearch_Node0_1A2B3C4D will be created");
      expect(body).toContain("# grafana_dashboard.ApiActivity_5E6F7A8B will be updated in-place");
      expect(body).toContain("# elasticstack_elasticsearch_security_api_key.Writer_9C0D must be replaced");
      expect(body).not.toContain("unchanged attributes");
      expect(body).not.toContain('name = "elk-es-0"');
      expect(body).toContain("head-sha");
    });

    test("searches for its marker first and updates its own comment instead of adding one", async () => {
      const existing: Comment[] = [
        { id: 1, body: `a reviewer quoting ${MARKER}`, user: { type: "User" } },
        { id: 2, body: `${MARKER}\nold plan`, user: { type: "Bot" } },
      ];
      const { calls, createComment, updateComment } = await runScript({
        log: "No changes. Your infrastructure matches the configuration.\n",
        exitCode: "0",
        existing,
      });
      expect(calls).toEqual(["list", "update"]);
      expect(createComment).not.toHaveBeenCalled();
      expect(updateComment.mock.calls[0]).toEqual([expect.objectContaining({ comment_id: 2 })]);
      expect(bodyOf(updateComment)).toContain(
        "**No changes. Your infrastructure matches the configuration.**",
      );
    });

    test("stays within GitHub's comment limit by cutting whole change lines", async () => {
      const many = Array.from(
        { length: 5000 },
        (_, i) => `  # docker_volume.Data_${i}_ABCDEFGHIJKL will be created`,
      );
      const { createComment } = await runScript({
        log: [...many, "Plan: 5000 to add, 0 to change, 0 to destroy."].join("\n"),
        exitCode: "2",
      });
      const body = bodyOf(createComment);
      expect(body.length).toBeLessThanOrEqual(65536);
      expect(body).toContain("**Plan: 5000 to add, 0 to change, 0 to destroy.**");
      expect(body).toMatch(/… \d+ more changes in the job log/);
      expect(body).toContain("# docker_volume.Data_0_ABCDEFGHIJKL will be created");
      expect(
        body
          .split("\n")
          .filter((l) => l.startsWith("# docker_volume"))
          .every((l) => l.endsWith("will be created")),
      ).toBe(true);
    });

    test("reports a failed plan, and a local backend", async () => {
      const { createComment } = await runScript({ exitCode: "", backend: "local" });
      const body = bodyOf(createComment);
      expect(body).toContain("The plan failed");
      expect(body).toContain("https://github.com/acme/analytics/actions/runs/42");
      expect(body).toContain("backend is `local`");
    });
  });
});

describe("deploy.yml", () => {
  const wf = load("deploy.yml");
  const { test: testJob, deploy } = wf.jobs;

  test("runs on pushes to main and by hand, never on pull requests", async () => {
    const { template } = await validate("deploy.yml", raw("deploy.yml"));
    expect(Object.keys(template?.events ?? {}).sort()).toEqual(["push", "workflow_dispatch"]);
    expect(template?.events.push?.branches).toEqual(["main"]);
  });

  test("tests with README's command before the deploy job", () => {
    expect(stepsOf(testJob).some((s) => s.run?.trim() === readmeCommand("tests:"))).toBe(true);
    expect(deploy.needs).toBe("test");
  });

  test("deploys only main, in the production environment, one deploy at a time", () => {
    expect(
      deploy.environment === "production" || (deploy.environment as { name?: string })?.name === "production",
    ).toBe(true);
    // A manual run from another branch is skipped.
    expect(deploy.if).toBe("github.ref == 'refs/heads/main'");
    expect(deploy.concurrency?.group).not.toContain("${{");
    expect(deploy.concurrency?.["cancel-in-progress"]).toBe(false);
    expect(effectivePermissions(wf, deploy)).toEqual({ contents: "read" });
    expect(effectivePermissions(wf, testJob)).toEqual({ contents: "read" });
  });

  test("runs cdktf deploy with --auto-approve on the analytics stack, after refusing a local backend", () => {
    const steps = stepsOf(deploy);
    const run = steps.findIndex((s) =>
      /\bnpx cdktf deploy\b.*--auto-approve\b.*\banalytics\b/.test(s.run ?? ""),
    );
    expect(run).toBeGreaterThan(-1);
    const guard = steps.findIndex((s) => s.run?.includes(".terraform.backend") ?? false);
    expect(guard).toBeGreaterThan(-1);
    expect(guard).toBeLessThan(run);
    expect(steps[run].env?.TF_VAR_dreamfactory_api_key).toBe("${{ secrets.DREAMFACTORY_API_KEY }}");
  });
});
