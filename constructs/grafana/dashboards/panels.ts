import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import type { DashboardJson, DataSourceRefJson, GridPosJson, TransformationJson } from "./common";
import { DASHBOARD_SCHEMA_VERSION, requireNonEmpty, toPlainJson } from "./common";

/** Panel settings shared by the generators; ids and positions are always explicit. */
export interface PanelBase {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly gridPos: GridPosJson;
  readonly datasource: DataSourceRefJson;
  readonly targets: readonly cog.Builder<cog.Dataquery>[];
}

export interface TimeSeriesPanelSpec extends PanelBase {
  readonly unit: string;
  /** Stacked bars (one colour per series) instead of a line. */
  readonly stackedBars?: boolean;
}

export function timeSeriesPanel(spec: TimeSeriesPanelSpec): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .gridPos({ ...spec.gridPos })
    .datasource({ ...spec.datasource })
    .targets([...spec.targets])
    .unit(spec.unit)
    .min(0)
    // The SDK's default legend is hidden; these panels need it to tell series apart.
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .calcs([]),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  if (spec.stackedBars === true) {
    panel
      .drawStyle(common.GraphDrawStyle.Bars)
      .fillOpacity(80)
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal).group("A"));
  } else {
    panel.drawStyle(common.GraphDrawStyle.Line).fillOpacity(10).lineWidth(1);
  }
  return panel;
}

export interface TablePanelSpec extends PanelBase {
  readonly transformations?: readonly TransformationJson[];
  readonly sortBy?: { readonly displayName: string; readonly desc: boolean };
  readonly overrides?: readonly {
    readonly fieldName: string;
    readonly properties: readonly dashboard.DynamicConfigValue[];
  }[];
}

export function tablePanel(spec: TablePanelSpec): table.PanelBuilder {
  const panel = new table.PanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .gridPos({ ...spec.gridPos })
    .datasource({ ...spec.datasource })
    .targets([...spec.targets])
    .showHeader(true)
    .transformations((spec.transformations ?? []).map((t) => ({ id: t.id, options: t.options })));
  if (spec.sortBy !== undefined) {
    panel.sortBy([
      new common.TableSortByFieldStateBuilder().displayName(spec.sortBy.displayName).desc(spec.sortBy.desc),
    ]);
  }
  for (const override of spec.overrides ?? []) {
    panel.overrideByName(override.fieldName, [...override.properties]);
  }
  return panel;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly panels: readonly cog.Builder<dashboard.Panel>[];
}

/** Time range and refresh every generated dashboard shares (DESIGN.md §1.2). */
export const DASHBOARD_TIME = { from: "now-24h", to: "now" } as const;
export const DASHBOARD_REFRESH = "1m";

/** Grafana uids: at most 40 characters of letters, digits, `-` and `_`. */
const UID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

export function buildDashboardJson(spec: DashboardSpec): DashboardJson {
  if (!UID_PATTERN.test(spec.uid)) {
    throw new Error(`dashboard uid "${spec.uid}" must match ${UID_PATTERN} (Grafana's uid rule)`);
  }
  const builder = new dashboard.DashboardBuilder(requireNonEmpty("title", spec.title))
    .uid(spec.uid)
    .description(spec.description)
    .tags([...spec.tags])
    .time({ ...DASHBOARD_TIME })
    .refresh(DASHBOARD_REFRESH)
    .timezone("browser")
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    // Empty lists rather than the SDK's `{}`: the shape Grafana itself saves.
    .annotations([])
    .variables([])
    .editable();
  for (const panel of spec.panels) {
    builder.withPanel(panel);
  }
  const json = toPlainJson<DashboardJson>(builder.build());
  // The SDK has no setter; pinning it here keeps the number tied to the Grafana image, not the SDK.
  return { ...json, schemaVersion: DASHBOARD_SCHEMA_VERSION };
}
