import { createHash } from "node:crypto";
import { Construct } from "constructs";
import YAML from "yaml";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import { jvmSizeMb, terraformLiteral, withDefaults } from "../docker/common";
import {
  DNS_LABEL_PATTERN,
  NODE_PORT_RANGE,
  ObjectsRelease,
  quantityBytes,
  quantityProblem,
  type KubernetesObject,
  type ServiceExposure,
} from "../kubernetes/common";
import { LOGSTASH_DEFAULTS, type LogstashWorkloadProps } from "./container";
import { extractEnvReferences, renderPipeline } from "./pipeline";
import { DEAD_LETTER_MAX_BYTES, LOGSTASH_PATHS, PIPELINE_ID, renderLogstashSettings } from "./settings";

/** Bytes of the persistent queue and the dead letter queue together: what the data volume must hold. */
export function logstashQueueBytes(queueMaxBytes: string): number {
  const mb = (size: string) => jvmSizeMb(size.replace(/b$/, ""));
  return (mb(queueMaxBytes) + mb(DEAD_LETTER_MAX_BYTES)) * 1024 * 1024;
}

/** The volume claim ECK mounts at path.data (elastic/cloud-on-k8s pkg/controller/logstash/volume/names.go, v3.5.0). */
export const LOGSTASH_DATA_CLAIM = "logstash-data";

/**
 * The oldest Logstash ECK 3.5.0 runs (SupportedLogstashVersions, elastic/cloud-on-k8s
 * pkg/controller/common/version/version.go, v3.5.0); its webhook refuses older ones.
 */
export const ECK_LOGSTASH_MIN_VERSION = { major: 8, minor: 12 } as const;

/** Whether a pinned x.y.z version is one ECK runs. */
export function eckRunsLogstash(version: string): boolean {
  const m = /^([0-9]+)\.([0-9]+)\.[0-9]+$/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return (
    major > ECK_LOGSTASH_MIN_VERSION.major ||
    (major === ECK_LOGSTASH_MIN_VERSION.major && minor >= ECK_LOGSTASH_MIN_VERSION.minor)
  );
}

/** Defaults of {@link EckLogstash}; the app's config reference shows the same values. */
export const ECK_LOGSTASH_DEFAULTS = {
  name: "elk",
  version: LOGSTASH_DEFAULTS.version,
  heap: LOGSTASH_DEFAULTS.heap,
  memoryLimitMb: LOGSTASH_DEFAULTS.memoryLimitMb,
  queueMaxBytes: LOGSTASH_DEFAULTS.queueMaxBytes,
  volumeSize: "4Gi",
  gelfService: "LoadBalancer",
} as const;

export interface EckLogstashProps extends LogstashWorkloadProps {
  readonly namespace: string;
  /** Name of the Logstash resource; services are `<name>-ls-<service>`. @default "elk" */
  readonly name?: string;
  /** Pinned version, at least 8.12 (ECK 3.5.0's Logstash support). @default "8.19.18" */
  readonly version?: string;
  /** Storage class of the data volume (queue and DLQ). @default the cluster's default class */
  readonly storageClass?: string;
  /** Size of the data volume; holds the queue and the DLQ (1 GiB). @default "4Gi" */
  readonly volumeSize?: string;
  /** How the inputs are exposed outside the cluster. @default "LoadBalancer" */
  readonly gelfService?: ServiceExposure;
  /** Node port of the GELF input with `NodePort`. @default one Kubernetes picks */
  readonly gelfNodePort?: number;
}

/**
 * Logstash through ECK running the same pipeline model as the container: persistent queue and
 * DLQ on a volume claim template, the inputs behind a LoadBalancer or NodePort service, the
 * writer key read from a Kubernetes secret as env.
 */
export class EckLogstash extends Construct {
  readonly pipelineText: string;
  readonly http?: { readonly port: number; readonly user: string; readonly password: string };
  /** The rendered Logstash resource. */
  readonly resource: KubernetesObject;
  /** Name of the GELF service (`<name>-ls-gelf`). */
  readonly gelfServiceName: string;
  readonly release: ObjectsRelease;
  readonly envSecret: SecretV1;
  readonly files: ConfigMapV1;

