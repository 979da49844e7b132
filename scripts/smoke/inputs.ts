import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { isIPv4 } from "node:net";
import { parseArgs } from "node:util";
import type { StackConfig } from "../../config";
import { STACK_NAME } from "../../app/app-support";
import { grafanaContentUids, snapshotPolicyName } from "../../app/analytics-stack";

/**
 * Everything the smoke check needs to know before it touches the network: the deployed
 * stack's outputs, the credentials that are not outputs, and the names from the config.
 */

/** A mistake in what the user gave us: printed as is, one line per problem, exit code 2. */
export class InputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "InputError";
  }
}

export interface SignalIntegration {
  readonly endpoint?: string;
  readonly index?: string;
  readonly apiKey?: string;
}

export interface StackOutputs {
  readonly elasticsearchEndpoint: string;
  readonly grafanaUrl: string;
  /** Docker mode only: PEM of the stack CA. */
  readonly caCertificate?: string;
  readonly eventsWriterApiKey: string;
  readonly signalIntegration?: SignalIntegration;
  /** Docker mode only: the elastic superuser's password. */
  readonly elasticPassword?: string;
  /** Kubernetes mode only: the file-realm superuser and its password. */
  readonly elasticsearchUser?: string;
  readonly elasticsearchPassword?: string;
  /** Docker mode only: Grafana's admin password. */
  readonly grafanaAdminPassword?: string;
  /** Only with kibana.enabled: Kibana's URL. */
  readonly kibanaUrl?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `terraform output -json` wraps each value as `{ value, type, sensitive }`. */
function isTerraformOutput(value: unknown): value is { value: unknown } {
  return isRecord(value) && "value" in value;
}

/**
 * Flattens the three shapes an outputs file comes in to `name → value`:
 * `terraform output -json` (`{ name: { value, sensitive } }`), `cdktf output --outputs-file`
 * (`{ <stack>: { name: value } }`) and a plain `{ name: value }`.
 */
function outputValues(json: unknown): { values: Record<string, unknown>; cdktfFile: boolean } {
  if (!isRecord(json)) return { values: {}, cdktfFile: false };
  const entries = Object.entries(json);
  if (entries.length > 0 && entries.every(([, v]) => isTerraformOutput(v))) {
    return {
      values: Object.fromEntries(entries.map(([k, v]) => [k, (v as { value: unknown }).value])),
      cdktfFile: false,
    };
  }
  const stacks = entries.filter(([, v]) => isRecord(v));
  const stack = isRecord(json[STACK_NAME])
    ? json[STACK_NAME]
    : stacks.length === 1
      ? stacks[0][1]
      : undefined;
  if (isRecord(stack) && !("elasticsearch_endpoint" in json)) return { values: stack, cdktfFile: true };
  return { values: json, cdktfFile: false };
}

/** Reads the stack outputs from their JSON text; `source` names where it came from in errors. */
export function parseOutputs(text: string, source: string): StackOutputs {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError([`smoke: ${source} is not JSON (${(e as Error).message}).`]);
  }
  const { values, cdktfFile } = outputValues(json);
  if (Object.keys(values).length === 0) {
    throw new InputError([`smoke: ${source} holds no outputs: is the stack deployed (npm run deploy)?`]);
  }
  const problems: string[] = [];
  const str = (name: string, required: boolean): string | undefined => {
    const value = values[name];
    if (value === undefined || value === null) {
      if (required) problems.push(missing(source, name, cdktfFile));
      return undefined;
    }
    if (typeof value !== "string" || value === "") {
      problems.push(`smoke: ${source}: output ${name} must be a non-empty string.`);
      return undefined;
    }
    return value;
  };
  const url = (name: string): string | undefined => {
    const value = str(name, true);
    if (value !== undefined && !/^https?:\/\/[^\s/]+/.test(value)) {
      problems.push(`smoke: ${source}: output ${name} = ${JSON.stringify(value)} is not an http(s) URL.`);
    }
    return value;
  };
  const elasticsearchEndpoint = url("elasticsearch_endpoint");
  const grafanaUrl = url("grafana_url");
  const eventsWriterApiKey = str("events_writer_api_key", true);
  const caCertificate = str("ca_certificate", false);
  if (caCertificate !== undefined && !caCertificate.includes("-----BEGIN CERTIFICATE-----")) {
    problems.push(`smoke: ${source}: output ca_certificate is not a PEM certificate.`);
  }
  const signalIntegration = parseSignalIntegration(values.signal_integration, source, problems);
  const elasticPassword = str("elastic_password", false);
  const elasticsearchUser = str("elasticsearch_user", false);
  const elasticsearchPassword = str("elasticsearch_password", false);
  const grafanaAdminPassword = str("grafana_admin_password", false);
  const kibanaUrl = str("kibana_url", false);
  if (kibanaUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(kibanaUrl)) {
    problems.push(
      `smoke: ${source}: output kibana_url = ${JSON.stringify(kibanaUrl)} is not an http(s) URL.`,
    );
  }
  if (problems.length > 0 || !elasticsearchEndpoint || !grafanaUrl || !eventsWriterApiKey) {
    throw new InputError(problems);
  }
  return {
    elasticsearchEndpoint: elasticsearchEndpoint.replace(/\/+$/, ""),
    grafanaUrl: grafanaUrl.replace(/\/+$/, ""),
    eventsWriterApiKey,
    ...(caCertificate !== undefined ? { caCertificate } : {}),
    ...(signalIntegration !== undefined ? { signalIntegration } : {}),
    ...(elasticPassword !== undefined ? { elasticPassword } : {}),
    ...(elasticsearchUser !== undefined ? { elasticsearchUser } : {}),
    ...(elasticsearchPassword !== undefined ? { elasticsearchPassword } : {}),
    ...(grafanaAdminPassword !== undefined ? { grafanaAdminPassword } : {}),
    ...(kibanaUrl !== undefined ? { kibanaUrl: kibanaUrl.replace(/\/+$/, "") } : {}),
  };
}

