// Onboarding as the seed guide describes it: Manage > Users > New User > Customer, both
// password methods, and the customer's side in My Account. By visible labels, in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { shot, signedInConsole, seedWithGroups, tabTo } from "./harness.mjs";
import { axeCheck } from "./watch.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
let session, server, chrome, page;

before(async () => {
  session = await signedInConsole(OWNER, (dir) => seedWithGroups(dir, 30, 4));
  ({ server, chrome, page } = session);
});

after(async () => {
  await session?.stop();
});

async function openWizard() {
  await page.goto(server.baseUrl + "/console/users");
  await page.getByRole("link", { name: "New User", exact: true }).click();
  await page.getByRole("heading", { name: "New User" }).waitFor();
}

async function customerPage(browserContext) {
  const p = await browserContext.newPage({ viewport: { width: 1000, height: 760 } });
  p.setDefaultTimeout(15_000);
  return p;
}

test("a customer with a generated temporary password replaces it at first sign-in", async () => {
  await openWizard();
  await page.getByLabel("Email (Username)").fill("tess@example.com");
  await page.getByLabel("First Name").fill("Tess");
  await page.getByLabel("Last Name").fill("Turing");
  await page.getByLabel("Set a temporary password for the user").check();
  await page.getByRole("button", { name: "Generate" }).click();
  await page.locator("#policy li.met").nth(2).waitFor();
  const temporary = await page.getByLabel("Temporary password", { exact: true }).inputValue();
  assert.ok(temporary.length >= 20, temporary);
  await shot(page, "wizard-details");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByText("Assign groups").waitFor();
  const firstGroup = page.locator(".checkbox-grid label").first();
  const groupName = (await firstGroup.innerText()).trim();
  await firstGroup.click();
  await shot(page, "wizard-groups");
  await axeCheck(page, "New User step 2: groups");
  await page.getByRole("button", { name: "Finish" }).click();
  await page.getByText("Customer tess@example.com was created with a temporary password").waitFor();
  await axeCheck(page, "customer created, the temporary password shown once");
  assert.equal((await page.locator("#reveal-value").innerText()).trim(), temporary);
  assert.match(page.url(), /\/console\/users\/[0-9a-f-]{36}$/, "the address is the customer's page");
  await shot(page, "customer-created");
  await page.getByRole("link", { name: /^Groups/ }).last().click();
  await page.locator(".group-chip", { hasText: groupName }).waitFor();
  await page.goBack();
  await page.reload();
  assert.equal(await page.locator("#reveal-value").count(), 0, "shown once");

  const context = await chrome.browser.newContext();
  const me = await customerPage(context);
  await me.goto(server.baseUrl + "/myaccount/login");
  await me.getByLabel("Email").fill("tess@example.com");
  await me.getByLabel("Password").fill(temporary);
  await me.getByRole("button", { name: "Sign in" }).click();
  await me.getByRole("heading", { name: "Choose a new password" }).waitFor();
  await me.getByLabel("New password", { exact: true }).fill(temporary);
  await me.getByLabel("Confirm the new password").fill(temporary);
  await me.getByRole("button", { name: "Change password" }).click();
  await me.locator("#password-error", { hasText: "the temporary one cannot be kept" }).waitFor();
  await shot(me, "myaccount-forced-change");
  await me.getByLabel("New password", { exact: true }).fill("quiet harbor violin 77");
  await me.getByLabel("Confirm the new password").fill("quiet harbor violin 77");
  await me.getByRole("button", { name: "Change password" }).click();
  await me.getByRole("heading", { name: "Profile" }).waitFor();
  assert.equal(await me.getByLabel("First Name").inputValue(), "Tess");
  await context.close();
});

