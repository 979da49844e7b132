import { Construct } from "constructs";
import { ElasticsearchSnapshotRepository } from "@cdktf-providers/elastic-elasticstack/elasticsearch-snapshot-repository";
import { ElasticsearchSnapshotLifecycle } from "@cdktf-providers/elastic-elasticstack/elasticsearch-snapshot-lifecycle";
import { providerOf, type ElasticsearchConnection } from "./cluster";
import type { MappedIndex, TimeSeriesIndices } from "./indices";
import { cronProblem } from "./cron";

export { cronProblem };

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

/** An object store Elasticsearch 8 snapshots to with its bundled repository module. */
export type ObjectStoreType = "s3" | "gcs" | "azure";

/**
 * The secure settings (keystore entries) each object store's client reads its credentials
 * from, as `<type>.client.<client>.<key>`; `file` entries hold a file's content (the GCS
 * service-account JSON). Names from elastic/elasticsearch's S3ClientSettings (access_key,
 * secret_key), GoogleCloudStorageClientSettings (credentials_file, a secureFile) and
 * AzureStorageSettings (account, key), all SecureSetting affix keys of `<type>.client.`.
 */
export const OBJECT_STORE_SECURE_SETTINGS: Record<
  ObjectStoreType,
  readonly { readonly key: string; readonly file: boolean; readonly description: string }[]
> = {
  s3: [
    { key: "access_key", file: false, description: "AWS access key id of the snapshot client" },
    { key: "secret_key", file: false, description: "AWS secret access key of the snapshot client" },
  ],
  gcs: [{ key: "credentials_file", file: true, description: "Service-account JSON of the snapshot client" }],
  azure: [
    { key: "account", file: false, description: "Azure storage account of the snapshot client" },
    { key: "key", file: false, description: "Azure storage account key of the snapshot client" },
  ],
};

/** The keystore entry of one object-store client's credential, e.g. `s3.client.default.access_key`. */
export function secureSettingName(type: ObjectStoreType, client: string, key: string): string {
  return `${type}.client.${client}.${key}`;
}

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
      readonly type: ObjectStoreType;
      /** Bucket (s3, gcs) or container (azure). */
      readonly bucket: string;
      readonly basePath?: string;
      /** @default "default" */
      readonly client?: string;
    };

export interface SnapshotPolicyProps {
  readonly cluster: ElasticsearchConnection;
  /** Name of the SLM policy, also the repository's name when one is registered here. */
  readonly name: string;
  readonly repository: SnapshotRepositorySpec;
  /** Indices snapshotted: their names and patterns come from the index constructs. */
  readonly indices: readonly (MappedIndex | TimeSeriesIndices)[];
  /**
   * Feature states snapshotted with the indices, e.g. `kibana` for Kibana's system indices
   * (saved objects, data views). System indices are snapshotted only as feature states. @default none
   */
  readonly featureStates?: readonly string[];
  /** Elasticsearch cron expression. @default "0 30 1 * * ?" */
  readonly schedule?: string;
  /** Days a snapshot is kept. @default 30 */
  readonly retentionDays?: number;
  /** Snapshots always kept, however old. @default 5 */
  readonly minCount?: number;
  /** Snapshots kept at most, however young. @default 50 */
  readonly maxCount?: number;
  /**
   * Include the cluster state (templates, ILM policies, settings, and every feature state).
   * Terraform owns templates and policies and recreates them, and restoring an old cluster
   * state would overwrite newer ones; Kibana's state is taken with `featureStates` instead.
   * @default false
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
  readonly featureStates: string[];
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
    const spec0 = props.repository;
    if (spec0.type !== "fs" && spec0.type !== "existing" && !/^[^\s]+$/.test(spec0.bucket))
      fail(
        "repository.bucket",
        spec0.bucket,
        `${spec0.type} needs its bucket (azure: container), without spaces`,
      );
    if (spec0.type === "existing" && spec0.name === "") fail("repository.name", "", "must name a repository");

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
    this.indices = props.indices.map((i) => ("pattern" in i ? i.pattern : i.name));
    this.featureStates = [...(props.featureStates ?? [])];
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
      // Elasticsearch takes every feature state only when include_global_state is true and none
      // is named; with false it takes exactly the named ones (none when the list is empty, which
      // is what the provider sends when feature_states is unset).
      includeGlobalState: props.includeGlobalState ?? false,
      ...(this.featureStates.length > 0 ? { featureStates: this.featureStates } : {}),
      partial: false,
      // TimeValue keeps the unit it was given, so "30d" reads back as "30d".
      expireAfter: `${retentionDays}d`,
      minCount,
      maxCount,
      dependsOn: [...props.cluster.ready, ...(this.repository ? [this.repository] : [])],
    });
  }
}
