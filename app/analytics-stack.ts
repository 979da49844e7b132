import { Construct } from "constructs";
import { Fn, TerraformOutput, TerraformStack, TerraformVariable, type ITerraformDependable } from "cdktf";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Network } from "@cdktf/provider-docker/lib/network";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { LocalProvider } from "@cdktf/provider-local/lib/provider";
import { posix } from "node:path";
import { ContactPoint } from "../.gen/providers/grafana/contact-point";
import { NotificationPolicy } from "../.gen/providers/grafana/notification-policy";
import { ConfigError, type StackConfig } from "../config";
import {
  DEAD_LETTER_FIELD,
  DEAD_LETTER_FIELDS,
  DEAD_LETTER_TIME_FIELD,
  EVENT_FIELDS,
  EVENT_TIME_FIELD,
  LOG_FIELDS,
  LOG_SOURCE,
  LOG_TIME_FIELD,
  LOG_TYPE,
  MONOLOG_LEVELS,
  REDACTED,
  REDACTED_SUBTREES,
  SECRET_KEYS,
  SYSLOG_LEVEL_NAMES,
  SESSION_TOKEN_HEADER,
} from "../contract/fields";
import { CertificateAuthority } from "../constructs/pki/certificate-authority";
import {
  DockerElasticsearchCluster,
  ExternalElasticsearchCluster,
  type ElasticsearchConnection,
  type SecureSettingValue,
} from "../constructs/elasticsearch/cluster";
import { catalogueMappings } from "../constructs/elasticsearch/definitions";
import { MappedIndex, TimeSeriesIndices } from "../constructs/elasticsearch/indices";
import { ScopedApiKey } from "../constructs/elasticsearch/security";
import { signalIntegrationBody } from "../constructs/elasticsearch/signal";
import {
  OBJECT_STORE_SECURE_SETTINGS,
  secureSettingName,
  SNAPSHOT_DEFAULTS,
  SnapshotPolicy,
  type SnapshotRepositorySpec,
} from "../constructs/elasticsearch/snapshots";
import { Logstash } from "../constructs/logstash/container";
import {
  GELF_DECODE_FAILURE_TAG,
  GELF_INCOMPLETE_TAG,
  buildDeadLetterPipeline,
  dailyIndexName,
} from "../constructs/logstash/pipeline";
import { LOGSTASH_PATHS, PIPELINE_ID } from "../constructs/logstash/settings";
import { dreamFactoryPipeline, type DreamFactoryPipeline } from "../constructs/logstash/dreamfactory";
import { DockerGrafana, ExternalGrafana, type GrafanaTarget } from "../constructs/grafana/instance";
import {
  ElasticsearchDatasource,
  GATEWAY_URL_PATTERN,
  InfinityDatasource,
} from "../constructs/grafana/datasources";
import { GrafanaFolder } from "../constructs/grafana/folder";
import {
  ERROR_RATE_PANEL_ID,
  buildApiActivityDashboard,
  buildErrorRateAlertRule,
  buildEventsDashboard,
  buildHealthAlerts,
  buildStackHealthDashboard,
} from "../constructs/grafana/dashboards";
import {
  DockerKibana,
  ExternalKibana,
  KIBANA_FEATURE_STATE,
  type KibanaTarget,
} from "../constructs/kibana/instance";
import { KibanaDataView } from "../constructs/kibana/data-views";
import { tlsNameProblems, type TlsUse } from "../constructs/tls-names";
import { configureBackend } from "./backend";
import { KubernetesParts } from "./kubernetes";
import { EckElasticsearchCluster } from "../constructs/elasticsearch/eck";
import type { EckLogstash } from "../constructs/logstash/eck";
import { HelmGrafana } from "../constructs/grafana/helm";
import { EckKibana } from "../constructs/kibana/eck";

/** The app's datasource uids: dashboards refer to them, so changing one breaks panels. */
export const DATASOURCE_UIDS = {
  logs: "api-logs",
  events: "product-events",
  users: "gateway-users",
  healthCluster: "stack-health-cluster",
  healthLogstash: "stack-health-logstash",
  deadLetters: "dead-letters",
} as const;

/** The app's Grafana uids: changing one replaces the dashboard or folder and breaks links to it. */
export const CONTENT_UIDS = {
  folder: "api-analytics",
  apiActivity: "dreamfactory-api-activity",
  events: "datafly-events",
  alertRule: "api-error-rate",
  stackHealth: "stack-health",
} as const;

/**
 * The datasources and dashboards the stack creates in a mode (the smoke check checks each):
 * Logstash's API reaches Grafana only where the stack runs both on its own network.
 */
export function grafanaContentUids(mode: StackConfig["mode"]): {
  datasources: string[];
  dashboards: string[];
} {
  return {
    datasources: Object.values(DATASOURCE_UIDS).filter(
      (uid) => mode === "docker" || uid !== DATASOURCE_UIDS.healthLogstash,
    ),
    dashboards: [CONTENT_UIDS.apiActivity, CONTENT_UIDS.events, CONTENT_UIDS.stackHealth],
  };
}

