import type { estypes } from "@elastic/elasticsearch";
import { backupChecks, compareCounts, interpretSlmPolicy } from "../../scripts/smoke/backups";
import type { HttpRequest, HttpResponse } from "../../scripts/smoke/http";
import type { Verdict } from "../../scripts/smoke/interpret";
import { parseCli, resolveSettings, type StackOutputs } from "../../scripts/smoke/inputs";
import { parseConfig } from "../../config";

// GET _slm/policy/<id> as Elasticsearch 8.19 answers it without ?human: times in epoch millis
// (SnapshotLifecyclePolicyItem / SnapshotInvocationRecord in elastic/elasticsearch x-pack/plugin/core),
// typed with the official client's estypes.SlmGetLifecycleResponse (@elastic/elasticsearch 8.19.1).
const at = (iso: string) => Date.parse(iso);
function policyResponse(over: Partial<estypes.SlmSnapshotLifecycle> = {}, schedule = "0 30 1 * * ?") {
  const body: estypes.SlmGetLifecycleResponse = {
    "elk-snapshots": {
      version: 1,
      modified_date_millis: at("2026-11-01T09:12:00Z"),
      policy: {
        name: "<elk-snapshots-{now/d}>",
        schedule,
        repository: "elk-snapshots",
        config: { indices: ["datafly-events", "dreamfactory-logs-*"], include_global_state: false },
        retention: { expire_after: "30d", min_count: 5, max_count: 50 },
      },
      next_execution_millis: at("2026-12-02T01:30:00Z"),
      stats: {
        policy: "elk-snapshots",
        snapshots_taken: 30,
        snapshots_failed: 0,
        snapshots_deleted: 0,
        snapshot_deletion_failures: 0,
      },
      ...over,
    },
  };
  return body;
}
const success = (name: string, iso: string) => ({ snapshot_name: name, time: at(iso) });
const NOW = new Date("2026-12-01T11:00:00Z"); // fired 01:30 today and yesterday

describe("backups.last-success", () => {
  test("a success after the last fire time passes and names it", () => {
    const s = interpretSlmPolicy(
      "elk-snapshots",
      200,
      policyResponse({ last_success: success("elk-snapshots-2026.12.01-a1", "2026-12-01T01:30:41Z") }),
      NOW,
    );
    expect(s.verdict.ok).toBe(true);
    expect(s.verdict.reason).toContain(
      "last success elk-snapshots-2026.12.01-a1 at 2026-12-01T01:30:41.000Z",
    );
    expect(s).toMatchObject({
      repository: "elk-snapshots",
      lastSnapshot: { name: "elk-snapshots-2026.12.01-a1" },
    });
  });

  test("the latest run may still be running: a success since the fire time before it is enough", () => {
    const s = interpretSlmPolicy(
      "elk-snapshots",
      200,
      policyResponse({ last_success: success("elk-snapshots-2026.11.30-b2", "2026-11-30T01:31:00Z") }),
      new Date("2026-12-01T01:30:05Z"),
    );
    expect(s.verdict.ok).toBe(true);
  });

  test("no success since the fire time before the last one fails with the last failure", () => {
    const body = policyResponse({
      last_success: success("elk-snapshots-2026.11.28-c3", "2026-11-28T01:31:00Z"),
      last_failure: {
        ...success("elk-snapshots-2026.12.01-d4", "2026-12-01T01:30:02Z"),
        details: "repository_exception: [elk-snapshots] could not write",
      } as estypes.SlmInvocation,
    });
    const s = interpretSlmPolicy("elk-snapshots", 200, body, NOW);
    expect(s.verdict.ok).toBe(false);
    expect(s.verdict.reason).toContain("none since 2026-11-30T01:30:00.000Z");
    expect(s.verdict.reason).toContain("last failure elk-snapshots-2026.12.01-d4");
    expect(s.verdict.reason).toContain("could not write");
  });

  test("the interval comes from the schedule: weekly tolerates six days without a snapshot", () => {
    const weekly = policyResponse({ last_success: success("w", "2026-11-22T03:00:30Z") }, "0 0 3 ? * SUN");
    expect(interpretSlmPolicy("elk-snapshots", 200, weekly, NOW).verdict.ok).toBe(true);
    const stale = policyResponse({ last_success: success("w", "2026-11-21T03:00:30Z") }, "0 0 3 ? * SUN");
    expect(interpretSlmPolicy("elk-snapshots", 200, stale, NOW).verdict.ok).toBe(false);
  });

  test("a policy defined after that fire time is not due yet; an old one without success fails", () => {
    const fresh = policyResponse({ modified_date_millis: at("2026-11-30T18:00:00Z") });
    expect(interpretSlmPolicy("elk-snapshots", 200, fresh, NOW).verdict).toMatchObject({ ok: true });
    const old = interpretSlmPolicy("elk-snapshots", 200, policyResponse(), NOW).verdict;
    expect(old).toMatchObject({ ok: false });
    expect(old.reason).toMatch(/^no successful snapshot yet/);
  });

  test("a missing policy and an error answer fail with what to do", () => {
    const missing = {
      error: {
        type: "resource_not_found_exception",
        reason: "snapshot lifecycle policy or policies [elk-snapshots] not found",
      },
      status: 404,
    };
    expect(interpretSlmPolicy("elk-snapshots", 404, missing, NOW).verdict.reason).toMatch(
      /does not exist: is the stack deployed with backups.enabled/,
    );
    const denied = {
      error: { type: "security_exception", reason: "action [cluster:admin/slm/get] is unauthorized" },
      status: 403,
    };
    expect(interpretSlmPolicy("elk-snapshots", 403, denied, NOW).verdict.reason).toContain(
      "HTTP 403 (security_exception",
    );
  });
});

