// Manage > Attributes: the profile schema, as an administrator defines it. By visible labels.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { createOwner, launchBrowser, shot, startServer, tempDataDir } from "./harness.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
let dataDir, server, chrome, page;

before(async () => {
  dataDir = tempDataDir();
  createOwner(dataDir, OWNER.email, OWNER.password);
  server = await startServer(dataDir);
  chrome = await launchBrowser();
  page = await chrome.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.setDefaultTimeout(15_000);
  await page.goto(server.baseUrl + "/console/login");
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();
});

after(async () => {
  await chrome?.close();
  server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test("an options attribute is defined with its grid, the rules refuse a bad grid, and it is deleted", async () => {
  await page.getByRole("link", { name: "Attributes" }).click();
  await page.getByRole("heading", { name: "Attributes" }).waitFor();
  assert.ok(await page.getByRole("link", { name: "Mobile number" }).isVisible(), "a default");
  await page.getByRole("link", { name: "New Attribute" }).click();
  await page.getByLabel("Name", { exact: true }).fill("loyalty_tier");
  await page.getByLabel("Display name").fill("Loyalty tier");
  await page.getByLabel("Data type").selectOption({ label: "Options" });
  await page.getByLabel("Choices").fill("gold|Gold\nsilver|Silver");
  await page.getByLabel("My Account: displayed").uncheck();
  await page.getByLabel("My Account: required").check();
  await page.getByRole("button", { name: "Create attribute" }).click();
  await page.getByText("My Account: a required attribute must be displayed.").waitFor();
  await shot(page, "attribute-error");
  await page.getByLabel("My Account: displayed").check();
  await page.getByRole("button", { name: "Create attribute" }).click();
  await page.getByText("Attribute loyalty_tier was created.").waitFor();
  await page.getByRole("link", { name: "Loyalty tier" }).click();
  await shot(page, "attribute");
  await page.getByLabel("I understand that this attribute and its values will be deleted.").check();
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("Attribute loyalty_tier was deleted").waitFor();
});