test("an offline invitation link, copied from the console, lets the customer set a password", async () => {
  await openWizard();
  await page.getByLabel("Email (Username)").fill("ivy@example.com");
  await page.getByLabel("First Name").fill("Ivy");
  await page.getByLabel("Last Name").fill("Inviter");
  await page.getByLabel("Invite user to set their own password").check();
  await page.getByLabel(/Invite offline/).check();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Finish" }).click();
  await page.getByText("Copy the invitation link below").waitFor();
  // One card: the link, Copy, and until when; no Resend button competing with it.
  assert.equal(await page.getByRole("button", { name: /Resend/ }).count(), 0);
  const link = (await page.locator("#reveal-value").innerText()).trim();
  assert.ok(link.startsWith(server.baseUrl + "/myaccount/invitation/"), link);
  await page.reload();
  await page.getByText("Invitation pending").waitFor();

  const context = await chrome.browser.newContext();
  const me = await customerPage(context);
  await me.goto(link);
  await me.getByRole("heading", { name: "Set your password" }).waitFor();
  await shot(me, "myaccount-invitation");
  await me.getByLabel("New password", { exact: true }).fill("green lantern rowboat 31");
  await me.getByLabel("Confirm the new password").fill("green lantern rowboat 31");
  await me.getByRole("button", { name: "Set password" }).click();
  // The invitation's password set, the customer lands signed in on their account.
  await me.getByText("Welcome! Your password is set and you are signed in.").waitFor();
  await me.getByRole("heading", { name: "Profile" }).waitFor();
  assert.equal(await me.getByLabel("First Name").inputValue(), "Ivy");
  await me.goto(link);
  await me.getByRole("heading", { name: "This invitation was already used" }).waitFor();
  await context.close();
});

test("Settings > Outbox lists the account-created notice with a preview that hides links", async () => {
  await page.goto(server.baseUrl + "/console/users");
  await page.getByRole("link", { name: "Outbox" }).click();
  await page.getByRole("heading", { name: "Outbox" }).waitFor();
  const row = page.locator("tbody tr", { hasText: "tess@example.com" });
  await row.getByText("Sent", { exact: true }).waitFor();
  await shot(page, "outbox");
  await row.getByRole("link", { name: "Preview" }).click();
  await page.getByRole("heading", { name: /account was created/ }).waitFor();
  const frame = page.frameLocator("iframe.email-frame");
  await frame.getByText("Sign in to My Account").waitFor();
  await shot(page, "outbox-preview");
  await axeCheck(page, "");
});

test("by keyboard alone: New User > Customer, both steps of the wizard, then Edit from the Users list", async () => {
  await page.goto(server.baseUrl + "/console/users");
  await tabTo(page, /^New User$/);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "New User" }).waitFor();
  for (const [label, text] of [[/^Email \(Username\)/, "kay@example.com"], [/^First Name/, "Kay"], [/^Last Name/, "Keys"]]) {
    await tabTo(page, label);
    await page.keyboard.type(text);
  }
  // The method is a radio group: Tab enters it, an arrow key picks the other method.
  await tabTo(page, /^Invite user to set their own password/);
  await page.keyboard.press("ArrowDown");
  assert.ok(await page.getByLabel("Set a temporary password for the user").isChecked());
  await tabTo(page, /^Temporary password$/);
  await page.keyboard.type("keyboard only 2026 ok");
  await tabTo(page, /^Next$/);
  await page.keyboard.press("Enter");
  await page.getByText("Assign groups").waitFor();
  const group = (await page.locator(".checkbox-grid label").first().innerText()).trim();
  await tabTo(page, new RegExp("^" + group));
  await page.keyboard.press("Space");
  await tabTo(page, /^Finish$/);
  await page.keyboard.press("Enter");
  await page.getByText("Customer kay@example.com was created").waitFor();

  // The Users list: the search box, then a row's Edit, by keyboard.
  await page.goto(server.baseUrl + "/console/users");
  await tabTo(page, /^Search$/);
  await page.keyboard.type("kay@example.com");
  await page.locator("tbody tr").filter({ hasText: "kay@example.com" }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1);
  await tabTo(page, /^Edit$/);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Profile" }).waitFor();
  assert.match(page.url(), /\/console\/users\/[0-9a-f-]{36}$/);
});
