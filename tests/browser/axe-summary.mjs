// After the browser tests: the distinct pages and dialog states axe-core checked across every
// test file of the run (each file adds its own to out/axe-checked.txt; `pretest` empties it).
import { existsSync, readFileSync } from "node:fs";
import { AXE_LIST } from "./harness.mjs";

const seen = existsSync(AXE_LIST) ? readFileSync(AXE_LIST, "utf8").split("\n").filter(Boolean) : [];
const distinct = [...new Set(seen)].sort();
console.log(`axe-core checked ${distinct.length} distinct pages and dialog states in this run ` +
  `(${seen.length} checks across the test files), no serious or critical violation:`);
for (const page of distinct) console.log(`  ${page}`);
if (distinct.length === 0) {
  console.error("no page was checked: the watcher is not attached");
  process.exit(1);
}
