import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import type { RuleGroupRuleData } from "../../../.gen/providers/grafana/rule-group";
import { DEAD_LETTER_FIELDS, DEAD_LETTER_TIME_FIELD, LOG_TIME_FIELD } from "../../../contract/fields";
import { alertQueryData, mathData, reduceData, thresholdData } from "./alert-rule";
import { logField } from "./api-activity";
import type { DashboardJson } from "./common";
import {
  ELASTICSEARCH_DATASOURCE_TYPE,
  INFINITY_DATASOURCE_TYPE,
  catalogueField,
  requireNonEmpty,
  typeFilter,
} from "./common";
import { esBucket, esMetric, esQuery, type ElasticsearchQueryBuilder } from "./elasticsearch-query";
import { infinityJsonQuery, infinityTarget, type InfinityJsonUrlQuery } from "./infinity";
import { buildDashboardJson, tablePanel, timeSeriesPanel } from "./panels";

/**
 * The stack-health dashboard and its alert rules: Elasticsearch through its cluster APIs
 * (Infinity with a `monitor` key), Logstash through its node stats API, the gateway through
 * the log indices, dead-lettered documents through their own indices.
 */

/**
 * Elasticsearch's default disk watermarks (cluster.routing.allocation.disk.watermark.*,
 * DiskThresholdSettings in elastic/elasticsearch 8.x); the stack sets none of them.
 */
export const DISK_WATERMARKS_PERCENT = { low: 85, high: 90, floodStage: 95 } as const;

/** Persistent-queue fill, in percent of queue.max_bytes, above which the queue alert fires. */
export const QUEUE_ALERT_PERCENT = 80;

export interface StackHealthParams {
  readonly uid: string;
  readonly title: string;
  /** Infinity datasource whose base URL is the cluster, with the health reader key. */
  readonly clusterDatasourceUid: string;
  /** Infinity datasource whose base URL is Logstash's API; undefined when Grafana can't reach it. */
  readonly logstashDatasourceUid?: string;
  /** Pipeline id in Logstash's node stats (`main`). */
  readonly pipelineId: string;
  /** Elasticsearch datasource over the log indices. */
  readonly logsDatasourceUid: string;
  readonly logType: string;
  /** Elasticsearch datasource over the dead-letter indices. */
  readonly deadLettersDatasourceUid: string;
  /**
   * Tags the pipeline puts on a log document that stands for a GELF message it lost
   * (chunks missing) and on a datagram it could not decode.
   */
  readonly gelfTags: { readonly lost: string; readonly undecodable: string };
}

const deadLetterField = (path: string) => catalogueField(DEAD_LETTER_FIELDS, "dead letter", path);

/** Node stats of one pipeline (logstash-core/lib/logstash/api/commands/stats.rb, v8.19.18). */
function pipelineStatsQuery(refId: string, uid: string, pipelineId: string, columns: [string, string][]) {
  return infinityJsonQuery({
    refId,
    datasourceUid: uid,
    path: `/_node/stats/pipelines/${pipelineId}`,
    rootSelector: `pipelines.${pipelineId}`,
    columns: columns.map(([selector, text]) => ({ selector, text, type: "number" as const })),
  });
}

/** `_cluster/health` as one row. */
function clusterHealthQuery(refId: string, uid: string): InfinityJsonUrlQuery {
  return infinityJsonQuery({
    refId,
    datasourceUid: uid,
    path: "/_cluster/health",
    rootSelector: "",
    columns: [
      { selector: "status", text: "Status", type: "string" },
      { selector: "number_of_nodes", text: "Nodes", type: "number" },
      { selector: "active_shards_percent_as_number", text: "Active shards %", type: "number" },
      { selector: "unassigned_shards", text: "Unassigned shards", type: "number" },
    ],
  });
}

/**
 * `_cat/allocation` as JSON, one row per node, bytes as numbers. The columns are asked for by
 * their aliases (RestAllocationAction, elastic/elasticsearch 8.x: disk.percent is `diskPercent`),
 * so no key has a dot Infinity's selectors would read as nesting; _cat sends the numbers as
 * strings, which Infinity's number columns parse (infinity-libs gframer field.go
 * anyToNullableNumber, lib/go/gframer/v1.1.13, what Infinity v3.11.1 uses).
 */
function allocationQuery(refId: string, uid: string): InfinityJsonUrlQuery {
  const columns = [
    { selector: "node", text: "Node", type: "string" as const },
    { selector: "diskPercent", text: "Disk used %", type: "number" as const },
    { selector: "diskUsed", text: "Disk used", type: "number" as const },
    { selector: "diskTotal", text: "Disk total", type: "number" as const },
  ];
  return infinityJsonQuery({
    refId,
    datasourceUid: uid,
    path: "/_cat/allocation",
    params: [
      { key: "format", value: "json" },
      { key: "bytes", value: "b" },
      { key: "h", value: columns.map((c) => c.selector).join(",") },
    ],
    rootSelector: "",
    columns,
  });
}

