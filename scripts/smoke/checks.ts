import { EVENT_FIELDS, SESSION_TOKEN_HEADER, SYSLOG_LEVEL_NAMES } from "../../contract/fields";
import { catalogueMappings } from "../../constructs/elasticsearch/definitions";
import { DATA_VIEW_IDS } from "../../app/analytics-stack";
import { JWT_USER_ID_FAILURE_TAG } from "../../constructs/logstash/pipeline/jwt-user-id";
import { GELF_INCOMPLETE_TAG } from "../../constructs/logstash/pipeline/gelf";
import { RequestFailed, type HttpRequest, type HttpResponse } from "./http";
import type { SmokeSettings } from "./inputs";
import {
  describeUnreachable,
  esErrorType,
  interpretClusterHealth,
  interpretDashboard,
  interpretDatasourceHealth,
  interpretDataViews,
  interpretGrafanaHealth,
  interpretKibanaStatus,
  interpretLogSearch,
  interpretMapping,
  interpretRefusal,
  interpretWriterIndex,
  type Verdict,
} from "./interpret";
import { backupChecks } from "./backups";
import {
  buildGelfMessage,
  buildSessionJwt,
  dailyIndexName,
  eventsTestDocument,
  smokeMarker,
} from "./payloads";

export interface CheckResult extends Verdict {
  readonly name: string;
}

export function formatResult(r: CheckResult): string {
  return `${r.ok ? "PASS" : "FAIL"} ${r.name}: ${r.reason}`;
}

/** Elasticsearch gave no HTTP answer to the first request: nothing else can be checked. */
export class StackUnreachable extends Error {
  constructor(readonly sentence: string) {
    super(sentence);
    this.name = "StackUnreachable";
  }
}

/** The outside world, injected so tests can pin time and randomness. */
export interface SmokeDeps {
  readonly http: (req: HttpRequest) => Promise<HttpResponse>;
  readonly sendGelf: (host: string, port: number, json: string) => Promise<number>;
  readonly now: () => Date;
  readonly randomBytes: (size: number) => Buffer;
  readonly sleep: (ms: number) => Promise<void>;
  /** GELF `host` of the test message; the pipeline must copy it to host.name. */
  readonly hostname: string;
}

/** Bound on the restore drill's restore, which waits until the copy's shards have recovered. */
const RESTORE_TIMEOUT_MS = 300_000;

/**
 * Random bytes in the GELF test message's response body: base64 of them deflates to more
 * than df-logger's 8154 bytes, so the message goes as two chunks (scripts/smoke/df-logger-gelf.ts).
 */
export const GELF_TEST_BODY_BYTES = 9000;

/** Time between two searches for the GELF message. */
const POLL_INTERVAL_MS = 2000;

type Cleanup = () => Promise<Verdict>;

/**
 * Runs the checks in order, reporting each result as soon as it is known, then removes
 * what the checks wrote (also when a check threw), reporting each cleanup as a result too.
 * Throws StackUnreachable when Elasticsearch does not answer at all.
 */
export async function runSmoke(
  s: SmokeSettings,
  report: (r: CheckResult) => void,
  deps: SmokeDeps,
): Promise<void> {
  const run = new SmokeRun(s, report, deps);
  try {
    await run.clusterHealth();
    await run.guard("es.events-mapping", () => run.eventsMapping());
    await run.guard("events-key", () => run.eventsWriterKey());
    await run.guard("gelf.pipeline", () => run.gelfPipeline());
    await run.guard("grafana.health", () => run.grafana());
    if (s.kibana) await run.guard("kibana.status", () => run.kibana());
    if (s.backups) await run.guard("backups.last-success", () => run.backups());
  } finally {
    await run.cleanUp();
  }
}

class SmokeRun {
  private readonly cleanups: { name: string; run: Cleanup }[] = [];

  constructor(
    private readonly s: SmokeSettings,
    private readonly report: (r: CheckResult) => void,
    private readonly deps: SmokeDeps,
  ) {}

  private result(name: string, verdict: Verdict): void {
    this.report({ name, ...verdict });
  }

