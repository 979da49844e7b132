import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Folder } from "../../.gen/providers/grafana/folder";
import { Dashboard } from "../../.gen/providers/grafana/dashboard";
import { RuleGroup, type RuleGroupRule } from "../../.gen/providers/grafana/rule-group";
import type { GrafanaProvider } from "../../.gen/providers/grafana/provider";
import { terraformLiteral } from "../docker/common";
import { checkDashboardFields, type DashboardJson, type FieldCatalogues } from "./dashboards";

export interface GrafanaFolderProps {
  /** Stable folder uid: changing it replaces the folder and breaks links to it. */
  readonly uid: string;
  readonly title: string;
  /**
   * Fields per datasource uid that the dashboards may query: a panel on a field that is not
   * mapped (or not aggregatable) would show "No data", so it fails the synth instead.
   * @default {} (no dashboard may query an Elasticsearch datasource)
   */
  readonly fieldCatalogues?: FieldCatalogues;
  /** Resources everything here waits for (the instance, the datasources). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** @default the stack's default grafana provider */
  readonly provider?: GrafanaProvider;
}

/** A Grafana folder with its dashboards and alert rule groups. */
export class GrafanaFolder extends Construct {
  readonly uid: string;
  /** Escape hatch. */
  readonly folder: Folder;
  /** The dashboards' JSON, by construct id. */
  readonly dashboards: Record<string, DashboardJson> = {};
  private readonly props: GrafanaFolderProps;

  constructor(scope: Construct, id: string, props: GrafanaFolderProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(props.uid))
      throw new Error(
        `${this.node.path}: uid = ${JSON.stringify(props.uid)}: must be 1..40 of A-Z a-z 0-9 _ -`,
      );
    this.props = props;
    this.uid = props.uid;
    this.folder = new Folder(this, "Folder", {
      uid: props.uid,
      title: props.title,
      dependsOn: [...(props.dependsOn ?? [])],
      ...this.provider(),
    });
  }

  /** Adds a dashboard after checking every field it queries against the catalogues. */
  addDashboard(id: string, json: DashboardJson): Dashboard {
    const problems = checkDashboardFields(json, this.props.fieldCatalogues ?? {});
    if (problems.length > 0) throw new Error(`${this.node.path}/${id}: ${problems.join("; ")}`);
    this.dashboards[id] = json;
    return new Dashboard(this, id, {
      folder: this.folder.uid,
      configJson: terraformLiteral(JSON.stringify(json)),
      overwrite: true,
      dependsOn: [...(this.props.dependsOn ?? [])],
      ...this.provider(),
    });
  }

  /** Adds an alert rule group evaluated every `intervalSeconds`. */
  addRuleGroup(
    id: string,
    group: { readonly name: string; readonly intervalSeconds: number; readonly rules: RuleGroupRule[] },
  ): RuleGroup {
    return new RuleGroup(this, id, {
      name: group.name,
      folderUid: this.folder.uid,
      intervalSeconds: group.intervalSeconds,
      rule: group.rules,
      dependsOn: [...(this.props.dependsOn ?? [])],
      ...this.provider(),
    });
  }

  private provider(): { provider?: GrafanaProvider } {
    return this.props.provider ? { provider: this.props.provider } : {};
  }
}
