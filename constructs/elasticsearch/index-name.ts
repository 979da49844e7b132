/**
 * Elasticsearch index name rules: lowercase; none of \ / * ? " < > | , # : or space;
 * not starting with -, _ or +; not . or ..; at most 255 bytes.
 * Returns the first rule the name breaks, or undefined.
 */
export function indexNameProblem(name: string, extraBytes = 0): string | undefined {
  if (name.length === 0) return "must not be empty";
  if (name !== name.toLowerCase()) return "must be lowercase (Elasticsearch index names)";
  const bad = name.match(/[\\/*?"<>|,#: ]/);
  if (bad)
    return `must not contain ${JSON.stringify(bad[0])} (Elasticsearch index names forbid \\ / * ? " < > | , # : and space)`;
  if (/^[-_+]/.test(name)) return "must not start with -, _ or + (Elasticsearch index names)";
  if (name === "." || name === "..") return "must not be . or .. (Elasticsearch index names)";
  const bytes = Buffer.byteLength(name, "utf8") + extraBytes;
  if (bytes > 255)
    return extraBytes > 0
      ? `is too long: the daily index names it makes take ${bytes} bytes, at most 255 are allowed`
      : `is ${bytes} bytes long, at most 255 are allowed (Elasticsearch index names)`;
  return undefined;
}
