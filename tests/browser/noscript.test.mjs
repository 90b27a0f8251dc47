// The main flows again with JavaScript off: every one works with plain forms and links (the
// dialogs become pages, live search a Search button, Generate a field you type in).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { createOwner, launchBrowser, seedWithGroups, startServer, tempDataDir } from "./harness.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
const SEEDED_PASSWORD = "customer-password";
const TEMPORARY = "plain forms 4 everyone";
let dataDir, server, chrome, page;

before(async () => {
  dataDir = tempDataDir();
  seedWithGroups(dataDir, 60, 3);
  createOwner(dataDir, OWNER.email, OWNER.password);
  server = await startServer(dataDir);
  chrome = await launchBrowser();
  const context = await chrome.browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
});

after(async () => {
  server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await chrome?.close();
});

async function openCustomer(email) {
  await page.goto(server.baseUrl + "/console/users?q=" + encodeURIComponent(email));
  await page.getByRole("link", { name: email, exact: true }).click();
  await page.getByRole("heading", { name: "Profile" }).waitFor();
}

test("no script: sign in, then search and page through Manage > Users", async () => {
  await page.goto(server.baseUrl + "/console/login");
  assert.equal(await page.evaluate(() => typeof window.htmx), "undefined", "no script ran");
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText(/^The email or password is incorrect/).waitFor();
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();

  const first = await page.locator("tbody tr td.email a").allInnerTexts();
  await page.getByRole("link", { name: "Next →" }).click();
  const second = await page.locator("tbody tr td.email a").allInnerTexts();
  assert.ok(second.length > 0 && !second.some((e) => first.includes(e)), "another page");
  await page.getByRole("link", { name: "← Previous" }).click();
  assert.deepEqual(await page.locator("tbody tr td.email a").allInnerTexts(), first);

  const target = first[3].trim();
  await page.getByRole("searchbox").fill(target);
  await page.getByRole("button", { name: "Search" }).click();
  assert.deepEqual((await page.locator("tbody tr td.email a").allInnerTexts()).map((e) => e.trim()), [target]);
});

test("no script: the New User wizard, by offline invitation and with a typed temporary password", async () => {
  for (const [email, method] of [["nora@example.com", "invite"], ["tom@example.com", "temporary"]]) {
    await page.goto(server.baseUrl + "/console/users");
    await page.getByRole("link", { name: "New User", exact: true }).click();
    await page.getByRole("heading", { name: "New User" }).waitFor();
    await page.getByLabel("Email (Username)").fill(email);
    await page.getByLabel("First Name").fill(email[0].toUpperCase() + email.slice(1, 4));
    await page.getByLabel("Last Name").fill("Plain");
    if (method === "invite") {
      await page.getByLabel("Invite user to set their own password").check();
      await page.getByLabel(/Invite offline/).check();
    } else {
      await page.getByLabel("Set a temporary password for the user").check();
      await page.getByLabel("Temporary password", { exact: true }).fill(TEMPORARY);
    }
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByText("Assign groups").waitFor();
    await page.locator(".checkbox-grid label").first().click();
    await page.getByRole("button", { name: "Finish" }).click();
    await page.getByText(`Customer ${email} was created`).waitFor();
    const shown = (await page.locator("#reveal-value").innerText()).trim();
    if (method === "invite") assert.ok(shown.startsWith(server.baseUrl + "/myaccount/invitation/"), shown);
    else assert.equal(shown, TEMPORARY);
  }
});

test("no script: profile Update, Groups, Reset password, Lock user and Delete User", async () => {
  await openCustomer("nora@example.com");
  await page.getByLabel("First Name").fill("Norah");
  await page.getByRole("button", { name: "Update" }).click();
  await page.getByText("Saved: first name.").waitFor();

  await page.getByRole("link", { name: /^Groups/ }).last().click();
  const select = page.getByLabel("Add to group");
  const option = (await select.locator("option").allInnerTexts()).find((o) => o.trim() && !/choose/i.test(o));
  await select.selectOption({ label: option.trim() });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByText("Added to the group.").waitFor();

  await openCustomer("tom@example.com");
  await page.getByRole("link", { name: "Reset password" }).click();
  await page.getByRole("heading", { name: "Reset password" }).waitFor();
  await page.getByLabel("Set a temporary password for the user").check();
  await page.getByLabel("Temporary password", { exact: true }).fill("another plain password 7");
  await page.getByRole("button", { name: "Reset Password" }).click();
  await page.getByText(/was reset to a temporary one/).waitFor();

  await page.getByRole("link", { name: /Lock user/ }).click();
  await page.getByLabel("I want to lock this account.").check();
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("The user was locked.").waitFor();

  await page.getByRole("link", { name: "Delete User" }).click();
  await page.getByRole("heading", { name: "Delete User" }).waitFor();
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByText(/Tick the box to confirm/).waitFor();
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("Customer tom@example.com was deleted.").waitFor();
});

test("no script: a customer signs in to My Account and updates their profile", async () => {
  await page.goto(server.baseUrl + "/console/users?status=active");
  const email = (await page.locator("tbody tr td.email a").last().innerText()).trim();
  const context = await chrome.browser.newContext({ javaScriptEnabled: false });
  const me = await context.newPage();
  me.setDefaultTimeout(15_000);
  await me.goto(server.baseUrl + "/myaccount");
  await me.getByLabel("Email").fill(email);
  await me.getByLabel("Password").fill(SEEDED_PASSWORD);
  await me.getByRole("button", { name: "Sign in" }).click();
  await me.getByLabel("Last Name").fill("Formsworth");
  await me.getByRole("button", { name: "Update" }).click();
  await me.getByText("Saved: last name.").waitFor();
  assert.equal(await me.getByLabel("Last Name").inputValue(), "Formsworth");
  await context.close();
});
