// The guide's flows that go through the customer's mailbox, and the lockout, in Chromium
// against a real SMTP listener: New User with an emailed invitation followed from the received
// email; Reset Password by email, followed likewise; My Account > Security's Change password;
// failed sign-ins lock the account (Settings > Login security) and the console says why.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { linkIn, seedWithGroups, signedInConsole } from "./harness.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
const EMAIL = "marie@example.com";
const FIRST = "radium glow 1898";
const SECOND = "polonium dawn 1898";
const THIRD = "nobel twice 1911";
let sink, server, chrome, page, me, stop;

before(async () => {
  ({ sink, server, chrome, page, stop } =
    await signedInConsole(OWNER, (dir) => seedWithGroups(dir, 10, 2), { smtp: true }));
  me = await chrome.browser.newPage({ viewport: { width: 1000, height: 800 } });
  me.setDefaultTimeout(15_000);
});

// Last: `stop` fails the file when the browser saw problems (console errors, CSP, axe).
after(async () => stop?.());

async function setPasswordFromLink(link, password) {
  await me.goto(link);
  await me.getByLabel("New password", { exact: true }).fill(password);
  await me.getByLabel("Confirm the new password").fill(password);
  await me.getByRole("button", { name: /password/i }).click();
  await me.getByText(/Sign in with it now|you are signed in/).waitFor();
}

async function signIn(password) {
  await me.goto(server.baseUrl + "/myaccount/login");
  await me.getByLabel("Email").fill(EMAIL);
  await me.getByLabel("Password").fill(password);
  await me.getByRole("button", { name: "Sign in" }).click();
}

test("New User with an emailed invitation: the customer follows the link from the email and signs in", async () => {
  await page.getByRole("link", { name: "New User", exact: true }).click();
  await page.getByLabel("Email (Username)").fill(EMAIL);
  await page.getByLabel("First Name").fill("Marie");
  await page.getByLabel("Last Name").fill("Curie");
  await page.getByLabel("Invite user to set their own password").check();
  await page.getByLabel("Send the link by email").check();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Finish" }).click();
  await page.getByText(`Customer ${EMAIL} was created`).waitFor();
  await page.getByText("Invitation pending").waitFor();
  const mail = await sink.waitFor(1);
  await setPasswordFromLink(linkIn(mail, "/myaccount/invitation/"), FIRST);
  // Accepting the invitation signs the customer in.
  await me.getByRole("heading", { name: "Profile" }).waitFor();
  await page.reload();
  await page.getByText(`${EMAIL} · email verified`).waitFor();
});

test("Reset Password by email: the old password stops working, the emailed link sets a new one", async () => {
  await page.getByRole("link", { name: "Reset password" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset password" });
  await dialog.getByLabel("Invite user to set their own password").check();
  await dialog.getByRole("button", { name: "Reset Password" }).click();
  await page.getByText(/was reset\. A link to choose a new one is on its way/).waitFor();
  const mail = await sink.waitFor(2);
  await signIn(FIRST);
  await me.getByText(/^The email or password is incorrect/).waitFor();
  await setPasswordFromLink(linkIn(mail, "/myaccount/reset/"), SECOND);
  await signIn(SECOND);
  await me.getByRole("heading", { name: "Profile" }).waitFor();
});

test("My Account > Security: Change password needs the current one", async () => {
  await me.getByRole("link", { name: "Security" }).click();
  await me.getByLabel("Current password").fill("not it");
  await me.getByLabel("New password", { exact: true }).fill(THIRD);
  await me.getByLabel("Confirm the new password").fill(THIRD);
  await me.getByRole("button", { name: "Change password" }).click();
  await me.locator(".field-error").first().waitFor();
  await me.getByLabel("Current password").fill(SECOND);
  await me.getByLabel("New password", { exact: true }).fill(THIRD);
  await me.getByLabel("Confirm the new password").fill(THIRD);
  await me.getByRole("button", { name: "Change password" }).click();
  await me.getByText(/^Your password was changed/).waitFor();
  await me.getByRole("button", { name: "Sign out" }).click();
  await signIn(THIRD);
  await me.getByRole("heading", { name: "Profile" }).waitFor();
  await me.getByRole("button", { name: "Sign out" }).click();
});

test("failed sign-ins lock the account; even the right password is refused; the console says why", async () => {
  await page.getByRole("link", { name: "Login security" }).click();
  await page.getByLabel("Lock accounts after failed sign-ins").check();
  await page.getByLabel("Failed attempts in a row").fill("3");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Login security saved.").waitFor();
  for (let i = 0; i < 3; i++) {
    await signIn("wrong guess " + i);
    await me.getByText(/^The email or password is incorrect/).waitFor();
  }
  await signIn(THIRD);
  await me.getByText(/^The email or password is incorrect/).waitFor();
  await page.goto(server.baseUrl + "/console/users?q=" + encodeURIComponent(EMAIL));
  await page.getByRole("link", { name: EMAIL, exact: true }).click();
  await page.locator(".badge", { hasText: "Locked" }).first().waitFor();
  await page.getByText(/failed sign-in/i).first().waitFor();
});
