import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { estypes } from "@elastic/elasticsearch";
import { ElasticsearchIndex } from "@cdktf-providers/elastic-elasticstack/elasticsearch-index";
import { ElasticsearchIndexTemplate } from "@cdktf-providers/elastic-elasticstack/elasticsearch-index-template";
import { ElasticsearchIndexLifecycle } from "@cdktf-providers/elastic-elasticstack/elasticsearch-index-lifecycle";
import { echoForm, replicasFor, retentionPolicy, timeSeriesIndexSettings } from "./definitions";
import { indexNameProblem } from "./index-name";
import { providerOf, type ElasticsearchConnection } from "./cluster";
import type { IGrantable } from "./security";
import { terraformLiteral } from "../docker/common";

/** The privileges an event router needs to index into an index (and recreate it if deleted). */
export const WRITE_PRIVILEGES = ["write", "create_index"] as const;
/** Search, and read mappings for field lists (Grafana). */
export const READ_PRIVILEGES = ["read", "view_index_metadata"] as const;
/** Logstash's `action => create` into daily indices it may create. */
export const CREATE_DOC_PRIVILEGES = ["create_doc", "create_index", "view_index_metadata"] as const;

export interface MappedIndexProps {
  readonly cluster: ElasticsearchConnection;
  /** Index name, e.g. `datafly-events`. */
  readonly name: string;
  /** The explicit mapping, written in Elasticsearch's echo form. */
  readonly mappings: estypes.MappingTypeMapping;
  /** Primary shards. @default 1 */
  readonly shards?: number;
  /** Replicas. @default 0 on a one-node cluster, else 1 */
  readonly replicas?: number;
  /** Refuse `terraform destroy` of the index. @default true */
  readonly deletionProtection?: boolean;
  /** Priority of the index's template, above any template for time-based indices. @default 500 */
  readonly templatePriority?: number;
}

/**
 * An index with an explicit mapping. The mapping lives in an index template that matches only
 * this index: the provider compares an index's `mappings` with what Elasticsearch returns, and
 * dynamic objects grow with every new field, so a mapping on the index resource could never
 * settle. The template also gives the same mapping to the index if it is ever recreated
 * through a writer's `create_index`.
 */
export class MappedIndex extends Construct {
  readonly name: string;
  readonly mappings: estypes.MappingTypeMapping;
  /** Escape hatches. */
  readonly resource: ElasticsearchIndex;
  readonly template: ElasticsearchIndexTemplate;

  constructor(scope: Construct, id: string, props: MappedIndexProps) {
    super(scope, id);
    const problem = indexNameProblem(props.name);
    if (problem) throw new Error(`${this.node.path}: name = ${JSON.stringify(props.name)}: ${problem}`);
    this.name = props.name;
    this.mappings = echoForm(props.mappings);
    const dependsOn: ITerraformDependable[] = [...props.cluster.ready];
    this.template = new ElasticsearchIndexTemplate(this, "Template", {
      name: props.name,
      indexPatterns: [props.name],
      priority: props.templatePriority ?? 500,
      template: { mappings: terraformLiteral(JSON.stringify(this.mappings)) },
      dependsOn,
      ...providerOf(props.cluster),
    });
    this.resource = new ElasticsearchIndex(this, "Index", {
      name: props.name,
      numberOfShards: props.shards ?? 1,
      numberOfReplicas: props.replicas ?? replicasFor(props.cluster.nodeCount),
      deletionProtection: props.deletionProtection ?? true,
      // The index takes its mapping from the template when it is created.
      dependsOn: [...dependsOn, this.template],
      ...providerOf(props.cluster),
    });
  }

  /** `write` + `create_index` on this index only (an event router's writer key). */
  grantWrite(grantee: IGrantable): void {
    grantee.addIndexPrivileges({ names: [this.name], privileges: WRITE_PRIVILEGES });
  }

  /** `read` + `view_index_metadata` on this index (a dashboard's reader key). */
  grantRead(grantee: IGrantable): void {
    grantee.addIndexPrivileges({ names: [this.name], privileges: READ_PRIVILEGES });
  }
}