function missing(source: string, name: string, cdktfFile: boolean): string {
  const sensitive = name === "events_writer_api_key";
  const hint =
    sensitive && cdktfFile
      ? ": cdktf leaves sensitive outputs out of the file unless you add --outputs-file-include-sensitive-outputs."
      : ": is the stack deployed with this version of the code?";
  return `smoke: ${source} has no ${name} output${hint}`;
}

/** The router's install body: terraform gives it as a JSON string (jsonencode). */
function parseSignalIntegration(
  value: unknown,
  source: string,
  problems: string[],
): SignalIntegration | undefined {
  if (value === undefined || value === null) return undefined;
  let body: unknown = value;
  if (typeof value === "string") {
    try {
      body = JSON.parse(value);
    } catch {
      body = undefined;
    }
  }
  const config = isRecord(body) ? body.config : undefined;
  if (!isRecord(config)) {
    problems.push(`smoke: ${source}: output signal_integration is not the router's JSON install body.`);
    return undefined;
  }
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  return { endpoint: text(config.endpoint), index: text(config.index), apiKey: text(config.api_key) };
}

// ---------------------------------------------------------------- reading outputs

export const DEFAULT_STACK_DIR = `cdktf.out/stacks/${STACK_NAME}`;

/** Runs `terraform output -json` in the stack's directory; bounded in time. */
export function terraformOutputs(stackDir: string, timeoutMs = 60_000): Promise<StackOutputs> {
  const source = `terraform output in ${stackDir}`;
  if (!existsSync(stackDir)) {
    return Promise.reject(
      new InputError([
        `smoke: ${stackDir} does not exist: synthesize and deploy the stack first (npm run deploy), or pass --outputs <file>.`,
      ]),
    );
  }
  return new Promise((resolve, reject) => {
    execFile(
      "terraform",
      ["output", "-json", "-no-color"],
      {
        cwd: stackDir,
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, TF_IN_AUTOMATION: "1" },
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT") {
            reject(
              new InputError([
                "smoke: terraform is not on the PATH: install it, or pass --outputs <file> from `cdktf output --outputs-file <file> --outputs-file-include-sensitive-outputs`.",
              ]),
            );
            return;
          }
          const detail = firstErrorLine(String(stderr)) ?? error.message;
          reject(new InputError([`smoke: ${source} failed (${detail}): is the stack deployed?`]));
          return;
        }
        try {
          resolve(parseOutputs(String(stdout), source));
        } catch (e) {
          reject(e);
        }
      },
    );
  });
}

