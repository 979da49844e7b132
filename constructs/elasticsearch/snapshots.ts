import { Construct } from "constructs";
import { ElasticsearchSnapshotRepository } from "@cdktf-providers/elastic-elasticstack/elasticsearch-snapshot-repository";
import { ElasticsearchSnapshotLifecycle } from "@cdktf-providers/elastic-elasticstack/elasticsearch-snapshot-lifecycle";
import { providerOf, type ElasticsearchConnection } from "./cluster";
import type { MappedIndex, TimeSeriesIndices } from "./indices";

/** Defaults of {@link SnapshotPolicy}; the app's config reference shows the same values. */
export const SNAPSHOT_DEFAULTS = {
  /** 01:30 every night (UTC), in Elasticsearch's cron: seconds first, `?` for day-of-week. */
  schedule: "0 30 1 * * ?",
  retentionDays: 30,
  minCount: 5,
  maxCount: 50,
  /** The repository Elastic Cloud registers in every deployment. */
  cloudRepository: "found-snapshots",
  /** Where a docker cluster mounts its shared-filesystem repository. */
  fsLocation: "/usr/share/elasticsearch/snapshots",
} as const;

/** Where snapshots go. */
export type SnapshotRepositorySpec =
  /** A repository that already exists, e.g. Elastic Cloud's `found-snapshots`. */
  | { readonly type: "existing"; readonly name: string }
  /** A shared-filesystem repository at a path listed in every node's `path.repo`. */
  | { readonly type: "fs"; readonly location: string }
  /**
   * An object-store repository. Credentials are the named client's secure settings in the
   * cluster's keystore (`s3.client.<client>.access_key`, …), never repository settings.
   */
  | {
      readonly type: "s3" | "gcs" | "azure";
      /** Bucket (s3, gcs) or container (azure). */
      readonly bucket: string;
      readonly basePath?: string;
      /** @default "default" */
      readonly client?: string;
    };

const CRON_FIELDS: readonly { name: string; min: number; max: number; extra: string; names?: string[] }[] = [
  { name: "seconds", min: 0, max: 59, extra: "" },
  { name: "minutes", min: 0, max: 59, extra: "" },
  { name: "hours", min: 0, max: 23, extra: "" },
  { name: "day-of-month", min: 1, max: 31, extra: "?LW" },
  {
    name: "month",
    min: 1,
    max: 12,
    extra: "",
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  {
    name: "day-of-week",
    min: 1,
    max: 7,
    extra: "?L#",
    names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
  },
  { name: "year", min: 1970, max: 2199, extra: "" },
];

/**
 * Why `expression` is not an Elasticsearch cron expression, or undefined when it is. The
 * rules of Elasticsearch's Quartz-derived parser: 6 or 7 fields, seconds first, and `?` in
 * exactly one of day-of-month and day-of-week.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().toUpperCase().split(/\s+/);
  if (fields.length < 6 || fields.length > 7)
    return "must be an Elasticsearch cron expression with 6 or 7 fields, seconds first, e.g. 0 30 1 * * ?";
  for (const [i, field] of fields.entries()) {
    const spec = CRON_FIELDS[i];
    if (field === "*" || (field === "?" && spec.extra.includes("?"))) continue;
    for (const part of field.split(",")) {
      const m = /^(\*|[0-9A-Z]+)(?:-([0-9A-Z]+))?(?:\/([0-9]+))?$/.exec(part);
      const special = spec.extra.includes("L") && /^([0-9]*L|L-[0-9]+|LW|[0-9]+W)$/.test(part);
      const nth = spec.extra.includes("#") && /^[1-7]#[1-5]$/.test(part);
      if (special || nth) continue;
      const value = (v: string) => {
        const n = spec.names?.indexOf(v) ?? -1;
        return n >= 0 ? n + spec.min : /^[0-9]+$/.test(v) ? Number(v) : NaN;
      };
      const inRange = (v: string | undefined) =>
        v === undefined || v === "*" || (value(v) >= spec.min && value(v) <= spec.max);
      if (!m || !inRange(m[1]) || !inRange(m[2]) || (m[3] !== undefined && Number(m[3]) < 1))
        return `${spec.name} field ${JSON.stringify(part)} is not valid (${spec.min}..${spec.max})`;
    }
  }
  if ((fields[3] === "?") === (fields[5] === "?"))
    return "exactly one of day-of-month and day-of-week must be ?, e.g. 0 30 1 * * ?";
  return undefined;
}

export interface SnapshotPolicyProps {
  readonly cluster: ElasticsearchConnection;
  /** Name of the SLM policy, also the repository's name when one is registered here. */
  readonly name: string;
  readonly repository: SnapshotRepositorySpec;
  /** Indices snapshotted: their names and patterns come from the index constructs. */
  readonly indices: readonly (MappedIndex | TimeSeriesIndices)[];
  /** Further index patterns, e.g. system indices of another component. @default none */
  readonly extraIndices?: readonly string[];
  /** Elasticsearch cron expression. @default "0 30 1 * * ?" */
  readonly schedule?: string;
  /** Days a snapshot is kept. @default 30 */
  readonly retentionDays?: number;
  /** Snapshots always kept, however old. @default 5 */
  readonly minCount?: number;
  /** Snapshots kept at most, however young. @default 50 */
  readonly maxCount?: number;
  /**
   * Include the cluster state (templates, ILM policies, settings). Terraform owns those and
   * recreates them, and restoring them could overwrite newer ones. @default false
   */
  readonly includeGlobalState?: boolean;
}

