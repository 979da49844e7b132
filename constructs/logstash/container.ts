import { createHash } from "node:crypto";
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Container, type ContainerPorts, type ContainerUpload } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Volume } from "@cdktf/provider-docker/lib/volume";
import { Password } from "@cdktf/provider-random/lib/password";
import {
  healthcheck,
  jvmSizeMb,
  logOptions,
  terraformLiteral,
  type LogRotation,
  withDefaults,
  curlWithCredential,
} from "../docker/common";
import type { CertificateAuthority, CertificateNames } from "../pki/certificate-authority";
import { API_KEYSTORE_SCRIPT } from "./api-keystore";
import { extractEnvReferences, renderPipeline, type PipelineModel } from "./pipeline";
import {
  LOGSTASH_PATHS,
  MONITORING_PORT,
  PIPELINE_ID,
  pipelineConfigPath,
  renderLogstashSettings,
  renderPipelinesYml,
  type AdditionalPipeline,
  type LogstashApiSecurity,
} from "./settings";

/** A pipeline for {@link Logstash}: the model, the files it reads, the ports its inputs listen on. */
export interface LogstashPipeline {
  /** The pipeline, rendered and checked here (env references must all be set). */
  readonly model: PipelineModel;
  /** Files the pipeline reads (Ruby libraries), by absolute path in the container. @default none */
  readonly files?: readonly { readonly path: string; readonly content: string }[];
  /** Ports its inputs listen on, published on the host. */
  readonly ports: readonly { readonly port: number; readonly protocol: "udp" | "tcp" }[];
}

/** A pipeline beside main (e.g. the dead-letter pipeline): its model and pipelines.yml settings. */
export interface LogstashAdditionalPipeline extends AdditionalPipeline {
  readonly model: PipelineModel;
}

/** User of the secured monitoring API (Logstash knows one). */
export const API_USER = "logstash_api";
/** Variables the API's passwords reach logstash.yml and the healthcheck through. */
export const API_PASSWORD_ENV = "LOGSTASH_API_PASSWORD";
export const API_KEYSTORE_PASSWORD_ENV = "LOGSTASH_API_KEYSTORE_PASSWORD";

/** Defaults of {@link Logstash}; the app's config reference shows the same values. */
export const LOGSTASH_DEFAULTS = {
  version: "8.19.18",
  heap: "256m",
  memoryLimitMb: 1024,
  queueMaxBytes: "1gb",
  bindAddress: "127.0.0.1",
} as const;

/** What Logstash runs and with which resources, on any platform (container or ECK). */
export interface LogstashWorkloadProps {
  readonly pipeline: LogstashPipeline;
  /** Pinned 8.x version. @default "8.19.18" */
  readonly version?: string;
  /** JVM heap, which also sizes workers and batches. @default "256m" */
  readonly heap?: string;
  /** Memory limit in MB; at least 512 MB beside the heap. @default 1024 */
  readonly memoryLimitMb?: number;
  /** Persistent queue limit, at least queue.page_capacity (64mb). @default "1gb" */
  readonly queueMaxBytes?: string;
  /** Values the pipeline reads as `${NAME}` (e.g. an API key): references, never literals. @default none */
  readonly secrets?: Readonly<Record<string, string>>;
  /**
   * Basic-auth credentials for an http input: a password generated here, handed to the
   * pipeline as `${envVar}`. @default none
   */
  readonly httpAuth?: { readonly user: string; readonly envVar: string; readonly port: number };
  /** CA of the cluster, placed at LOGSTASH_PATHS.caCert. @default none: a publicly trusted cluster */
  readonly caCertPem?: string;
  /** Pipelines beside main (e.g. the dead-letter pipeline). @default none */
  readonly additionalPipelines?: readonly LogstashAdditionalPipeline[];
  /** What must exist first: the healthy cluster, the key, the index templates. @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

export interface LogstashProps extends LogstashWorkloadProps {
  /** Container/volume name prefix, e.g. `elk`. */
  readonly namePrefix: string;
  readonly networkName: string;
  /** Host address the input ports bind to. @default "127.0.0.1" */
  readonly bindAddress?: string;
  /** Rotation of the container's json-file log. @default 10m × 5 files */
  readonly logRotation?: LogRotation;
  /**
   * Serve the monitoring API to the stack's network (never published on the host) with TLS
   * from a certificate of this CA and basic authentication. @default loopback only, no auth
   */
  readonly apiCa?: CertificateAuthority;
}

/** The secured monitoring API, as a client on the stack's network reaches it. */
export interface LogstashApi {
  /** `https://<container name>:9600`. */
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** What its certificate names. */
  readonly certificate: CertificateNames;
}

/**
 * Logstash running a pipeline model: files uploaded into the container (no host paths),
 * persistent queue and dead letter queue on a protected volume, a healthcheck on the
 * monitoring API. A changed pipeline replaces the container, so `cdktf deploy` rolls it.
 */
