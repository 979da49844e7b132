import type { estypes } from "@elastic/elasticsearch";
import { parseCron, previousFireTimes } from "../../constructs/elasticsearch/cron";
import type { HttpRequest, HttpResponse } from "./http";
import { esErrorSummary, type Verdict } from "./interpret";

/**
 * Snapshot checks, pure: what GET /_slm/policy/<name>, the restore and the counts answered,
 * judged against the policy's own schedule. Shapes are the official client's types
 * (@elastic/elasticsearch 8.19.1 estypes).
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function answer(status: number, body: unknown): string {
  const summary = esErrorSummary(body);
  return summary === undefined ? `HTTP ${status}` : `HTTP ${status} (${summary})`;
}

/** SLM writes times as epoch millis (a string with ?human); undefined when unreadable. */
export function epochMillis(value: estypes.DateTime | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    const n = /^[0-9]+$/.test(value) ? Number(value) : Date.parse(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return value instanceof Date ? value.getTime() : undefined;
}

export interface PolicyState {
  readonly verdict: Verdict;
  /** Repository and latest successful snapshot, for the restore drill. */
  readonly repository?: string;
  readonly lastSnapshot?: { readonly name: string; readonly at: Date };
}

/**
 * The policy's last success must be no older than the schedule's second-to-last fire time
 * before `now`: the last run may still be in progress, the one before it must have succeeded.
 * A policy defined after that time has not been due yet.
 */
export function interpretSlmPolicy(policy: string, status: number, body: unknown, now: Date): PolicyState {
  if (status === 404)
    return {
      verdict: {
        ok: false,
        reason: `SLM policy ${policy} does not exist: is the stack deployed with backups.enabled?`,
      },
    };
  const entry = status === 200 && isRecord(body) ? body[policy] : undefined;
  if (!isRecord(entry) || !isRecord(entry.policy))
    return {
      verdict: {
        ok: false,
        reason: `unexpected answer to GET /_slm/policy/${policy}: ${answer(status, body)}`,
      },
    };
  const lifecycle = entry as unknown as estypes.SlmSnapshotLifecycle;
  const { schedule, repository } = lifecycle.policy;
  const cron = parseCron(schedule);
  if (typeof cron === "string")
    return {
      verdict: { ok: false, reason: `policy ${policy} has schedule ${JSON.stringify(schedule)}: ${cron}` },
      repository,
    };
  const [last, beforeLast] = previousFireTimes(cron, now, 2);
  const success = lifecycle.last_success;
  const successAt = epochMillis(success?.time);
  const lastSnapshot =
    success !== undefined && successAt !== undefined
      ? { name: success.snapshot_name, at: new Date(successAt) }
      : undefined;
  const failure = lifecycle.last_failure as (estypes.SlmInvocation & { details?: unknown }) | undefined;
  const failureAt = epochMillis(failure?.time);
  const failureText =
    failure !== undefined && failureAt !== undefined && (successAt === undefined || failureAt > successAt)
      ? `; last failure ${failure.snapshot_name} at ${new Date(failureAt).toISOString()}` +
        (typeof failure.details === "string"
          ? ` (${failure.details.replace(/\s+/g, " ").slice(0, 200)})`
          : "")
      : "";
  const seen = lastSnapshot
    ? `last success ${lastSnapshot.name} at ${lastSnapshot.at.toISOString()}`
    : "no successful snapshot yet";
  const due = beforeLast ?? last;
  const fired = [last, beforeLast].filter((d) => d !== undefined).map((d) => d.toISOString());
  const where = `to ${repository}, schedule ${schedule} (UTC; last fire times ${fired.join(", ") || "none"})`;
  if (due === undefined)
    return {
      verdict: { ok: true, reason: `${seen} ${where}: not due yet` },
      repository,
      ...(lastSnapshot ? { lastSnapshot } : {}),
    };
  const definedAt = epochMillis(lifecycle.modified_date_millis);
  if (lastSnapshot && lastSnapshot.at.getTime() >= due.getTime())
    return { verdict: { ok: true, reason: `${seen} ${where}${failureText}` }, repository, lastSnapshot };
  if (definedAt !== undefined && definedAt > due.getTime())
    return {
      verdict: {
        ok: true,
        reason: `${seen} ${where}: the policy changed at ${new Date(definedAt).toISOString()}, none due yet`,
      },
      repository,
      ...(lastSnapshot ? { lastSnapshot } : {}),
    };
  return {
    verdict: {
      ok: false,
      reason:
        `${seen} ${where}: none since ${due.toISOString()}${failureText}; ` +
        "see GET _slm/stats and the repository (POST _snapshot/<repository>/_verify)",
    },
    repository,
    ...(lastSnapshot ? { lastSnapshot } : {}),
  };
}

/** The restore request of the drill: one index, renamed, no cluster state, no replicas. */
export function restoreDrillBody(
  index: string,
  target: string,
): Pick<
  estypes.SnapshotRestoreRequest,
  | "indices"
  | "include_global_state"
  | "include_aliases"
  | "rename_pattern"
  | "rename_replacement"
  | "index_settings"
> {
  return {
    indices: index,
    include_global_state: false,
    include_aliases: false,
    rename_pattern: "(.+)",
    rename_replacement: target,
    // A drill copy needs no replicas (a single node could never place them).
    index_settings: { "index.number_of_replicas": 0 },
  };
}

export function interpretRestore(snapshot: string, target: string, status: number, body: unknown): Verdict {
  const shards =
    status === 200 && isRecord(body) ? (body as estypes.SnapshotRestoreResponse).snapshot?.shards : undefined;
  if (!shards)
    return { ok: false, reason: `restoring ${snapshot} into ${target} answered ${answer(status, body)}` };
  if (shards.failed > 0 || shards.successful !== shards.total)
    return {
      ok: false,
      reason: `restored ${snapshot} into ${target} with ${shards.failed} of ${shards.total} shard(s) failed`,
    };
  return { ok: true, reason: `restored ${snapshot} into ${target} (${shards.successful} shard(s))` };
}

export function countOf(status: number, body: unknown): number | undefined {
  const count = status === 200 && isRecord(body) ? (body as Partial<estypes.CountResponse>).count : undefined;
  return typeof count === "number" ? count : undefined;
}

/**
 * The snapshot holds the index as it was when taken: the restored copy may have fewer
 * documents than the live index (written since), never more (that many were deleted since).
 */
export function compareCounts(index: string, snapshot: string, restored: number, live: number): Verdict {
  if (restored > live)
    return {
      ok: false,
      reason: `${snapshot} holds ${restored} document(s) of ${index} but the live index has ${live}: ${restored - live} were deleted since the snapshot (restore them from it if that was not intended)`,
    };
  return {
    ok: true,
    reason: `${snapshot} holds ${restored} document(s) of ${index}; the live index has ${live} (${live - restored} written since)`,
  };
}

export interface BackupCheckContext {
  readonly policy: string;
  readonly restoreDrill: boolean;
  readonly eventsIndex: string;
  readonly now: Date;
  /** Random suffix of the drill's temporary index. */
  readonly suffix: string;
  /** An admin request to Elasticsearch. */
  readonly es: (
    method: NonNullable<HttpRequest["method"]>,
    path: string,
    json?: unknown,
  ) => Promise<HttpResponse>;
  readonly report: (name: string, verdict: Verdict) => void;
  /** Runs after all checks, also when one threw. */
  readonly cleanup: (name: string, run: () => Promise<Verdict>) => void;
}

/** backups.last-success, then (on request) backups.restore-drill and its cleanup. */
export async function backupChecks(c: BackupCheckContext): Promise<void> {
  const res = await c.es("GET", `/_slm/policy/${encodeURIComponent(c.policy)}`);
  const state = interpretSlmPolicy(c.policy, res.status, res.body, c.now);
  c.report("backups.last-success", state.verdict);
  if (!c.restoreDrill) return;
  if (state.repository === undefined || state.lastSnapshot === undefined) {
    c.report("backups.restore-drill", { ok: false, reason: "no successful snapshot to restore from" });
    return;
  }
  const index = c.eventsIndex;
  const snapshot = state.lastSnapshot.name;
  const target = `restore-drill-${index}-${c.suffix}`;
  // Registered before the restore, so a copy left by a restore that failed halfway goes too.
  c.cleanup("cleanup.restore-drill-index", async () => {
    const del = await c.es("DELETE", `/${encodeURIComponent(target)}`);
    if (del.status === 404) return { ok: true, reason: `nothing to delete, ${target} does not exist` };
    return del.status === 200
      ? { ok: true, reason: `deleted index ${target}` }
      : { ok: false, reason: `could not delete ${target}: ${answer(del.status, del.body)}` };
  });
  const restore = await c.es(
    "POST",
    `/_snapshot/${encodeURIComponent(state.repository)}/${encodeURIComponent(snapshot)}/_restore?wait_for_completion=true`,
    restoreDrillBody(index, target),
  );
  const restored = interpretRestore(snapshot, target, restore.status, restore.body);
  if (!restored.ok) {
    c.report("backups.restore-drill", restored);
    return;
  }
  const copy = await c.es("GET", `/${encodeURIComponent(target)}/_count`);
  const live = await c.es("GET", `/${encodeURIComponent(index)}/_count`);
  const [copyCount, liveCount] = [countOf(copy.status, copy.body), countOf(live.status, live.body)];
  if (copyCount === undefined || liveCount === undefined) {
    c.report("backups.restore-drill", {
      ok: false,
      reason: `${restored.reason}, but counting failed (${answer(copy.status, copy.body)} on ${target}, ${answer(live.status, live.body)} on ${index})`,
    });
    return;
  }
  const compared = compareCounts(index, snapshot, copyCount, liveCount);
  c.report("backups.restore-drill", { ok: compared.ok, reason: `${restored.reason}: ${compared.reason}` });
}
