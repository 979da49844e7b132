/**
 * elk-grafana-cdktf: the package's one entry file. Everything a consumer can import is
 * re-exported here; anything else is internal. The default stack (app/) and its config
 * parser (config/) are exported too, for an app that adds to the default stack.
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
  type SecureSettingValue,
} from "./constructs/elasticsearch/cluster";
export {
  OBJECT_STORE_SECURE_SETTINGS,
  SNAPSHOT_DEFAULTS,
  SnapshotPolicy,
  secureSettingName,
  type ObjectStoreType,
  type SnapshotPolicyProps,
  type SnapshotRepositorySpec,
} from "./constructs/elasticsearch/snapshots";
export {
  cronProblem,
  parseCron,
  previousFireTimes,
  type CronSchedule,
} from "./constructs/elasticsearch/cron";
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
export { catalogueMappings } from "./constructs/elasticsearch/definitions";
export { EVENT_FIELDS, LOG_FIELDS, type FieldSpec, type FieldType } from "./contract/fields";
export { Logstash, type LogstashPipeline, type LogstashProps } from "./constructs/logstash/container";
export {
  dreamFactoryPipeline,
  type DreamFactoryPipeline,
  type DreamFactoryPipelineParams,
} from "./constructs/logstash/dreamfactory";
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
export {
  DOCKER_KIBANA_DEFAULTS,
  DockerKibana,
  ExternalKibana,
  KIBANA_SYSTEM_USER,
  type DockerKibanaProps,
  type ExternalKibanaProps,
  type KibanaElasticsearch,
  type KibanaTarget,
} from "./constructs/kibana/instance";
export { KibanaDataView, type KibanaDataViewProps } from "./constructs/kibana/data-views";
export { LOG_ROTATION_DEFAULTS, logOptions, type LogRotation } from "./constructs/docker/common";
export {
  KUBERNETES_PLATFORM_DEFAULTS,
  KubernetesPlatform,
  type KubernetesPlatformProps,
} from "./constructs/kubernetes/platform";
export {
  ECK_OPERATOR_DEFAULTS,
  EckOperator,
  type EckOperatorProps,
} from "./constructs/kubernetes/eck-operator";
export {
  ObjectsRelease,
  readinessJob,
  type KubernetesObject,
  type ObjectsReleaseProps,
  type ServiceExposure,
} from "./constructs/kubernetes/common";
export {
  ECK_CLUSTER_DEFAULTS,
  EckElasticsearchCluster,
  type EckClusterProps,
} from "./constructs/elasticsearch/eck";
export { ECK_LOGSTASH_DEFAULTS, EckLogstash, type EckLogstashProps } from "./constructs/logstash/eck";
export { EckKibana, type EckKibanaProps } from "./constructs/kibana/eck";
export {
  GRAFANA_CHART,
  HELM_GRAFANA_DEFAULTS,
  HelmGrafana,
  type HelmGrafanaProps,
} from "./constructs/grafana/helm";
export { AnalyticsStack, type AnalyticsElasticsearch, type AnalyticsStackProps } from "./app/analytics-stack";
export { ConfigError, parseConfig, type StackConfig, type StackConfigInput } from "./config";