/**
 * A snapshot lifecycle (SLM) policy for the stack's indices, and its repository when the
 * spec is not an existing one. Values are written in the form elasticstack v0.13.1 reads back.
 */
export class SnapshotPolicy extends Construct {
  readonly policyName: string;
  readonly repositoryName: string;
  readonly indices: string[];
  readonly schedule: string;
  readonly repository?: ElasticsearchSnapshotRepository;
  readonly policy: ElasticsearchSnapshotLifecycle;

  constructor(scope: Construct, id: string, props: SnapshotPolicyProps) {
    super(scope, id);
    const d = SNAPSHOT_DEFAULTS;
    const schedule = props.schedule ?? d.schedule;
    const retentionDays = props.retentionDays ?? d.retentionDays;
    const minCount = props.minCount ?? d.minCount;
    const maxCount = props.maxCount ?? d.maxCount;
    const fail = (key: string, value: unknown, rule: string) => {
      throw new Error(`${this.node.path}: ${key} = ${JSON.stringify(value)}: ${rule}`);
    };
    const cron = cronProblem(schedule);
    if (cron) fail("schedule", schedule, cron);
    if (!Number.isInteger(retentionDays) || retentionDays < 1)
      fail("retentionDays", retentionDays, "must be an integer >= 1");
    if (!Number.isInteger(minCount) || minCount < 1) fail("minCount", minCount, "must be an integer >= 1");
    if (!Number.isInteger(maxCount) || maxCount < minCount)
      fail("maxCount", maxCount, `must be an integer >= minCount (${minCount})`);
    if (props.indices.length === 0) fail("indices", [], "must name at least one index construct");

    const provider = providerOf(props.cluster);
    const spec = props.repository;
    if (spec.type === "existing") {
      this.repositoryName = spec.name;
    } else {
      this.repositoryName = props.name;
      // Settings the provider sends by default, spelled as it reads them back.
      const common = { compress: true, maxSnapshotBytesPerSec: "40mb", readonly: false };
      this.repository = new ElasticsearchSnapshotRepository(this, "Repository", {
        ...provider,
        name: props.name,
        verify: true,
        ...(spec.type === "fs"
          ? { fs: { ...common, location: spec.location, maxNumberOfSnapshots: 500 } }
          : spec.type === "azure"
            ? {
                azure: {
                  ...common,
                  container: spec.bucket,
                  client: spec.client ?? "default",
                  ...(spec.basePath !== undefined ? { basePath: spec.basePath } : {}),
                },
              }
            : {
                [spec.type]: {
                  ...common,
                  bucket: spec.bucket,
                  client: spec.client ?? "default",
                  ...(spec.basePath !== undefined ? { basePath: spec.basePath } : {}),
                },
              }),
        dependsOn: props.cluster.ready,
      });
    }
    this.policyName = props.name;
    this.schedule = schedule;
    this.indices = [
      ...props.indices.map((i) => ("pattern" in i ? i.pattern : i.name)),
      ...(props.extraIndices ?? []),
    ];
    this.policy = new ElasticsearchSnapshotLifecycle(this, "Policy", {
      ...provider,
      name: props.name,
      repository: this.repositoryName,
      schedule,
      // Date math in the name: ES resolves it per snapshot, so names stay unique per day.
      snapshotName: `<${props.name}-{now/d}>`,
      indices: this.indices,
      expandWildcards: "open,hidden",
      ignoreUnavailable: false,
      includeGlobalState: props.includeGlobalState ?? false,
      partial: false,
      // TimeValue keeps the unit it was given, so "30d" reads back as "30d".
      expireAfter: `${retentionDays}d`,
      minCount,
      maxCount,
      dependsOn: [...props.cluster.ready, ...(this.repository ? [this.repository] : [])],
    });
  }
}
