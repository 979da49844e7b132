/**
 * elk-grafana-cdktf: the package's one entry file. Everything a consumer can import is
 * re-exported here; anything else under constructs/ is internal. The app (app/, config/)
 * is not part of the package.
 *
 * @packageDocumentation
 */
export { CertificateAuthority } from "./constructs/pki/certificate-authority";
export type {
  CertificateAuthorityProps,
  CertificateNames,
  IssuedCertificate,
} from "./constructs/pki/certificate-authority";
export {
  DockerElasticsearchCluster,
  ExternalElasticsearchCluster,
  providerOf,
  type DockerClusterProps,
  type ElasticsearchConnection,
  type ExternalClusterProps,
} from "./constructs/elasticsearch/cluster";
export {
  MappedIndex,
  TimeSeriesIndices,
  type MappedIndexProps,
  type TimeSeriesIndicesProps,
} from "./constructs/elasticsearch/indices";
export {
  ScopedApiKey,
  type IGrantable,
  type IndexGrant,
  type ScopedApiKeyProps,
} from "./constructs/elasticsearch/security";
export {
  signalIntegrationBody,
  type SignalIntegrationBody,
  type SignalIntegrationConfig,
  type SignalIntegrationInput,
} from "./constructs/elasticsearch/signal";
export { eventsIndexMappings, logIndexMappings } from "./constructs/elasticsearch/definitions";
export type { FieldSpec, FieldType } from "./constructs/elasticsearch/fields";
export { Logstash, type LogstashProps } from "./constructs/logstash/container";
export type {
  ComparisonOperator,
  Condition,
  ConditionalStatement,
  ElseIf,
  FieldRef,
  HashValue,
  Literal,
  PipelineModel,
  PluginStatement,
  Scalar,
  SecretValue,
  Statement,
  Value,
} from "./constructs/logstash/pipeline/model";
export {
  buildApiLogPipeline,
  type ApiLogPipelineParams,
} from "./constructs/logstash/pipeline/default-pipeline";
export {
  DockerGrafana,
  ExternalGrafana,
  type DockerGrafanaProps,
  type ExternalGrafanaProps,
  type GrafanaSmtp,
  type GrafanaTarget,
} from "./constructs/grafana/instance";
export {
  ElasticsearchDatasource,
  InfinityDatasource,
  type ElasticsearchDatasourceProps,
  type ElasticsearchDatasourceTarget,
  type InfinityDatasourceProps,
} from "./constructs/grafana/datasources";
export { GrafanaFolder, type GrafanaFolderProps } from "./constructs/grafana/folder";
export type {
  DashboardJson,
  PanelJson,
  TargetJson,
  TransformationJson,
} from "./constructs/grafana/dashboards/common";
