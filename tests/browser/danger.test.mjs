// The danger zone as the seed guide describes it — "Lock a customer account", "Delete a
// customer", "Reset the customer's password" — in Chromium, by visible labels, with the
// customer's own My Account tab open beside the console. Also by keyboard alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { shot, signedInConsole, seed, tabTo as tabToOn } from "./harness.mjs";
import { axeCheck } from "./watch.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
// Every seeded customer's password (see `roster seed`).
const SEEDED_PASSWORD = "customer-password";
let session, server, chrome, page;

before(async () => {
  session = await signedInConsole(OWNER, (dir) => seed(dir, 40));
  ({ server, chrome, page } = session);
});

after(async () => {
  await session?.stop();
});

/// The emails of the first active customers of the Users list.
async function activeCustomers(n) {
  await page.goto(server.baseUrl + "/console/users?status=active");
  const cells = page.locator("tbody tr td.email a");
  await cells.first().waitFor();
  const emails = [];
  for (let i = 0; i < n; i++) emails.push((await cells.nth(i).innerText()).trim());
  return emails;
}

async function openCustomer(email) {
  await page.goto(server.baseUrl + "/console/users?q=" + encodeURIComponent(email));
  await page.getByRole("link", { name: email }).click();
  await page.getByRole("heading", { name: "Profile" }).waitFor();
}

/// A separate browser (its own cookies) signed in to My Account as the customer.
async function customerTab(email) {
  const context = await chrome.browser.newContext();
  const me = await context.newPage();
  me.setDefaultTimeout(15_000);
  await me.goto(server.baseUrl + "/myaccount/login");
  await me.getByLabel("Email").fill(email);
  await me.getByLabel("Password").fill(SEEDED_PASSWORD);
  await me.getByRole("button", { name: "Sign in" }).click();
  await me.getByRole("heading", { name: "Profile" }).waitFor();
  return { me, context };
}

/// Presses Tab until the focused element's accessible text matches `name` (at most 80 times).
const tabTo = (name) => tabToOn(page, name);
const focusedInDialog = () => page.evaluate(() => !!document.activeElement?.closest("dialog[open]"));

test("Lock user signs the customer's open My Account tab out; unlocking lets them back in", async () => {
  const [email] = await activeCustomers(1);
  const { me, context } = await customerTab(email);
  await openCustomer(email);

  await page.getByRole("link", { name: /Lock user/ }).click();
  const dialog = page.getByRole("dialog", { name: "Lock user" });
  await dialog.waitFor();
  await axeCheck(page, "Lock user dialog open");
  const confirm = dialog.getByRole("button", { name: "Confirm" });
  assert.equal(await confirm.isDisabled(), true, "Confirm waits for the checkbox");
  await dialog.getByLabel("I want to lock this account.").check();
  assert.equal(await confirm.isDisabled(), false);
  await shot(page, "lock-dialog", { fullPage: false });
  await confirm.click();
  await page.getByText("The user was locked.").waitFor();
  await page.getByText(/Locked by olive@example.com on/).waitFor();
  assert.equal(await page.getByRole("button", { name: "Reset password" }).isDisabled(), true);
  await shot(page, "customer-locked");

  await me.reload();
  await me.getByRole("heading", { name: "Sign in to My Account" }).waitFor();
  await me.getByLabel("Email").fill(email);
  await me.getByLabel("Password").fill(SEEDED_PASSWORD);
  await me.getByRole("button", { name: "Sign in" }).click();
  await me.getByText("The email or password is incorrect").waitFor();

  await page.getByRole("link", { name: /Lock user/ }).click();
  const unlock = page.getByRole("dialog", { name: "Unlock user" });
  await unlock.waitFor();
  await axeCheck(page, "Unlock user dialog open");
  await unlock.getByLabel("I want to unlock this account.").check();
  await unlock.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("The user was unlocked").waitFor();
  await me.getByLabel("Password").fill(SEEDED_PASSWORD);
  await me.getByRole("button", { name: "Sign in" }).click();
  await me.getByRole("heading", { name: "Profile" }).waitFor();
  await context.close();
});

