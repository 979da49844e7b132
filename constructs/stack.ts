import { Construct } from "constructs";
import { TerraformOutput, TerraformStack, Fn } from "cdktf";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Network } from "@cdktf/provider-docker/lib/network";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { ConfigError, type StackConfig } from "../config";
import { configureBackend } from "./backend";
import { CertificateAuthority } from "./pki/certificate-authority";
import { Elasticsearch } from "./elasticsearch/elasticsearch";
import { DockerElasticsearchCluster } from "./elasticsearch/cluster";
import {
  EVENT_TIME_FIELD,
  LOG_SOURCE,
  LOG_TIME_FIELD,
  LOG_TYPE,
  SECRET_HEADERS,
  SESSION_TOKEN_HEADER,
} from "./elasticsearch/fields";
import { Logstash } from "./logstash/container";
import { DockerGrafana, ExternalGrafana, type GrafanaTarget } from "./grafana/instance";
import { Datasources } from "./grafana/datasources";
import { GrafanaContent } from "./grafana/content";
import { tlsNameProblems, type TlsUse } from "./tls-names";

export interface AnalyticsStackProps {
  readonly config: StackConfig;
  /** Relative path of the local state file, as seen from the stack's synth directory. */
  readonly localStatePath: string;
}

/**
 * The one stack: it owns the shared names (from the config) and hands each component
 * the values it needs from the others, so a name is defined once and flows everywhere.
 */
export class AnalyticsStack extends TerraformStack {
  readonly elasticsearch: Elasticsearch;
  readonly grafana: GrafanaTarget;
  readonly logstash: Logstash;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id);
    const { config } = props;
    configureBackend(this, config.backend, props.localStatePath);

    // Without a host the provider uses DOCKER_HOST, else the local socket (rootless, Colima, Podman).
    new DockerProvider(this, "Docker", config.docker.host ? { host: config.docker.host } : {});
    new RandomProvider(this, "Random");
    new TlsProvider(this, "Tls");

    const docker = config.mode === "docker";
    const network = new Network(this, "Network", {
      name: `${config.docker.namePrefix}-net`,
      driver: "bridge",
    });
    const ca = docker
      ? new CertificateAuthority(this, "Ca", { commonName: `${config.docker.namePrefix} stack CA` })
      : undefined;

    this.elasticsearch = new Elasticsearch(this, "Elasticsearch", { config, networkName: network.name, ca });
    const es = this.elasticsearch;

    this.logstash = new Logstash(this, "Logstash", {
      namePrefix: config.docker.namePrefix,
      networkName: network.name,
      version: config.logstash.version,
      heap: config.logstash.heap,
      queueMaxBytes: config.logstash.queueMaxBytes,
      bindAddress: config.docker.bindAddress,
      pipeline: {
        gelfPort: config.logstash.gelfPort,
        gelfTcp: config.logstash.gelfTcp,
        logType: LOG_TYPE,
        logSource: LOG_SOURCE,
        sessionTokenHeader: SESSION_TOKEN_HEADER,
        secretHeaders: SECRET_HEADERS,
        outputHosts: es.connection.clientEndpoints,
        indexPrefix: config.logs.indexPrefix,
        responseTime: config.logstash.responseTime,
      },
      caCertPem: es.connection.caCertPem,
      apiKey: es.logstashWriter.idColonKey,
      // The template must exist before the first daily index is created, or it gets dynamic mappings.
      dependsOn: [...es.connection.ready, es.logs.template],
    });

    this.grafana = ca
      ? new DockerGrafana(this, "Grafana", {
          namePrefix: config.docker.namePrefix,
          networkName: network.name,
          version: config.grafana.version,
          infinityPluginVersion: config.grafana.infinityPluginVersion,
          ...(config.grafana.infinityPluginUrl !== undefined
            ? { infinityPluginUrl: config.grafana.infinityPluginUrl }
            : {}),
          ...(config.grafana.smtp !== undefined ? { smtp: config.grafana.smtp } : {}),
          port: config.grafana.port,
          bindAddress: config.docker.bindAddress,
          ca,
        })
      : new ExternalGrafana(this, "Grafana", { url: config.grafana.url ?? "" });

    const datasources = new Datasources(this, "Datasources", {
      // Any healthy node answers: losing one node does not break the dashboards or the alert.
      elasticsearchUrl: es.connection.clusterEndpoint,
      elasticsearchCaPem: es.connection.caCertPem,
      readerKeyEncoded: es.grafanaReader.encoded,
      logs: { index: es.logs.pattern, timeField: LOG_TIME_FIELD, writtenIndex: this.logstash.sampleIndex },
      events: { index: es.events.name, timeField: EVENT_TIME_FIELD, writtenIndex: es.events.name },
      dependsOn: this.grafana.ready,
    });
    new GrafanaContent(this, "GrafanaContent", {
      config,
      ownsGrafana: docker,
      dependsOn: [...this.grafana.ready, datasources.logs, datasources.events, datasources.users],
    });

    const tlsProblems = tlsNameProblems(this.tlsUses(es.connection.clusterEndpoint));
    if (tlsProblems.length > 0)
      throw new ConfigError(
        tlsProblems.map((p) => `docker.bindAddress = ${JSON.stringify(config.docker.bindAddress)}: ${p}`),
      );

    new TerraformOutput(this, "elasticsearch_endpoint", { value: es.connection.publicEndpoint });
    new TerraformOutput(this, "grafana_url", { value: this.grafana.url });
    new TerraformOutput(this, "events_writer_api_key", {
      value: es.eventsWriter.encoded,
      sensitive: true,
      description: "Base64 API key for Datafly Signal (Authorization: ApiKey <value>)",
    });
    new TerraformOutput(this, "signal_integration", {
      value: Fn.jsonencode(signalIntegrationBody(es)),
      sensitive: true,
      description: "JSON body for Datafly Signal's POST /v1/admin/integration-catalog/elasticsearch/install",
    });
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
    if (this.grafana instanceof DockerGrafana) {
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
    if (this.grafana instanceof DockerGrafana) {
      for (const client of ["the grafana provider", "the smoke check (output grafana_url)"])
        uses.push({ client, url: this.grafana.url, certificate: this.grafana.certificate });
    }
    return uses;
  }
}

/** The event router's install body (DESIGN.md §1.1): cloud_id replaces endpoint on Elastic Cloud. */
function signalIntegrationBody(es: Elasticsearch) {
  const target = es.connection.cloudId
    ? { cloud_id: es.connection.cloudId }
    : { endpoint: es.connection.publicEndpoint };
  return {
    name: "Elasticsearch",
    variant: "default",
    config: { ...target, index: es.events.name, api_key: es.eventsWriter.encoded },
    delivery_mode: "server_side",
  };
}
