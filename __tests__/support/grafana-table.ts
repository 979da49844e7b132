import "./grafana-window";
import {
  FieldConfigOptionsRegistry,
  FieldType,
  applyFieldOverrides,
  booleanOverrideProcessor,
  createTheme,
  dataFrameFromJSON,
  displayNameOverrideProcessor,
  formattedValueToString,
  getFieldDisplayName,
  identityOverrideProcessor,
  thresholdsOverrideProcessor,
  numberOverrideProcessor,
  standardTransformers,
  standardTransformersRegistry,
  stringOverrideProcessor,
  transformDataFrame,
  valueMappingsOverrideProcessor,
  type DataFrame,
  type DataFrameJSON,
  type DataTransformerConfig,
  type DataTransformerInfo,
  type Field,
  type FieldConfigPropertyItem,
  type FieldConfigSource,
} from "@grafana/data";
import type { PanelJson } from "../../constructs/grafana/dashboards/common";

/**
 * A table panel's data path, run through Grafana's own code (@grafana/data, pinned to the image's
 * version): transformations (`transformDataFrame`), field config and overrides
 * (`applyFieldOverrides`), header names (`getFieldDisplayName`) and cell texts (the display
 * processor: units, value mappings, no-value text). What @grafana/data does not ship is the
 * table component itself (@grafana/ui, React); the few rules of it used here are marked MODEL.
 */

// Grafana's app fills the transformer registry at start (grafana/grafana
// public/app/features/transformers/standardTransformers.ts); `seriesToColumns` is an old alias
// of joinByField, so each id is registered once.
const transformers = new Map<string, DataTransformerInfo>();
for (const t of Object.values(standardTransformers) as DataTransformerInfo[]) {
  if (!transformers.has(t.id)) transformers.set(t.id, t);
}
standardTransformersRegistry.setInit(() =>
  [...transformers.values()].map((transformation) => ({
    id: transformation.id,
    name: transformation.name,
    transformation,
    editor: () => null,
  })),
);

/**
 * The field options a table panel registers, with Grafana's own processors. MODEL of the entries
 * (ids, paths, processors, shouldApply) of grafana/grafana
 * public/app/core/components/OptionsUI/registry.tsx and the table panel's `custom.hidden`
 * (public/app/plugins/panel/table/module.tsx): only registered options take effect in
 * applyFieldOverrides, so an option our dashboards use and this list lacks fails loudly below.
 */
const FIELD_OPTIONS: readonly FieldConfigPropertyItem[] = [
  option("unit", stringOverrideProcessor),
  option("decimals", numberOverrideProcessor, (f) => f.type === FieldType.number),
  option("displayName", displayNameOverrideProcessor),
  option("noValue", stringOverrideProcessor),
  {
    ...option("mappings", valueMappingsOverrideProcessor, (f) => f.type !== FieldType.time),
    defaultValue: [],
  },
  { ...option("hidden", booleanOverrideProcessor), id: "custom.hidden", isCustom: true },
  option("thresholds", thresholdsOverrideProcessor),
  { ...option("cellOptions", identityOverrideProcessor), id: "custom.cellOptions", isCustom: true },
];

function option(
  path: string,
  process: FieldConfigPropertyItem["process"],
  shouldApply: (field: Field) => boolean = () => true,
): FieldConfigPropertyItem {
  const editor = () => null;
  return { id: path, path, name: path, editor, override: editor, process, shouldApply, settings: {} };
}

function fieldConfigRegistry(): FieldConfigOptionsRegistry {
  const registry = new FieldConfigOptionsRegistry();
  for (const item of FIELD_OPTIONS) registry.register({ ...item });
  return registry;
}

/** What a user sees in a table panel. */
export interface TableView {
  /** Frames the table receives after the transformations (more than one shows a frame picker). */
  readonly frameCount: number;
  /** Visible column headers, in order. */
  readonly columns: readonly string[];
  /** Cell texts, row by row, in the frame's order (before the panel's initial sort). */
  readonly rows: readonly (readonly string[])[];
  /** The header `options.sortBy` matched, if any (the table sorts by nothing otherwise). */
  readonly sortedBy?: { readonly column: string; readonly desc: boolean };
}

/** Runs the panel's transformations and field config over frames shaped as the datasources send them. */
export async function renderTable(panel: PanelJson, frames: readonly DataFrameJSON[]): Promise<TableView> {
  const input = frames.map((json) => {
    const frame = dataFrameFromJSON(json);
    // @grafana/runtime's toDataQueryResponse stamps each frame with its query's refId.
    return { ...frame, refId: json.schema?.refId };
  });
  const transformations = (panel.transformations ?? []) as DataTransformerConfig[];
  const transformed = await new Promise<DataFrame[]>((resolve, reject) => {
    transformDataFrame(transformations, input).subscribe({ next: resolve, error: reject });
  });
  // A panel saved without fieldConfig gets empty defaults when Grafana loads it (PanelModel).
  const fieldConfig = (panel.fieldConfig as FieldConfigSource | undefined) ?? { defaults: {}, overrides: [] };
  assertKnownOptions(fieldConfig);
  const data = applyFieldOverrides({
    data: transformed,
    fieldConfig,
    fieldConfigRegistry: fieldConfigRegistry(),
    replaceVariables: (value: string) => value,
    theme: createTheme(),
    timeZone: "utc",
  });
  // MODEL (@grafana/ui Table): the first frame is shown; fields with custom.hidden are left out;
  // headers are getFieldDisplayName; a cell shows field.display(value).
  const [frame] = data;
  if (frame === undefined) return { frameCount: 0, columns: [], rows: [] };
  const visible = frame.fields.filter((f) => f.config.custom?.hidden !== true);
  const columns = visible.map((f) => getFieldDisplayName(f, frame, data));
  const rows = Array.from({ length: frame.length }, (_, i) =>
    visible.map((f) => {
      const display = f.display;
      if (display === undefined) throw new Error(`field ${f.name} has no display processor`);
      return formattedValueToString(display(f.values[i]));
    }),
  );
  // MODEL (@grafana/ui Table's initial state): options.sortBy entries match a column by its header.
  const sortBy = (panel.options as { sortBy?: { displayName: string; desc?: boolean }[] } | undefined)
    ?.sortBy;
  const match = sortBy?.find((s) => columns.includes(s.displayName));
  return {
    frameCount: data.length,
    columns,
    rows,
    ...(match ? { sortedBy: { column: match.displayName, desc: match.desc === true } } : {}),
  };
}

/** The view's rows as records keyed by header, one per value of `key`. */
export function rowsBy(view: TableView, key: string): Map<string, Record<string, string>> {
  const index = view.columns.indexOf(key);
  if (index < 0) throw new Error(`no column "${key}" in ${JSON.stringify(view.columns)}`);
  return new Map(
    view.rows.map((row) => [row[index], Object.fromEntries(view.columns.map((c, i) => [c, row[i]]))]),
  );
}

function assertKnownOptions(source: FieldConfigSource | undefined): void {
  const known = new Set(FIELD_OPTIONS.map((o) => o.id));
  const used = [
    ...Object.keys(source?.defaults ?? {}).filter((k) => k !== "custom"),
    ...Object.keys(source?.defaults?.custom ?? {}).map((k) => `custom.${k}`),
    ...(source?.overrides ?? []).flatMap((o) => o.properties.map((p) => p.id)),
  ];
  const unknown = used.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new Error(
      `field options ${unknown.join(", ")} are not in the test's registry: add them from Grafana's`,
    );
  }
}
