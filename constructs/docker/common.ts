import type { ContainerHealthcheck } from "@cdktf/provider-docker/lib/container";

/** A shell healthcheck; docker marks the container healthy once it passes. */
export function healthcheck(
  command: string,
  opts: { readonly startPeriod?: string; readonly interval?: string; readonly retries?: number } = {},
): ContainerHealthcheck {
  return {
    test: ["CMD-SHELL", command],
    interval: opts.interval ?? "10s",
    timeout: "10s",
    retries: opts.retries ?? 12,
    startPeriod: opts.startPeriod ?? "30s",
  };
}

/** The address a client on the docker host uses for a port bound to `bindAddress`. */
export function hostReachableAddress(bindAddress: string): string {
  if (bindAddress === "0.0.0.0" || bindAddress === "127.0.0.1") return "localhost";
  if (bindAddress === "::") return "localhost";
  return bindAddress.includes(":") ? `[${bindAddress}]` : bindAddress;
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
