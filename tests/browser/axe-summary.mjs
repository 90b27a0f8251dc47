// After the browser tests: the distinct pages and dialog states axe-core checked across every
// test file of the run (each file adds its own to out/axe-checked.txt; `pretest` empties it).
import { existsSync, readFileSync } from "node:fs";
import { AXE_LIST, AXE_MISSED } from "./harness.mjs";

const lines = (path) => (existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : []);
const seen = lines(AXE_LIST);
const distinct = [...new Set(seen)].sort();
console.log(`axe-core checked ${distinct.length} distinct pages and dialog states in this run ` +
  `(${seen.length} checks across the test files), no serious or critical violation:`);
for (const page of distinct) console.log(`  ${page}`);
// A page the tests left before its check finished, and never checked elsewhere in the run: a
// test should check it itself (axeCheck) once it shows.
const checkedPages = new Set(distinct.map((p) => p.split(" [")[0]));
const unchecked = [...new Set(lines(AXE_MISSED))].filter((p) => !checkedPages.has(p)).sort();
if (unchecked.length) {
  console.log(`left before axe-core finished, and checked nowhere else: ${unchecked.length}`);
  for (const page of unchecked) console.log(`  ${page}`);
}
if (distinct.length === 0) {
  console.error("no page was checked: the watcher is not attached");
  process.exit(1);
}
