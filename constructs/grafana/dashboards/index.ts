export type { DashboardJson, PanelJson, TargetJson, TransformationJson } from "./common";
export {
  DASHBOARD_SCHEMA_VERSION,
  ELASTICSEARCH_DATASOURCE_TYPE,
  INFINITY_DATASOURCE_TYPE,
  MIXED_DATASOURCE,
} from "./common";
export type { ApiActivityDashboardParams } from "./api-activity";
export { API_ACTIVITY_TAGS, ERROR_RATE_PANEL_ID, buildApiActivityDashboard } from "./api-activity";
export type { EventsDashboardParams } from "./events";
export { EVENTS_TAGS, buildEventsDashboard } from "./events";
export type { CheckableDashboard, FieldCatalogues } from "./field-check";
export { DashboardFieldError, assertDashboardFields, checkDashboardFields } from "./field-check";
export type { ErrorRateAlertParams, ErrorRateAlertRule } from "./alert-rule";
export { ERROR_RATE_WINDOW_SECONDS, EXPRESSION_DATASOURCE_UID, buildErrorRateAlertRule } from "./alert-rule";
export type { InfinityJsonUrlQuery } from "./infinity";
export { dreamFactoryUsersQuery } from "./infinity";
export { DASHBOARD_REFRESH, DASHBOARD_TIME } from "./panels";
export type { HealthAlert, HealthAlertParams, StackHealthParams } from "./stack-health";
export {
  DISK_WATERMARKS_PERCENT,
  QUEUE_ALERT_PERCENT,
  buildHealthAlerts,
  buildStackHealthDashboard,
} from "./stack-health";