  private es(
    who: "admin" | "writer",
    method: NonNullable<HttpRequest["method"]>,
    path: string,
    json?: unknown,
    timeoutMs = this.s.requestTimeoutMs,
  ): Promise<HttpResponse> {
    const { elasticsearch } = this.s;
    return this.deps.http({
      url: `${elasticsearch.url}${path}`,
      method,
      authorization: who === "admin" ? elasticsearch.adminAuthorization : elasticsearch.writerAuthorization,
      ...(json !== undefined ? { json } : {}),
      ...(this.s.ca !== undefined ? { ca: this.s.ca } : {}),
      timeoutMs,
    });
  }

  private grafanaGet(path: string, authenticated = true): Promise<HttpResponse> {
    return this.deps.http({
      url: `${this.s.grafana.url}${path}`,
      ...(authenticated ? { authorization: this.s.grafana.authorization } : {}),
      ...(this.s.ca !== undefined ? { ca: this.s.ca } : {}),
      timeoutMs: this.s.requestTimeoutMs,
    });
  }

  /** A check that loses Elasticsearch midway fails with the reason instead of stopping the run. */
  async guard(name: string, check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (e) {
      if (!(e instanceof RequestFailed)) throw e;
      this.result(name, { ok: false, reason: this.unreachable(e) });
    }
  }

  /** The one-sentence reason, naming the service and its base URL rather than the request path. */
  private unreachable(e: RequestFailed): string {
    const es = this.s.elasticsearch.url;
    return e.url.startsWith(es)
      ? describeUnreachable("Elasticsearch", es, e)
      : describeUnreachable("Grafana", this.s.grafana.url, e);
  }

  private hex(bytes: number): string {
    return this.deps.randomBytes(bytes).toString("hex");
  }

  // 1. Also the reachability probe: no answer here means no stack to check.
  async clusterHealth(): Promise<void> {
    let res: HttpResponse;
    try {
      res = await this.es("admin", "GET", "/_cluster/health");
    } catch (e) {
      if (e instanceof RequestFailed) {
        throw new StackUnreachable(describeUnreachable("Elasticsearch", this.s.elasticsearch.url, e));
      }
      throw e;
    }
    this.result("es.cluster-health", interpretClusterHealth(res.status, res.body, this.s.elasticsearch.user));
  }

  // 2. Field by field against the mapping the stack declares.
  async eventsMapping(): Promise<void> {
    const index = this.s.eventsIndex;
    const res = await this.es("admin", "GET", `/${encodeURIComponent(index)}/_mapping`);
    this.result(
      "es.events-mapping",
      interpretMapping(index, res.status, res.body, catalogueMappings(EVENT_FIELDS)),
    );
  }

  // 3. What the key may do (index an event) and two things it may not (other index, reading).
  async eventsWriterKey(): Promise<void> {
    const index = this.s.eventsIndex;
    const path = encodeURIComponent(index);
    const at = this.deps.now();
    const doc = eventsTestDocument(`smoke-${this.hex(8)}`, at);

    const write = await this.es("writer", "POST", `/${path}/_doc?refresh=wait_for`, doc);
    this.result("events-key.write", interpretWriterIndex(index, write.status, write.body));
    const id = (write.body as { _id?: unknown } | undefined)?._id;
    if (write.status === 201 && typeof id === "string") {
      this.cleanups.push({
        name: "cleanup.events-document",
        run: async () => {
          const res = await this.es(
            "admin",
            "DELETE",
            `/${path}/_doc/${encodeURIComponent(id)}?refresh=true`,
          );
          return res.status === 200
            ? { ok: true, reason: `deleted event ${id} from ${index}` }
            : { ok: false, reason: `could not delete event ${id} from ${index}: HTTP ${res.status}` };
        },
      });
    }

    const other = `${this.s.logsPrefix}-smoke-${this.hex(6)}`;
    const foreign = await this.es("writer", "POST", `/${other}/_doc`, doc);
    this.result(
      "events-key.other-index",
      interpretRefusal(`write to ${other}`, foreign.status, foreign.body),
    );
    if (foreign.status >= 200 && foreign.status < 300) {
      // Over-privileged key: the index it just created has a random name and holds only our document.
      this.cleanups.push({
        name: "cleanup.foreign-index",
        run: async () => {
          const res = await this.es("admin", "DELETE", `/${encodeURIComponent(other)}`);
          return {
            ok: res.status === 200,
            reason:
              res.status === 200 ? `deleted index ${other}` : `could not delete ${other}: HTTP ${res.status}`,
          };
        },
      });
    }

    const read = await this.es("writer", "GET", `/${path}/_search?size=1`);
    this.result("events-key.read", interpretRefusal(`search ${index}`, read.status, read.body));
  }

