import { Construct } from "constructs";
import { ElasticstackProvider } from "@cdktf-providers/elastic-elasticstack/provider";
import type { StackConfig } from "../../config";
import type { CertificateAuthority } from "../pki/certificate-authority";
import {
  DockerElasticsearchCluster,
  ExternalElasticsearchCluster,
  type ElasticsearchConnection,
} from "./cluster";
import { EventsIndex, LogIndices } from "./indices";
import { replicasFor, roleDescriptors } from "./definitions";
import { ScopedApiKey } from "./security";

export interface ElasticsearchProps {
  readonly config: StackConfig;
  /** docker mode: the network the nodes join. */
  readonly networkName?: string;
  /** docker mode: the stack CA that signs node certificates. */
  readonly ca?: CertificateAuthority;
}

/**
 * Everything in Elasticsearch: the cluster (docker or external), the provider that talks
 * to it, the events index, the log index template and lifecycle, and the scoped keys.
 */
export class Elasticsearch extends Construct {
  readonly connection: ElasticsearchConnection;
  readonly events: EventsIndex;
  readonly logs: LogIndices;
  /** Datafly Signal's key: write + create_index on the events index only. */
  readonly eventsWriter: ScopedApiKey;
  /** Logstash's key: create documents in the daily log indices. */
  readonly logstashWriter: ScopedApiKey;
  /** Grafana's key: read the log indices and the events index. */
  readonly grafanaReader: ScopedApiKey;

  constructor(scope: Construct, id: string, props: ElasticsearchProps) {
    super(scope, id);
    const { config } = props;
    const es = config.elasticsearch;

    if (config.mode === "docker") {
      if (!props.networkName || !props.ca)
        throw new Error(`${this.node.path}: docker mode needs networkName and ca`);
      this.connection = new DockerElasticsearchCluster(this, "Cluster", {
        namePrefix: config.docker.namePrefix,
        networkName: props.networkName,
        version: es.version,
        nodes: es.nodes,
        heap: es.heap,
        memoryLimitMb: es.memoryLimitMb,
        port: es.port,
        bindAddress: config.docker.bindAddress,
        ca: props.ca,
      });
    } else {
      this.connection = new ExternalElasticsearchCluster(this, "Cluster", {
        endpoint: es.endpoint,
        cloudId: es.cloudId,
      });
    }
    const conn = this.connection;

    // The superuser mints API keys; clients only ever get the scoped keys below.
    new ElasticstackProvider(this, "Provider", {
      elasticsearch: {
        endpoints: [conn.providerEndpoint],
        username: conn.username,
        password: conn.password,
        ...(conn.caCertPem !== undefined ? { caData: conn.caCertPem } : {}),
      },
    });

    const replicas = es.replicas ?? replicasFor(conn.nodeCount);
    this.events = new EventsIndex(this, "Events", {
      name: config.events.index,
      replicas,
      dependsOn: conn.ready,
    });
    this.logs = new LogIndices(this, "Logs", {
      prefix: config.logs.indexPrefix,
      retentionDays: config.logs.retentionDays,
      replicas,
      dependsOn: conn.ready,
    });

    const roles = roleDescriptors({ eventsIndex: this.events.name, logsIndexPattern: this.logs.pattern });
    this.eventsWriter = new ScopedApiKey(this, "EventsWriter", {
      roleName: "datafly_writer",
      descriptor: roles.datafly_writer,
      description: `Datafly Signal: write events into ${this.events.name}`,
      dependsOn: conn.ready,
    });
    this.logstashWriter = new ScopedApiKey(this, "LogstashWriter", {
      roleName: "logstash_writer",
      descriptor: roles.logstash_writer,
      description: `Logstash: create documents in ${this.logs.pattern}`,
      dependsOn: conn.ready,
    });
    this.grafanaReader = new ScopedApiKey(this, "GrafanaReader", {
      roleName: "grafana_reader",
      descriptor: roles.grafana_reader,
      description: `Grafana: read ${this.logs.pattern} and ${this.events.name}`,
      dependsOn: conn.ready,
    });
  }
}
