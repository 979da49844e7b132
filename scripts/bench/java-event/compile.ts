import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

// Next to this file when run from source; from the project root when bundled (npm run bench).
const SOURCE = [
  join(__dirname, "StandInEvent.java"),
  join(process.cwd(), "scripts/bench/java-event/StandInEvent.java"),
].find((p) => existsSync(p));

/** The JRuby jar of the `jruby` on PATH (Debian: /usr/share/jruby/lib/jruby.jar). */
function jrubyJar(): string | undefined {
  const which = spawnSync("sh", ["-c", "command -v jruby"], { encoding: "utf8" });
  if (which.status !== 0) return undefined;
  const jar = join(dirname(realpathSync(which.stdout.trim())), "..", "lib", "jruby.jar");
  return existsSync(jar) ? realpathSync(jar) : undefined;
}

/**
 * Compiles the Java stand-in Event (StandInEvent.java) against the JRuby jar the harness
 * runs on, into a class directory cached by the source and the jar; the directory, or why
 * it cannot be built (the bench then prints that line and times the Ruby stand-in only).
 */
export function compileJavaEvent(): { classes: string } | { missing: string } {
  if (spawnSync("javac", ["-version"]).error)
    return { missing: "javac not found (apt-get install default-jdk-headless)" };
  const jar = jrubyJar();
  if (!jar) return { missing: "no lib/jruby.jar next to the jruby on PATH" };
  if (!SOURCE) return { missing: "scripts/bench/java-event/StandInEvent.java not found" };
  const key = createHash("sha256").update(readFileSync(SOURCE)).update(jar).digest("hex").slice(0, 16);
  const classes = join(tmpdir(), `elk-bench-java-event-${key}`);
  if (existsSync(join(classes, "bench", "StandInEvent.class"))) return { classes };
  const building = `${classes}.${process.pid}`;
  mkdirSync(building, { recursive: true });
  const run = spawnSync("javac", ["-nowarn", "-cp", jar, "-d", building, SOURCE], { encoding: "utf8" });
  if (run.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new Error(`javac failed on ${SOURCE}:\n${run.stderr}`);
  }
  renameSync(building, classes);
  return { classes };
}