function firstErrorLine(stderr: string): string | undefined {
  const lines = stderr
    .split("\n")
    .map((l) => l.replace(/^[│╷╵\s]+/, "").trim())
    .filter((l) => l !== "");
  return lines.find((l) => l.startsWith("Error:")) ?? lines[0];
}

export function fileOutputs(file: string): StackOutputs {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError([
      `smoke: cannot read --outputs ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}).`,
    ]);
  }
  return parseOutputs(text, file);
}

// ---------------------------------------------------------------- flags and environment

export interface CliOptions {
  readonly help: boolean;
  readonly outputsFile?: string;
  readonly stackDir: string;
  readonly esUser?: string;
  readonly caFile?: string;
  readonly gelfHost?: string;
  readonly gelfPort?: number;
  readonly eventsIndex?: string;
  readonly logsPrefix?: string;
  readonly requestTimeoutMs: number;
  readonly gelfTimeoutMs: number;
  /** Restore the events index from the latest snapshot into a temporary index (--restore-drill). */
  readonly restoreDrill: boolean;
}

export const USAGE = `usage: npm run smoke -- [options]

Checks a deployed stack end to end: cluster health, the events mapping, the events writer
key, a GELF message through Logstash, Grafana's datasources and dashboards, and the snapshot
policy's last success (with backups.enabled).

  --outputs <file>      stack outputs as JSON (terraform output -json, or cdktf output
                        --outputs-file <file> --outputs-file-include-sensitive-outputs);
                        default: terraform output -json in --stack-dir
  --stack-dir <dir>     default ${DEFAULT_STACK_DIR}
  --es-user <user>      Elasticsearch user for read-back and cleanup (SMOKE_ES_USER, default elastic)
  --ca-file <file>      PEM of the CA that signed the Elasticsearch/Grafana certificates
                        (default: the ca_certificate output, else the public roots)
  --gelf-host <host>    Logstash GELF host (default 127.0.0.1)
  --gelf-port <port>    Logstash GELF UDP port (default logstash.gelfPort of the config)
  --events-index <name> default events.index of the config (STACK_CONFIG)
  --logs-prefix <name>  default logs.indexPrefix of the config (STACK_CONFIG)
  --timeout <s>         bound on each HTTP request, default 10
  --gelf-timeout <s>    how long to wait for the GELF message in Elasticsearch, default 60
  --restore-drill       also restore the events index from the latest snapshot into a
                        temporary index, compare document counts, delete it (SMOKE_RESTORE_DRILL=1)

environment:
  SMOKE_ES_PASSWORD     password of --es-user (docker mode default: the elastic_password output)
  SMOKE_GRAFANA_AUTH    user:password or a service account token
                        (docker mode default: admin and the grafana_admin_password output)
  STACK_CONFIG          the config file the stack was deployed with

exit codes: 0 all passed, 1 a check failed, 2 bad input, 3 the stack is unreachable`;

