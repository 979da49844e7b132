import type { FieldSpec } from "../../../contract/fields";
import { findField } from "../../../contract/fields";

/**
 * Plain-JSON shapes of the classic dashboard model (the one `grafana_dashboard.config_json`
 * takes), narrowed to what the generators, the field check and the tests read.
 */
export interface DataSourceRefJson {
  readonly type?: string;
  readonly uid?: string;
}

export interface EsMetricJson {
  readonly id: string;
  readonly type: string;
  readonly field?: string;
  readonly settings?: Readonly<Record<string, unknown>>;
}

export interface EsBucketAggJson {
  readonly id: string;
  readonly type: string;
  readonly field?: string;
  readonly settings?: Readonly<Record<string, unknown>>;
}

export interface TargetJson {
  readonly refId: string;
  readonly datasource?: DataSourceRefJson;
  readonly query?: string;
  readonly alias?: string;
  readonly timeField?: string;
  readonly metrics?: readonly EsMetricJson[];
  readonly bucketAggs?: readonly EsBucketAggJson[];
  readonly [key: string]: unknown;
}

export interface TransformationJson {
  readonly id: string;
  readonly options: unknown;
}

export interface GridPosJson {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface PanelJson {
  readonly id?: number;
  readonly type: string;
  readonly title?: string;
  readonly datasource?: DataSourceRefJson;
  readonly gridPos?: GridPosJson;
  readonly targets?: readonly TargetJson[];
  readonly transformations?: readonly TransformationJson[];
  /** Panels of a row. */
  readonly panels?: readonly PanelJson[];
  readonly [key: string]: unknown;
}

export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly tags: readonly string[];
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly panels: readonly PanelJson[];
  readonly [key: string]: unknown;
}

/**
 * Dashboard schema version of Grafana 11.6 (the image line we run). The SDK build for 11.6
 * emits the same number; the tests fail if an SDK upgrade changes it silently.
 */
export const DASHBOARD_SCHEMA_VERSION = 41;

export const ELASTICSEARCH_DATASOURCE_TYPE = "elasticsearch";
export const INFINITY_DATASOURCE_TYPE = "yesoreyeram-infinity-datasource";
/** Panels that query two datasources (Elasticsearch + Infinity) must use the Mixed pseudo-datasource. */
export const MIXED_DATASOURCE: DataSourceRefJson = { type: "datasource", uid: "-- Mixed --" };

/**
 * Drops functions (the SDK's `_implementsDataqueryVariant` markers) and `undefined` values, so
 * the result is exactly what `JSON.stringify` will send.
 */
export function toPlainJson<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Returns `path` if the catalogue has it, otherwise throws: field names in queries come from the
 * catalogue, never from string literals that can drift from the mapping.
 */
export function catalogueField(fields: readonly FieldSpec[], catalogueName: string, path: string): string {
  if (findField(fields, path) === undefined) {
    throw new Error(`field "${path}" is not in the ${catalogueName} field catalogue`);
  }
  return path;
}

/** Lucene filter on the document type; the value is validated so it cannot break the query. */
export function typeFilter(typeField: string, logType: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(logType)) {
    throw new Error(`logType "${logType}" must match /^[A-Za-z0-9_.-]+$/ to be used in a Lucene query`);
  }
  return `${typeField}:"${logType}"`;
}

/** Joins Lucene clauses with an explicit AND: query_string's default operator is OR. */
export function allOf(...clauses: readonly string[]): string {
  return clauses.join(" AND ");
}

export function requireNonEmpty(name: string, value: string): string {
  if (value.trim() === "") {
    throw new Error(`${name} must be a non-empty string`);
  }
  return value;
}
