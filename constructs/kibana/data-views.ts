import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { ElasticstackProvider } from "@cdktf-providers/elastic-elasticstack/provider";
import { KibanaDataView as DataViewResource } from "@cdktf-providers/elastic-elasticstack/kibana-data-view";
import { KibanaDefaultDataView } from "@cdktf-providers/elastic-elasticstack/kibana-default-data-view";
import type { KibanaTarget } from "./instance";

export interface KibanaDataViewProps {
  readonly kibana: KibanaTarget;
  /** Stable id of the saved object; links to Discover use it, so changing it breaks them. */
  readonly id: string;
  /** Name shown in Kibana. */
  readonly name: string;
  /** Index name or pattern: take it from the index construct (`name`, `pattern`), never a copy. */
  readonly title: string;
  /** The documents' time field (from the field contract). */
  readonly timeField: string;
  /** Lets the data view exist before the first index does (daily indices). @default false */
  readonly allowNoIndex?: boolean;
  /** Also make it the default data view of the space. @default false */
  readonly isDefault?: boolean;
  /** Resources that must exist first (the index, its template). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/** A Kibana data view (saved object) over an index or index pattern, as code. */
export class KibanaDataView extends Construct {
  readonly id: string;
  readonly title: string;
  readonly timeField: string;
  /** Escape hatch. */
  readonly resource: DataViewResource;

  constructor(scope: Construct, id: string, props: KibanaDataViewProps) {
    super(scope, id);
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(props.id))
      throw new Error(
        `${this.node.path}: id = ${JSON.stringify(props.id)}: must be lowercase letters, digits, _ and -`,
      );
    if (props.title.length === 0 || props.title.includes(","))
      throw new Error(
        `${this.node.path}: title = ${JSON.stringify(props.title)}: must be one index or pattern`,
      );
    this.id = props.id;
    this.title = props.title;
    this.timeField = props.timeField;
    const provider = providerFor(props.kibana.provider);
    const dependsOn = [...props.kibana.ready, ...(props.dependsOn ?? [])];
    this.resource = new DataViewResource(this, "DataView", {
      dataView: {
        id: props.id,
        name: props.name,
        title: props.title,
        timeFieldName: props.timeField,
        ...(props.allowNoIndex ? { allowNoIndex: true } : {}),
      },
      dependsOn,
      ...provider,
    });
    if (props.isDefault) {
      new KibanaDefaultDataView(this, "Default", {
        dataViewId: props.id,
        // Replaces whatever default a fresh Kibana picked; a failure otherwise.
        force: true,
        dependsOn: [this.resource],
        ...provider,
      });
    }
  }
}

function providerFor(provider: ElasticstackProvider): { provider?: ElasticstackProvider } {
  return provider.alias !== undefined ? { provider } : {};
}
