import { Construct } from "constructs";
import { TerraformStack, TerraformVariable, type ITerraformDependable } from "cdktf";
import { Folder } from "../../.gen/providers/grafana/folder";
import { Dashboard } from "../../.gen/providers/grafana/dashboard";
import { RuleGroup } from "../../.gen/providers/grafana/rule-group";
import { ContactPoint } from "../../.gen/providers/grafana/contact-point";
import { NotificationPolicy } from "../../.gen/providers/grafana/notification-policy";
import { ConfigError, type StackConfig } from "../../config";
import { EVENT_FIELDS, LOG_FIELDS, LOG_TYPE } from "../elasticsearch/fields";
import { terraformLiteral } from "../docker/common";
import {
  DashboardFieldError,
  ERROR_RATE_PANEL_ID,
  assertDashboardFields,
  buildApiActivityDashboard,
  buildErrorRateAlertRule,
  buildEventsDashboard,
  type DashboardJson,
} from "./dashboards";
import { DATASOURCE_UIDS } from "./datasources";

/** Stable uids: changing one replaces the dashboard or folder and breaks links to it. */
export const CONTENT_UIDS = {
  folder: "api-analytics",
  apiActivity: "dreamfactory-api-activity",
  events: "datafly-events",
  alertRule: "api-error-rate",
} as const;

export interface GrafanaContentProps {
  readonly config: StackConfig;
  /** Whether the stack owns this Grafana (docker mode) and so its notification policy tree. */
  readonly ownsGrafana: boolean;
  /** Datasources and the instance. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * The folder, both dashboards, the error-rate alert and where it is sent. Dashboards are
 * checked against the field catalogues at synth time: a panel on a field that is not
 * mapped (or not aggregatable) would show "No data", so it fails the synth instead.
 */
export class GrafanaContent extends Construct {
  readonly dashboards: Record<"apiActivity" | "events", DashboardJson>;

  constructor(scope: Construct, id: string, props: GrafanaContentProps) {
    super(scope, id);
    const { config } = props;
    const folder = new Folder(this, "Folder", {
      uid: CONTENT_UIDS.folder,
      title: config.grafana.folder,
      dependsOn: props.dependsOn,
    });

    this.dashboards = {
      apiActivity: buildApiActivityDashboard({
        uid: CONTENT_UIDS.apiActivity,
        title: "DreamFactory API Activity",
        logsDatasourceUid: DATASOURCE_UIDS.logs,
        usersDatasourceUid: DATASOURCE_UIDS.users,
        logType: LOG_TYPE,
      }),
      events: buildEventsDashboard({
        uid: CONTENT_UIDS.events,
        title: "Datafly Events",
        eventsDatasourceUid: DATASOURCE_UIDS.events,
      }),
    };
    const catalogues = { [DATASOURCE_UIDS.logs]: LOG_FIELDS, [DATASOURCE_UIDS.events]: EVENT_FIELDS };
    for (const [key, json] of Object.entries(this.dashboards)) {
      checkFields(json, catalogues);
      new Dashboard(this, key === "apiActivity" ? "ApiActivity" : "Events", {
        folder: folder.uid,
        configJson: terraformLiteral(JSON.stringify(json)),
        overwrite: true,
        dependsOn: props.dependsOn,
      });
    }

    const alert = buildErrorRateAlertRule({
      logsDatasourceUid: DATASOURCE_UIDS.logs,
      logType: LOG_TYPE,
      errorRatePercent: config.grafana.alert.errorRatePercent,
    });
    const contactPoint = this.contactPoint(config, props.dependsOn);
    // Only the stack's own Grafana gets a notification policy: the provider replaces the
    // whole policy tree, so on a shared Grafana the rule routes itself (simplified routing).
    const routeOnRule = contactPoint !== undefined && !props.ownsGrafana;
    new RuleGroup(this, "Alerts", {
      name: "API error rate",
      folderUid: folder.uid,
      intervalSeconds: 60,
      rule: [
        {
          uid: CONTENT_UIDS.alertRule,
          name: `API error rate above ${config.grafana.alert.errorRatePercent}%`,
          condition: alert.condition,
          data: alert.data,
          for: "5m",
          noDataState: "OK",
          execErrState: "Error",
          labels: { component: "api-gateway", severity: "warning" },
          annotations: {
            summary: `More than ${config.grafana.alert.errorRatePercent}% of API requests failed (status >= 400) over 5 minutes.`,
            // Grafana's reserved link from a rule to a panel: both keys or neither
            // (grafana/terraform-provider-grafana docs/resources/rule_group.md, v4.45.1).
            __dashboardUid__: CONTENT_UIDS.apiActivity,
            __panelId__: String(ERROR_RATE_PANEL_ID),
          },
          ...(routeOnRule ? { notificationSettings: { contactPoint: contactPoint.name } } : {}),
        },
      ],
      dependsOn: props.dependsOn,
    });
    if (contactPoint && props.ownsGrafana) {
      new NotificationPolicy(this, "NotificationPolicy", {
        contactPoint: contactPoint.name,
        groupBy: ["alertname", "grafana_folder"],
        groupWait: "30s",
        groupInterval: "5m",
        repeatInterval: "4h",
        dependsOn: props.dependsOn,
      });
    }
  }

  private contactPoint(config: StackConfig, dependsOn: ITerraformDependable[]): ContactPoint | undefined {
    const contact = config.grafana.alert.contact;
    switch (contact.type) {
      case "none":
        return undefined;
      case "email":
        return new ContactPoint(this, "ContactPoint", {
          name: "api-error-rate",
          email: [{ addresses: contact.addresses, singleEmail: true }],
          dependsOn,
        });
      case "webhook": {
        const url = new TerraformVariable(TerraformStack.of(this), "alert_webhook_url", {
          type: "string",
          sensitive: true,
          description: "URL that receives the API error-rate alert (grafana.alert.contact.type = webhook).",
        });
        return new ContactPoint(this, "ContactPoint", {
          name: "api-error-rate",
          webhook: [{ url: url.stringValue, httpMethod: "POST" }],
          dependsOn,
        });
      }
    }
  }
}

/** A dashboard whose fields don't exist or can't be aggregated is a config-level error. */
function checkFields(json: DashboardJson, catalogues: Parameters<typeof assertDashboardFields>[1]): void {
  try {
    assertDashboardFields(json, catalogues);
  } catch (e) {
    if (e instanceof DashboardFieldError) throw new ConfigError(e.problems);
    throw e;
  }
}
