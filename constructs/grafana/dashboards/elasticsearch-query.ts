import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as es from "@grafana/grafana-foundation-sdk/elasticsearch";
import type { DataSourceRefJson, EsMetricJson, TargetJson } from "./common";
import { ELASTICSEARCH_DATASOURCE_TYPE, toPlainJson } from "./common";

/**
 * Thin wrapper over the SDK's Elasticsearch builders. The SDK (0.0.21 and the 11.6 build alike)
 * emits `"type":"unknown"` for every metric, which Grafana cannot run; every metric made here
 * carries its real type, and `ElasticsearchQueryBuilder.build()` refuses any that does not.
 */

/** Metric types Grafana's Elasticsearch datasource understands (non-pipeline). */
export const ES_METRIC_TYPES: ReadonlySet<string> = new Set([
  "count",
  "avg",
  "sum",
  "min",
  "max",
  "extended_stats",
  "percentiles",
  "cardinality",
  "raw_document",
  "raw_data",
  "logs",
  "rate",
  "top_metrics",
]);

type MetricType = "count" | "avg" | "raw_data";

/** A metric builder whose output has its real `type`. */
export class TypedMetric implements cog.Builder<es.MetricAggregation> {
  constructor(
    private readonly inner: cog.Builder<es.MetricAggregation>,
    readonly type: MetricType,
  ) {}

  build(): es.MetricAggregation {
    return { ...this.inner.build(), type: this.type };
  }
}

export const esMetric = {
  count: (id: string): TypedMetric => new TypedMetric(new es.CountBuilder().id(id), "count"),
  avg: (id: string, field: string): TypedMetric =>
    new TypedMetric(new es.AverageBuilder().id(id).field(field), "avg"),
  /** Raw documents as a table, newest first (the datasource sorts by the time field, descending). */
  rawData: (id: string, size: number): TypedMetric =>
    new TypedMetric(
      new es.RawDataBuilder().id(id).settings({ size: String(positiveInt("size", size)) }),
      "raw_data",
    ),
};

export interface TermsOptions {
  readonly size: number;
  /** `_count` (default), `_key`, or the id of a metric of the same query. */
  readonly orderBy?: string;
  /** Default `desc`. */
  readonly order?: "asc" | "desc";
  /** Default 1: buckets without documents are noise in top-N tables. */
  readonly minDocCount?: number;
}

export const esBucket = {
  terms: (id: string, field: string, options: TermsOptions): cog.Builder<es.BucketAggregation> =>
    new es.TermsBuilder()
      .id(id)
      .field(field)
      .settings({
        size: String(positiveInt("size", options.size)),
        order: options.order === "asc" ? es.TermsOrder.Asc : es.TermsOrder.Desc,
        orderBy: options.orderBy ?? "_count",
        min_doc_count: String(options.minDocCount ?? 1),
      }),
  /** `interval` is a Grafana interval (`1m`, `auto`); empty buckets are kept so gaps show as zero. */
  dateHistogram: (id: string, field: string, interval: string): cog.Builder<es.BucketAggregation> =>
    new es.DateHistogramBuilder().id(id).field(field).settings({ interval, min_doc_count: "0" }),
};

export interface ElasticsearchQuerySpec {
  readonly refId: string;
  readonly datasourceUid: string;
  /** Lucene query string. */
  readonly query: string;
  readonly timeField: string;
  readonly metrics: readonly TypedMetric[];
  /** Outermost first; for a time series the date histogram must come last. */
  readonly bucketAggs?: readonly cog.Builder<es.BucketAggregation>[];
  /** Series name pattern, e.g. `{{term event.response.status}}`. */
  readonly alias?: string;
}

/** Builds a panel target (or alert query model) and checks every metric's type on the way out. */
export class ElasticsearchQueryBuilder implements cog.Builder<cog.Dataquery> {
  constructor(private readonly spec: ElasticsearchQuerySpec) {}

  build(): es.dataquery {
    const { spec } = this;
    const datasource: DataSourceRefJson = { type: ELASTICSEARCH_DATASOURCE_TYPE, uid: spec.datasourceUid };
    const builder = new es.DataqueryBuilder()
      .refId(spec.refId)
      .datasource(datasource)
      .query(spec.query)
      .timeField(spec.timeField)
      .metrics([...spec.metrics])
      .bucketAggs([...(spec.bucketAggs ?? [])]);
    if (spec.alias !== undefined) {
      builder.alias(spec.alias);
    }
    const built = builder.build();
    assertMetricTypes(spec.refId, toPlainJson<TargetJson>(built).metrics ?? []);
    return built;
  }

  /** The query as plain JSON (what an alert rule's `model` carries). */
  toJson(): TargetJson {
    return toPlainJson<TargetJson>(this.build());
  }
}

export function esQuery(spec: ElasticsearchQuerySpec): ElasticsearchQueryBuilder {
  return new ElasticsearchQueryBuilder(spec);
}

/** Throws if a metric lacks a real type (the SDK bug) — Grafana would fail the query at run time. */
export function assertMetricTypes(refId: string, metrics: readonly EsMetricJson[]): void {
  for (const metric of metrics) {
    if (!ES_METRIC_TYPES.has(metric.type)) {
      throw new Error(
        `Elasticsearch query ${refId}: metric ${metric.id} has type "${String(metric.type)}", not a real metric type`,
      );
    }
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}