  // 4. The gateway's path: GELF over UDP → Logstash pipeline → today's daily index.
  async gelfPipeline(): Promise<void> {
    const { gelf } = this.s;
    const sentAt = this.deps.now();
    const marker = smokeMarker(this.deps.randomBytes(8));
    const userId = `smoke-${this.hex(4)}`;
    const iat = Math.floor(sentAt.getTime() / 1000);
    const token = buildSessionJwt({ user_id: userId, iat, exp: iat + 300 }, this.deps.randomBytes(32));
    // A throwaway API key, sent everywhere DreamFactory accepts one, so the check covers redaction.
    const apiKey = this.hex(16);
    const message = buildGelfMessage({
      host: this.deps.hostname,
      marker,
      sentAt,
      sessionTokenHeader: SESSION_TOKEN_HEADER,
      sessionToken: token,
      apiKey,
      // Incompressible and over df-logger's 8154 bytes: the message goes as chunks, as large ones do.
      responseContent: this.deps.randomBytes(GELF_TEST_BODY_BYTES).toString("base64"),
    });
    const index = dailyIndexName(this.s.logsPrefix, sentAt);
    const target = `udp://${gelf.host}:${gelf.port}`;

    let bytes: number;
    try {
      bytes = await this.deps.sendGelf(gelf.host, gelf.port, JSON.stringify(message));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.result("gelf.pipeline", {
        ok: false,
        reason: `could not send GELF to ${target} (${err.code ?? err.message}): check --gelf-host`,
      });
      return;
    }

    const query = { multi_match: { query: marker, type: "phrase", fields: ["message", "short_message"] } };
    let found = false;
    this.cleanups.push({
      name: "cleanup.gelf-document",
      run: async () => {
        const res = await this.es(
          "admin",
          "POST",
          `/${index}/_delete_by_query?refresh=true&conflicts=proceed`,
          { query },
        );
        if (res.status === 404 && esErrorType(res.body) === "index_not_found_exception") {
          return { ok: true, reason: `nothing to delete, ${index} does not exist` };
        }
        const deleted = (res.body as { deleted?: unknown } | undefined)?.deleted;
        if (res.status !== 200 || typeof deleted !== "number") {
          return { ok: false, reason: `delete_by_query on ${index} answered HTTP ${res.status}` };
        }
        if (found && deleted === 0) {
          return { ok: false, reason: `the GELF test document (${marker}) was found but not deleted` };
        }
        return { ok: true, reason: `deleted ${deleted} GELF test document(s) from ${index}` };
      },
    });

    const expect = {
      userId,
      hostName: this.deps.hostname,
      credentials: [apiKey, token],
      jwtFailureTag: JWT_USER_ID_FAILURE_TAG,
      // buildGelfMessage sends syslog 6 and status_code 200.
      level: SYSLOG_LEVEL_NAMES[6],
      status: 200,
    };
    const start = this.deps.now().getTime();
    const deadline = start + gelf.timeoutMs;
    const maxPolls = Math.ceil(gelf.timeoutMs / POLL_INTERVAL_MS) + 1;
    let indexExists = false;
    for (let poll = 0; poll < maxPolls; poll++) {
      const left = deadline - this.deps.now().getTime();
      const timeout = Math.max(1000, Math.min(this.s.requestTimeoutMs, left));
      const res = await this.es("admin", "POST", `/${index}/_search`, { size: 1, query }, timeout);
      const outcome = interpretLogSearch(res.status, res.body, expect);
      if (outcome.state === "done") {
        found = res.status === 200;
        const seconds = Math.round((this.deps.now().getTime() - start) / 1000);
        this.result("gelf.pipeline", {
          ok: outcome.verdict.ok,
          reason: `${bytes} bytes to ${target}, in ${index} after ${seconds} s: ${outcome.verdict.reason}`,
        });
        return;
      }
      indexExists = outcome.indexExists;
      const remaining = deadline - this.deps.now().getTime();
      if (remaining <= 0) break;
      await this.deps.sleep(Math.min(POLL_INTERVAL_MS, remaining));
    }
    const seconds = Math.round(gelf.timeoutMs / 1000);
    this.result("gelf.pipeline", {
      ok: false,
      reason: indexExists
        ? `no document with ${marker} in ${index} after ${seconds} s: Logstash writes today's index but not ` +
          `this message (a lost UDP chunk: search tags:"${GELF_INCOMPLETE_TAG}"; or refused by Elasticsearch into the dead letter queue: see the Logstash logs)`
        : `${index} was not created within ${seconds} s: Logstash indexed nothing today; is it running and ` +
          `listening on ${target}, and is its API key valid (see the Logstash logs)?`,
    });
  }