export class Logstash extends Construct {
  /** The rendered pipeline (plain text, as Logstash reads it). */
  readonly pipelineText: string;
  readonly container: Container;
  /** Basic-auth credentials of the http input, when `httpAuth` is set. */
  readonly http?: { readonly port: number; readonly user: string; readonly password: string };
  /** The monitoring API on the stack's network, when `apiCa` is set. */
  readonly api?: LogstashApi;
  /** Rendered additional pipelines, by id. */
  readonly additionalPipelineTexts: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, input: LogstashProps) {
    super(scope, id);
    const props = withDefaults(input, LOGSTASH_DEFAULTS);
    const name = `${props.namePrefix}-logstash`;
    const heapMb = jvmSizeMb(props.heap);
    if (!Number.isInteger(props.memoryLimitMb) || props.memoryLimitMb < heapMb + 512) {
      throw new Error(
        `${this.node.path}: memoryLimitMb = ${props.memoryLimitMb} must be an integer >= heap + 512 (${heapMb + 512})`,
      );
    }
    if (jvmSizeMb(props.queueMaxBytes.replace(/b$/, "")) < 64)
      throw new Error(
        `${this.node.path}: queueMaxBytes = ${JSON.stringify(props.queueMaxBytes)}: must be at least queue.page_capacity (64mb)`,
      );
    // URL-safe: df-logger's http logger can only carry it in the URL's userinfo.
    const httpPassword = props.httpAuth
      ? new Password(this, "HttpPassword", { length: 32, special: false })
      : undefined;
    this.http =
      httpPassword && props.httpAuth
        ? { port: props.httpAuth.port, user: props.httpAuth.user, password: httpPassword.result }
        : undefined;
    this.pipelineText = renderPipeline(props.pipeline.model);
    const additional = props.additionalPipelines ?? [];
    this.additionalPipelineTexts = Object.fromEntries(additional.map((p) => [p.id, renderPipeline(p.model)]));
    const files = props.pipeline.files ?? [];

    const api = props.apiCa ? this.secureApi(name, props.apiCa) : undefined;
    this.api = api?.api;
    const env: Record<string, string> = {
      LS_JAVA_OPTS: `-Xms${props.heap} -Xmx${props.heap}`,
      ...props.secrets,
      ...(httpPassword && props.httpAuth ? { [props.httpAuth.envVar]: httpPassword.result } : {}),
      ...api?.env,
    };
    const allTexts = [this.pipelineText, ...Object.values(this.additionalPipelineTexts)].join("\n");
    const missing = extractEnvReferences(allTexts).filter((v) => !(v in env));
    if (missing.length > 0) {
      throw new Error(
        `${this.node.path}: the pipeline references ${missing.map((v) => `\${${v}}`).join(", ")}, which the container does not set`,
      );
    }

    const image = new Image(this, "Image", {
      name: `docker.elastic.co/logstash/logstash:${props.version}`,
      keepLocally: true,
    });
    const data = new Volume(this, "Data", { name: `${name}-data`, lifecycle: { preventDestroy: true } });

    const uploads: ContainerUpload[] = [
      {
        file: LOGSTASH_PATHS.settings,
        content: terraformLiteral(
          renderLogstashSettings({
            queueMaxBytes: props.queueMaxBytes,
            heapMb,
            ...(api ? { api: api.security } : {}),
          }),
        ),
      },
      { file: LOGSTASH_PATHS.pipelines, content: terraformLiteral(renderPipelinesYml(additional)) },
      { file: LOGSTASH_PATHS.pipeline, content: terraformLiteral(this.pipelineText) },
      ...additional.map((p) => ({
        file: pipelineConfigPath(p.id),
        content: terraformLiteral(this.additionalPipelineTexts[p.id]),
      })),
      ...files.map((f) => ({ file: f.path, content: terraformLiteral(f.content) })),
      ...(api?.uploads ?? []),
    ];
    if (props.caCertPem !== undefined)
      uploads.push({ file: LOGSTASH_PATHS.caCert, content: props.caCertPem });

    const ports: ContainerPorts[] = props.pipeline.ports.map((p) => ({
      internal: p.port,
      external: p.port,
      protocol: p.protocol,
      ip: props.bindAddress,
    }));

    this.container = new Container(this, "Container", {
      name,
      hostname: name,
      image: image.imageId,
      restart: "unless-stopped",
      ...logOptions(props.logRotation),
      // Equal: the docker provider reads memory without memory_swap back as twice the memory.
      memory: props.memoryLimitMb,
      memorySwap: props.memoryLimitMb,
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      upload: uploads,
      volumes: [{ volumeName: data.name, containerPath: LOGSTASH_PATHS.data }],
      networksAdvanced: [{ name: props.networkName, aliases: [name] }],
      ports,
      // A short, readable fingerprint in `cdktf diff` next to the full pipeline text.
      labels: [
        {
          label: "elk-grafana-cdktf.pipeline-sha256",
          value: sha256(allTexts + files.map((f) => f.content).join("")),
        },
      ],
      // The image's uid with group root, which the image is built for (everything under
      // /usr/share/logstash is logstash:root with g=u, elastic/dockerfiles v8.19.10
      // logstash/Dockerfile): root-owned uploads then need no world-readable mode.
      user: LOGSTASH_USER,
      command: startCommand(api?.command),
      healthcheck: healthcheck(api ? api.healthcheck : plainHealthcheck(), { startPeriodSeconds: 60 }),
      wait: true,
      waitTimeout: 300,
      // Lets the persistent queue checkpoint cleanly on stop.
      destroyGraceSeconds: 60,
      dependsOn: [...(props.dependsOn ?? [])],
    });
  }

  /**
   * Certificate, passwords, uploads, start command and healthcheck of the secured API. The
   * keystore is built from the PEM uploads by API_KEYSTORE_SCRIPT before Logstash starts,
   * since logstash.yml names it as an existing file (Setting::ExistingFilePath).
   */
  private secureApi(name: string, ca: CertificateAuthority) {
    const names: CertificateNames = {
      commonName: name,
      dnsNames: [name, "localhost"],
      ipAddresses: ["127.0.0.1"],
    };
    const cert = ca.issue("LogstashApi", names);
    // Logstash's default policy requires upper case, lower case and a digit (environment.rb,
    // v8.19.18); the minimums guarantee each.
    const password = new Password(this, "ApiPassword", {
      length: 32,
      special: false,
      minUpper: 2,
      minLower: 2,
      minNumeric: 2,
    });
    const keystorePassword = new Password(this, "ApiKeystorePassword", { length: 32, special: false });
    const security: LogstashApiSecurity = {
      user: API_USER,
      passwordEnvVar: API_PASSWORD_ENV,
      keystorePasswordEnvVar: API_KEYSTORE_PASSWORD_ENV,
    };
    const p = LOGSTASH_PATHS;
    // Uploads are root:root; Logstash reads the key through group root (the container runs
    // as 1000:0), and no one else can.
    const uploads: ContainerUpload[] = [
      { file: p.apiCert, content: cert.certPem },
      { file: p.apiKey, content: cert.keyPem, permissions: "0440" },
      { file: p.apiCa, content: ca.certPem },
      { file: p.apiKeystoreScript, content: terraformLiteral(API_KEYSTORE_SCRIPT) },
    ];
    const build = [p.apiCert, p.apiKey, p.apiCa, p.apiKeystore, API_KEYSTORE_PASSWORD_ENV].join(" ");
    const command = `/usr/share/logstash/bin/ruby ${p.apiKeystoreScript} ${build}`;
    const healthcheck =
      `${curlWithCredential(API_USER, `"$${API_PASSWORD_ENV}"`)} -fsS --cacert ${p.apiCa} ` +
      `https://localhost:${MONITORING_PORT}${pipelinePath()} | grep -q '"${PIPELINE_ID}"'`;
    return {
      security,
      uploads,
      command,
      healthcheck,
      env: {
        [API_PASSWORD_ENV]: password.result,
        [API_KEYSTORE_PASSWORD_ENV]: keystorePassword.result,
      },
      api: {
        url: `https://${name}:${MONITORING_PORT}`,
        user: API_USER,
        password: password.result,
        certificate: names,
      } satisfies LogstashApi,
    };
  }
}