/** Uids of the stack-health alert rules. */
export const HEALTH_ALERT_UIDS = {
  clusterNotGreen: "stack-cluster-not-green",
  diskLowWatermark: "stack-disk-low-watermark",
  queueFull: "stack-logstash-queue-full",
  deadLettersGrowing: "stack-dead-letters-growing",
  gelfMessagesLost: "stack-gelf-messages-lost",
  noGatewayLogs: "stack-no-gateway-logs",
} as const;

/** Name of the stack's SLM policy (and of its repository when the stack registers one); the smoke check reads it. */
export function snapshotPolicyName(config: Pick<StackConfig, "docker">): string {
  return `${config.docker.namePrefix}-snapshots`;
}

/** The app's Kibana data view ids: Discover links use them, so changing one breaks them. */
export const DATA_VIEW_IDS = {
  events: "datafly-events",
  logs: "api-logs",
} as const;

export interface AnalyticsStackProps {
  readonly config: StackConfig;
  /** Relative path of the local state file, as seen from the stack's synth directory. */
  readonly localStatePath: string;
}

/** The Elasticsearch side of the app: the cluster, its indices and the three scoped keys. */
export interface AnalyticsElasticsearch {
  readonly connection: ElasticsearchConnection;
  readonly events: MappedIndex;
  readonly logs: TimeSeriesIndices;
  /** Datafly Signal's key: write + create_index on the events index only. */
  readonly eventsWriter: ScopedApiKey;
  /** Logstash's key: create documents in the daily log indices. */
  readonly logstashWriter: ScopedApiKey;
  /** Grafana's key: read the log indices and the events index. */
  readonly grafanaReader: ScopedApiKey;
  /** The SLM policy (and repository), unless backups are off. */
  readonly backups?: SnapshotPolicy;
  /** Daily indices of dead-lettered documents (the dead-letter pipeline writes them). */
  readonly deadLetters: TimeSeriesIndices;
  /** The health dashboard's key: cluster `monitor` and read on the dead-letter indices only. */
  readonly healthReader: ScopedApiKey;
}

/** Dead-lettered documents: their own small indices, kept two weeks (the queue keeps 7 days). */
export const DEAD_LETTER_INDICES = { prefix: "dead-letters", retentionDays: 14 } as const;

/** Id of the Logstash pipeline that indexes the main pipeline's dead letter queue. */
export const DEAD_LETTER_PIPELINE_ID = "dead-letters";

/**
 * The app: one composition of the library's constructs from the validated config. It is the
 * one place where config becomes props, and it owns the shared names, so a name is defined
 * once and flows to every construct that needs it.
 */
