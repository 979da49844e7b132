import * as barchart from "@grafana/grafana-foundation-sdk/barchart";
import * as common from "@grafana/grafana-foundation-sdk/common";
import { EVENT_FIELDS, EVENT_TIME_FIELD } from "../../elasticsearch/fields";
import type { DashboardJson } from "./common";
import { ELASTICSEARCH_DATASOURCE_TYPE, catalogueField, requireNonEmpty } from "./common";
import type { ElasticsearchQuerySpec } from "./elasticsearch-query";
import { esBucket, esMetric, esQuery } from "./elasticsearch-query";
import { buildDashboardJson, tablePanel, timeSeriesPanel } from "./panels";

export interface EventsDashboardParams {
  /** Stable dashboard uid (Grafana uid rules: ≤ 40 of `[A-Za-z0-9_-]`). */
  readonly uid: string;
  readonly title: string;
  /** Elasticsearch datasource over the `datafly-events` index. */
  readonly eventsDatasourceUid: string;
}

/** Field of the events catalogue; throws if the catalogue does not have it. */
export function eventField(path: string): string {
  return catalogueField(EVENT_FIELDS, "event", path);
}

export const EVENTS_TAGS = ["datafly", "events"] as const;

/** Rows of the newest-events table: enough to eyeball a burst, small enough to render fast. */
export const NEWEST_EVENTS_SIZE = 100;

/** Hit metadata columns of a raw_data frame (grafana/grafana pkg/tsdb/elasticsearch/response_parser.go). */
const RAW_DATA_NOISE = ["_type", "highlight", "sort"] as const;

/** Lucene match-all; the events index holds only product events. */
const ALL_EVENTS = "*";

/** The *Datafly Events* dashboard (DESIGN.md §1.1) as classic dashboard JSON; panel ids 1–4. */
export function buildEventsDashboard(params: EventsDashboardParams): DashboardJson {
  const eventsUid = requireNonEmpty("eventsDatasourceUid", params.eventsDatasourceUid);
  const events = { type: ELASTICSEARCH_DATASOURCE_TYPE, uid: eventsUid };
  const timeField = eventField(EVENT_TIME_FIELD);
  const type = eventField("type");
  const eventName = eventField("event");
  const sourceId = eventField("source_id");

  type EventsQuerySpec = Pick<ElasticsearchQuerySpec, "metrics" | "bucketAggs" | "alias">;
  const eventsQuery = (spec: EventsQuerySpec) =>
    esQuery({ refId: "A", datasourceUid: eventsUid, timeField, query: ALL_EVENTS, ...spec });

  const topEvents = new barchart.PanelBuilder()
    .id(2)
    .title("Top Events")
    .description("The most frequent event names.")
    .gridPos({ x: 0, y: 8, w: 12, h: 10 })
    .datasource({ ...events })
    .targets([
      eventsQuery({
        metrics: [esMetric.count("1")],
        bucketAggs: [esBucket.terms("2", eventName, { size: 20 })],
      }),
    ])
    .xField(eventName)
    .orientation(common.VizOrientation.Horizontal)
    .showValue(common.VisibilityMode.Auto)
    .legend(new common.VizLegendOptionsBuilder().showLegend(false).calcs([]))
    .unit("short");

  const panels = [
    timeSeriesPanel({
      id: 1,
      title: "Events over Time by Type",
      description: "Events per interval, stacked by event type (track, page, identify, …).",
      gridPos: { x: 0, y: 0, w: 24, h: 8 },
      datasource: events,
      unit: "short",
      stackedBars: true,
      targets: [
        eventsQuery({
          alias: `{{term ${type}}}`,
          metrics: [esMetric.count("1")],
          // Date histogram innermost, so the result is one time series per type.
          bucketAggs: [
            esBucket.terms("2", type, { size: 10 }),
            esBucket.dateHistogram("3", timeField, "auto"),
          ],
        }),
      ],
    }),
    topEvents,
    tablePanel({
      id: 3,
      title: "Events by Source",
      description: "Events per Datafly source.",
      gridPos: { x: 12, y: 8, w: 12, h: 10 },
      datasource: events,
      targets: [
        eventsQuery({
          metrics: [esMetric.count("1")],
          bucketAggs: [esBucket.terms("2", sourceId, { size: 20 })],
        }),
      ],
      transformations: [
        {
          id: "organize",
          options: {
            excludeByName: {},
            indexByName: {},
            renameByName: { [sourceId]: "Source", Count: "Events" },
          },
        },
      ],
      sortBy: { displayName: "Events", desc: true },
    }),
    tablePanel({
      id: 4,
      title: "Newest Events",
      description: `The ${NEWEST_EVENTS_SIZE} most recent events, newest first.`,
      gridPos: { x: 0, y: 18, w: 24, h: 12 },
      datasource: events,
      targets: [eventsQuery({ metrics: [esMetric.rawData("1", NEWEST_EVENTS_SIZE)] })],
      // Raw data frames carry hit metadata besides _id/_index: `_type` (always null on 8.x),
      // `highlight` (logs queries only) and `sort` (the timestamp again); they are noise here.
      transformations: [
        {
          id: "organize",
          options: {
            excludeByName: Object.fromEntries(RAW_DATA_NOISE.map((name) => [name, true])),
            indexByName: {},
            renameByName: {},
          },
        },
      ],
      sortBy: { displayName: timeField, desc: true },
    }),
  ];

  return buildDashboardJson({
    uid: params.uid,
    title: params.title,
    description: "Product events written by Datafly Signal into Elasticsearch.",
    tags: EVENTS_TAGS,
    panels,
  });
}
