// Settings > Administrators in Chromium, by visible labels: the owner invites a Viewer by email
// (a real SMTP listener), the Viewer follows the emailed link, sets a password and lands signed
// in — then walks every console page and finds no working change button anywhere.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { consoleServer, linkIn, seedWithGroups, shot } from "./harness.mjs";
import { axeCheck } from "./watch.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
const VIEWER = { email: "vera@example.com", password: "quiet observer 1969" };
let sink, server, chrome, page, viewer, stop;

before(async () => {
  ({ sink, server, chrome, page, stop } =
    await consoleServer(OWNER, (dir) => seedWithGroups(dir, 30, 3), { smtp: true }));
});

// Last: `stop` fails the file when the browser saw problems (console errors, CSP, axe).
after(async () => stop?.());

test("the owner invites a Viewer by email from Settings > Administrators", async () => {
  await page.goto(server.baseUrl + "/console/login");
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Administrators" }).click();
  await page.getByRole("heading", { name: "Administrators" }).waitFor();
  await page.getByRole("link", { name: "Invite administrator" }).click();
  await page.getByLabel("Email", { exact: true }).fill(VIEWER.email);
  await page.getByLabel("First Name").fill("Vera");
  await page.getByLabel("Last Name").fill("Watson");
  await page.getByRole("radio", { name: /Viewer/ }).check();
  await page.getByLabel("Send the link by email").check();
  await shot(page, "administrator-invite");
  await page.getByRole("button", { name: "Invite" }).click();
  await page.getByText(`An invitation is on its way to ${VIEWER.email}.`).waitFor();
  await page.getByText("Invitation pending").waitFor();
  await shot(page, "administrator-pending");
  await page.getByRole("link", { name: "← Administrators" }).click();
  const row = page.getByRole("row", { name: /vera@example.com/ });
  assert.match(await row.innerText(), /Viewer\s+Pending password/);
  await shot(page, "administrators");
});

test("the Viewer follows the emailed link, sets a password and lands signed in", async () => {
  const text = await sink.waitFor(1);
  const link = linkIn(text, "/console/invitation/");
  const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
  viewer = await context.newPage();
  viewer.setDefaultTimeout(15_000);
  await viewer.goto(link);
  await viewer.getByRole("heading", { name: "Join the console" }).waitFor();
  await viewer.getByLabel("New password", { exact: true }).fill("vera");
  await viewer.locator("#policy li.unmet", { hasText: "characters" }).waitFor();
  await viewer.getByLabel("New password", { exact: true }).fill(VIEWER.password);
  // The live checklist follows the typing.
  await viewer.locator("#policy li.met", { hasText: "characters" }).waitFor();
  await viewer.getByLabel("Confirm the new password").fill(VIEWER.password);
  await shot(viewer, "administrator-join");
  await viewer.getByRole("button", { name: "Set password and sign in" }).click();
  await viewer.getByRole("heading", { name: "Users" }).waitFor();
  await viewer.getByText("Welcome! Your password is set and you are signed in.").waitFor();
  await walkAsViewer(viewer);
});

test("the owner removes the Viewer, whose open console is signed out at once", async () => {
  await page.goto(server.baseUrl + "/console/settings/administrators");
  await page.getByRole("link", { name: "Vera Watson" }).click();
  await page.getByRole("heading", { name: "Vera Watson" }).waitFor();
  await shot(page, "administrator");
  await page.getByRole("link", { name: "Remove administrator…" }).click();
  const dialog = page.getByRole("dialog", { name: "Remove administrator" });
  await dialog.waitFor();
  await axeCheck(page, "Remove administrator dialog open");
  await dialog.getByLabel("I understand that this administrator will be removed.").check();
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("Vera Watson (vera@example.com) was removed and signed out.").waitFor();
  await viewer.reload();
  await viewer.getByRole("heading", { name: "Sign in to the console" }).waitFor();
});

/// Pages a viewer may not open: a link to one is a change button in disguise.
const MANAGER_PAGES = [/\/users\/new$/, /\/(lock|unlock|delete|reset|remove|transfer)$/, /\/(attributes|groups|applications)\/new$/, /\/administrators\/invite$/];

/// Visible, enabled buttons of forms that post anywhere but the viewer's own profile and
/// sign-out, and visible links to pages only managers may open.
async function changeControls(p) {
  return p.evaluate((managerPages) => {
    const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) && !el.closest("dialog:not([open])");
    const found = [];
    for (const b of document.querySelectorAll("form button, form input[type=submit]")) {
      const f = b.form;
      if (!f || f.method !== "post" || b.disabled || !visible(b)) continue;
      const action = new URL(f.action, location.href).pathname;
      if (action.startsWith("/console/profile") || action === "/console/logout") continue;
      found.push(`${b.innerText || b.value} → ${action}`);
    }
    for (const a of document.querySelectorAll("a[href]")) {
      const path = new URL(a.href, location.href).pathname;
      if (visible(a) && managerPages.some((r) => new RegExp(r).test(path))) found.push(`link ${a.innerText} → ${path}`);
    }
    return found;
  }, MANAGER_PAGES.map((r) => r.source));
}

async function walkAsViewer(viewer) {
  const base = server.baseUrl;
  const pages = ["/console/users", "/console/groups", "/console/attributes", "/console/applications"];
  for (const s of ["general", "password-policy", "self-registration", "links", "login-security", "signing-keys", "administrators", "audit-log", "outbox"]) {
    pages.push(`/console/settings/${s}`);
  }
  // A customer with every tab, a group, an attribute, the owner's and one's own entry.
  await viewer.goto(base + "/console/users");
  const customer = await viewer.locator("tbody tr td.email a").first().getAttribute("href");
  pages.push(customer, `${customer}/groups`, `${customer}/sessions`, `${customer}/history`);
  await viewer.goto(base + "/console/groups");
  pages.push(await viewer.locator("tbody a").first().getAttribute("href"));
  await viewer.goto(base + "/console/attributes");
  pages.push(await viewer.locator("a[href^='/console/attributes/']").first().getAttribute("href"));
  await viewer.goto(base + "/console/settings/administrators");
  for (const a of await viewer.locator("tbody a").all()) pages.push(await a.getAttribute("href"));
  let looked = 0;
  for (const path of pages) {
    const res = await viewer.goto(base + path);
    assert.equal(res.status(), 200, path);
    assert.deepEqual(await changeControls(viewer), [], `${path} shows a viewer a change`);
    looked += 1;
  }
  assert.ok(looked >= 18, `${looked} pages looked at`);
  await viewer.goto(base + customer);
  await shot(viewer, "viewer-customer");
  // The check can fail: the owner, on the same customer, has change buttons.
  await page.goto(base + customer);
  assert.ok((await changeControls(page)).length > 0, "the owner sees their buttons");
}