  constructor(scope: Construct, id: string, input: EckLogstashProps) {
    super(scope, id);
    const props = withDefaults(input, ECK_LOGSTASH_DEFAULTS);
    const fail = (key: string, value: unknown, rule: string): never => {
      throw new Error(`${this.node.path}: ${key} = ${JSON.stringify(value)}: ${rule}`);
    };
    if (!DNS_LABEL_PATTERN.test(props.name) || props.name.length > 36)
      fail("name", props.name, "must be a DNS label of at most 36 characters");
    if (!eckRunsLogstash(props.version))
      fail(
        "version",
        props.version,
        "must be a pinned version of at least 8.12.0 (ECK 3.5.0 runs Logstash from 8.12)",
      );
    const heapMb = jvmSizeMb(props.heap);
    if (props.memoryLimitMb < heapMb + 512)
      fail("memoryLimitMb", props.memoryLimitMb, `must be at least heap + 512 (${heapMb + 512})`);
    const volumeProblem = quantityProblem(props.volumeSize);
    if (volumeProblem) fail("volumeSize", props.volumeSize, volumeProblem);
    if (quantityBytes(props.volumeSize) < logstashQueueBytes(props.queueMaxBytes))
      fail(
        "volumeSize",
        props.volumeSize,
        `must hold the persistent queue (${props.queueMaxBytes}) and the dead letter queue (${DEAD_LETTER_MAX_BYTES})`,
      );
    if (props.gelfNodePort !== undefined) {
      if (props.gelfService !== "NodePort")
        fail("gelfNodePort", props.gelfNodePort, "only applies with gelfService NodePort");
      if (
        !Number.isInteger(props.gelfNodePort) ||
        props.gelfNodePort < NODE_PORT_RANGE.min ||
        props.gelfNodePort > NODE_PORT_RANGE.max
      )
        fail("gelfNodePort", props.gelfNodePort, `must be in ${NODE_PORT_RANGE.min}..${NODE_PORT_RANGE.max}`);
    }

    const httpPassword = props.httpAuth
      ? new Password(this, "HttpPassword", { length: 32, special: false })
      : undefined;
    this.http =
      httpPassword && props.httpAuth
        ? { port: props.httpAuth.port, user: props.httpAuth.user, password: httpPassword.result }
        : undefined;
    this.pipelineText = renderPipeline(props.pipeline.model);
    const secretValues: Record<string, string> = {
      ...props.secrets,
      ...(httpPassword && props.httpAuth ? { [props.httpAuth.envVar]: httpPassword.result } : {}),
    };
    const additional = (props.additionalPipelines ?? []).map((p) => ({
      "pipeline.id": p.id,
      "config.string": renderPipeline(p.model),
      ...p.settings,
    }));
    const ids = new Set([PIPELINE_ID, ...additional.map((p) => p["pipeline.id"])]);
    if (ids.size !== additional.length + 1)
      throw new Error(
        `${this.node.path}: additionalPipelines: pipeline ids must be unique and not ${PIPELINE_ID}`,
      );
    const missing = [
      ...new Set(
        [this.pipelineText, ...additional.map((p) => p["config.string"])].flatMap(extractEnvReferences),
      ),
    ].filter((v) => !(v in secretValues));
    if (missing.length > 0)
      throw new Error(
        `${this.node.path}: the pipeline references ${missing.map((v) => `\${${v}}`).join(", ")}, which the pod does not set`,
      );

    const envSecretName = `${props.name}-ls-stack-env`;
    this.envSecret = new SecretV1(this, "Env", {
      metadata: { name: envSecretName, namespace: props.namespace },
      dependsOn: [...(props.dependsOn ?? [])],
      data: secretValues,
    });
    const filesName = `${props.name}-ls-stack-files`;
    const mounted = [
      ...(props.pipeline.files ?? []).map((f) => ({ path: f.path, content: f.content })),
      ...(props.caCertPem !== undefined ? [{ path: LOGSTASH_PATHS.caCert, content: props.caCertPem }] : []),
    ];
    const keyOf = (path: string) => path.split("/").pop() as string;
    this.files = new ConfigMapV1(this, "Files", {
      metadata: { name: filesName, namespace: props.namespace },
      dependsOn: [...(props.dependsOn ?? [])],
      data: Object.fromEntries(mounted.map((f) => [keyOf(f.path), terraformLiteral(f.content)])),
    });

    // ECK's readiness probe calls the API on the pod IP: api.http.host must be 0.0.0.0
    // (pkg/controller/logstash/config.go defaultConfig, v3.5.0); the user's settings win over it.
    const settings = {
      ...(YAML.parse(renderLogstashSettings({ queueMaxBytes: props.queueMaxBytes, heapMb })) as Record<
        string,
        unknown
      >),
      "api.http.host": "0.0.0.0",
    };
    const ports = props.pipeline.ports;
    const service = (name: string, port: { port: number; protocol: "udp" | "tcp" }, nodePort?: number) => ({
      name,
      service: {
        spec: {
          type: props.gelfService,
          ports: [
            {
              name,
              port: port.port,
              targetPort: port.port,
              protocol: port.protocol.toUpperCase(),
              ...(nodePort !== undefined ? { nodePort } : {}),
            },
          ],
        },
      },
    });
    const gelf = ports.find((p) => p.protocol === "udp");
    if (!gelf) throw new Error(`${this.node.path}: the pipeline has no UDP (GELF) input`);
    const http = ports.find((p) => p.protocol === "tcp");
    this.gelfServiceName = `${props.name}-ls-gelf`;
    // Of the literal files only: the CA is a Terraform value (unknown at synth), and it changes
    // with the CA itself (5 years), when every certificate is reissued and the pods restart anyway.
    const sha = createHash("sha256")
      .update((props.pipeline.files ?? []).map((f) => f.content).join(""))
      .digest("hex");
    this.resource = {
      apiVersion: "logstash.k8s.elastic.co/v1alpha1",
      kind: "Logstash",
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        version: props.version,
        count: 1,
        config: settings,
        pipelines: [{ "pipeline.id": PIPELINE_ID, "config.string": this.pipelineText }, ...additional],
        services: [service("gelf", gelf, props.gelfNodePort), ...(http ? [service("http", http)] : [])],
        volumeClaimTemplates: [
          {
            metadata: { name: LOGSTASH_DATA_CLAIM },
            spec: {
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: props.volumeSize } },
              ...(props.storageClass !== undefined ? { storageClassName: props.storageClass } : {}),
            },
          },
        ],
        podTemplate: {
          // A changed library rolls the pod (a mounted ConfigMap alone would not restart Logstash).
          metadata: { annotations: { "elk-grafana-cdktf/files-sha256": sha } },
          spec: {
            // The dead_letter_queue input fails until main's queue directory exists, which Logstash
            // creates only with the first dead letter (the docker container does the same mkdir).
            initContainers: [
              {
                name: "dead-letter-dir",
                image: `docker.elastic.co/logstash/logstash:${props.version}`,
                command: ["sh", "-c", `mkdir -p ${LOGSTASH_PATHS.deadLetterQueue}/${PIPELINE_ID}`],
                volumeMounts: [{ name: LOGSTASH_DATA_CLAIM, mountPath: LOGSTASH_PATHS.data }],
              },
            ],
            containers: [
              {
                name: "logstash",
                env: [
                  { name: "LS_JAVA_OPTS", value: `-Xms${props.heap} -Xmx${props.heap}` },
                  ...Object.keys(secretValues).map((name) => ({
                    name,
                    valueFrom: { secretKeyRef: { name: envSecretName, key: name } },
                  })),
                ],
                resources: {
                  requests: { memory: `${props.memoryLimitMb}Mi`, cpu: "500m" },
                  limits: { memory: `${props.memoryLimitMb}Mi` },
                },
                volumeMounts: mounted.map((f) => ({
                  name: "stack-files",
                  mountPath: f.path,
                  subPath: keyOf(f.path),
                  readOnly: true,
                })),
              },
            ],
            volumes: [{ name: "stack-files", configMap: { name: filesName } }],
          },
        },
      },
    };
    this.release = new ObjectsRelease(this, "Resources", {
      name: `${props.name}-logstash`,
      namespace: props.namespace,
      objects: [this.resource],
      dependsOn: [...(props.dependsOn ?? []), this.envSecret, this.files],
    });
  }
}
