// Preloaded into every node process of a benchmarked command (NODE_OPTIONS=--require):
// appends this process's peak RSS in KB to BENCH_RSS_FILE when it exits.
const fs = require("node:fs");
const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    fs.appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
