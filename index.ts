/**
 * elk-grafana-cdktf: the package's one entry file. Everything a consumer can import is
 * re-exported here; anything else under constructs/ is internal.
 *
 * @packageDocumentation
 */
export { AnalyticsStack, type AnalyticsStackProps } from "./constructs/stack";
export { CertificateAuthority } from "./constructs/pki/certificate-authority";
export type {
  CertificateAuthorityProps,
  CertificateNames,
  IssuedCertificate,
} from "./constructs/pki/certificate-authority";
export {
  DockerElasticsearchCluster,
  ExternalElasticsearchCluster,
  type DockerClusterProps,
  type ElasticsearchConnection,
  type ExternalClusterProps,
} from "./constructs/elasticsearch/cluster";
export { Elasticsearch, type ElasticsearchProps } from "./constructs/elasticsearch/elasticsearch";
export {
  EventsIndex,
  LogIndices,
  type EventsIndexProps,
  type LogIndicesProps,
} from "./constructs/elasticsearch/indices";
export { ScopedApiKey, type ScopedApiKeyProps } from "./constructs/elasticsearch/security";
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
export type { ApiLogPipelineParams } from "./constructs/logstash/pipeline/default-pipeline";
export {
  DockerGrafana,
  ExternalGrafana,
  type DockerGrafanaProps,
  type ExternalGrafanaProps,
  type GrafanaSmtp,
  type GrafanaTarget,
} from "./constructs/grafana/instance";
export {
  Datasources,
  type DatasourcesProps,
  type ElasticsearchDatasourceTarget,
} from "./constructs/grafana/datasources";
export type { DashboardJson } from "./constructs/grafana/dashboards/common";
export { GrafanaContent, type GrafanaContentProps } from "./constructs/grafana/content";
