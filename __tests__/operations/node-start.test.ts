import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ES_HOME, nodeStartScript } from "../../constructs/elasticsearch/node-start";

/**
 * Runs the generated start script with bash. chown, chmod and chroot are stand-ins that log
 * their arguments (and stdin), so the test sees what the script would do as root in the image
 * (elastic/dockerfiles elasticsearch/Dockerfile, v8.19.10: ES_HOME, USER 1000:0, CMD eswrapper).
 */
function run(script: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "node-start-"));
  try {
    const log = join(dir, "log");
    for (const tool of ["chown", "chmod", "chroot"]) {
      const stub = join(dir, tool);
      writeFileSync(
        stub,
        `#!/bin/bash\nif [ -t 0 ]; then input=; else input="$(cat)"; fi\necho "${tool} $*\${input:+ <<< $input}" >> ${log}\n`,
      );
      chmodSync(stub, 0o755);
    }
    const home = join(dir, "es");
    execFileSync("mkdir", ["-p", join(home, "config")]);
    const secret = join(dir, "secret");
    writeFileSync(secret, "s3cr3t");
    const file = join(dir, "script.sh");
    writeFileSync(
      file,
      script
        .split(ES_HOME)
        .join(home)
        .split("/run/secrets/keystore/s3.client.default.secret_key")
        .join(secret),
    );
    execFileSync("bash", [file], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(home).join("$ES_HOME").split(dir).join("$TMP"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("docker node start script", () => {
  test("hands files to uid 1000, adds secure settings as uid 1000, then runs the image's entrypoint as uid 1000", () => {
    const script = nodeStartScript({
      ownFiles: ["/run/secrets/elastic_password"],
      snapshotPath: "/usr/share/elasticsearch/snapshots",
      keystore: [
        {
          setting: "s3.client.default.secret_key",
          path: "/run/secrets/keystore/s3.client.default.secret_key",
          file: false,
        },
        {
          setting: "gcs.client.default.credentials_file",
          path: "/run/secrets/keystore/gcs.json",
          file: true,
        },
      ],
    });
    expect(run(script)).toEqual([
      "chown 1000:0 /run/secrets/elastic_password",
      "chown 1000:0 $TMP/secret",
      "chown 1000:0 /run/secrets/keystore/gcs.json",
      "chown 1000:0 $ES_HOME/snapshots",
      "chmod 0770 $ES_HOME/snapshots",
      "chroot --userspec=1000:0 / $ES_HOME/bin/elasticsearch-keystore create",
      // The value arrives on stdin, never as an argument (no ps, no env).
      "chroot --userspec=1000:0 / $ES_HOME/bin/elasticsearch-keystore add -x -f s3.client.default.secret_key <<< s3cr3t",
      "chroot --userspec=1000:0 / $ES_HOME/bin/elasticsearch-keystore add-file -f gcs.client.default.credentials_file /run/secrets/keystore/gcs.json",
      "chroot --userspec=1000:0 / /usr/bin/env HOME=$ES_HOME /bin/bash -c cd $ES_HOME && exec /usr/local/bin/docker-entrypoint.sh eswrapper",
    ]);
  });

  test("without snapshots or secure settings it only hands over the password file", () => {
    expect(run(nodeStartScript({ ownFiles: ["/run/secrets/elastic_password"], keystore: [] }))).toEqual([
      "chown 1000:0 /run/secrets/elastic_password",
      "chroot --userspec=1000:0 / /usr/bin/env HOME=$ES_HOME /bin/bash -c cd $ES_HOME && exec /usr/local/bin/docker-entrypoint.sh eswrapper",
    ]);
  });

  test("refuses what it cannot put in a shell line unquoted", () => {
    expect(() => nodeStartScript({ ownFiles: ["/run/$(id)"], keystore: [] })).toThrow(
      /not a plain absolute path/,
    );
    expect(() =>
      nodeStartScript({ ownFiles: [], keystore: [{ setting: "a b", path: "/x", file: false }] }),
    ).toThrow(/not a setting name/);
  });
});
