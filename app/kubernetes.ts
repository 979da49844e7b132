import type { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { StackConfig } from "../config";
import type { CertificateAuthority } from "../constructs/pki/certificate-authority";
import { KubernetesPlatform } from "../constructs/kubernetes/platform";
import { EckElasticsearchCluster, type EckClusterProps } from "../constructs/elasticsearch/eck";
import { EckLogstash } from "../constructs/logstash/eck";
import type { LogstashAdditionalPipeline, LogstashPipeline } from "../constructs/logstash/container";
import { HelmGrafana } from "../constructs/grafana/helm";
import { EckKibana, type KibanaElasticsearch } from "../constructs/kibana/eck";

/** mode: kubernetes — the config mapped onto the platform constructs; everything above the cluster is shared. */
export class KubernetesParts {
  readonly platform: KubernetesPlatform;
  private readonly k: StackConfig["kubernetes"];

  constructor(
    scope: Construct,
    private readonly config: StackConfig,
  ) {
    this.k = config.kubernetes;
    this.platform = new KubernetesPlatform(scope, "Platform", {
      namespace: this.k.namespace,
      ...(this.k.configPath !== undefined ? { configPath: this.k.configPath } : {}),
      ...(this.k.context !== undefined ? { context: this.k.context } : {}),
    });
  }

  private get storage(): { storageClass?: string } {
    return this.k.storageClass !== undefined ? { storageClass: this.k.storageClass } : {};
  }

  elasticsearch(
    scope: Construct,
    ca: CertificateAuthority,
    backups: Pick<EckClusterProps, "snapshotPath" | "secureSettings">,
  ): EckElasticsearchCluster {
    const es = this.config.elasticsearch;
    return new EckElasticsearchCluster(scope, "Cluster", {
      namespace: this.platform.namespace,
      url: this.k.elasticsearchUrl ?? "",
      ca,
      version: es.version,
      nodes: es.nodes,
      ...this.storage,
      volumeSize: this.k.elasticsearch.volumeSize,
      memory: this.k.elasticsearch.memory,
      cpu: this.k.elasticsearch.cpu,
      ...backups,
      dependsOn: this.platform.ready,
    });
  }

  logstash(
    scope: Construct,
    params: {
      readonly pipeline: LogstashPipeline;
      readonly secrets: Readonly<Record<string, string>>;
      readonly httpAuth?: { readonly user: string; readonly envVar: string; readonly port: number };
      readonly caCertPem?: string;
      readonly additionalPipelines?: readonly LogstashAdditionalPipeline[];
      readonly dependsOn: readonly ITerraformDependable[];
    },
  ): EckLogstash {
    const ls = this.config.logstash;
    return new EckLogstash(scope, "Logstash", {
      namespace: this.platform.namespace,
      version: ls.version,
      heap: ls.heap,
      memoryLimitMb: ls.memoryLimitMb,
      queueMaxBytes: ls.queueMaxBytes,
      ...this.storage,
      volumeSize: this.k.logstash.volumeSize,
      gelfService: this.k.gelf.service,
      ...(this.k.gelf.nodePort !== undefined ? { gelfNodePort: this.k.gelf.nodePort } : {}),
      ...params,
      dependsOn: [...this.platform.ready, ...params.dependsOn],
    });
  }

  grafana(scope: Construct, ca: CertificateAuthority): HelmGrafana {
    const g = this.config.grafana;
    return new HelmGrafana(scope, "Grafana", {
      namespace: this.platform.namespace,
      url: this.k.grafanaUrl ?? "",
      ca,
      version: g.version,
      infinityPluginVersion: g.infinityPluginVersion,
      ...(g.infinityPluginUrl !== undefined ? { infinityPluginUrl: g.infinityPluginUrl } : {}),
      ...this.storage,
      volumeSize: this.k.grafana.volumeSize,
      dependsOn: this.platform.ready,
    });
  }

  kibana(
    scope: Construct,
    ca: CertificateAuthority,
    elasticsearch: KibanaElasticsearch & { readonly name: string },
    caCertFile: string,
  ): EckKibana {
    return new EckKibana(scope, "Kibana", {
      namespace: this.platform.namespace,
      url: this.k.kibanaUrl ?? "",
      ca,
      elasticsearch,
      elasticsearchName: elasticsearch.name,
      caCertFile,
      version: this.config.kibana.version,
      dependsOn: [...this.platform.ready, ...elasticsearch.ready],
    });
  }
}
