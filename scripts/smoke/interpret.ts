import type { estypes } from "@elastic/elasticsearch";
import { REDACTED, isSecretKey } from "../../contract/fields";

/**
 * Pure judgements of what the stack answered: every check's pass/fail rule and the words
 * that explain a failure live here, so they are unit-tested without a cluster.
 */

export interface Verdict {
  readonly ok: boolean;
  readonly reason: string;
}

const pass = (reason: string): Verdict => ({ ok: true, reason });
const fail = (reason: string): Verdict => ({ ok: false, reason });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneLine(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** `type: reason` of an Elasticsearch error body, e.g. `security_exception: action [...] is unauthorized`. */
export function esErrorSummary(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const error = body.error;
  if (typeof error === "string") return oneLine(error);
  if (!isRecord(error)) return undefined;
  const cause = error as Partial<estypes.ErrorCause>;
  const type = typeof cause.type === "string" ? cause.type : "error";
  return typeof cause.reason === "string" ? oneLine(`${type}: ${cause.reason}`) : type;
}

export function esErrorType(body: unknown): string | undefined {
  return isRecord(body) && isRecord(body.error) && typeof body.error.type === "string"
    ? body.error.type
    : undefined;
}

/** `HTTP 403 (security_exception: …)`, or the status alone when the body says nothing. */
function answer(status: number, body: unknown): string {
  const summary = esErrorSummary(body);
  return summary === undefined ? `HTTP ${status}` : `HTTP ${status} (${summary})`;
}

// ---------------------------------------------------------------- 1. cluster health

export function interpretClusterHealth(status: number, body: unknown, user: string): Verdict {
  if (status === 401) {
    return fail(`${answer(status, body)}: user ${user} was not authenticated; check SMOKE_ES_PASSWORD`);
  }
  if (status === 403)
    return fail(`${answer(status, body)}: user ${user} lacks the cluster monitor privilege`);
  if (status !== 200 || !isRecord(body) || typeof body.status !== "string") {
    return fail(`unexpected answer to GET /_cluster/health: ${answer(status, body)}`);
  }
  const health = body as Partial<estypes.ClusterHealthResponse>;
  const nodes = `${health.number_of_nodes ?? "?"} node(s)`;
  const unassigned = health.unassigned_shards ?? 0;
  switch (String(health.status).toLowerCase()) {
    case "green":
      return pass(`green, ${nodes}, ${health.active_shards ?? "?"} active shard(s)`);
    case "yellow":
      return pass(
        `yellow, ${nodes}, ${unassigned} unassigned replica shard(s): data is served, but replicas ` +
          `cannot be placed (add nodes or lower number_of_replicas)`,
      );
    case "red":
      return fail(
        `red, ${nodes}, ${unassigned} unassigned shard(s) including primaries: some data is unavailable ` +
          `(GET /_cluster/allocation/explain says why)`,
      );
    default:
      return fail(`unknown health status ${JSON.stringify(health.status)}`);
  }
}

// ---------------------------------------------------------------- 2. mapping comparison

export type MappingComparison =
  { readonly equal: true } | { readonly equal: false; readonly path: string; readonly problem: string };

interface NormalMapping {
  readonly params: Record<string, string>;
  readonly properties: Record<string, NormalMapping> | undefined;
}

/**
 * The form both sides are compared in. GET _mapping answers differently from what was
 * declared without meaning anything else: `dynamic` comes back as a string, `enabled: true`
 * (the default) and `type: object` on an object with properties are omitted.
 */
function normalize(node: Record<string, unknown>): NormalMapping {
  const params: Record<string, string> = {};
  let properties: Record<string, NormalMapping> | undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key === "properties") {
      properties = {};
      if (isRecord(value)) {
        for (const [name, child] of Object.entries(value)) {
          properties[name] = normalize(isRecord(child) ? child : {});
        }
      }
    } else if (key === "enabled" && String(value) === "true") {
      continue;
    } else {
      params[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  params.type ??= "object";
  if (params.type === "object") properties ??= {};
  return { params, properties };
}

/**
 * Compares the live mapping (GET /<index>/_mapping, one index's `mappings`) with the
 * declared one and names the first difference: the root's parameters, then each declared
 * field in declared order (missing, other type, other parameter), then undeclared fields.
 * Undeclared fields below an object declared `dynamic: true` are expected (the events
 * index lets context/properties/traits grow) and are not differences.
 */
export function compareMappings(declared: estypes.MappingTypeMapping, live: unknown): MappingComparison {
  if (!isRecord(live)) return { equal: false, path: "(root)", problem: "the live mapping is empty" };
  const want = normalize(declared as Record<string, unknown>);
  const got = normalize(live);
  return compareNodes(want, got, "") ?? { equal: true };
}

function compareNodes(
  want: NormalMapping,
  got: NormalMapping,
  path: string,
): Exclude<MappingComparison, { equal: true }> | undefined {
  const where = path === "" ? "(root)" : path;
  const what = path === "" ? "the mapping root" : `field ${path}`;
  const paramNames = [...new Set([...Object.keys(want.params), ...Object.keys(got.params)])].sort((a, b) =>
    a === "type" ? -1 : b === "type" ? 1 : a.localeCompare(b),
  );
  for (const name of paramNames) {
    const w = want.params[name];
    const g = got.params[name];
    if (w === g) continue;
    if (w === undefined)
      return { equal: false, path: where, problem: `${what} has ${name} = ${g}, not declared` };
    if (g === undefined) return { equal: false, path: where, problem: `${what} lacks ${name} = ${w}` };
    return { equal: false, path: where, problem: `${what} has ${name} = ${g}, declared ${w}` };
  }
  const wantProps = want.properties ?? {};
  const gotProps = got.properties ?? {};
  for (const [name, child] of Object.entries(wantProps)) {
    const childPath = path === "" ? name : `${path}.${name}`;
    const live = gotProps[name];
    if (live === undefined) {
      return {
        equal: false,
        path: childPath,
        problem: `field ${childPath} is declared but not in the live mapping`,
      };
    }
    const diff = compareNodes(child, live, childPath);
    if (diff) return diff;
  }
  if (want.params.dynamic === "true") return undefined;
  const extra = Object.keys(gotProps)
    .filter((name) => !(name in wantProps))
    .sort();
  if (extra.length > 0) {
    const childPath = path === "" ? extra[0] : `${path}.${extra[0]}`;
    return {
      equal: false,
      path: childPath,
      problem: `field ${childPath} is in the live mapping but not declared`,
    };
  }
  return undefined;
}

/** The `mappings` of the single index in a GET /<index>/_mapping answer (the index may be an alias). */
export function liveMappings(body: unknown): unknown {
  if (!isRecord(body)) return undefined;
  const indices = Object.values(body).filter(isRecord);
  return indices.length === 1 ? indices[0].mappings : undefined;
}

export function interpretMapping(
  index: string,
  status: number,
  body: unknown,
  declared: estypes.MappingTypeMapping,
): Verdict {
  if (status === 404 && esErrorType(body) === "index_not_found_exception") {
    return fail(
      `index ${index} does not exist (index_not_found_exception): the stack creates it; was it deleted?`,
    );
  }
  if (status !== 200) return fail(`GET /${index}/_mapping: ${answer(status, body)}`);
  const mappings = liveMappings(body);
  if (mappings === undefined) return fail(`GET /${index}/_mapping answered for several or no indices`);
  const diff = compareMappings(declared, mappings);
  if (diff.equal) return pass(`${index} has exactly the declared mapping`);
  return fail(
    `${diff.problem}; a mapping that differs from the declared one (constructs/elasticsearch/definitions.ts) ` +
      "rejects documents (mapping conflict) or leaves fields unsearchable",
  );
}

// ---------------------------------------------------------------- 3. events writer key

export function interpretWriterIndex(index: string, status: number, body: unknown): Verdict {
  if (status === 201 && isRecord(body) && body.result === "created") {
    return pass(`indexed document ${String(body._id)} into ${index} (201 created)`);
  }
  const got = answer(status, body);
  const type = esErrorType(body);
  if (status === 401) return fail(`${got}: the events writer key is invalid or revoked`);
  if (status === 403) return fail(`${got}: the key lacks the write privilege on ${index}`);
  if (type === "index_not_found_exception") {
    return fail(
      `${got}: ${index} is missing and may not be created (create_index, action.auto_create_index)`,
    );
  }
  if (type === "document_parsing_exception" || type === "mapper_parsing_exception") {
    return fail(`${got}: a mapping conflict between the event and the index mapping`);
  }
  if (status === 429 || status === 503)
    return fail(`${got}: the cluster refused the write, it is overloaded or red`);
  return fail(`expected 201 created, got ${got}`);
}

/** The key must be refused (403) for anything but writing to the events index. */
export function interpretRefusal(action: string, status: number, body: unknown): Verdict {
  const got = answer(status, body);
  if (status === 403) return pass(`refused to ${action} with ${got}`);
  if (status >= 200 && status < 300) {
    return fail(
      `the key was allowed to ${action} (HTTP ${status}): it has more than write and create_index on the events index`,
    );
  }
  if (status === 401)
    return fail(`${got}: the key was not authenticated, so its privileges could not be checked`);
  return fail(`expected 403 when trying to ${action}, got ${got}`);
}

// ---------------------------------------------------------------- 4. GELF → Logstash → Elasticsearch

export interface LogExpectation {
  readonly userId: string;
  readonly hostName: string;
  /** Credential values that were sent and must appear nowhere in the document. */
  readonly credentials: readonly string[];
  readonly jwtFailureTag: string;
  /** The level name the sent syslog number must have become, e.g. INFO for 6. */
  readonly level: string;
  /** The status the sent status_code must have become, as an integer. */
  readonly status: number;
}

/**
 * Dotted paths of every value under a secret key (the pipeline's own list, fields.ts) that
 * is not the redaction marker: what the pipeline should have redacted and did not.
 */
export function unredactedPaths(node: unknown, path = ""): string[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => unredactedPaths(v, `${path}[${i}]`));
  if (!isRecord(node)) return [];
  return Object.entries(node).flatMap(([k, v]) => {
    const here = path === "" ? k : `${path}.${k}`;
    if (isSecretKey(k)) return v === REDACTED ? [] : [here];
    return unredactedPaths(v, here);
  });
}

export type LogPoll =
  | { readonly state: "pending"; readonly indexExists: boolean }
  | { readonly state: "done"; readonly verdict: Verdict };

/** Reads `a.b.c` from a document, nested (as Logstash writes it) or as a dotted key. */
export function getField(source: unknown, path: string): unknown {
  let node: unknown = source;
  for (const part of path.split(".")) {
    if (!isRecord(node)) return undefined;
    node = node[part];
  }
  if (node !== undefined) return node;
  return isRecord(source) ? source[path] : undefined;
}

/** One poll of the daily index for the marker: not there yet, or the document judged. */
export function interpretLogSearch(status: number, body: unknown, expect: LogExpectation): LogPoll {
  if (status === 404 && esErrorType(body) === "index_not_found_exception") {
    return { state: "pending", indexExists: false };
  }
  if (status !== 200 || !isRecord(body)) {
    return { state: "done", verdict: fail(`searching the log index: ${answer(status, body)}`) };
  }
  const hits = (body as Partial<estypes.SearchResponse>).hits?.hits ?? [];
  if (hits.length === 0) return { state: "pending", indexExists: true };
  return { state: "done", verdict: judgeLogDocument(hits[0]._source, expect) };
}

export function judgeLogDocument(source: unknown, expect: LogExpectation): Verdict {
  const userId = getField(source, "user.id");
  if (userId !== expect.userId) {
    const tags = getField(source, "tags");
    const tagged = Array.isArray(tags) && tags.includes(expect.jwtFailureTag);
    return fail(
      userId === undefined
        ? `the document has no user.id${tagged ? ` and is tagged ${expect.jwtFailureTag}` : ""}: ` +
            `the JWT filter did not read the session token`
        : `user.id is ${JSON.stringify(userId)}, expected ${JSON.stringify(expect.userId)}`,
    );
  }
  const hostName = getField(source, "host.name");
  if (hostName !== expect.hostName) {
    return fail(`host.name is ${JSON.stringify(hostName)}, expected ${JSON.stringify(expect.hostName)}`);
  }
  const status = getField(source, "event.response.status");
  if (status !== expect.status) {
    return fail(
      `event.response.status is ${JSON.stringify(status)}, expected the integer ${expect.status} from status_code`,
    );
  }
  const level = getField(source, "level");
  if (level !== expect.level) {
    return fail(`level is ${JSON.stringify(level)}, expected ${JSON.stringify(expect.level)}`);
  }
  const unredacted = unredactedPaths(source);
  if (unredacted.length > 0) {
    return fail(`credential field(s) ${unredacted.join(", ")} were indexed: the pipeline must redact them`);
  }
  const text = JSON.stringify(source);
  const leaked = expect.credentials.filter((c) => c.length > 0 && text.includes(c));
  if (leaked.length > 0) {
    return fail(`${leaked.length} credential value(s) sent were indexed (in the URI or a body?)`);
  }
  return pass(
    `user.id ${JSON.stringify(expect.userId)} extracted, host.name set, status ${expect.status}, level ${expect.level}, no credential indexed`,
  );
}

// ---------------------------------------------------------------- 5. Grafana

export function interpretGrafanaHealth(status: number, body: unknown): Verdict {
  if (status === 200 && isRecord(body) && body.database === "ok") {
    return pass(
      `Grafana ${typeof body.version === "string" ? body.version : "(version hidden)"}, database ok`,
    );
  }
  const database = isRecord(body) && typeof body.database === "string" ? `, database ${body.database}` : "";
  return fail(`GET /api/health answered HTTP ${status}${database}`);
}

function grafanaMessage(body: unknown): string {
  return isRecord(body) && typeof body.message === "string" ? `: ${oneLine(body.message)}` : "";
}

function grafanaAuthProblem(status: number, body: unknown): Verdict | undefined {
  if (status === 401) return fail(`HTTP 401${grafanaMessage(body)}: check SMOKE_GRAFANA_AUTH`);
  if (status === 403) return fail(`HTTP 403${grafanaMessage(body)}: the Grafana credentials lack permission`);
  return undefined;
}

export function interpretDatasourceHealth(uid: string, status: number, body: unknown): Verdict {
  const auth = grafanaAuthProblem(status, body);
  if (auth) return auth;
  if (status === 404) return fail(`datasource ${uid} not found: panels using it show "No data"`);
  const state = isRecord(body) && typeof body.status === "string" ? body.status : undefined;
  if (status === 200 && state === "OK") return pass(`health check OK${grafanaMessage(body)}`);
  return fail(
    `health check ${state ?? `HTTP ${status}`}${grafanaMessage(body)}; Grafana cannot query the source, ` +
      `so panels using it show "No data"`,
  );
}

export function interpretDashboard(uid: string, status: number, body: unknown): Verdict {
  const auth = grafanaAuthProblem(status, body);
  if (auth) return auth;
  if (status === 404) return fail(`dashboard ${uid} not found: it was not deployed or was deleted`);
  if (status !== 200 || !isRecord(body) || !isRecord(body.dashboard)) {
    return fail(`GET /api/dashboards/uid/${uid} answered HTTP ${status}${grafanaMessage(body)}`);
  }
  const { dashboard, meta } = body;
  const title = typeof dashboard.title === "string" ? dashboard.title : uid;
  const panels = Array.isArray(dashboard.panels) ? dashboard.panels.length : 0;
  const folder =
    isRecord(meta) && typeof meta.folderTitle === "string" ? ` in folder "${meta.folderTitle}"` : "";
  if (panels === 0) return fail(`"${title}"${folder} has no panels`);
  return pass(`"${title}"${folder}, ${panels} panel(s)`);
}

// ---------------------------------------------------------------- unreachable stack

const TLS_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The failure of a request that got no HTTP answer, as Node reports it. */
export interface NetworkFailure {
  readonly code: string;
  readonly message: string;
}

/**
 * The one sentence printed when a service does not answer, naming the service, the URL,
 * the cause in plain words and what to look at. No stack trace: this is the user's stack,
 * not our bug.
 */
export function describeUnreachable(service: string, url: string, failure: NetworkFailure): string {
  const at = `${service} at ${url}`;
  const { code } = failure;
  if (code === "ECONNREFUSED") {
    return `smoke: cannot reach ${at} (connection refused): is the stack deployed and running?`;
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return `smoke: cannot reach ${at} (DNS lookup of ${hostOf(url)} failed): check the URL in the stack outputs and your DNS.`;
  }
  if (code === "ETIMEDOUT" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return `smoke: cannot reach ${at} (${code === "ETIMEDOUT" ? "no answer in time" : "no route to host"}): is the host up and the port open (firewall, docker.bindAddress)?`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return `smoke: cannot verify ${at} (its TLS certificate is not valid for ${hostOf(url)}): use the host name the certificate was issued for.`;
  }
  if (TLS_CODES.has(code)) {
    return `smoke: cannot verify the TLS certificate of ${at} (${oneLine(failure.message, 120)}): pass the stack CA with the ca_certificate output or --ca-file; verification is never turned off.`;
  }
  if (
    code === "ECONNRESET" ||
    code === "EPROTO" ||
    code.startsWith("ERR_SSL") ||
    code === "HPE_INVALID_CONSTANT"
  ) {
    return `smoke: cannot talk to ${at} (${oneLine(failure.message, 120)}): check the scheme, https:// against a TLS port and http:// against a plain one.`;
  }
  return `smoke: cannot reach ${at} (${code}: ${oneLine(failure.message, 120)}): is the stack deployed and running?`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

// ---------------------------------------------------------------- 6. Kibana

/** GET /api/status: `status.overall.level` is `available` once Kibana serves (8.x status API). */
export function interpretKibanaStatus(status: number, body: unknown): Verdict {
  const overall =
    isRecord(body) && isRecord(body.status) && isRecord(body.status.overall) ? body.status.overall : {};
  const level = typeof overall.level === "string" ? overall.level : undefined;
  if (status === 200 && level === "available") {
    const version = isRecord(body) && isRecord(body.version) ? body.version.number : undefined;
    return pass(`Kibana ${typeof version === "string" ? version : "(version hidden)"} available`);
  }
  if (status === 401) return fail("HTTP 401: check the Elasticsearch user and password the smoke check uses");
  const summary = typeof overall.summary === "string" ? `: ${oneLine(overall.summary)}` : "";
  return fail(`GET /api/status answered HTTP ${status}, level ${level ?? "(none)"}${summary}`);
}

/** GET /api/data_views: every expected data view id is listed. */
export function interpretDataViews(expected: readonly string[], status: number, body: unknown): Verdict {
  if (status !== 200) return fail(`GET /api/data_views answered HTTP ${status}`);
  const views = isRecord(body) && Array.isArray(body.data_view) ? body.data_view : [];
  const ids = views.filter(isRecord).map((v) => String(v.id));
  const missingIds = expected.filter((id) => !ids.includes(id));
  return missingIds.length === 0
    ? pass(`data views ${expected.join(", ")} present`)
    : fail(`data views missing: ${missingIds.join(", ")} (present: ${ids.join(", ") || "none"})`);
}