test("Reset password with a generated temporary password shows it once and ends the customer's sessions", async () => {
  const [, email] = await activeCustomers(2);
  const { me, context } = await customerTab(email);
  await openCustomer(email);
  await page.getByRole("link", { name: "Reset password" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset password" });
  await dialog.waitFor();
  await axeCheck(page, "Reset password dialog open");
  await dialog.getByLabel("Set a temporary password for the user").check();
  await dialog.getByRole("button", { name: "Generate" }).click();
  await dialog.locator("#policy li.met").nth(2).waitFor();
  const temporary = await dialog.getByLabel("Temporary password", { exact: true }).inputValue();
  assert.ok(temporary.length >= 12, temporary);
  await shot(page, "reset-dialog", { fullPage: false });
  await dialog.getByRole("button", { name: "Reset Password" }).click();
  await page.getByText(/was reset to a temporary one/).waitFor();
  assert.equal((await page.locator("#reveal-value").innerText()).trim(), temporary);
  assert.match(page.url(), /\/console\/users\/[0-9a-f-]{36}$/, "a reload does not show it again");

  await me.reload();
  await me.getByRole("heading", { name: "Sign in to My Account" }).waitFor();
  await me.getByLabel("Email").fill(email);
  await me.getByLabel("Password").fill(temporary);
  await me.getByRole("button", { name: "Sign in" }).click();
  await me.getByRole("heading", { name: "Choose a new password" }).waitFor();
  await context.close();
});

test("by keyboard alone: the lock dialog opens, closes on Escape with focus back, then locks; Delete User deletes", async () => {
  const [, , email] = await activeCustomers(3);
  await openCustomer(email);
  await page.locator("body").focus();

  await tabTo(/^Lock user/);
  await page.keyboard.press("Enter");
  await page.getByRole("dialog", { name: "Lock user" }).waitFor();
  assert.ok(await focusedInDialog(), "focus moves into the dialog");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog", { name: "Lock user" }).waitFor({ state: "hidden" });
  const back = await page.evaluate(() => document.activeElement?.innerText.trim());
  assert.match(back, /^Lock user/, "focus is back on the toggle");

  await page.keyboard.press("Enter");
  await page.getByRole("dialog", { name: "Lock user" }).waitFor();
  await tabTo(/^I want to lock this account/); // the checkbox, by its label
  await page.keyboard.press("Space");
  await tabTo(/^Confirm$/);
  await page.keyboard.press("Enter");
  await page.getByText("The user was locked.").waitFor();

  await tabTo(/^Delete User$/);
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Delete User" });
  await dialog.waitFor();
  await axeCheck(page, "Delete User dialog open");
  assert.ok(await focusedInDialog());
  await tabTo(/^I understand that this account will be deleted/);
  await page.keyboard.press("Space");
  assert.equal(await dialog.getByLabel("I understand that this account will be deleted for good.").isChecked(), true);
  await tabTo(/^Confirm$/);
  await shot(page, "delete-dialog", { fullPage: false });
  await page.keyboard.press("Enter");
  await page.getByText(`Customer ${email} was deleted.`).waitFor();
  await page.getByRole("heading", { name: "Users" }).waitFor();

  // Gone from the list.
  await page.getByLabel("Search").fill(email);
  await page.getByText("No customers match").waitFor();
  assert.equal(await page.getByRole("link", { name: email }).count(), 0);
});

test("without script, the danger zone's buttons lead to pages with the same forms", async () => {
  const context = await chrome.browser.newContext({ javaScriptEnabled: false });
  await context.addCookies(await page.context().cookies());
  const plain = await context.newPage();
  plain.setDefaultTimeout(15_000);
  const [, , , email] = await activeCustomers(4);
  await plain.goto(server.baseUrl + "/console/users?q=" + encodeURIComponent(email));
  await plain.getByRole("link", { name: email }).click();
  await plain.getByRole("link", { name: /Lock user/ }).click();
  await plain.getByRole("heading", { name: "Lock user" }).waitFor();
  await plain.getByRole("button", { name: "Confirm" }).click();
  await plain.getByText("Tick the box to confirm, then press Confirm.").waitFor();
  assert.match(plain.url(), /\/lock$/, "refused by the server, on the same form");
  await plain.getByLabel("I want to lock this account.").check();
  await plain.getByRole("button", { name: "Confirm" }).click();
  await plain.getByText("The user was locked.").waitFor();
  // axe-core cannot run where script is off: the no-script form pages, as served, are checked
  // in the scripted page.
  const customer = plain.url().replace(/\?.*$/, "").replace(/\/lock$/, "");
  await context.close();
  for (const [action, heading] of [["lock", "Unlock user"], ["reset", "Reset password"], ["delete", "Delete User"]]) {
    await page.goto(`${customer}/${action}`);
    await page.getByRole("heading", { name: heading }).waitFor();
    await axeCheck(page, "the form without script");
  }
});

test("Settings > Login security turns the lockout on, refuses a bad number next to its field, and says what it does", async () => {
  await page.getByRole("link", { name: "Login security" }).click();
  await page.getByRole("heading", { name: "Login security" }).waitFor();
  await page.getByLabel("Lock accounts after failed sign-ins").check();
  await page.getByLabel("Failed attempts in a row").fill("11");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("#attempts-error", { hasText: "Enter a number of attempts from 1 to 10." }).waitFor();
  await page.getByLabel("Failed attempts in a row").fill("5");
  // A duration is a number and a unit.
  await page.getByLabel("Lock duration", { exact: true }).fill("15");
  await page.getByLabel("Lock duration: unit").selectOption("minutes");
  await page.getByLabel("Increment factor").fill("2");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Login security saved.").waitFor();
  await page.getByText("after 5 failed sign-ins in a row an account is locked for 15 minutes, then 30 minutes, then 1 hour").waitFor();
  await shot(page, "login-security");
});

test("Settings > Audit log shows the locks above, by whom, filters by action, and the customer's History tab", async () => {
  await page.getByRole("link", { name: "Audit log" }).click();
  await page.getByRole("heading", { name: "Audit log" }).waitFor();
  const rows = page.locator(".events .event");
  await rows.first().waitFor();
  // Newest first, in words: the login security change is the latest.
  assert.match(await rows.first().innerText(), /Olive Owner changed the login security settings/);
  assert.equal(await rows.first().locator(".event-line").getAttribute("title"), "settings.login_security_updated");
  await page.getByLabel("Action").selectOption({ label: "Account locked" });
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByRole("link", { name: "Clear" }).waitFor();
  const texts = await rows.allInnerTexts();
  assert.ok(texts.length >= 2, "the locks of the tests above");
  assert.ok(texts.every((t) => / locked /.test(t)), "only locks");
  const codes = await rows.locator(".event-line").evaluateAll((ls) => ls.map((l) => l.title));
  assert.ok(codes.every((c) => c === "account.locked"), codes.join());
  await shot(page, "audit-log");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
  // The first locked customer's History tab.
  const email = await rows.first().locator(".event-line strong").nth(1).getAttribute("title");
  await openCustomer(email);
  await page.getByRole("link", { name: "History" }).click();
  await page.getByRole("heading", { name: "History" }).waitFor();
  assert.match(await page.locator(".events").innerText(), /Olive Owner locked /);
});

test("My profile: the administrator's own name, password form and sessions, from their name in the top bar", async () => {
  await page.getByRole("link", { name: "Olive Owner" }).click();
  await page.getByRole("heading", { name: "My profile" }).waitFor();
  await page.getByRole("heading", { name: "Where you are signed in" }).waitFor();
  assert.ok(await page.getByText("This device").isVisible());
  await page.getByLabel("New password", { exact: true }).fill("olive");
  await page.locator("#policy li.unmet", { hasText: "email's name part" }).waitFor();
  await shot(page, "my-profile");
});
