// Starts a real `roster` server on a free port with a fresh data dir, and a real headless
// Chromium (Debian's package) driven by playwright-core. Every process is ended by `stop()`.
import { spawn, execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import net from "node:net";
import { chromium } from "playwright-core";
import { newWatcher } from "./watch.mjs";

/// Where each test file adds the pages and dialog states axe-core checked (see axe-summary.mjs).
export const OUT_DIR = resolve(import.meta.dirname, "out");
export const AXE_LIST = join(OUT_DIR, "axe-checked.txt");
/// And the pages left before their check on load finished.
export const AXE_MISSED = join(OUT_DIR, "axe-interrupted.txt");

const ROOT = resolve(import.meta.dirname, "..", "..");
export const BIN = process.env.ROSTER_BIN || join(ROOT, "target", "debug", "roster");
export const SHOTS = process.env.ROSTER_SCREENSHOTS || "";

export function seed(dataDir, customers) {
  execFileSync(BIN, ["--data-dir", dataDir, "seed", "--customers", String(customers)], {
    stdio: "ignore",
    timeout: 120_000,
  });
}

/// Starts the server; resolves with { baseUrl, setupUrl, stop }.
export async function startServer(dataDir, extraArgs = []) {
  const child = spawn(BIN, ["--data-dir", dataDir, "--bind", "127.0.0.1:0", ...extraArgs], {
    env: { ...process.env, ROSTER_LOG: "info", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const found = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("server did not start:\n" + log)), 20_000);
    const onData = (chunk) => {
      log += chunk.toString();
      // Strip ANSI colours before matching.
      const plain = log.replace(/\x1b\[[0-9;]*m/g, "");
      const base = plain.match(/open (http:\/\/127\.0\.0\.1:\d+)\/console/);
      const owner = /Sign in at|No owner yet/.test(plain);
      if (base && owner) {
        clearTimeout(timer);
        const setup = plain.match(/Create one at (\S+)/);
        ok({ baseUrl: base[1], setupUrl: setup ? setup[1] : null });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => fail(new Error(`server exited ${code}:\n${log}`)));
  });
  return { ...found, stop: () => child.kill("SIGTERM"), log: () => log };
}

// playwright-core's launch() gives Chromium a fresh, temporary profile of its own.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ],
    headless: true,
  });
  // Every page of every context is watched (console errors, CSP violations, axe-core).
  const watch = newWatcher();
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    watch.attachContext(context);
    return context;
  };
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on("close", () => context.close().catch(() => {}));
    return page;
  };
  return {
    browser,
    watch,
    /// A context no watcher sees (to test the watcher itself).
    unwatchedContext: newContext,
    close: async () => {
      await browser.close();
      console.log(`# axe-core checked ${watch.checked.size} distinct pages and states`);
      // Kept for the run's total across files (axe-summary.mjs, after the tests).
      mkdirSync(OUT_DIR, { recursive: true });
      appendFileSync(AXE_LIST, [...watch.checked].map((p) => `${p}\n`).join(""));
      appendFileSync(AXE_MISSED, [...watch.interrupted].map((p) => `${p}\n`).join(""));
      if (watch.problems.length) {
        throw new Error(`problems seen in the browser:\n${[...new Set(watch.problems)].join("\n")}`);
      }
    },
  };
}

export function tempDataDir() {
  return mkdtempSync(join(tmpdir(), "roster-e2e-"));
}

/// Presses Tab until the focused element's label, text or aria-label matches `name` (keyboard
/// only: how someone without a mouse gets there).
export async function tabTo(page, name, limit = 80) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    const text = await page.evaluate(() => {
      const a = document.activeElement;
      return (a?.labels?.[0]?.innerText || a?.innerText || a?.getAttribute("aria-label") || "").trim();
    });
    if (name.test(text)) return;
  }
  throw new Error(`nothing focusable matches ${name}`);
}

/// A screenshot into $ROSTER_SCREENSHOTS, of the whole page or (for an open dialog, whose
/// backdrop covers only the window) of the window.
export async function shot(page, name, { fullPage = true } = {}) {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

export function createOwner(dataDir, email, password) {
  execFileSync(BIN, ["--data-dir", dataDir, "create-owner", "--email", email, "--first-name", "Olive", "--last-name", "Owner"], {
    input: password + "\n",
    stdio: ["pipe", "ignore", "ignore"],
    timeout: 60_000,
  });
}

export function seedWithGroups(dataDir, customers, groups) {
  execFileSync(BIN, ["--data-dir", dataDir, "seed", "--customers", String(customers), "--groups", String(groups)], {
    stdio: "ignore",
    timeout: 120_000,
  });
}

/// A fresh data dir (prepared by `prepare(dir)`), its owner, a server, Chromium, and a page
/// signed in to the console on Manage > Users.
/// A fresh server with an owner (and, with `smtp`, a real SMTP listener it sends to) and a
/// watched browser page, not signed in; `stop` ends them all.
export async function consoleServer(owner, prepare = () => {}, { smtp = false } = {}) {
  const dataDir = tempDataDir();
  prepare(dataDir);
  createOwner(dataDir, owner.email, owner.password);
  const sink = smtp ? await smtpSink() : null;
  const server = await startServer(dataDir, sink ? ["--smtp-url", sink.url] : []);
  const chrome = await launchBrowser();
  const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  const stop = async () => {
    server.stop();
    sink?.close();
    rmSync(dataDir, { recursive: true, force: true });
    // Last: it fails the file when the browser saw problems (console errors, CSP, axe).
    await chrome.close();
  };
  return { dataDir, sink, server, chrome, page, stop };
}

/// The same, with the owner signed in to the console on the Users list.
export async function signedInConsole(owner, prepare = () => {}, options = {}) {
  const session = await consoleServer(owner, prepare, options);
  const { page, server } = session;
  await page.goto(server.baseUrl + "/console/login");
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();
  return session;
}

/// A real SMTP listener on loopback that keeps every message (raw), for flows that follow
/// an emailed link.
export async function smtpSink() {
  const messages = [];
  const server = net.createServer((sock) => {
    sock.setEncoding("utf8");
    sock.write("220 sink ESMTP\r\n");
    let buf = "";
    let data = null;
    sock.on("data", (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\r\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data !== null) {
          if (line === ".") {
            messages.push(data);
            data = null;
            sock.write("250 accepted\r\n");
          } else data += line + "\n";
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") sock.write("250-sink\r\n250 8BITMIME\r\n");
        else if (verb === "DATA") { data = ""; sock.write("354 go ahead\r\n"); }
        else if (verb === "QUIT") sock.end("221 bye\r\n");
        else sock.write("250 ok\r\n");
      }
    });
    sock.on("error", () => {});
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `smtp://127.0.0.1:${server.address().port}`,
    messages,
    close: () => server.close(),
    /// Waits (up to 15 s) for the n-th message; returns its decoded text.
    async waitFor(n) {
      for (let i = 0; i < 300 && messages.length < n; i++) await new Promise((ok) => setTimeout(ok, 50));
      if (messages.length < n) throw new Error(`expected ${n} emails, got ${messages.length}`);
      return decodeText(messages[n - 1]);
    },
  };
}

/// The message's text with quoted-printable soft breaks and escapes undone.
function decodeText(raw) {
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/// The first link to `path` in an email's text.
export function linkIn(text, path) {
  const m = text.match(new RegExp(`https?://[^\\s"<>]*${path}[A-Za-z0-9_-]+`));
  if (!m) throw new Error(`no ${path} link in:\n${text}`);
  return m[0];
}
