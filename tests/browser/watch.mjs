// Watches every page Chromium opens during a test file: console errors, uncaught exceptions
// and Content-Security-Policy violations are problems, and every Roster page that finishes
// loading is checked by axe-core (npm `axe-core`): serious and critical violations are
// problems. Tests also check a page in a given state (a dialog open) with `axeCheck`.
// `launchBrowser` attaches it to every context; `close()` fails when there were problems.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const AXE = readFileSync(join(import.meta.dirname, "node_modules", "axe-core", "axe.min.js"), "utf8");

/// Roster's own pages (not the test applications' pages, nor JSON endpoints).
const ROSTER_PAGE = /^http:\/\/127\.0\.0\.1:\d+\/(console|myaccount|setup)(\/|\?|$)/;

/// Answers the tests provoke on purpose: Chromium logs every non-2xx fetch as a console error,
/// and htmx's live validation answers 422 by design.
const EXPECTED = [/Failed to load resource: the server responded with a status of (422|403|404|410|429)/];

export class Watcher {
  problems = [];
  checked = new Set();
  /// Pages whose check on load did not finish: the test had already moved on.
  interrupted = new Set();

  attachContext(context) {
    // Injected by the DevTools protocol, not subject to the page's CSP.
    context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) =>
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} in ${e.sourceFile || location.pathname}`));
    });
    context.on("page", (page) => this.attachPage(page));
    for (const page of context.pages()) this.attachPage(page);
  }

  attachPage(page) {
    page.on("console", (m) => {
      if (m.type() !== "error" || EXPECTED.some((r) => r.test(m.text()))) return;
      this.problems.push(`console error on ${page.url()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => this.problems.push(`uncaught exception on ${page.url()}: ${e.message}`));
    page.on("load", () => {
      const url = page.url();
      if (ROSTER_PAGE.test(url)) this.axe(page).catch(() => this.interrupted.add(pageKey(new URL(url).pathname)));
    });
  }

  /// Each page's latest axe run: axe-core refuses to start while a run is going on the page.
  running = new WeakMap();

  /// axe-core on the page as it is now, after any run already going on it (a test's explicit
  /// check can come while the check on load is still running); returns the serious and
  /// critical violations found.
  axe(page, state = "") {
    const previous = this.running.get(page) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.runAxe(page, state));
    this.running.set(page, next);
    return next;
  }

  async runAxe(page, state) {
    const url = page.url();
    await page.evaluate(AXE);
    const { href, found } = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      const found = r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
      return { href: location.href, found };
    });
    const where = new URL(url).pathname + (state ? ` [${state}]` : "");
    // The page moved on before the check ran (a meta refresh to an application, as after
    // RP-initiated logout): what was checked is another site's page, not this one.
    if (!ROSTER_PAGE.test(href)) {
      this.interrupted.add(pageKey(where));
      return [];
    }
    this.checked.add(pageKey(where));
    for (const v of found) this.problems.push(`axe on ${where}: ${v}`);
    return found;
  }
}

/// A page or state with its ids and tokens folded, so one page counts once.
function pageKey(where) {
  return where.replace(/[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, "{id}").replace(/\/[A-Za-z0-9_-]{40,}/g, "/{token}");
}

let current = null;
export function watcher() {
  return current;
}
export function newWatcher() {
  current = new Watcher();
  return current;
}

/// Checks `page` in its current state (say, with a dialog open) and fails at once on a
/// serious or critical violation.
export async function axeCheck(page, state) {
  const found = await current.axe(page, state);
  if (found.length) throw new Error(`axe on ${page.url()} [${state}]:\n${found.join("\n")}`);
}