export interface TimeSeriesIndicesProps {
  readonly cluster: ElasticsearchConnection;
  /** Prefix of the daily indices (`<prefix>-YYYY.MM.dd`), e.g. `dreamfactory-logs`. */
  readonly prefix: string;
  /** Mapping every index gets from the template. */
  readonly mappings: estypes.MappingTypeMapping;
  /** Days after which the lifecycle policy deletes an index. @default 30 */
  readonly retentionDays?: number;
  /** Replicas. @default 0 on a one-node cluster, else 1 */
  readonly replicas?: number;
  /** Template priority. @default 200 */
  readonly priority?: number;
}

/** `-YYYY.MM.dd`: what a daily writer appends to the prefix. */
export const DAILY_SUFFIX_BYTES = "-YYYY.MM.dd".length;

/** Template + lifecycle for time-based indices `<prefix>-*` that a writer creates (Logstash). */
export class TimeSeriesIndices extends Construct {
  readonly prefix: string;
  /** `<prefix>-*`: what the template, roles and datasources match. */
  readonly pattern: string;
  readonly policyName: string;
  readonly mappings: estypes.MappingTypeMapping;
  /** Escape hatches; writers must depend on the template, or the first index gets dynamic mappings. */
  readonly template: ElasticsearchIndexTemplate;
  readonly lifecycle: ElasticsearchIndexLifecycle;

  constructor(scope: Construct, id: string, props: TimeSeriesIndicesProps) {
    super(scope, id);
    const problem = indexNameProblem(props.prefix, DAILY_SUFFIX_BYTES);
    if (problem) throw new Error(`${this.node.path}: prefix = ${JSON.stringify(props.prefix)}: ${problem}`);
    const retentionDays = props.retentionDays ?? 30;
    if (!Number.isInteger(retentionDays) || retentionDays < 1)
      throw new Error(
        `${this.node.path}: retentionDays = ${retentionDays}: must be a whole number of days >= 1`,
      );
    this.prefix = props.prefix;
    this.pattern = `${props.prefix}-*`;
    this.policyName = `${props.prefix}-retention`;
    this.mappings = echoForm(props.mappings);
    const dependsOn = [...props.cluster.ready];

    const { hot, delete: del } = retentionPolicy(retentionDays).phases;
    this.lifecycle = new ElasticsearchIndexLifecycle(this, "Retention", {
      name: this.policyName,
      hot: {
        minAge: String(hot?.min_age),
        setPriority: { priority: Number(hot?.actions?.set_priority?.priority) },
      },
      delete: {
        minAge: String(del?.min_age),
        delete: { deleteSearchableSnapshot: Boolean(del?.actions?.delete?.delete_searchable_snapshot) },
      },
      dependsOn,
      ...providerOf(props.cluster),
    });

    const replicas = props.replicas ?? replicasFor(props.cluster.nodeCount);
    this.template = new ElasticsearchIndexTemplate(this, "Template", {
      name: props.prefix,
      indexPatterns: [this.pattern],
      priority: props.priority ?? 200,
      template: {
        mappings: terraformLiteral(JSON.stringify(this.mappings)),
        settings: terraformLiteral(JSON.stringify(timeSeriesIndexSettings(this.policyName, replicas))),
      },
      // The settings name the policy by its plain name, so the dependency is explicit.
      dependsOn: [...dependsOn, this.lifecycle],
      ...providerOf(props.cluster),
    });
  }

  /** Create documents in (and create) the indices, as Logstash's `action => create` needs. */
  grantCreate(grantee: IGrantable): void {
    grantee.addIndexPrivileges({ names: [this.pattern], privileges: CREATE_DOC_PRIVILEGES });
  }

  /** `read` + `view_index_metadata` on all the indices. */
  grantRead(grantee: IGrantable): void {
    grantee.addIndexPrivileges({ names: [this.pattern], privileges: READ_PRIVILEGES });
  }
}
