import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * The layering DESIGN.md §2 asks for, read from the import statements: the library imports no
 * app code, components meet only in the app, and the contract belongs to nobody.
 */
const ROOT = resolve(__dirname, "..");
const COMPONENTS = ["elasticsearch", "logstash", "grafana", "kibana"];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f));
}

/** Repo-relative targets of the relative imports of a file. */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(/from\s+"(\.[^"]+)"/g)].map((m) =>
    relative(ROOT, resolve(ROOT, dirname(file), m[1])),
  );
}

const top = (path: string) => path.split("/")[0];
const component = (path: string) => (path.startsWith("constructs/") ? path.split("/")[1] : undefined);

describe("layering", () => {
  const library = [...sources("constructs"), ...sources("contract")];

  test.each(library)("%s imports no app or config code", (file) => {
    expect(imports(file).filter((t) => ["app", "config", "main"].includes(top(t)))).toEqual([]);
  });

  test.each(sources("constructs").filter((f) => COMPONENTS.includes(component(f) ?? "")))(
    "%s imports no other component",
    (file) => {
      const own = component(file);
      expect(
        imports(file).filter((t) => COMPONENTS.includes(component(t) ?? "") && component(t) !== own),
      ).toEqual([]);
    },
  );

  test.each(sources("contract"))("%s imports nothing of the library", (file) => {
    expect(imports(file).filter((t) => top(t) === "constructs")).toEqual([]);
  });

  test("the rules see real imports", () => {
    expect(imports("app/analytics-stack.ts")).toContain("config");
    expect(imports("constructs/grafana/folder.ts")).toContain("constructs/docker/common");
  });
});
