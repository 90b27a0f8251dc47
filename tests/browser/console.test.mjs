// The seed guide's console flows, as a person does them: by visible labels, in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { launchBrowser, seed, shot, startServer, tempDataDir } from "./harness.mjs";
import { Watcher } from "./watch.mjs";

const OWNER = { email: "ada@example.com", password: "analytical engine 1843" };
let dataDir, server, chrome, page;

before(async () => {
  dataDir = tempDataDir();
  seed(dataDir, 120);
  server = await startServer(dataDir);
  chrome = await launchBrowser();
  page = await chrome.browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(15_000);
});

after(async () => {
  server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  // Last: it fails the file when the browser saw problems (console errors, CSP, axe).
  await chrome?.close();
});

test("the first-run link creates the owner, then is gone", async () => {
  assert.ok(server.setupUrl, "the server printed a setup link");
  await page.goto(server.setupUrl);
  await page.getByLabel("Organization name").fill("Acme Corp");
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("First Name").fill("Ada");
  await page.getByLabel("Last Name").fill("Lovelace");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Confirm password").fill("short");
  await page.getByRole("button", { name: "Create organization" }).click();
  // The message by the field, and in the summary at the top that links to it.
  await page.locator("#password-error", { hasText: "Use at least 12 characters." }).waitFor();
  await page.getByRole("link", { name: "Use at least 12 characters." }).click();
  assert.equal(await page.evaluate(() => location.hash), "#password");
  await shot(page, "setup-error");
  await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
  await page.getByLabel("Confirm password").fill(OWNER.password);
  await page.getByRole("button", { name: "Create organization" }).click();
  await page.getByText("Your owner account is ready").waitFor();
  const again = await page.goto(server.setupUrl);
  assert.equal(again.status(), 404);
});

test("a wrong password shows the generic message; the right one opens Manage > Users", async () => {
  await page.goto(server.baseUrl + "/console/login");
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("The email or password is incorrect").waitFor();
  await shot(page, "login-error");
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();
  assert.equal(await page.locator("tbody tr").count(), 25);
  assert.ok(await page.getByText("120 customers").isVisible());
  await shot(page, "users");
});

test("searching updates the table as you type and the URL follows", async () => {
  const firstEmail = (await page.locator("tbody tr td.email").first().innerText()).trim();
  const prefix = firstEmail.slice(0, 4);
  await page.getByLabel("Search", { exact: true }).fill(prefix);
  await page.waitForURL((url) => url.searchParams.get("q") === prefix);
  // Every row shown has the term in its email (anywhere) or at the start of its first or last
  // name (any case).
  await page.waitForFunction(
    (p) =>
      [...document.querySelectorAll("tbody tr")].every((tr) => {
        const cells = [...tr.querySelectorAll("td")].map((td) => td.textContent.trim().toLowerCase());
        return cells[0].includes(p) || cells[1].includes(p);
      }),
    prefix.toLowerCase(),
  );
  const emails = await page.locator("tbody tr td.email").allInnerTexts();
  assert.ok(emails.some((e) => e.trim() === firstEmail), "the first customer matches its own email's start");
  await shot(page, "users-search");
  await page.getByLabel("Search", { exact: true }).fill("zzzz-nobody");
  await page.getByText("No customers match").waitFor();
});

test("Next and Previous walk the list without losing or repeating rows", async () => {
  await page.goto(server.baseUrl + "/console/users");
  const first = await page.locator("tbody tr td.email").allInnerTexts();
  await page.getByRole("link", { name: "Next →" }).click();
  await page.waitForURL(/after=/);
  const second = await page.locator("tbody tr td.email").allInnerTexts();
  assert.equal(second.length, 25);
  assert.equal(second.filter((e) => first.includes(e)).length, 0);
  await page.getByRole("link", { name: "← Previous" }).click();
  await page.waitForURL(/before=/);
  await page.waitForFunction((f) => document.querySelector("tbody tr td.email")?.textContent.trim() === f, first[0]);
  assert.deepEqual(await page.locator("tbody tr td.email").allInnerTexts(), first);
});

test("every page of the menu and every tab of a customer opens from its link (axe checks each)", async () => {
  const menu = page.getByRole("navigation", { name: "Main" });
  for (const name of ["Users", "Attributes", "Groups", "Applications", "Administrators", "General",
    "Password policy", "Self-registration", "Links", "Login security", "Signing keys", "Audit log",
    "Outbox"]) {
    await menu.getByRole("link", { name, exact: true }).click();
    await menu.locator('a[aria-current="page"]', { hasText: name }).waitFor();
  }
  await menu.getByRole("link", { name: "Users", exact: true }).click();
  await page.locator("tbody tr").first().getByRole("link", { name: "Edit" }).click();
  const tabs = page.getByRole("navigation", { name: "Customer" });
  for (const name of ["Groups", "Sessions", "History", "Profile"]) {
    await tabs.getByRole("link", { name: new RegExp(`^${name}`) }).click();
    await tabs.locator('a[aria-current="page"]', { hasText: name }).waitFor();
  }
  await menu.getByRole("link", { name: "Users", exact: true }).click();
  await page.locator("tbody tr").first().waitFor();
});

test("Edit opens a customer's page from the list, and Sign out ends the session", async () => {
  // The Edit cell is a table cell: its borders line up with the row's other cells.
  const cells = await page.locator("tbody tr").first().evaluate((row) => [...row.cells].map((c) => ({
    display: getComputedStyle(c).display, top: c.getBoundingClientRect().top, height: c.getBoundingClientRect().height,
  })));
  const edit = cells.at(-1);
  assert.equal(edit.display, "table-cell");
  for (const c of cells) assert.deepEqual([c.top, c.height], [edit.top, edit.height]);
  const email = (await page.locator("tbody tr td.email").first().innerText()).trim();
  await page.locator("tbody tr").first().getByRole("link", { name: "Edit" }).click();
  await page.getByRole("heading", { name: "Profile" }).waitFor();
  assert.ok(await page.getByText(email).first().isVisible());
  await shot(page, "customer");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("You have signed out.").waitFor();
  await page.goto(server.baseUrl + "/console/users");
  await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
});

test("the watch on every page catches a CSP violation, a script error and an axe violation", async () => {
  const w = new Watcher();
  const context = await chrome.unwatchedContext();
  w.attachContext(context);
  const p = await context.newPage();
  await p.goto(server.baseUrl + "/console/login");
  await p.evaluate(() => {
    const img = document.createElement("img");
    img.src = "https://elsewhere.example/pixel.png"; // img-src 'self' data: refuses it
    document.body.append(img);
    const input = document.createElement("input"); // no label
    document.querySelector("form").append(input);
    setTimeout(() => { throw new Error("boom"); });
  });
  await p.waitForTimeout(300);
  const found = await w.axe(p, "broken on purpose");
  await context.close();
  assert.ok(w.problems.some((m) => m.includes("CSP violation: img-src")), w.problems.join("\n"));
  assert.ok(w.problems.some((m) => m.includes("uncaught exception") && m.includes("boom")));
  assert.ok(found.some((v) => v.startsWith("label ")), found.join("\n"));
});
