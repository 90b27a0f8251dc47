// Manage > Groups as the seed guide's "Assign groups" describes it, by visible labels.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { shot, signedInConsole, seed } from "./harness.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
let session, server, chrome, page;

before(async () => {
  session = await signedInConsole(OWNER, (dir) => seed(dir, 60));
  ({ server, chrome, page } = session);
});

after(async () => {
  await session?.stop();
});

test("a group is created, gets a member by search, shows on the customer, and is deleted", async () => {
  await page.getByRole("link", { name: "Groups" }).click();
  await page.getByRole("heading", { name: "Groups", exact: true }).waitFor();
  await page.getByRole("link", { name: "New group" }).first().click();
  await page.getByLabel("Group name").fill("two words");
  await page.getByRole("button", { name: "Create group" }).click();
  await page.locator("#name-error", { hasText: "cannot contain spaces" }).waitFor();
  await page.getByLabel("Group name").fill("vip-customers");
  await page.getByRole("button", { name: "Create group" }).click();
  await page.getByRole("heading", { name: "vip-customers" }).waitFor();

  // The first customer of the Users list, found by the start of their email.
  const email = (await (async () => {
    const p = await chrome.browser.newPage();
    await p.context().addCookies(await page.context().cookies());
    await p.goto(server.baseUrl + "/console/users");
    const e = (await p.locator("tbody tr td.email").first().innerText()).trim();
    await p.close();
    return e;
  })());
  await page.getByLabel("Search customers to add").fill(email.slice(0, 6));
  const candidate = page.locator("#candidates li", { hasText: email });
  await candidate.getByRole("button", { name: "Add" }).click();
  await page.getByText("The customer was added to the group.").waitFor();
  assert.ok(await page.locator("tbody tr", { hasText: email }).isVisible());
  await page.getByText("1 member ·").waitFor();
  await shot(page, "group");

  await page.getByRole("link", { name: email }).click();
  await page.getByRole("heading", { name: "Profile" }).waitFor();
  await page.getByLabel("First Name").fill("Renamed");
  await page.getByRole("button", { name: "Update" }).click();
  await page.getByText("Saved: First Name.").waitFor();
  await page.locator("nav.tabs").getByRole("link", { name: /^Groups/ }).click();
  await page.locator(".group-chip", { hasText: "vip-customers" }).waitFor();
  await page.getByRole("button", { name: "Remove from vip-customers" }).click();
  await page.getByText("Removed from the group.").waitFor();
  await page.getByLabel("Add to group").selectOption({ label: "vip-customers" });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByText("Added to the group.").waitFor();

  await page.goto(server.baseUrl + "/console/groups");
  await page.getByRole("link", { name: "vip-customers" }).first().click();
  await page.getByText("Delete group…").click();
  await page.getByLabel("I understand that this group and its memberships will be deleted.").check();
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("Group vip-customers was deleted").waitFor();
  await shot(page, "groups");
});