describe("backups.restore-drill", () => {
  const json = (status: number, body: unknown): HttpResponse => ({
    status,
    body,
    text: JSON.stringify(body),
  });
  // POST _snapshot/<repo>/<snap>/_restore?wait_for_completion=true: estypes.SnapshotRestoreResponse.
  const restored = (index: string): estypes.SnapshotRestoreResponse => ({
    snapshot: {
      snapshot: "elk-snapshots-2026.12.01-a1",
      indices: [index],
      shards: { total: 1, successful: 1, failed: 0 },
    },
  });

  async function drill(counts: { copy: number; live: number }, restoreStatus = 200) {
    const calls: { method: string; path: string; json?: unknown }[] = [];
    const reports: [string, Verdict][] = [];
    const cleanups: [string, () => Promise<Verdict>][] = [];
    const target = "restore-drill-datafly-events-0a0b";
    await backupChecks({
      policy: "elk-snapshots",
      restoreDrill: true,
      eventsIndex: "datafly-events",
      now: NOW,
      suffix: "0a0b",
      es: async (method: NonNullable<HttpRequest["method"]>, path: string, body?: unknown) => {
        calls.push({ method, path, ...(body !== undefined ? { json: body } : {}) });
        if (path.startsWith("/_slm/policy/"))
          return json(
            200,
            policyResponse({ last_success: success("elk-snapshots-2026.12.01-a1", "2026-12-01T01:30:41Z") }),
          );
        if (path.includes("/_restore"))
          return restoreStatus === 200
            ? json(200, restored(target))
            : json(restoreStatus, {
                error: {
                  type: "snapshot_restore_exception",
                  reason:
                    "cannot restore index [restore-drill-datafly-events-0a0b] because an open index with same name already exists in the cluster",
                },
                status: restoreStatus,
              });
        if (path === `/${target}/_count`)
          return json(200, { count: counts.copy, _shards: { total: 1, successful: 1, failed: 0 } });
        if (path === "/datafly-events/_count")
          return json(200, { count: counts.live, _shards: { total: 1, successful: 1, failed: 0 } });
        if (method === "DELETE" && path === `/${target}`) return json(200, { acknowledged: true });
        throw new Error(`unexpected ${method} ${path}`);
      },
      report: (name, verdict) => reports.push([name, verdict]),
      cleanup: (name, run) => cleanups.push([name, run]),
    });
    return { calls, reports, cleanups, target };
  }

  test("restores the events index under a temporary name from the latest snapshot, compares, deletes it", async () => {
    const { calls, reports, cleanups, target } = await drill({ copy: 1200, live: 1250 });
    expect(calls[1]).toEqual({
      method: "POST",
      path: "/_snapshot/elk-snapshots/elk-snapshots-2026.12.01-a1/_restore?wait_for_completion=true",
      json: {
        indices: "datafly-events",
        include_global_state: false,
        include_aliases: false,
        rename_pattern: "(.+)",
        rename_replacement: target,
        index_settings: { "index.number_of_replicas": 0 },
      },
    });
    expect(reports.map(([n, v]) => [n, v.ok])).toEqual([
      ["backups.last-success", true],
      ["backups.restore-drill", true],
    ]);
    expect(reports[1][1].reason).toContain(
      "holds 1200 document(s) of datafly-events; the live index has 1250 (50 written since)",
    );
    expect(cleanups.map(([n]) => n)).toEqual(["cleanup.restore-drill-index"]);
    expect(await cleanups[0][1]()).toEqual({ ok: true, reason: `deleted index ${target}` });
  });

  test("more documents in the snapshot than live means deletions since: fail", async () => {
    const { reports } = await drill({ copy: 1300, live: 1250 });
    expect(reports[1][1]).toMatchObject({ ok: false });
    expect(reports[1][1].reason).toContain("50 were deleted since the snapshot");
  });

  test("a refused restore fails with Elasticsearch's reason and still cleans up", async () => {
    const { reports, cleanups } = await drill({ copy: 0, live: 0 }, 500);
    expect(reports[1][1].reason).toMatch(
      /answered HTTP 500 \(snapshot_restore_exception: cannot restore index/,
    );
    expect(cleanups).toHaveLength(1);
  });

  test("counts compare as documented", () => {
    expect(compareCounts("i", "s", 0, 0).ok).toBe(true);
    expect(compareCounts("i", "s", 1, 0).ok).toBe(false);
  });
});

describe("backup settings of the smoke check", () => {
  const outputs: StackOutputs = {
    elasticsearchEndpoint: "https://localhost:9200",
    grafanaUrl: "https://localhost:3000",
    eventsWriterApiKey: "a2V5",
    elasticPassword: "pw",
    grafanaAdminPassword: "gpw",
  };

  test("the policy name follows the config; the drill only on request (flag or env)", () => {
    const config = parseConfig({ docker: { namePrefix: "ops" } });
    expect(resolveSettings(parseCli([]), {}, config, outputs).backups).toEqual({
      policy: "ops-snapshots",
      restoreDrill: false,
    });
    expect(resolveSettings(parseCli(["--restore-drill"]), {}, config, outputs).backups?.restoreDrill).toBe(
      true,
    );
    expect(
      resolveSettings(parseCli([]), { SMOKE_RESTORE_DRILL: "1" }, config, outputs).backups?.restoreDrill,
    ).toBe(true);
  });

  test("no backup checks when backups are off", () => {
    const config = parseConfig({ backups: { enabled: false } });
    expect(resolveSettings(parseCli([]), {}, config, outputs).backups).toBeUndefined();
  });
});
