// Manage > Attributes: the profile schema, as an administrator defines it. By visible labels.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { shot, signedInConsole } from "./harness.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
let session, server, chrome, page;

before(async () => {
  session = await signedInConsole(OWNER, () => {});
  ({ server, chrome, page } = session);
});

after(async () => {
  await session?.stop();
});

test("an options attribute is defined with its grid, the rules refuse a bad grid, and it is deleted", async () => {
  await page.getByRole("link", { name: "Attributes" }).click();
  await page.getByRole("heading", { name: "Attributes" }).waitFor();
  assert.ok(await page.getByRole("link", { name: "Mobile number" }).isVisible(), "a default");
  await page.getByRole("link", { name: "New attribute" }).click();
  await page.getByLabel("Name", { exact: true }).fill("loyalty_tier");
  await page.getByLabel("Display name").fill("Loyalty tier");
  await page.getByLabel("Data type").selectOption({ label: "Options" });
  await page.getByLabel("Choices").fill("gold|Gold\nsilver|Silver");
  await page.getByLabel("My Account: displayed").uncheck();
  await page.getByLabel("My Account: required").check();
  await page.getByLabel("Console: required").check();
  await page.getByRole("button", { name: "Create attribute" }).click();
  await page.locator("#grid .field-error", { hasText: "My Account: a required attribute must be displayed." }).waitFor();
  await shot(page, "attribute-error");
  await page.getByLabel("My Account: displayed").check();
  await page.getByRole("button", { name: "Create attribute" }).click();
  await page.getByText("Attribute loyalty_tier was created.").waitFor();
  await page.getByRole("link", { name: "Loyalty tier" }).click();
  await shot(page, "attribute");

  // Required in the console: the New User wizard asks for it, the profile shows and edits it.
  await page.goto(server.baseUrl + "/console/users/new");
  await page.getByLabel("Email (Username)").fill("tier@example.com");
  await page.getByLabel("First Name").fill("Tia");
  await page.getByLabel("Last Name").fill("Tier");
  await page.getByLabel(/Invite offline/).check();
  await page.getByRole("button", { name: "Finish" }).click();
  await page.locator("#attr_loyalty_tier-error", { hasText: "Loyalty tier is required." }).waitFor();
  await page.getByLabel("Loyalty tier").selectOption({ label: "Gold" });
  await page.getByRole("button", { name: "Finish" }).click();
  await page.getByText("Customer tier@example.com was created").waitFor();
  assert.equal(await page.getByLabel("Loyalty tier").inputValue(), "gold");
  await page.getByLabel("Mobile number").fill("not a phone");
  await page.getByRole("button", { name: "Update" }).click();
  await page.locator("#attr_mobile_number-error", { hasText: "Enter a phone number" }).waitFor();
  await page.getByLabel("Mobile number").fill("+44 20 7946 0958");
  await page.getByLabel("Loyalty tier").selectOption({ label: "Silver" });
  await page.getByRole("button", { name: "Update" }).click();
  await page.getByText("Saved: Loyalty tier, Mobile number.").waitFor();
  await shot(page, "profile-attributes");

  await page.goto(server.baseUrl + "/console/attributes");
  await page.getByRole("link", { name: "Loyalty tier" }).click();
  await page.getByText("Delete attribute…").click();
  await page.getByLabel("I understand that this attribute and its values will be deleted.").check();
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("Attribute loyalty_tier was deleted").waitFor();
});