/** Documents per minute matching `query`, by `timeField` (named `alias` in a legend). */
function perMinuteCount(
  refId: string,
  datasourceUid: string,
  query: string,
  timeField: string,
  alias?: string,
) {
  return esQuery({
    refId,
    datasourceUid,
    query,
    timeField,
    metrics: [esMetric.count("1")],
    bucketAggs: [esBucket.dateHistogram("2", timeField, "1m")],
    ...(alias === undefined ? {} : { alias }),
  });
}

function gatewayCountQuery(refId: string, params: StackHealthParams) {
  return perMinuteCount(
    refId,
    params.logsDatasourceUid,
    typeFilter(logField("type"), params.logType),
    logField(LOG_TIME_FIELD),
  );
}

/** Log documents per minute that carry `tag`, named `alias` in the legend. */
function taggedCountQuery(refId: string, params: StackHealthParams, tag: string, alias: string) {
  const query = typeFilter(logField("tags"), tag);
  return perMinuteCount(refId, params.logsDatasourceUid, query, logField(LOG_TIME_FIELD), alias);
}

function deadLetterCountQuery(refId: string, uid: string) {
  return perMinuteCount(refId, uid, "*", deadLetterField(DEAD_LETTER_TIME_FIELD));
}

/** Overrides that show these fields in bytes. */
const inBytes = (...fieldNames: string[]) =>
  fieldNames.map((fieldName) => ({ fieldName, properties: [{ id: "unit", value: "bytes" }] }));

const colorByThreshold = (steps: { color: string; value: number | null }[]) => [
  { id: "thresholds", value: { mode: "absolute", steps } },
  { id: "custom.cellOptions", value: { type: "color-background" } },
];

