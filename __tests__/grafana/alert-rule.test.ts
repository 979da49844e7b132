import type { RuleGroupRuleData } from "../../.gen/providers/grafana/rule-group";
import { LOG_FIELDS, LOG_TYPE } from "../../contract/fields";
import {
  ERROR_RATE_REFS,
  ERROR_RATE_WINDOW_SECONDS,
  EXPRESSION_DATASOURCE_UID,
  buildErrorRateAlertRule,
} from "../../constructs/grafana/dashboards/alert-rule";
import type { TargetJson } from "../../constructs/grafana/dashboards/common";
import { ES_METRIC_TYPES } from "../../constructs/grafana/dashboards/elasticsearch-query";
import { luceneFields } from "../../constructs/grafana/dashboards/field-check";

const LOGS = "dreamfactory-logs";
const rule = buildErrorRateAlertRule({ logsDatasourceUid: LOGS, logType: LOG_TYPE, errorRatePercent: 5 });

function data(refId: string): RuleGroupRuleData {
  const found = rule.data.find((d) => d.refId === refId);
  if (found === undefined) throw new Error(`no data ${refId}`);
  return found;
}

function model(refId: string): Record<string, unknown> {
  return JSON.parse(data(refId).model) as Record<string, unknown>;
}

describe("error-rate alert rule data", () => {
  test("six steps in evaluation order; the threshold is the condition", () => {
    expect(rule.data.map((d) => d.refId)).toEqual(["A", "B", "C", "D", "E", "F"]);
    expect(rule.condition).toBe(ERROR_RATE_REFS.threshold);
    expect(rule.condition).toBe("F");
  });

  test("the two Elasticsearch queries cover the last five minutes of the logs datasource", () => {
    expect(ERROR_RATE_WINDOW_SECONDS).toBe(300);
    for (const refId of ["A", "B"]) {
      expect(data(refId)).toMatchObject({
        refId,
        datasourceUid: LOGS,
        queryType: "",
        relativeTimeRange: { from: 300, to: 0 },
      });
    }
  });

  test("A counts all dreamfactory documents, B those with status >= 400, per minute", () => {
    const total = model("A") as TargetJson;
    const errors = model("B") as TargetJson;
    expect(total.query).toBe(`type:"${LOG_TYPE}"`);
    expect(errors.query).toBe(`type:"${LOG_TYPE}" AND event.response.status:>=400`);
    for (const [refId, query] of [
      ["A", total],
      ["B", errors],
    ] as const) {
      expect(query.refId).toBe(refId);
      expect(query.datasource).toEqual({ type: "elasticsearch", uid: LOGS });
      expect(query.timeField).toBe("@timestamp");
      expect(query.metrics).toEqual([{ id: "1", type: "count" }]);
      expect(query.bucketAggs).toEqual([
        {
          id: "2",
          type: "date_histogram",
          field: "@timestamp",
          settings: { interval: "1m", min_doc_count: "0" },
        },
      ]);
    }
  });

  test("every Elasticsearch metric has a real type and every queried field is in the log catalogue", () => {
    for (const refId of ["A", "B"]) {
      const query = model(refId) as TargetJson;
      for (const metric of query.metrics ?? []) expect(ES_METRIC_TYPES.has(metric.type)).toBe(true);
      for (const field of luceneFields(query.query ?? "")) {
        expect(LOG_FIELDS.map((f) => f.path)).toContain(field);
      }
    }
  });

  test("C and D sum each query over the window, dropping non-numbers", () => {
    for (const [refId, input] of [
      ["C", "A"],
      ["D", "B"],
    ]) {
      expect(data(refId)).toMatchObject({
        datasourceUid: EXPRESSION_DATASOURCE_UID,
        relativeTimeRange: { from: 0, to: 0 },
      });
      expect(model(refId)).toEqual({
        refId,
        type: "reduce",
        expression: input,
        reducer: "sum",
        settings: { mode: "dropNN" },
        datasource: { type: "__expr__", uid: "__expr__" },
      });
    }
  });

  test("E is the error percentage, guarded against zero traffic", () => {
    expect(model("E")).toEqual({
      refId: "E",
      type: "math",
      expression: "$D / ($C + ($C == 0)) * 100",
      datasource: { type: "__expr__", uid: "__expr__" },
    });
  });

  test("F fires when E is above errorRatePercent", () => {
    expect(model("F")).toEqual({
      refId: "F",
      type: "threshold",
      expression: "E",
      conditions: [{ evaluator: { type: "gt", params: [5] } }],
      datasource: { type: "__expr__", uid: "__expr__" },
    });
    const strict = buildErrorRateAlertRule({
      logsDatasourceUid: LOGS,
      logType: LOG_TYPE,
      errorRatePercent: 0.5,
    });
    const threshold = JSON.parse(strict.data[5].model) as {
      conditions: { evaluator: { params: number[] } }[];
    };
    expect(threshold.conditions[0].evaluator.params).toEqual([0.5]);
  });

  test.each([0, -1, 100.01, Number.NaN, Number.POSITIVE_INFINITY])(
    "rejects errorRatePercent %p",
    (errorRatePercent) => {
      expect(() =>
        buildErrorRateAlertRule({ logsDatasourceUid: LOGS, logType: LOG_TYPE, errorRatePercent }),
      ).toThrow(/errorRatePercent must be in \(0, 100\]/);
    },
  );

  test("accepts 100 %", () => {
    expect(
      buildErrorRateAlertRule({ logsDatasourceUid: LOGS, logType: LOG_TYPE, errorRatePercent: 100 })
        .condition,
    ).toBe("F");
  });

  test("rejects an empty datasource uid and an unsafe log type", () => {
    expect(() =>
      buildErrorRateAlertRule({ logsDatasourceUid: "", logType: LOG_TYPE, errorRatePercent: 5 }),
    ).toThrow(/logsDatasourceUid/);
    expect(() =>
      buildErrorRateAlertRule({ logsDatasourceUid: LOGS, logType: "a b", errorRatePercent: 5 }),
    ).toThrow(/logType/);
  });

  test("models are deterministic JSON strings without null", () => {
    const again = buildErrorRateAlertRule({
      logsDatasourceUid: LOGS,
      logType: LOG_TYPE,
      errorRatePercent: 5,
    });
    expect(JSON.stringify(again)).toBe(JSON.stringify(rule));
    for (const d of rule.data) {
      expect(typeof d.model).toBe("string");
      expect(d.model).not.toMatch(/null|undefined/);
    }
  });
});
