// My Account in Chromium, by visible labels: an administrator turns self-registration on in
// the console; a visitor on a phone-sized screen creates an account, follows the emailed
// verification link (a real SMTP listener), signs in, edits their profile; then forgets their
// password and sets a new one from the emailed link.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { axeCheck } from "./watch.mjs";
import { rmSync } from "node:fs";
import {
  createOwner, launchBrowser, linkIn, shot, smtpSink, startServer, tempDataDir,
} from "./harness.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
const EMAIL = "grace@example.com";
const PASSWORD = "compiler lullaby 1952";
const NEW_PASSWORD = "nanosecond wire 1906";
const PHONE = { width: 390, height: 844 };
let dataDir, sink, server, chrome, phone;

before(async () => {
  dataDir = tempDataDir();
  createOwner(dataDir, OWNER.email, OWNER.password);
  sink = await smtpSink();
  server = await startServer(dataDir, ["--smtp-url", sink.url]);
  chrome = await launchBrowser();
  const context = await chrome.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  phone = await context.newPage();
  phone.setDefaultTimeout(15_000);
});

after(async () => {
  server?.stop();
  sink?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  // Last: it fails the file when the browser saw problems (console errors, CSP, axe).
  await chrome?.close();
});

test("an administrator turns self-registration on in Settings", async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(server.baseUrl + "/console/settings/self-registration");
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Sign-in came back to the page that asked for it.
  await page.getByRole("heading", { name: "Self-registration" }).waitFor();
  await page.getByLabel("Allow self-registration").check();
  assert.equal(await page.getByLabel("Verify the email address").isChecked(), true, "on by default");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Settings saved.").waitFor();
  await shot(page, "settings-self-registration");
  await page.close();
});

test("a visitor on a phone creates an account and verifies it by the emailed link", async () => {
  await phone.goto(server.baseUrl + "/myaccount/login");
  await phone.getByRole("link", { name: "Create an account" }).click();
  await phone.getByRole("heading", { name: "Create an account" }).waitFor();
  await phone.getByLabel("Email").fill(EMAIL);
  await phone.getByLabel("First Name").fill("Grace");
  await phone.getByLabel("Last Name").fill("Hopper");
  await phone.getByLabel("Password", { exact: true }).fill("grace");
  // The live checklist (htmx) marks what the password still lacks.
  await phone.locator("#policy li.unmet", { hasText: "characters" }).waitFor();
  await phone.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await phone.locator("#policy li.met", { hasText: "characters" }).waitFor();
  await phone.getByLabel("Confirm the password").fill(PASSWORD);
  await shot(phone, "myaccount-register-phone");
  await phone.getByRole("button", { name: "Create account" }).click();
  await phone.getByRole("heading", { name: "Check your email" }).waitFor();
  assert.ok(await phone.getByText(EMAIL).isVisible());
  await axeCheck(phone, "Check your email");

  // Not verified yet: sign-in fails like any other failure.
  const text = await sink.waitFor(1);
  const link = linkIn(text, "/myaccount/verify/");
  await phone.goto(link);
  await phone.getByRole("button", { name: "Verify my email" }).click();
  await phone.getByText("Your email is verified. Sign in to continue.").waitFor();
  assert.equal(await phone.getByLabel("Email").inputValue(), EMAIL, "the email is filled in");
  await phone.getByLabel("Password").fill(PASSWORD);
  await phone.getByRole("button", { name: "Sign in" }).click();
  await phone.getByRole("heading", { name: "Profile" }).waitFor();
});

test("the customer edits their profile on the phone", async () => {
  await phone.getByLabel("First Name").fill("Amazing Grace");
  await phone.getByRole("button", { name: "Update" }).click();
  await phone.getByText("Saved: First Name.").waitFor();
  assert.equal(await phone.getByLabel("First Name").inputValue(), "Amazing Grace");
  // Nothing is wider than the screen.
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await shot(phone, "myaccount-profile-phone");
  await phone.getByRole("link", { name: "Security" }).click();
  await phone.getByRole("heading", { name: "Where you are signed in" }).waitFor();
  assert.ok(await phone.getByText("This device").isVisible());
  await shot(phone, "myaccount-security-phone");
});

test("forgot password: the emailed link sets a new password, then sign-in works with it", async () => {
  await phone.getByRole("button", { name: "Sign out" }).click();
  await phone.getByRole("link", { name: "Forgot password?" }).click();
  await phone.getByRole("heading", { name: "Forgot your password?" }).waitFor();
  await phone.getByLabel("Email").fill(EMAIL);
  await phone.getByRole("button", { name: "Send me a link" }).click();
  await phone.getByText("If an account exists for that address, we sent it a link").waitFor();
  const text = await sink.waitFor(2);
  const link = linkIn(text, "/myaccount/recover/");
  await phone.goto(link);
  await phone.getByRole("heading", { name: "Choose a new password" }).waitFor();
  await phone.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await phone.getByLabel("Confirm the new password").fill(NEW_PASSWORD);
  await phone.getByRole("button", { name: "Set new password" }).click();
  await phone.getByText("Your password is set. Sign in with it now.").waitFor();
  await phone.getByLabel("Password").fill(PASSWORD);
  await phone.getByRole("button", { name: "Sign in" }).click();
  await phone.getByText("The email or password is incorrect").waitFor();
  await phone.getByLabel("Password").fill(NEW_PASSWORD);
  await phone.getByRole("button", { name: "Sign in" }).click();
  await phone.getByRole("heading", { name: "Profile" }).waitFor();
  const changed = await sink.waitFor(3);
  assert.match(changed, /was just changed/);
});

test("the profile on a desktop screen, and Your data downloads a JSON file", async () => {
  await phone.setViewportSize({ width: 1280, height: 900 });
  await phone.goto(server.baseUrl + "/myaccount");
  await shot(phone, "myaccount-profile");
  await phone.getByRole("link", { name: "Your data" }).click();
  const [download] = await Promise.all([
    phone.waitForEvent("download"),
    phone.getByRole("link", { name: "Download my data" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^my-data-\d{4}-\d{2}-\d{2}\.json$/);
});