/**
 * The image's entrypoint runs a non-option command as given (docker/data/logstash/bin/docker-entrypoint,
 * elastic/logstash v8.19.18); this one prepares, then runs the entrypoint again without arguments,
 * which starts Logstash. It creates main's dead-letter directory first: the dead_letter_queue input
 * fails (and is restarted, logging errors) while `<path>/<pipeline_id>` does not exist
 * (DeadLetterQueueInputPlugin.java lazyInitQueueReader, logstash-input-dead_letter_queue v2.0.1).
 */
function startCommand(prepare: string | undefined): string[] {
  const steps = [`mkdir -p ${LOGSTASH_PATHS.deadLetterQueue}/${PIPELINE_ID}`, ...(prepare ? [prepare] : [])];
  return ["bash", "-c", `${steps.join(" && ")} && exec /usr/local/bin/docker-entrypoint`];
}

/** The user the Logstash container runs as: the image's `logstash` uid, primary group root. */
export const LOGSTASH_USER = "1000:0";

function pipelinePath(): string {
  return `/_node/pipelines/${PIPELINE_ID}`;
}

function plainHealthcheck(): string {
  return `curl -fsS http://127.0.0.1:${MONITORING_PORT}${pipelinePath()} | grep -q '"${PIPELINE_ID}"'`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
