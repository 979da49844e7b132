/**
 * The script a docker node starts with (pure: plain data in, text out). It runs as root for
 * the few steps that need root, then hands over to the image's own entrypoint as
 * Elasticsearch's uid 1000, gid 0.
 *
 * Why it exists (elastic/dockerfiles elasticsearch/Dockerfile and bin/docker-entrypoint.sh,
 * tag v8.19.10): the 8.x image runs as `USER 1000:0` with ENTRYPOINT `/bin/tini --
 * /usr/local/bin/docker-entrypoint.sh` and CMD `eswrapper`, and its entrypoint no longer
 * drops privileges (7.x did, with chroot --userspec), so a container started as root would
 * start Elasticsearch as root, which Elasticsearch refuses. The entrypoint also reads
 * `bin/elasticsearch-users` relative to its working directory, so it must start in ES_HOME.
 */

/** Elasticsearch's home in the image (the Dockerfile's WORKDIR). */
export const ES_HOME = "/usr/share/elasticsearch";

/** The uid:gid Elasticsearch runs as in the image (`USER 1000:0`). */
export const ES_USER = "1000:0";

/** A keystore entry the script adds from a root-only uploaded file. */
export interface KeystoreEntry {
  /** Secure setting, e.g. `s3.client.default.secret_key`. */
  readonly setting: string;
  /** Path of the uploaded file holding the value. */
  readonly path: string;
  /** The value is a file (added with add-file), not a string. */
  readonly file: boolean;
}

export interface NodeStartOptions {
  /** Root-owned files Elasticsearch (uid 1000) must read, e.g. ELASTIC_PASSWORD_FILE (mode kept). */
  readonly ownFiles: readonly string[];
  /** A snapshot repository mount point Docker created root-owned: handed to uid 1000. */
  readonly snapshotPath?: string;
  readonly keystore: readonly KeystoreEntry[];
}

const SAFE_PATH = /^\/[A-Za-z0-9_./-]+$/;
const SAFE_SETTING = /^[a-z0-9_]+(\.[a-z0-9_-]+)+$/;

/** Shell-safe by construction: every path and setting name is checked, nothing is quoted. */
export function nodeStartScript(o: NodeStartOptions): string {
  for (const p of [
    ...o.ownFiles,
    ...(o.snapshotPath ? [o.snapshotPath] : []),
    ...o.keystore.map((k) => k.path),
  ])
    if (!SAFE_PATH.test(p))
      throw new Error(`nodeStartScript: path ${JSON.stringify(p)} is not a plain absolute path`);
  for (const k of o.keystore)
    if (!SAFE_SETTING.test(k.setting))
      throw new Error(`nodeStartScript: setting ${JSON.stringify(k.setting)} is not a setting name`);
  const asEs = `chroot --userspec=${ES_USER} /`;
  const keystore = `${ES_HOME}/bin/elasticsearch-keystore`;
  const lines = [
    "#!/bin/bash",
    "set -euo pipefail",
    // Uploads are root:root; the modes (0600, 0400) stay, so only uid 1000 and root read them.
    ...[...o.ownFiles, ...o.keystore.map((k) => k.path)].map((p) => `chown ${ES_USER} ${p}`),
    ...(o.snapshotPath ? [`chown ${ES_USER} ${o.snapshotPath}`, `chmod 0770 ${o.snapshotPath}`] : []),
    ...(o.keystore.length > 0
      ? [
          `cd ${ES_HOME}`,
          `[ -f config/elasticsearch.keystore ] || ${asEs} ${keystore} create`,
          // -f replaces an entry left from an earlier start, so a rotated credential takes effect.
          ...o.keystore.map((k) =>
            k.file
              ? `${asEs} ${keystore} add-file -f ${k.setting} ${k.path}`
              : `${asEs} ${keystore} add -x -f ${k.setting} < ${k.path}`,
          ),
        ]
      : []),
    `exec ${asEs} /usr/bin/env HOME=${ES_HOME} /bin/bash -c 'cd ${ES_HOME} && exec /usr/local/bin/docker-entrypoint.sh eswrapper'`,
    "",
  ];
  return lines.join("\n");
}
