import type { ContainerHealthcheck } from "@cdktf/provider-docker/lib/container";

/**
 * A whole number of seconds in Go's `Duration.String()` form (`90` → `1m30s`, `60` → `1m0s`,
 * `3600` → `1h0m0s`). The docker provider reads healthcheck durations back in that form and
 * compares them as strings, so any other spelling of the same duration diffs on every plan.
 */
export function goDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0)
    throw new Error(`goDuration: ${seconds} is not a whole, non-negative number of seconds`);
  if (seconds < 60) return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}

export interface HealthcheckTiming {
  /** Seconds between checks. @default 10 */
  readonly intervalSeconds?: number;
  /** Seconds during which failures do not count. @default 30 */
  readonly startPeriodSeconds?: number;
  /** Failures in a row before the container is unhealthy. @default 12 */
  readonly retries?: number;
}

/** A shell healthcheck; docker marks the container healthy once it passes. */
export function healthcheck(command: string, opts: HealthcheckTiming = {}): ContainerHealthcheck {
  return {
    test: ["CMD-SHELL", command],
    interval: goDuration(opts.intervalSeconds ?? 10),
    timeout: goDuration(10),
    retries: opts.retries ?? 12,
    startPeriod: goDuration(opts.startPeriodSeconds ?? 30),
  };
}

/**
 * `curl` with basic authentication whose password is the shell expression `password`: the
 * credential goes in as a config line on curl's stdin (`printf` is a shell builtin), so it is in
 * no process's arguments, which `ps` on the Docker host shows. `user` and the password must
 * need no quoting in curl's config syntax (random_password without special characters).
 */
export function curlWithCredential(user: string, password: string): string {
  return `printf 'user = "${user}:%s"\\n' ${password} | curl -K -`;
}

/** The address a client on the docker host uses for a port bound to `bindAddress`. */
export function hostReachableAddress(bindAddress: string): string {
  if (isWildcardAddress(bindAddress) || bindAddress === "127.0.0.1") return "localhost";
  return bindAddress.includes(":") ? `[${bindAddress}]` : bindAddress;
}

/** 0.0.0.0 and :: accept connections on every address of the host. */
export function isWildcardAddress(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

/**
 * The addresses a certificate must name for clients on the docker host: loopback, and the
 * bind address when it is a specific one (a client then connects to exactly that address).
 */
export function hostCertificateAddresses(bindAddress: string): string[] {
  return [...new Set(["127.0.0.1", ...(isWildcardAddress(bindAddress) ? [] : [bindAddress])])];
}

/**
 * Makes generated text (pipelines, dashboards, config files) a literal in Terraform JSON:
 * Terraform would otherwise read `${…}` as an interpolation and `%{…}` as a template
 * directive, and Logstash's `%{+YYYY.MM.dd}` and `${VAR}` would break the plan.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/([$%])\{/g, (_match, sigil: string) => `${sigil}${sigil}{`);
}

/** A JVM heap size (`512m`, `2g`) in MB. */
export function jvmSizeMb(size: string): number {
  const m = /^([1-9][0-9]*)([mg])$/.exec(size);
  if (!m) throw new Error(`jvmSizeMb: ${JSON.stringify(size)} is not a JVM heap size such as 512m or 2g`);
  return Number(m[1]) * (m[2] === "g" ? 1024 : 1);
}

/** How docker rotates a container's json-file log. */
export interface LogRotation {
  /** Size at which the log file is rotated, e.g. `10m` (k, m or g). @default "10m" */
  readonly maxSize?: string;
  /** Rotated files kept per container, 1..100. @default 5 */
  readonly maxFiles?: number;
}

/** Defaults of {@link LogRotation}; the app's config reference shows the same values. */
export const LOG_ROTATION_DEFAULTS = { maxSize: "10m", maxFiles: 5 } as const;

/**
 * `log_driver` / `log_opts` of a container: the json-file driver, rotated. The docker
 * provider reads back the daemon's LogConfig map as strings, so max-file is a string.
 */
export function logOptions(rotation: LogRotation = {}): {
  logDriver: string;
  logOpts: Record<string, string>;
} {
  const maxSize = rotation.maxSize ?? LOG_ROTATION_DEFAULTS.maxSize;
  const maxFiles = rotation.maxFiles ?? LOG_ROTATION_DEFAULTS.maxFiles;
  if (!/^[1-9][0-9]*[kmg]$/.test(maxSize))
    throw new Error(
      `logOptions: maxSize = ${JSON.stringify(maxSize)}: must be a size such as 10m (k, m or g)`,
    );
  if (!Number.isInteger(maxFiles) || maxFiles < 1 || maxFiles > 100)
    throw new Error(`logOptions: maxFiles = ${maxFiles}: must be an integer in 1..100`);
  return { logDriver: "json-file", logOpts: { "max-size": maxSize, "max-file": String(maxFiles) } };
}

/** Props whose keys in `defaults` are always set: what a construct works with after its `@default`s apply. */
export type WithDefaults<P, D> = Omit<P, keyof D> & {
  readonly [K in keyof D]-?: K extends keyof P ? Exclude<P[K], undefined> : D[K];
};

/** Fills every key of `defaults` that `props` leaves undefined (one place for the constructs' `@default`s). */
export function withDefaults<
  P extends object,
  D extends { readonly [K in keyof D]: K extends keyof P ? P[K] : never },
>(props: P, defaults: D): WithDefaults<P, D> {
  const out = { ...props } as Record<string, unknown>;
  for (const [key, value] of Object.entries(defaults)) if (out[key] === undefined) out[key] = value;
  return out as WithDefaults<P, D>;
}