export class AnalyticsStack extends TerraformStack {
  readonly elasticsearch: AnalyticsElasticsearch;
  readonly grafana: GrafanaTarget;
  readonly logstash: Logstash | EckLogstash;
  readonly logstashPipeline: DreamFactoryPipeline;
  /** Kibana and its data views, when kibana.enabled. */
  readonly kibana?: KibanaTarget;
  private readonly ca?: CertificateAuthority;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id);
    const { config } = props;
    configureBackend(this, config.backend, props.localStatePath);

    // mode: kubernetes changes only the platform: the cluster, Logstash, Grafana and Kibana.
    const k8s = config.mode === "kubernetes" ? new KubernetesParts(this, config) : undefined;
    // Without a host the provider uses DOCKER_HOST, else the local socket (rootless, Colima, Podman).
    if (!k8s) new DockerProvider(this, "Docker", config.docker.host ? { host: config.docker.host } : {});
    new RandomProvider(this, "Random");
    new TlsProvider(this, "Tls");

    const docker = config.mode === "docker";
    const network = k8s
      ? undefined
      : new Network(this, "Network", { name: `${config.docker.namePrefix}-net`, driver: "bridge" });
    const networkName = network?.name ?? "";
    const ca =
      docker || k8s
        ? new CertificateAuthority(this, "Ca", { commonName: `${config.docker.namePrefix} stack CA` })
        : undefined;
    this.ca = ca;

    this.elasticsearch = this.elasticsearchSide(config, networkName, ca, k8s);
    const es = this.elasticsearch;

    this.logstashPipeline = dreamFactoryPipeline({
      gelfPort: config.logstash.gelfPort,
      ...(config.logstash.http.enabled ? { httpPort: config.logstash.http.port } : {}),
      withCaCert: es.connection.caCertPem !== undefined,
      logType: LOG_TYPE,
      logSource: LOG_SOURCE,
      sessionTokenHeader: SESSION_TOKEN_HEADER,
      redaction: {
        ...SECRET_KEYS,
        subtrees: REDACTED_SUBTREES.map((path) => `[${path.split(".").join("][")}]`),
        marker: REDACTED,
      },
      levels: { syslog: SYSLOG_LEVEL_NAMES, monolog: MONOLOG_LEVELS },
      outputHosts: es.connection.clientEndpoints,
      indexPrefix: es.logs.prefix,
      responseTime: config.logstash.responseTime,
    });
    const pipeline = this.logstashPipeline;
    const writerSecrets = { [pipeline.apiKeyEnvVar]: es.logstashWriter.idColonKey };
    const additionalPipelines = [
      {
        id: DEAD_LETTER_PIPELINE_ID,
        model: buildDeadLetterPipeline({
          queuePath: LOGSTASH_PATHS.deadLetterQueue,
          pipelineId: PIPELINE_ID,
          targetField: DEAD_LETTER_FIELD,
          outputHosts: es.connection.clientEndpoints,
          caCertPath: es.connection.caCertPem !== undefined ? LOGSTASH_PATHS.caCert : undefined,
          apiKeyEnvVar: pipeline.apiKeyEnvVar,
          indexPrefix: es.deadLetters.prefix,
        }),
        // Few documents: one worker, and no queue of its own (the dead letter queue is on disk,
        // and the input re-reads from its committed offset after a restart).
        settings: { "pipeline.workers": 1, "queue.type": "memory", "dead_letter_queue.enable": false },
      },
    ];
    // The templates must exist before the first daily index is created, or it gets dynamic mappings.
    const logstashDependsOn = [...es.connection.ready, es.logs.template, es.deadLetters.template];
    this.logstash = k8s
      ? k8s.logstash(this, {
          pipeline,
          secrets: writerSecrets,
          ...(pipeline.httpAuth ? { httpAuth: pipeline.httpAuth } : {}),
          ...(es.connection.caCertPem !== undefined ? { caCertPem: es.connection.caCertPem } : {}),
          additionalPipelines,
          dependsOn: logstashDependsOn,
        })
      : new Logstash(this, "Logstash", {
          namePrefix: config.docker.namePrefix,
          networkName,
          version: config.logstash.version,
          heap: config.logstash.heap,
          memoryLimitMb: config.logstash.memoryLimitMb,
          queueMaxBytes: config.logstash.queueMaxBytes,
          bindAddress: config.docker.bindAddress,
          logRotation: config.docker.logRotation,
          pipeline,
          secrets: writerSecrets,
          ...(pipeline.httpAuth ? { httpAuth: pipeline.httpAuth } : {}),
          ...(es.connection.caCertPem !== undefined ? { caCertPem: es.connection.caCertPem } : {}),
          additionalPipelines,
          // On the stack's network, for Grafana's health dashboard; the stack CA issues its certificate.
          ...(ca ? { apiCa: ca } : {}),
          dependsOn: logstashDependsOn,
        });

    this.grafana =
      k8s && ca
        ? k8s.grafana(this, ca)
        : ca
          ? new DockerGrafana(this, "Grafana", {
              namePrefix: config.docker.namePrefix,
              networkName,
              version: config.grafana.version,
              infinityPluginVersion: config.grafana.infinityPluginVersion,
              ...(config.grafana.infinityPluginUrl !== undefined
                ? { infinityPluginUrl: config.grafana.infinityPluginUrl }
                : {}),
              ...(config.grafana.smtp !== undefined
                ? { smtp: { ...config.grafana.smtp, ...this.smtpPassword(config.grafana.smtp.user) } }
                : {}),
              port: config.grafana.port,
              bindAddress: config.docker.bindAddress,
              logRotation: config.docker.logRotation,
              ca,
            })
          : new ExternalGrafana(this, "Grafana", {
              url: config.grafana.url ?? "",
              auth: new TerraformVariable(this, "grafana_auth", {
                type: "string",
                sensitive: true,
                description:
                  "Service account token (or user:password) of the existing Grafana; needs Admin on the organization.",
              }).stringValue,
            });

    const datasources = this.datasources(this.grafana);
    this.grafanaContent(config, [...this.grafana.ready, ...datasources]);

    if (config.kibana.enabled) {
      this.kibana = this.kibanaSide(config, networkName, ca, posix.dirname(props.localStatePath), k8s);
    }

    const tlsProblems = tlsNameProblems(this.tlsUses(es.connection.clusterEndpoint));
    if (tlsProblems.length > 0)
      throw new ConfigError(
        tlsProblems.map((p) =>
          k8s
            ? `kubernetes: ${p}`
            : `docker.bindAddress = ${JSON.stringify(config.docker.bindAddress)}: ${p}`,
        ),
      );

    this.outputs(ca);
  }

  /** Kibana (a container, or the deployment's) and the data views of the stack's indices. */
  private kibanaSide(
    config: StackConfig,
    networkName: string,
    ca: CertificateAuthority | undefined,
    projectDir: string,
    k8s: KubernetesParts | undefined,
  ): KibanaTarget {
    const es = this.elasticsearch;
    // Next to the local state, outside cdktf.out (which synth rewrites); not a secret.
    const caCertFile = posix.join(projectDir, `${config.docker.namePrefix}-stack-ca.crt`);
    let kibana: KibanaTarget;
    if (k8s && ca && es.connection instanceof EckElasticsearchCluster) {
      new LocalProvider(this, "Local");
      kibana = k8s.kibana(this, ca, es.connection, caCertFile);
    } else if (ca) {
      new LocalProvider(this, "Local");
      kibana = new DockerKibana(this, "Kibana", {
        namePrefix: config.docker.namePrefix,
        networkName,
        ca,
        elasticsearch: es.connection,
        caCertFile,
        version: config.kibana.version,
        port: config.kibana.port,
        bindAddress: config.docker.bindAddress,
        logRotation: config.docker.logRotation,
      });
    } else {
      kibana = new ExternalKibana(this, "Kibana", {
        ...(config.kibana.url !== undefined
          ? { url: config.kibana.url }
          : { cloudId: config.elasticsearch.cloudId }),
        username: es.connection.username,
        password: es.connection.password,
      });
    }
    const views = new Construct(this, "DataViews");
    new KibanaDataView(views, "Events", {
      kibana,
      id: DATA_VIEW_IDS.events,
      name: "Datafly events",
      title: es.events.name,
      timeField: EVENT_TIME_FIELD,
      // Discover opens on it: the guide tests delivery there.
      isDefault: true,
      dependsOn: [es.events.resource],
    });
    new KibanaDataView(views, "Logs", {
      kibana,
      id: DATA_VIEW_IDS.logs,
      name: "API activity logs",
      title: es.logs.pattern,
      timeField: LOG_TIME_FIELD,
      // The daily indices appear with the first log line.
      allowNoIndex: true,
      dependsOn: [es.logs.template],
    });
    return kibana;
  }

  private elasticsearchSide(
    config: StackConfig,
    networkName: string,
    ca: CertificateAuthority | undefined,
    k8s: KubernetesParts | undefined,
  ): AnalyticsElasticsearch {
    // A plain scope keeps the resources' addresses (Elasticsearch_Events_Index_…) as they were.
    const scope = new Construct(this, "Elasticsearch");
    const es = config.elasticsearch;
    const backupRepo = this.backupRepository(config);
    const connection: ElasticsearchConnection =
      k8s && ca
        ? k8s.elasticsearch(scope, ca, {
            ...(backupRepo?.type === "fs" ? { snapshotPath: backupRepo.location } : {}),
            secureSettings: this.backupSecureSettings(backupRepo),
          })
        : ca
          ? new DockerElasticsearchCluster(scope, "Cluster", {
              namePrefix: config.docker.namePrefix,
              networkName,
              version: es.version,
              nodes: es.nodes,
              heap: es.heap,
              memoryLimitMb: es.memoryLimitMb,
              port: es.port,
              bindAddress: config.docker.bindAddress,
              logRotation: config.docker.logRotation,
              ...(backupRepo?.type === "fs" ? { snapshotPath: backupRepo.location } : {}),
              secureSettings: this.backupSecureSettings(backupRepo),
              ca,
            })
          : new ExternalElasticsearchCluster(scope, "Cluster", {
              ...(es.endpoint !== undefined ? { endpoint: es.endpoint } : { cloudId: es.cloudId }),
              ...this.externalCredentials(es.cloudId === undefined),
            });

    const events = new MappedIndex(scope, "Events", {
      cluster: connection,
      name: config.events.index,
      mappings: catalogueMappings(EVENT_FIELDS),
      ...(es.replicas !== undefined ? { replicas: es.replicas } : {}),
    });
    const logs = new TimeSeriesIndices(scope, "Logs", {
      cluster: connection,
      prefix: config.logs.indexPrefix,
      mappings: catalogueMappings(LOG_FIELDS),
      retentionDays: config.logs.retentionDays,
      ...(es.replicas !== undefined ? { replicas: es.replicas } : {}),
    });

    const eventsWriter = new ScopedApiKey(scope, "EventsWriter", {
      cluster: connection,
      roleName: "datafly_writer",
      description: `Datafly Signal: write events into ${events.name}`,
    });
    events.grantWrite(eventsWriter);
    // monitor lets the Logstash output read the cluster version and license at start-up.
    const logstashWriter = new ScopedApiKey(scope, "LogstashWriter", {
      cluster: connection,
      roleName: "logstash_writer",
      description: `Logstash: create documents in ${logs.pattern}`,
      clusterPrivileges: ["monitor"],
    });
    logs.grantCreate(logstashWriter);
    const grafanaReader = new ScopedApiKey(scope, "GrafanaReader", {
      cluster: connection,
      roleName: "grafana_reader",
      description: `Grafana: read ${logs.pattern} and ${events.name}`,
      clusterPrivileges: ["monitor"],
    });
    logs.grantRead(grafanaReader);
    events.grantRead(grafanaReader);
    const deadLetters = new TimeSeriesIndices(scope, "DeadLetters", {
      cluster: connection,
      prefix: DEAD_LETTER_INDICES.prefix,
      mappings: catalogueMappings(DEAD_LETTER_FIELDS),
      retentionDays: DEAD_LETTER_INDICES.retentionDays,
      ...(es.replicas !== undefined ? { replicas: es.replicas } : {}),
    });
    deadLetters.grantCreate(logstashWriter);
    // A key of its own rather than widening grafana_reader: monitor reads cluster health, node
    // stats and allocation, and nothing else here needs it.
    const healthReader = new ScopedApiKey(scope, "HealthReader", {
      cluster: connection,
      roleName: "grafana_health_reader",
      description: `Grafana stack health: monitor the cluster, read ${deadLetters.pattern}`,
      clusterPrivileges: ["monitor"],
    });
    deadLetters.grantRead(healthReader);
    const backups = backupRepo
      ? new SnapshotPolicy(scope, "Backups", {
          cluster: connection,
          name: snapshotPolicyName(config),
          repository: backupRepo,
          indices: [events, logs],
          ...(config.kibana.enabled ? { featureStates: [KIBANA_FEATURE_STATE] } : {}),
          schedule: config.backups.schedule,
          retentionDays: config.backups.retentionDays,
          minCount: config.backups.minCount,
          maxCount: config.backups.maxCount,
        })
      : undefined;
    return {
      connection,
      events,
      logs,
      eventsWriter,
      logstashWriter,
      grafanaReader,
      deadLetters,
      healthReader,
      backups,
    };
  }

  /**
   * The object store's credentials as sensitive variables (backups_s3_secret_key, …) that the
   * docker nodes add to their keystore; an external cluster's keystore is not the stack's.
   */
  private backupSecureSettings(repo: SnapshotRepositorySpec | undefined): SecureSettingValue[] {
    if (repo === undefined || repo.type === "fs" || repo.type === "existing") return [];
    const client = repo.client ?? "default";
    return OBJECT_STORE_SECURE_SETTINGS[repo.type].map((s) => ({
      setting: secureSettingName(repo.type, client, s.key),
      file: s.file,
      value: new TerraformVariable(this, `backups_${repo.type}_${s.key}`, {
        type: "string",
        sensitive: true,
        description: `${s.description} (keystore: ${secureSettingName(repo.type, client, s.key)}).`,
      }).stringValue,
    }));
  }

  /** Where snapshots go: config's choice, else fs in docker and found-snapshots on Elastic Cloud. */
  private backupRepository(config: StackConfig): SnapshotRepositorySpec | undefined {
    const b = config.backups;
    if (!b.enabled) return undefined;
    const r = b.repository;
    if (r === undefined)
      return config.mode === "docker" || config.mode === "kubernetes"
        ? { type: "fs", location: SNAPSHOT_DEFAULTS.fsLocation }
        : { type: "existing", name: SNAPSHOT_DEFAULTS.cloudRepository };
    if (r.type === "fs") return { type: "fs", location: SNAPSHOT_DEFAULTS.fsLocation };
    if (r.type === "existing") return { type: "existing", name: r.name };
    return {
      type: r.type,
      bucket: r.bucket,
      client: r.client,
      ...(r.basePath !== undefined ? { basePath: r.basePath } : {}),
    };
  }

  /** Credentials of an existing cluster, as sensitive variables with plain names (var.elasticsearch_password). */
  private externalCredentials(selfManaged: boolean): {
    username: string;
    password: string;
    caCertPem?: string;
  } {
    const username = new TerraformVariable(this, "elasticsearch_username", {
      type: "string",
      default: "elastic",
      description:
        "User the elasticstack provider authenticates as; needs manage_security and manage_index_templates, manage_ilm.",
    });
    const password = new TerraformVariable(this, "elasticsearch_password", {
      type: "string",
      sensitive: true,
      description: "Password of elasticsearch_username.",
    });
    if (!selfManaged) return { username: username.stringValue, password: password.stringValue };
    // Elastic Cloud certificates are publicly trusted. A self-managed 8.x cluster has its own CA
    // (security auto-configuration), which every client must be given: skipping verification is no option.
    const ca = new TerraformVariable(this, "elasticsearch_ca_certificate", {
      type: "string",
      description:
        "PEM CA certificate of the cluster (http_ca.crt), given to the provider, Logstash and Grafana.",
      validation: [
        {
          // Terraform JSON reads a bare string as a literal; the condition must be a template.
          condition: '${can(regex("-----BEGIN CERTIFICATE-----", var.elasticsearch_ca_certificate))}',
          errorMessage:
            "elasticsearch_ca_certificate must be a PEM certificate (-----BEGIN CERTIFICATE-----).",
        },
      ],
    });
    return { username: username.stringValue, password: password.stringValue, caCertPem: ca.stringValue };
  }

  private smtpPassword(user: string | undefined): { password?: string } {
    if (user === undefined) return {};
    const password = new TerraformVariable(this, "grafana_smtp_password", {
      type: "string",
      sensitive: true,
      description: `Password of the SMTP user ${user} Grafana sends alert e-mails as.`,
    });
    return { password: password.stringValue };
  }

  private datasources(grafana: GrafanaTarget): ITerraformDependable[] {
    const es = this.elasticsearch;
    const scope = new Construct(this, "Datasources");
    const common = {
      // Any healthy node answers: losing one node does not break the dashboards or the alert.
      url: es.connection.clusterEndpoint,
      ...(es.connection.caCertPem !== undefined ? { caCertPem: es.connection.caCertPem } : {}),
      apiKeyEncoded: es.grafanaReader.encoded,
      dependsOn: grafana.ready,
    };
    const logs = new ElasticsearchDatasource(scope, "Logs", {
      ...common,
      uid: DATASOURCE_UIDS.logs,
      name: "API activity logs",
      target: {
        index: es.logs.pattern,
        timeField: LOG_TIME_FIELD,
        writtenIndex: this.logstashPipeline.sampleIndex,
      },
    });
    const events = new ElasticsearchDatasource(scope, "Events", {
      ...common,
      uid: DATASOURCE_UIDS.events,
      name: "Product events",
      target: { index: es.events.name, timeField: EVENT_TIME_FIELD, writtenIndex: es.events.name },
    });

    const gatewayUrl = new TerraformVariable(this, "dreamfactory_url", {
      type: "string",
      sensitive: true,
      description:
        "Base URL of the DreamFactory gateway whose user API the Infinity datasource reads, e.g. https://api.example.com",
      // Infinity prefixes the query path to the base URL as a plain string (grafana-infinity-datasource
      // pkg/infinity/request.go GetQueryURL, v3.11.1): a trailing "/" would request //api/v2/...
      validation: [
        {
          // In Terraform JSON an expression is a "${...}" template; a bare string would be a string.
          condition: `\${can(regex(${JSON.stringify(GATEWAY_URL_PATTERN)}, var.dreamfactory_url))}`,
          errorMessage:
            'dreamfactory_url must be an http(s) URL without a trailing "/", query or fragment, e.g. https://api.example.com',
        },
      ],
    });
    const gatewayKey = new TerraformVariable(this, "dreamfactory_api_key", {
      type: "string",
      sensitive: true,
      description:
        "DreamFactory API key of a role limited to GET system/user (fields id, first_name, last_name, email).",
    });
    const users = new InfinityDatasource(scope, "GatewayUsers", {
      uid: DATASOURCE_UIDS.users,
      name: "Gateway users",
      baseUrl: gatewayUrl.stringValue,
      headers: { "X-DreamFactory-API-Key": gatewayKey.stringValue },
      dependsOn: grafana.ready,
    });
    return [logs.resource, events.resource, users.resource, ...this.healthDatasources(grafana, scope)];
  }

  /** What the health dashboard reads: the cluster's APIs, Logstash's API, the dead-letter indices. */
  private healthDatasources(grafana: GrafanaTarget, scope: Construct): ITerraformDependable[] {
    const es = this.elasticsearch;
    const caCertPem = es.connection.caCertPem;
    const tls = caCertPem !== undefined ? { caCertPem } : {};
    const cluster = new InfinityDatasource(scope, "HealthCluster", {
      uid: DATASOURCE_UIDS.healthCluster,
      name: "Stack health: Elasticsearch",
      baseUrl: es.connection.clusterEndpoint,
      headers: { Authorization: `ApiKey ${es.healthReader.encoded}` },
      ...tls,
      dependsOn: grafana.ready,
    });
    const deadLetters = new ElasticsearchDatasource(scope, "DeadLetters", {
      url: es.connection.clusterEndpoint,
      ...tls,
      apiKeyEncoded: es.healthReader.encoded,
      dependsOn: grafana.ready,
      uid: DATASOURCE_UIDS.deadLetters,
      name: "Dead letters",
      target: {
        index: es.deadLetters.pattern,
        timeField: DEAD_LETTER_TIME_FIELD,
        writtenIndex: dailyIndexName(es.deadLetters.prefix, new Date(Date.UTC(2001, 1, 3))),
      },
    });
    const out: ITerraformDependable[] = [cluster.resource, deadLetters.resource];
    const api = this.logstashApi();
    if (api && this.ca) {
      const logstash = new InfinityDatasource(scope, "HealthLogstash", {
        uid: DATASOURCE_UIDS.healthLogstash,
        name: "Stack health: Logstash",
        baseUrl: api.url,
        caCertPem: this.ca.certPem,
        basicAuth: { user: api.user, password: api.password },
        dependsOn: grafana.ready,
      });
      out.push(logstash.resource);
    }
    return out;
  }

  /** The folder, both dashboards, the error-rate alert and where it is sent. */
  private grafanaContent(config: StackConfig, dependsOn: ITerraformDependable[]): void {
    // A plain scope and a "Default" folder keep the addresses (GrafanaContent_Folder_…) as they were.
    const scope = new Construct(this, "GrafanaContent");
    const folder = new GrafanaFolder(scope, "Default", {
      uid: CONTENT_UIDS.folder,
      title: config.grafana.folder,
      fieldCatalogues: {
        [DATASOURCE_UIDS.logs]: LOG_FIELDS,
        [DATASOURCE_UIDS.events]: EVENT_FIELDS,
        [DATASOURCE_UIDS.deadLetters]: DEAD_LETTER_FIELDS,
      },
      dependsOn,
    });
    folder.addDashboard(
      "ApiActivity",
      buildApiActivityDashboard({
        uid: CONTENT_UIDS.apiActivity,
        title: "DreamFactory API Activity",
        logsDatasourceUid: DATASOURCE_UIDS.logs,
        usersDatasourceUid: DATASOURCE_UIDS.users,
        logType: LOG_TYPE,
      }),
    );
    folder.addDashboard(
      "Events",
      buildEventsDashboard({
        uid: CONTENT_UIDS.events,
        title: "Datafly Events",
        eventsDatasourceUid: DATASOURCE_UIDS.events,
      }),
    );

    const { errorRatePercent, contact } = config.grafana.alert;
    const alert = buildErrorRateAlertRule({
      logsDatasourceUid: DATASOURCE_UIDS.logs,
      logType: LOG_TYPE,
      errorRatePercent,
    });
    const contactPoint = this.contactPoint(folder, contact, dependsOn);
    // Only the stack's own Grafana gets a notification policy: the provider replaces the
    // whole policy tree, so on a shared Grafana the rule routes itself (simplified routing).
    const ownsGrafana = this.grafana instanceof DockerGrafana || this.grafana instanceof HelmGrafana;
    const routeOnRule = contactPoint !== undefined && !ownsGrafana;
    folder.addRuleGroup("Alerts", {
      name: "API error rate",
      intervalSeconds: 60,
      rules: [
        {
          uid: CONTENT_UIDS.alertRule,
          name: `API error rate above ${errorRatePercent}%`,
          condition: alert.condition,
          data: alert.data,
          for: "5m",
          noDataState: "OK",
          execErrState: "Error",
          labels: { component: "api-gateway", severity: "warning" },
          annotations: {
            summary: `More than ${errorRatePercent}% of API requests failed (status >= 400) over 5 minutes.`,
            // Grafana's reserved link from a rule to a panel: both keys or neither
            // (grafana/terraform-provider-grafana docs/resources/rule_group.md, v4.45.1).
            __dashboardUid__: CONTENT_UIDS.apiActivity,
            __panelId__: String(ERROR_RATE_PANEL_ID),
          },
          ...(routeOnRule ? { notificationSettings: { contactPoint: contactPoint.name } } : {}),
        },
      ],
    });
    this.healthContent(folder, config, routeOnRule ? contactPoint.name : undefined);
    if (contactPoint && ownsGrafana) {
      new NotificationPolicy(folder, "NotificationPolicy", {
        contactPoint: contactPoint.name,
        groupBy: ["alertname", "grafana_folder"],
        groupWait: "30s",
        groupInterval: "5m",
        repeatInterval: "4h",
        dependsOn,
      });
    }
  }

  /** The stack-health dashboard and its alert rules, routed like the error-rate alert. */
  private healthContent(
    folder: GrafanaFolder,
    config: StackConfig,
    contactPointName: string | undefined,
  ): void {
    const params = {
      uid: CONTENT_UIDS.stackHealth,
      title: "Stack Health",
      clusterDatasourceUid: DATASOURCE_UIDS.healthCluster,
      ...(this.logstashApi() ? { logstashDatasourceUid: DATASOURCE_UIDS.healthLogstash } : {}),
      pipelineId: PIPELINE_ID,
      logsDatasourceUid: DATASOURCE_UIDS.logs,
      logType: LOG_TYPE,
      deadLettersDatasourceUid: DATASOURCE_UIDS.deadLetters,
      gelfTags: { lost: GELF_INCOMPLETE_TAG, undecodable: GELF_DECODE_FAILURE_TAG },
    };
    folder.addDashboard("StackHealth", buildStackHealthDashboard(params));
    const alerts = buildHealthAlerts({
      ...params,
      gatewaySilenceMinutes: config.grafana.alert.gatewaySilenceMinutes,
    });
    folder.addRuleGroup("HealthAlerts", {
      name: "Stack health",
      intervalSeconds: 60,
      rules: alerts.map((alert) => ({
        uid: HEALTH_ALERT_UIDS[alert.key],
        name: alert.name,
        condition: alert.condition,
        data: alert.data,
        for: alert.for,
        noDataState: alert.noDataState,
        execErrState: "Error",
        labels: { component: "stack", severity: "warning" },
        annotations: {
          summary: alert.summary,
          __dashboardUid__: CONTENT_UIDS.stackHealth,
          __panelId__: String(alert.panelId),
        },
        ...(contactPointName !== undefined
          ? { notificationSettings: { contactPoint: contactPointName } }
          : {}),
      })),
    });
  }

  private contactPoint(
    scope: Construct,
    contact: StackConfig["grafana"]["alert"]["contact"],
    dependsOn: ITerraformDependable[],
  ): ContactPoint | undefined {
    switch (contact.type) {
      case "none":
        return undefined;
      case "email":
        return new ContactPoint(scope, "ContactPoint", {
          name: "api-error-rate",
          email: [{ addresses: contact.addresses, singleEmail: true }],
          dependsOn,
        });
      case "webhook": {
        const url = new TerraformVariable(this, "alert_webhook_url", {
          type: "string",
          sensitive: true,
          description: "URL that receives the API error-rate alert (grafana.alert.contact.type = webhook).",
        });
        return new ContactPoint(scope, "ContactPoint", {
          name: "api-error-rate",
          webhook: [{ url: url.stringValue, httpMethod: "POST" }],
          dependsOn,
        });
      }
    }
  }

  private outputs(ca: CertificateAuthority | undefined): void {
    const es = this.elasticsearch;
    new TerraformOutput(this, "elasticsearch_endpoint", { value: es.connection.publicEndpoint });
    new TerraformOutput(this, "grafana_url", { value: this.grafana.url });
    new TerraformOutput(this, "events_writer_api_key", {
      value: es.eventsWriter.encoded,
      sensitive: true,
      description: "Base64 API key for Datafly Signal (Authorization: ApiKey <value>)",
    });
    new TerraformOutput(this, "signal_integration", {
      value: Fn.jsonencode(
        signalIntegrationBody({
          cluster: es.connection,
          index: es.events.name,
          apiKeyEncoded: es.eventsWriter.encoded,
        }),
      ),
      sensitive: true,
      description: "JSON body for Datafly Signal's POST /v1/admin/integration-catalog/elasticsearch/install",
    });
    if (this.kibana) {
      new TerraformOutput(this, "kibana_url", {
        value: this.kibana.url,
        description: "Kibana; sign in as elastic (output elastic_password) or your own user",
      });
    }
    if (this.logstash.http) {
      // What DreamFactory's Logstash service needs for protocol http (see README).
      new TerraformOutput(this, "logstash_http_password", {
        value: this.logstash.http.password,
        sensitive: true,
        description: `Basic-auth password of the Logstash http input (user ${this.logstash.http.user})`,
      });
    }
    if (ca) {
      // Clients outside the stack (curl, the event router) verify the cluster with it.
      new TerraformOutput(this, "ca_certificate", { value: ca.certPem, description: "PEM of the stack CA" });
    }
    if (es.connection instanceof DockerElasticsearchCluster) {
      new TerraformOutput(this, "elastic_password", {
        value: es.connection.password,
        sensitive: true,
        description:
          "Password of the elastic superuser (operators and the smoke check only; clients use scoped keys)",
      });
    }
    if (es.connection instanceof EckElasticsearchCluster) {
      new TerraformOutput(this, "elasticsearch_user", {
        value: es.connection.username,
        description: "File-realm superuser the providers (and the smoke check) authenticate as",
      });
      new TerraformOutput(this, "elasticsearch_password", {
        value: es.connection.password,
        sensitive: true,
        description:
          "Password of elasticsearch_user (operators and the smoke check only; clients use scoped keys)",
      });
    }
    if (this.grafana instanceof DockerGrafana || this.grafana instanceof HelmGrafana) {
      new TerraformOutput(this, "grafana_admin_password", {
        value: this.grafana.adminPassword,
        sensitive: true,
        description: "Password of Grafana's admin user",
      });
    }
  }

  /**
   * Every HTTPS URL of a server whose certificate the stack issues, with the client it is
   * handed to: TLS is verified everywhere, so each host must be named by that certificate.
   */
  /** Logstash's secured API on the stack network: the docker container only (ECK keeps its own). */
  private logstashApi(): Logstash["api"] {
    return this.logstash instanceof Logstash ? this.logstash.api : undefined;
  }

  private tlsUses(datasourceUrl: string): TlsUse[] {
    const conn = this.elasticsearch.connection;
    const certs = conn.nodeCertificates;
    const uses: TlsUse[] = [];
    if (certs.length > 0) {
      uses.push({ client: "the elasticstack provider", url: conn.providerEndpoint, certificate: certs[0] });
      uses.push({
        client: "the smoke check and the Signal integration (output elasticsearch_endpoint)",
        url: conn.publicEndpoint,
        certificate: certs[0],
      });
      conn.clientEndpoints.forEach((url, i) =>
        uses.push({ client: "Logstash's elasticsearch output", url, certificate: certs[i] }),
      );
      // Docker's DNS may answer the cluster alias with any node.
      for (const certificate of certs)
        uses.push({ client: "Grafana's Elasticsearch datasources", url: datasourceUrl, certificate });
    }
    if (this.grafana instanceof DockerGrafana || this.grafana instanceof HelmGrafana) {
      for (const client of ["the grafana provider", "the smoke check (output grafana_url)"])
        uses.push({ client, url: this.grafana.url, certificate: this.grafana.certificate });
    }
    const api = this.logstashApi();
    if (api) {
      const { url, certificate } = api;
      uses.push({ client: "Grafana's Logstash health datasource", url, certificate });
    }
    if (this.kibana instanceof DockerKibana || this.kibana instanceof EckKibana) {
      for (const client of ["the elasticstack provider (Kibana)", "the smoke check (output kibana_url)"])
        uses.push({ client, url: this.kibana.url, certificate: this.kibana.certificate });
      for (const certificate of certs)
        uses.push({ client: "Kibana's elasticsearch.hosts", url: conn.clusterEndpoint, certificate });
    }
    return uses;
  }
}