export function buildStackHealthDashboard(params: StackHealthParams): DashboardJson {
  const cluster = {
    type: INFINITY_DATASOURCE_TYPE,
    uid: requireNonEmpty("clusterDatasourceUid", params.clusterDatasourceUid),
  };
  const logs = { type: ELASTICSEARCH_DATASOURCE_TYPE, uid: params.logsDatasourceUid };
  const deadLetters = { type: ELASTICSEARCH_DATASOURCE_TYPE, uid: params.deadLettersDatasourceUid };
  const { low, high, floodStage } = DISK_WATERMARKS_PERCENT;

  const panels: cog.Builder<dashboard.Panel>[] = [];
  const add = (p: cog.Builder<dashboard.Panel>) => panels.push(p);
  add(
    tablePanel({
      id: 1,
      title: "Cluster Health",
      description:
        "Status, nodes and shards from _cluster/health. Yellow: replicas unassigned; red: primaries missing.",
      gridPos: { x: 0, y: 0, w: 12, h: 5 },
      datasource: cluster,
      targets: [infinityTarget(clusterHealthQuery("A", cluster.uid))],
      overrides: [
        {
          fieldName: "Unassigned shards",
          properties: colorByThreshold([
            { color: "green", value: null },
            { color: "orange", value: 1 },
          ]),
        },
      ],
    }),
  );
  add(
    tablePanel({
      id: 2,
      title: "Disk Used per Node",
      description: `Disk used per node from _cat/allocation against the watermarks: low ${low} % (no new shards), high ${high} % (shards move away), flood stage ${floodStage} % (indices become read-only).`,
      gridPos: { x: 12, y: 0, w: 12, h: 5 },
      datasource: cluster,
      targets: [infinityTarget(allocationQuery("A", cluster.uid))],
      overrides: [
        {
          fieldName: "Disk used %",
          properties: colorByThreshold([
            { color: "green", value: null },
            { color: "yellow", value: low },
            { color: "orange", value: high },
            { color: "red", value: floodStage },
          ]),
        },
        ...inBytes("Disk used", "Disk total"),
      ],
    }),
  );
  if (params.logstashDatasourceUid !== undefined) {
    const ls = { type: INFINITY_DATASOURCE_TYPE, uid: params.logstashDatasourceUid };
    add(
      tablePanel({
        id: 3,
        title: "Logstash Pipeline",
        description: `Events in and out (in counts every datagram, chunk and heartbeat tick; out the documents written), persistent queue against queue.max_bytes, dead letter queue and reload failures of the ${params.pipelineId} pipeline (Logstash node stats API).`,
        gridPos: { x: 0, y: 5, w: 24, h: 5 },
        datasource: ls,
        targets: [
          infinityTarget(
            pipelineStatsQuery("A", ls.uid, params.pipelineId, [
              ["events.in", "Events in"],
              ["events.out", "Events out"],
              ["queue.capacity.queue_size_in_bytes", "Queue size"],
              ["queue.capacity.max_queue_size_in_bytes", "Queue limit"],
              ["dead_letter_queue.queue_size_in_bytes", "Dead letter queue size"],
              ["reloads.failures", "Reload failures"],
            ]),
          ),
        ],
        overrides: inBytes("Queue size", "Queue limit", "Dead letter queue size"),
      }),
    );
  }
  add(
    timeSeriesPanel({
      id: 4,
      title: "Gateway Log Documents",
      description:
        "API log documents written per minute; none for 15 minutes means the gateway stopped sending.",
      gridPos: { x: 0, y: 10, w: 12, h: 8 },
      datasource: logs,
      unit: "short",
      targets: [gatewayCountQuery("A", params)],
    }).timeFrom("15m"),
  );
  add(
    timeSeriesPanel({
      id: 5,
      title: "Dead-Lettered Documents",
      description: "Documents Elasticsearch refused, per minute, as the dead-letter pipeline indexed them.",
      gridPos: { x: 12, y: 10, w: 12, h: 8 },
      datasource: deadLetters,
      unit: "short",
      targets: [deadLetterCountQuery("A", deadLetters.uid)],
    }),
  );
  add(
    tablePanel({
      id: 6,
      title: "Newest Dead Letters",
      description:
        "Each refused document with the reason Elasticsearch gave and the plugin that failed, newest first.",
      gridPos: { x: 0, y: 18, w: 24, h: 10 },
      datasource: deadLetters,
      targets: [
        esQuery({
          refId: "A",
          datasourceUid: deadLetters.uid,
          query: "*",
          timeField: deadLetterField(DEAD_LETTER_TIME_FIELD),
          metrics: [esMetric.rawData("1", 100)],
        }),
      ],
      sortBy: { displayName: deadLetterField(DEAD_LETTER_TIME_FIELD), desc: true },
    }),
  );
  add(
    timeSeriesPanel({
      id: 7,
      title: "Lost GELF Messages",
      description:
        "GELF messages given up per minute (chunks missing after 5 s, or over the chunk memory budget), and datagrams that were not GELF. Each is a log document with the tag: search it in Explore for the sender and the counts.",
      gridPos: { x: 0, y: 28, w: 24, h: 8 },
      datasource: logs,
      unit: "short",
      targets: [
        taggedCountQuery("A", params, params.gelfTags.lost, "Lost (incomplete)"),
        taggedCountQuery("B", params, params.gelfTags.undecodable, "Not GELF"),
      ],
    }),
  );
  return buildDashboardJson({
    uid: params.uid,
    title: params.title,
    description:
      "Health of the stack itself: Elasticsearch, Logstash, the gateway's log flow, lost GELF messages and dead letters.",
    tags: ["stack-health", "elasticsearch", "logstash"],
    panels,
  });
}

/** One alert rule's query, condition and timing; the stack adds uid, labels and routing. */
export interface HealthAlert {
  readonly key:
    | "clusterNotGreen"
    | "diskLowWatermark"
    | "queueFull"
    | "deadLettersGrowing"
    | "gelfMessagesLost"
    | "noGatewayLogs";
  readonly name: string;
  readonly condition: string;
  readonly data: RuleGroupRuleData[];
  readonly for: string;
  readonly noDataState: "OK" | "NoData" | "Alerting";
  readonly summary: string;
  readonly panelId: number;
}

export interface HealthAlertParams extends StackHealthParams {
  /** Minutes without gateway logs before that alert fires; false: no such alert. */
  readonly gatewaySilenceMinutes: number | false;
}

