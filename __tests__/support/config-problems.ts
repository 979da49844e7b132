import { ConfigError, parseConfig } from "../../config";

/** The one-line problems parseConfig reports for an input (none when it is valid). */
export function problems(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}
