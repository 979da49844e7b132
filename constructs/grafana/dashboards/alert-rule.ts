import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as expr from "@grafana/grafana-foundation-sdk/expr";
import type { RuleGroupRuleData } from "../../../.gen/providers/grafana/rule-group";
import { LOG_TIME_FIELD } from "../../../contract/fields";
import { logField } from "./api-activity";
import { allOf, requireNonEmpty, toPlainJson, typeFilter } from "./common";
import { esBucket, esMetric, esQuery } from "./elasticsearch-query";

/**
 * The Grafana-managed error-rate alert: the share of API responses with status ≥ 400 over the
 * last five minutes, compared with a threshold in percent. Pure data: the `data` blocks and the
 * condition of a `grafana_rule_group` rule.
 */

export interface ErrorRateAlertParams {
  /** Elasticsearch datasource over `dreamfactory-logs-*`. */
  readonly logsDatasourceUid: string;
  /** Value of the `type` field on API activity documents (`LOG_TYPE`). */
  readonly logType: string;
  /** Fire when errors exceed this percentage of requests; in (0, 100]. */
  readonly errorRatePercent: number;
}

export interface ErrorRateAlertRule {
  /** Ref id of the expression whose result decides firing (`condition` of the rule). */
  readonly condition: string;
  readonly data: RuleGroupRuleData[];
}

/** Evaluation window of the queries, in seconds. */
export const ERROR_RATE_WINDOW_SECONDS = 300;

/** Uid (and type) of Grafana's server-side expressions pseudo-datasource. */
export const EXPRESSION_DATASOURCE_UID = "__expr__";

/** Ref ids, in evaluation order. */
export const ERROR_RATE_REFS = {
  total: "A",
  errors: "B",
  totalSum: "C",
  errorsSum: "D",
  ratePercent: "E",
  threshold: "F",
} as const;

export function buildErrorRateAlertRule(params: ErrorRateAlertParams): ErrorRateAlertRule {
  const { errorRatePercent } = params;
  if (!Number.isFinite(errorRatePercent) || errorRatePercent <= 0 || errorRatePercent > 100) {
    throw new RangeError(`errorRatePercent must be in (0, 100], got ${errorRatePercent}`);
  }
  const logsUid = requireNonEmpty("logsDatasourceUid", params.logsDatasourceUid);
  const timeField = logField(LOG_TIME_FIELD);
  const onlyLogs = typeFilter(logField("type"), params.logType);
  const refs = ERROR_RATE_REFS;

  // Counts per minute over the window; the reduce steps sum them, so empty minutes count as 0.
  const countQuery = (refId: string, query: string) =>
    esQuery({
      refId,
      datasourceUid: logsUid,
      query,
      timeField,
      metrics: [esMetric.count("1")],
      bucketAggs: [esBucket.dateHistogram("2", timeField, "1m")],
    });
  const queryData = (refId: string, query: string): RuleGroupRuleData => ({
    refId,
    datasourceUid: logsUid,
    queryType: "",
    relativeTimeRange: { from: ERROR_RATE_WINDOW_SECONDS, to: 0 },
    model: JSON.stringify(countQuery(refId, query).toJson()),
  });

  const expressionSource = { type: EXPRESSION_DATASOURCE_UID, uid: EXPRESSION_DATASOURCE_UID };
  const expressionData = (refId: string, builder: cog.Builder<cog.Dataquery>): RuleGroupRuleData => ({
    refId,
    datasourceUid: EXPRESSION_DATASOURCE_UID,
    queryType: "",
    relativeTimeRange: { from: 0, to: 0 },
    model: JSON.stringify(toPlainJson(builder.build())),
  });
  const sumOf = (refId: string, input: string) =>
    expressionData(
      refId,
      new expr.TypeReduceBuilder()
        .refId(refId)
        .datasource(expressionSource)
        .expression(input)
        .reducer("sum")
        .settings({ mode: "dropNN" }),
    );

  const data = [
    queryData(refs.total, onlyLogs),
    queryData(refs.errors, allOf(onlyLogs, `${logField("event.response.status")}:>=400`)),
    sumOf(refs.totalSum, refs.total),
    sumOf(refs.errorsSum, refs.errors),
    expressionData(
      refs.ratePercent,
      new expr.TypeMathBuilder()
        .refId(refs.ratePercent)
        .datasource(expressionSource)
        // `($C == 0)` is 1 only when there was no traffic: the rate is then 0 instead of NaN.
        .expression(`$${refs.errorsSum} / ($${refs.totalSum} + ($${refs.totalSum} == 0)) * 100`),
    ),
    expressionData(
      refs.threshold,
      new expr.TypeThresholdBuilder()
        .refId(refs.threshold)
        .datasource(expressionSource)
        .expression(refs.ratePercent)
        .conditions([{ evaluator: { type: "gt", params: [errorRatePercent] } }]),
    ),
  ];
  return { condition: refs.threshold, data };
}

/** A query as an alert rule's data block: a panel target's JSON, run over the last `windowSeconds`. */
export function alertQueryData(
  refId: string,
  datasourceUid: string,
  windowSeconds: number,
  model: object,
): RuleGroupRuleData {
  return {
    refId,
    datasourceUid: requireNonEmpty("datasourceUid", datasourceUid),
    queryType: "",
    relativeTimeRange: { from: windowSeconds, to: 0 },
    model: JSON.stringify(model),
  };
}

function expressionBlock(refId: string, builder: cog.Builder<cog.Dataquery>): RuleGroupRuleData {
  return {
    refId,
    datasourceUid: EXPRESSION_DATASOURCE_UID,
    queryType: "",
    relativeTimeRange: { from: 0, to: 0 },
    model: JSON.stringify(toPlainJson(builder.build())),
  };
}

const EXPRESSIONS = { type: EXPRESSION_DATASOURCE_UID, uid: EXPRESSION_DATASOURCE_UID };

/** A server-side reduce of one query (`last` value, or `sum` of its points), nulls dropped. */
export function reduceData(refId: string, input: string, reducer: "last" | "sum" | "max"): RuleGroupRuleData {
  return expressionBlock(
    refId,
    new expr.TypeReduceBuilder()
      .refId(refId)
      .datasource(EXPRESSIONS)
      .expression(input)
      .reducer(reducer)
      .settings({ mode: "dropNN" }),
  );
}

/** A server-side math expression over earlier ref ids, e.g. `$B / $C * 100`. */
export function mathData(refId: string, expression: string): RuleGroupRuleData {
  return expressionBlock(
    refId,
    new expr.TypeMathBuilder().refId(refId).datasource(EXPRESSIONS).expression(expression),
  );
}

/** The firing condition: `input` above (gt) or below (lt) `value`. */
export function thresholdData(
  refId: string,
  input: string,
  type: "gt" | "lt",
  value: number,
): RuleGroupRuleData {
  return expressionBlock(
    refId,
    new expr.TypeThresholdBuilder()
      .refId(refId)
      .datasource(EXPRESSIONS)
      .expression(input)
      .conditions([{ evaluator: { type, params: [value] } }]),
  );
}
