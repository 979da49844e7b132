import { join } from "node:path";
import { updateReadme } from "../config/reference";

// Regenerates README's configuration reference; `--check` only reports drift.
const check = process.argv.includes("--check");
const upToDate = updateReadme(join(process.cwd(), "README.md"), check);
if (check && !upToDate) {
  console.error("README.md's configuration reference is out of date: run `npm run docs:config`");
  process.exit(1);
}
if (!check) console.log(upToDate ? "README.md is up to date" : "README.md updated");
