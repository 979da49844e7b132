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
 * The product events index with its explicit mapping. The mapping lives in an index template
 * that matches only this index: the provider compares an index's `mappings` with what
 * Elasticsearch returns, and the dynamic `context`/`properties`/`traits` objects grow with every
 * new event field, so a mapping on the index resource could never settle. The template also
 * gives the same mapping to the index if it is ever recreated through the writer's
 * `create_index`. Deletion protection stays on: destroying the index takes a deliberate config
 * change (see README, "Destroying on purpose").
 */
export class EventsIndex extends Construct {
  readonly name: string;
  readonly resource: ElasticsearchIndex;
  readonly template: ElasticsearchIndexTemplate;

  constructor(scope: Construct, id: string, props: EventsIndexProps) {
    super(scope, id);
    this.name = props.name;
    this.template = new ElasticsearchIndexTemplate(this, "Template", {
      name: props.name,
      indexPatterns: [props.name],
      // Above the log template's priority: a name matching both patterns gets this mapping.
      priority: 500,
      template: { mappings: terraformLiteral(JSON.stringify(eventsIndexMappings())) },
      dependsOn: props.dependsOn,
    });
    this.resource = new ElasticsearchIndex(this, "Index", {
      name: props.name,
      numberOfShards: 1,
      numberOfReplicas: props.replicas,
      deletionProtection: true,
      // The index takes its mapping from the template when it is created.
      dependsOn: [...props.dependsOn, this.template],
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
