import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ElasticsearchIndex } from "@cdktf-providers/elastic-elasticstack/elasticsearch-index";
import { ElasticsearchIndexTemplate } from "@cdktf-providers/elastic-elasticstack/elasticsearch-index-template";
import { ElasticsearchIndexLifecycle } from "@cdktf-providers/elastic-elasticstack/elasticsearch-index-lifecycle";
import { eventsIndexMappings, logIndexMappings, logIndexSettings, retentionPolicy } from "./definitions";
import { terraformLiteral } from "../docker/common";

export interface EventsIndexProps {
  /** Index name, e.g. datafly-events. */
  readonly name: string;
  readonly replicas: number;
  /** The healthy cluster. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * The product events index with its explicit mapping. Deletion protection stays on:
 * destroying it takes a deliberate config change (see README, "Destroying on purpose").
 */
export class EventsIndex extends Construct {
  readonly name: string;
  readonly resource: ElasticsearchIndex;

  constructor(scope: Construct, id: string, props: EventsIndexProps) {
    super(scope, id);
    this.name = props.name;
    this.resource = new ElasticsearchIndex(this, "Index", {
      name: props.name,
      numberOfShards: 1,
      numberOfReplicas: props.replicas,
      mappings: terraformLiteral(JSON.stringify(eventsIndexMappings())),
      deletionProtection: true,
      dependsOn: props.dependsOn,
    });
  }
}

export interface LogIndicesProps {
  /** Prefix of the daily indices, e.g. dreamfactory-logs. */
  readonly prefix: string;
  readonly retentionDays: number;
  readonly replicas: number;
  readonly dependsOn: ITerraformDependable[];
}

/** Template + lifecycle for the daily API log indices the Logstash pipeline writes. */
export class LogIndices extends Construct {
  /** `<prefix>-*`: what the template, roles and Grafana datasource match. */
  readonly pattern: string;
  readonly policyName: string;
  readonly template: ElasticsearchIndexTemplate;

  constructor(scope: Construct, id: string, props: LogIndicesProps) {
    super(scope, id);
    this.pattern = `${props.prefix}-*`;
    this.policyName = `${props.prefix}-retention`;

    const { hot, delete: del } = retentionPolicy(props.retentionDays).phases;
    const lifecycle = new ElasticsearchIndexLifecycle(this, "Retention", {
      name: this.policyName,
      hot: {
        minAge: String(hot?.min_age),
        setPriority: { priority: Number(hot?.actions?.set_priority?.priority) },
      },
      delete: {
        minAge: String(del?.min_age),
        delete: { deleteSearchableSnapshot: Boolean(del?.actions?.delete?.delete_searchable_snapshot) },
      },
      dependsOn: props.dependsOn,
    });

    this.template = new ElasticsearchIndexTemplate(this, "Template", {
      name: props.prefix,
      indexPatterns: [this.pattern],
      priority: 200,
      template: {
        mappings: terraformLiteral(JSON.stringify(logIndexMappings())),
        settings: terraformLiteral(JSON.stringify(logIndexSettings(this.policyName, props.replicas))),
      },
      // The settings name the policy by its plain name, so the dependency is explicit.
      dependsOn: [...props.dependsOn, lifecycle],
    });
  }
}