export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        outputs: { type: "string" },
        "stack-dir": { type: "string" },
        "es-user": { type: "string" },
        "ca-file": { type: "string" },
        "gelf-host": { type: "string" },
        "gelf-port": { type: "string" },
        "events-index": { type: "string" },
        "logs-prefix": { type: "string" },
        timeout: { type: "string" },
        "gelf-timeout": { type: "string" },
        "restore-drill": { type: "boolean" },
      },
    });
  } catch (e) {
    throw new InputError([`smoke: ${(e as Error).message} (npm run smoke -- --help lists the options).`]);
  }
  const v = parsed.values;
  const problems: string[] = [];
  const positive = (flag: string, raw: string | undefined, def: number, max: number): number => {
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || n > max) {
      problems.push(`smoke: --${flag} ${raw}: must be a number of seconds in (0, ${max}].`);
      return def;
    }
    return n;
  };
  let gelfPort: number | undefined;
  if (v["gelf-port"] !== undefined) {
    gelfPort = Number(v["gelf-port"]);
    if (!Number.isInteger(gelfPort) || gelfPort < 1 || gelfPort > 65535) {
      problems.push(`smoke: --gelf-port ${v["gelf-port"]}: must be a port number (1..65535).`);
    }
  }
  const options: CliOptions = {
    help: v.help === true,
    restoreDrill: v["restore-drill"] === true,
    stackDir: v["stack-dir"] ?? DEFAULT_STACK_DIR,
    requestTimeoutMs: positive("timeout", v.timeout, 10, 300) * 1000,
    gelfTimeoutMs: positive("gelf-timeout", v["gelf-timeout"], 60, 900) * 1000,
    ...(v.outputs !== undefined ? { outputsFile: v.outputs } : {}),
    ...(v["es-user"] !== undefined ? { esUser: v["es-user"] } : {}),
    ...(v["ca-file"] !== undefined ? { caFile: v["ca-file"] } : {}),
    ...(v["gelf-host"] !== undefined ? { gelfHost: v["gelf-host"] } : {}),
    ...(gelfPort !== undefined ? { gelfPort } : {}),
    ...(v["events-index"] !== undefined ? { eventsIndex: v["events-index"] } : {}),
    ...(v["logs-prefix"] !== undefined ? { logsPrefix: v["logs-prefix"] } : {}),
  };
  if (problems.length > 0) throw new InputError(problems);
  return options;
}

// ---------------------------------------------------------------- resolved settings

export interface SmokeSettings {
  readonly elasticsearch: {
    readonly url: string;
    readonly user: string;
    /** `Basic …` of the admin user: read-back and cleanup. */
    readonly adminAuthorization: string;
    /** `ApiKey …` of the events writer key. */
    readonly writerAuthorization: string;
  };
  readonly grafana: { readonly url: string; readonly authorization: string };
  /** Kibana, when the stack has one: checked with the Elasticsearch admin credentials. */
  readonly kibana?: { readonly url: string };
  /** Uids of the Grafana datasources and dashboards the deployed stack has. */
  readonly grafanaContent: {
    readonly datasources: readonly string[];
    readonly dashboards: readonly string[];
  };
  readonly ca?: string;
  readonly eventsIndex: string;
  readonly logsPrefix: string;
  readonly gelf: { readonly host: string; readonly port: number; readonly timeoutMs: number };
  /** The SLM policy, when backups are on; the restore drill only on request. */
  readonly backups?: { readonly policy: string; readonly restoreDrill: boolean };
  readonly requestTimeoutMs: number;
  /** Cross-checks of the outputs against the config, printed before the checks. */
  readonly notes: readonly string[];
}

/** `user:password` becomes Basic auth, anything else is a bearer token (service account). */
export function grafanaAuthorization(auth: string): string {
  const colon = auth.indexOf(":");
  return colon > 0 ? `Basic ${Buffer.from(auth).toString("base64")}` : `Bearer ${auth}`;
}

/** Where Logstash's published GELF port is reached from this host by default. */
function defaultGelfHost(config: StackConfig): string {
  const bind = config.docker.bindAddress;
  return config.mode === "docker" && isIPv4(bind) && bind !== "0.0.0.0" ? bind : "127.0.0.1";
}