  // 5. Grafana itself, each datasource's own health check, each dashboard.
  async grafana(): Promise<void> {
    let health: HttpResponse;
    try {
      // Public endpoint: a wrong credential must not hide a healthy server.
      health = await this.grafanaGet("/api/health", false);
    } catch (e) {
      if (!(e instanceof RequestFailed)) throw e;
      const sentence = describeUnreachable("Grafana", this.s.grafana.url, e);
      this.result("grafana.health", {
        ok: false,
        reason: `${sentence} (datasources and dashboards not checked)`,
      });
      return;
    }
    this.result("grafana.health", interpretGrafanaHealth(health.status, health.body));
    for (const uid of this.s.grafanaContent.datasources) {
      await this.guard(`grafana.datasource.${uid}`, async () => {
        const res = await this.grafanaGet(`/api/datasources/uid/${encodeURIComponent(uid)}/health`);
        this.result(`grafana.datasource.${uid}`, interpretDatasourceHealth(uid, res.status, res.body));
      });
    }
    for (const uid of this.s.grafanaContent.dashboards) {
      await this.guard(`grafana.dashboard.${uid}`, async () => {
        const res = await this.grafanaGet(`/api/dashboards/uid/${encodeURIComponent(uid)}`);
        this.result(`grafana.dashboard.${uid}`, interpretDashboard(uid, res.status, res.body));
      });
    }
  }

  // 6. Kibana, when the stack has one: status available, the stack's data views present.
  async kibana(): Promise<void> {
    const kibana = this.s.kibana;
    if (!kibana) return;
    const get = (path: string) =>
      this.deps.http({
        url: `${kibana.url}${path}`,
        authorization: this.s.elasticsearch.adminAuthorization,
        ...(this.s.ca !== undefined ? { ca: this.s.ca } : {}),
        timeoutMs: this.s.requestTimeoutMs,
      });
    let status: HttpResponse;
    try {
      status = await get("/api/status");
    } catch (e) {
      if (!(e instanceof RequestFailed)) throw e;
      this.result("kibana.status", {
        ok: false,
        reason: `${describeUnreachable("Kibana", kibana.url, e)} (data views not checked)`,
      });
      return;
    }
    this.result("kibana.status", interpretKibanaStatus(status.status, status.body));
    await this.guard("kibana.data-views", async () => {
      const res = await get("/api/data_views");
      this.result(
        "kibana.data-views",
        interpretDataViews(Object.values(DATA_VIEW_IDS), res.status, res.body),
      );
    });
  }

  // 7. Snapshots: the policy's last success within its schedule; the restore drill on request.
  async backups(): Promise<void> {
    const backups = this.s.backups;
    if (!backups) return;
    await backupChecks({
      policy: backups.policy,
      restoreDrill: backups.restoreDrill,
      eventsIndex: this.s.eventsIndex,
      now: this.deps.now(),
      suffix: this.hex(4),
      es: (method, path, json) =>
        this.es("admin", method, path, json, path.includes("/_restore") ? RESTORE_TIMEOUT_MS : undefined),
      report: (name, verdict) => this.result(name, verdict),
      cleanup: (name, run) => this.cleanups.push({ name, run }),
    });
  }

  /** Every cleanup runs, whatever the others did; each is reported as a result. */
  async cleanUp(): Promise<void> {
    for (const { name, run } of this.cleanups) {
      try {
        this.result(name, await run());
      } catch (e) {
        const reason = e instanceof RequestFailed ? this.unreachable(e) : `failed: ${(e as Error).message}`;
        this.result(name, { ok: false, reason });
      }
    }
  }
}