/** The stack-health alert rules (the Logstash ones only when Grafana reaches Logstash). */
export function buildHealthAlerts(params: HealthAlertParams): HealthAlert[] {
  const minute = 60;
  const alerts: HealthAlert[] = [
    {
      key: "clusterNotGreen",
      name: "Elasticsearch cluster not green",
      // A number for the status: green reports exactly 100, yellow and red from inactive shards
      // less (ClusterStateHealth's "shortcut on green", elastic/elasticsearch 8.x). A cluster
      // without a master answers with an error, which the rule reports (execErrState Error).
      data: [
        alertQueryData(
          "A",
          params.clusterDatasourceUid,
          5 * minute,
          clusterHealthQuery("A", params.clusterDatasourceUid),
        ),
        reduceData("B", "A", "last"),
        thresholdData("C", "B", "lt", 100),
      ],
      condition: "C",
      for: "10m",
      noDataState: "Alerting",
      summary:
        "The cluster has been yellow or red for 10 minutes: check GET _cluster/allocation/explain for the unassigned shards, then free disk or add a node.",
      panelId: 1,
    },
    {
      key: "diskLowWatermark",
      name: `Elasticsearch disk above the low watermark (${DISK_WATERMARKS_PERCENT.low}%)`,
      data: [
        alertQueryData(
          "A",
          params.clusterDatasourceUid,
          5 * minute,
          allocationQuery("A", params.clusterDatasourceUid),
        ),
        reduceData("B", "A", "last"),
        thresholdData("C", "B", "gt", DISK_WATERMARKS_PERCENT.low),
      ],
      condition: "C",
      for: "5m",
      noDataState: "NoData",
      summary: `A node's disk is above ${DISK_WATERMARKS_PERCENT.low} %: no new shards go there. Delete old indices (or shorten logs.retentionDays) or grow the volume before ${DISK_WATERMARKS_PERCENT.floodStage} % makes indices read-only.`,
      panelId: 2,
    },
  ];
  if (params.logstashDatasourceUid !== undefined) {
    const uid = params.logstashDatasourceUid;
    alerts.push({
      key: "queueFull",
      name: `Logstash persistent queue above ${QUEUE_ALERT_PERCENT}%`,
      data: [
        alertQueryData(
          "A",
          uid,
          5 * minute,
          pipelineStatsQuery("A", uid, params.pipelineId, [
            ["queue.capacity.queue_size_in_bytes", "Queue size"],
          ]),
        ),
        alertQueryData(
          "B",
          uid,
          5 * minute,
          pipelineStatsQuery("B", uid, params.pipelineId, [
            ["queue.capacity.max_queue_size_in_bytes", "Queue limit"],
          ]),
        ),
        reduceData("C", "A", "last"),
        reduceData("D", "B", "last"),
        // `($D == 0)` keeps an unknown limit from dividing by zero.
        mathData("E", "$C / ($D + ($D == 0)) * 100"),
        thresholdData("F", "E", "gt", QUEUE_ALERT_PERCENT),
      ],
      condition: "F",
      for: "5m",
      noDataState: "Alerting",
      summary: `Logstash's persistent queue is over ${QUEUE_ALERT_PERCENT} % full: Elasticsearch is slow or refusing writes. Check the cluster's health and Logstash's log; when the queue is full the inputs stop and UDP messages are lost.`,
      panelId: 3,
    });
  }
  /** Fires on any document the per-minute count finds in the last 15 minutes. */
  const anyIn15Minutes = (
    key: HealthAlert["key"],
    name: string,
    datasourceUid: string,
    count: ElasticsearchQueryBuilder,
    panelId: number,
    summary: string,
  ): HealthAlert => ({
    key,
    name,
    data: [
      alertQueryData("A", datasourceUid, 15 * minute, count.toJson()),
      reduceData("B", "A", "sum"),
      thresholdData("C", "B", "gt", 0),
    ],
    condition: "C",
    for: "0s",
    noDataState: "OK",
    summary,
    panelId,
  });
  // New entries of the queue are what the dead-letter pipeline indexes: a count over the
  // window is the growth, which a point-in-time stats API cannot show.
  alerts.push(
    anyIn15Minutes(
      "deadLettersGrowing",
      "Dead letter queue growing",
      params.deadLettersDatasourceUid,
      deadLetterCountQuery("A", params.deadLettersDatasourceUid),
      6,
      "Elasticsearch refused documents in the last 15 minutes: read their reason in the Newest Dead Letters panel (usually a mapping conflict) and fix the sender or the mapping.",
    ),
    anyIn15Minutes(
      "gelfMessagesLost",
      "GELF messages lost",
      params.logsDatasourceUid,
      taggedCountQuery("A", params, params.gelfTags.lost, "Lost (incomplete)"),
      7,
      "GELF messages arrived incomplete in the last 15 minutes (not all their chunks within 5 s): UDP loss on the way, or messages too large. Check the senders in the documents' source_host and set their log context so a message fits one datagram, or use the http protocol.",
    ),
  );
  if (params.gatewaySilenceMinutes !== false) {
    const minutes = params.gatewaySilenceMinutes;
    alerts.push({
      key: "noGatewayLogs",
      name: `No gateway logs for ${minutes} minutes`,
      data: [
        alertQueryData(
          "A",
          params.logsDatasourceUid,
          minutes * minute,
          gatewayCountQuery("A", params).toJson(),
        ),
        reduceData("B", "A", "sum"),
        thresholdData("C", "B", "lt", 1),
      ],
      condition: "C",
      for: "0s",
      noDataState: "Alerting",
      summary: `No API log document arrived for ${minutes} minutes: check that the gateway's Logstash service points at the stack and that Logstash is healthy; for a quiet gateway set grafana.alert.gatewaySilenceMinutes (or false).`,
      panelId: 4,
    });
  }
  return alerts;
}