export function resolveSettings(
  cli: CliOptions,
  env: NodeJS.ProcessEnv,
  config: StackConfig,
  outputs: StackOutputs,
): SmokeSettings {
  const problems: string[] = [];
  // Kubernetes mode's outputs name their superuser (a file-realm user); docker mode's is elastic.
  const user = cli.esUser ?? nonEmpty(env.SMOKE_ES_USER) ?? outputs.elasticsearchUser ?? "elastic";
  const password =
    nonEmpty(env.SMOKE_ES_PASSWORD) ??
    (user === "elastic"
      ? outputs.elasticPassword
      : user === outputs.elasticsearchUser
        ? outputs.elasticsearchPassword
        : undefined);
  if (password === undefined) {
    problems.push(
      `smoke: no password for Elasticsearch user ${user}: set SMOKE_ES_PASSWORD (docker mode: ` +
        `SMOKE_ES_PASSWORD="$(terraform -chdir=${cli.stackDir} output -raw elastic_password)").`,
    );
  }
  const grafanaAuth =
    nonEmpty(env.SMOKE_GRAFANA_AUTH) ??
    (outputs.grafanaAdminPassword !== undefined ? `admin:${outputs.grafanaAdminPassword}` : undefined);
  if (grafanaAuth === undefined) {
    problems.push(
      "smoke: no Grafana credentials: set SMOKE_GRAFANA_AUTH to user:password or a service account token " +
        `(docker mode: admin:"$(terraform -chdir=${cli.stackDir} output -raw grafana_admin_password)").`,
    );
  }
  let ca = outputs.caCertificate;
  if (cli.caFile !== undefined) {
    try {
      ca = readFileSync(cli.caFile, "utf8");
    } catch (e) {
      problems.push(
        `smoke: cannot read --ca-file ${cli.caFile} (${(e as NodeJS.ErrnoException).code ?? e}).`,
      );
    }
    if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----")) {
      problems.push(`smoke: --ca-file ${cli.caFile} is not a PEM certificate.`);
    }
  }
  if (problems.length > 0 || password === undefined || grafanaAuth === undefined)
    throw new InputError(problems);

  const eventsIndex = cli.eventsIndex ?? config.events.index;
  const notes: string[] = [];
  const signal = outputs.signalIntegration;
  if (signal?.index !== undefined && signal.index !== eventsIndex) {
    notes.push(
      `the deployed router config writes to index ${signal.index}, but the smoke check uses ${eventsIndex}: ` +
        "set STACK_CONFIG to the file the stack was deployed with, or pass --events-index",
    );
  }
  if (signal?.apiKey !== undefined && signal.apiKey !== outputs.eventsWriterApiKey) {
    notes.push("signal_integration carries another API key than events_writer_api_key: redeploy the stack");
  }
  return {
    elasticsearch: {
      url: outputs.elasticsearchEndpoint,
      user,
      adminAuthorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
      writerAuthorization: `ApiKey ${outputs.eventsWriterApiKey}`,
    },
    grafana: { url: outputs.grafanaUrl, authorization: grafanaAuthorization(grafanaAuth) },
    ...(outputs.kibanaUrl !== undefined ? { kibana: { url: outputs.kibanaUrl } } : {}),
    grafanaContent: grafanaContentUids(config.mode),
    ...(ca !== undefined ? { ca } : {}),
    eventsIndex,
    logsPrefix: cli.logsPrefix ?? config.logs.indexPrefix,
    gelf: {
      host: cli.gelfHost ?? defaultGelfHost(config),
      port:
        cli.gelfPort ??
        (config.mode === "kubernetes" ? config.kubernetes.gelf.nodePort : undefined) ??
        config.logstash.gelfPort,
      timeoutMs: cli.gelfTimeoutMs,
    },
    ...(config.backups.enabled
      ? {
          backups: {
            policy: snapshotPolicyName(config),
            restoreDrill: cli.restoreDrill || env.SMOKE_RESTORE_DRILL === "1",
          },
        }
      : {}),
    requestTimeoutMs: cli.requestTimeoutMs,
    notes,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
