// Every page at 1280 px and at 390 px (a phone), in the light and the dark scheme: nothing is
// wider than the screen or than the card it sits in, and axe-core finds no serious or critical
// problem (contrast included) in either scheme. Pages of the console, My Account and sign-in,
// with 5,000 customers in 12 groups (`roster seed`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { shot, signedInConsole, seedWithGroups } from "./harness.mjs";
import { axeCheck } from "./watch.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
const SEEDED_PASSWORD = "customer-password";
const SIZES = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
];
const SCHEMES = ["light", "dark"];
let session, server, chrome, page;

before(async () => {
  session = await signedInConsole(OWNER, (dir) => seedWithGroups(dir, 5000, 12));
  ({ server, chrome, page } = session);
});

after(async () => {
  await session?.stop();
});

/// What is wider than the viewport, or sticks out of its card (a table may scroll inside its
/// own wrapper at desktop widths; nothing else may). Empty when all fits.
function overflows() {
  const vw = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const found = [];
  if (document.documentElement.scrollWidth > vw + 1) {
    found.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${vw} px viewport`);
  }
  // Inside a box that scrolls sideways on purpose (a wide table's wrapper), an element may
  // reach past the box: the box itself must fit.
  const scrolls = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (/auto|scroll/.test(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !el.closest("dialog:not([open]), [hidden]") && !scrolls(el);
  };
  for (const el of document.querySelectorAll("body *")) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1) found.push(`${name(el)} ends at ${Math.round(r.right)} px`);
  }
  for (const card of document.querySelectorAll(".card, .stat, .empty")) {
    if (!visible(card)) continue;
    const edge = card.getBoundingClientRect().right;
    for (const el of card.querySelectorAll("*")) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.right > edge + 1) found.push(`${name(el)} sticks out of ${name(card)} by ${Math.round(r.right - edge)} px`);
    }
  }
  return [...new Set(found)].slice(0, 8);
}

/// The console pages to look at: every menu entry, a customer's tabs, a group, an attribute,
/// the forms.
async function consolePages() {
  await page.goto(server.baseUrl + "/console/users");
  const customer = await page.locator("tbody tr td.email a").first().getAttribute("href");
  await page.goto(server.baseUrl + "/console/groups");
  const group = await page.locator("tbody tr td a").first().getAttribute("href");
  await page.goto(server.baseUrl + "/console/attributes");
  const attribute = await page.locator("tbody tr:not(.built-in) td a").first().getAttribute("href");
  const links = await page.locator("nav.sidebar a.nav-link").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  return [
    ...links,
    "/console/users?q=example.com",
    "/console/users?q=zz-nobody-zz",
    customer, customer + "/groups", customer + "/sessions", customer + "/history",
    customer + "/reset", customer + "/lock", customer + "/delete",
    "/console/users/new", group, "/console/groups/new", attribute, "/console/attributes/new",
    "/console/applications/new", "/console/settings/administrators/invite", "/console/profile",
    "/console/no-such-page",
  ];
}

test("console pages fit at 1280 and 390 px, light and dark, and pass axe in both schemes", async () => {
  const paths = await consolePages();
  assert.ok(paths.length >= 25, `${paths.length} pages`);
  for (const scheme of SCHEMES) {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.emulateMedia({ colorScheme: scheme });
      for (const path of paths) {
        await page.goto(server.baseUrl + path);
        await page.waitForLoadState("load");
        const problems = await page.evaluate(overflows);
        assert.deepEqual(problems, [], `${path} at ${size.width} px, ${scheme}`);
        await axeCheck(page, `${size.name} ${scheme}`);
      }
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: "light" });
});

test("on a phone the navigation folds into a Menu that opens and leads on", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(server.baseUrl + "/console/users");
  const nav = page.getByRole("navigation", { name: "Main" });
  const groups = nav.getByRole("link", { name: "Groups" });
  assert.equal(await groups.isVisible(), false, "folded at first");
  await nav.getByText("Menu").click();
  await groups.click();
  await page.getByRole("heading", { name: "Groups", exact: true }).waitFor();
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("\"/\" puts the cursor in the search box", async () => {
  await page.goto(server.baseUrl + "/console/users");
  await page.locator("body").click({ position: { x: 600, y: 5 } });
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "q");
  await page.keyboard.type("exam");
  assert.equal(await page.getByLabel("Search", { exact: true }).inputValue(), "exam", "the slash is not typed");
});

test("My Account and the sign-in pages fit on a phone and a desktop, light and dark", async () => {
  await page.goto(server.baseUrl + "/console/users?status=active");
  const email = (await page.locator("tbody tr td.email a").first().innerText()).trim();
  for (const scheme of SCHEMES) {
    for (const size of SIZES) {
      const context = await chrome.browser.newContext({ viewport: size, colorScheme: scheme });
      const me = await context.newPage();
      me.setDefaultTimeout(15_000);
      for (const path of ["/console/login", "/myaccount/login", "/myaccount/forgot-password", "/myaccount/no-such-page"]) {
        await me.goto(server.baseUrl + path);
        assert.deepEqual(await me.evaluate(overflows), [], `${path} at ${size.width} px, ${scheme}`);
        await axeCheck(me, `${size.name} ${scheme}`);
      }
      await me.goto(server.baseUrl + "/myaccount/login");
      await me.getByLabel("Email").fill(email);
      await me.getByLabel("Password", { exact: true }).fill(SEEDED_PASSWORD);
      await me.getByRole("button", { name: "Sign in" }).click();
      await me.getByRole("heading", { name: "Profile" }).waitFor();
      for (const path of ["/myaccount", "/myaccount/security", "/myaccount/data"]) {
        await me.goto(server.baseUrl + path);
        assert.deepEqual(await me.evaluate(overflows), [], `${path} at ${size.width} px, ${scheme}`);
        await axeCheck(me, `${size.name} ${scheme}`);
        if (path === "/myaccount" && size.name === "phone") await shot(me, `myaccount-profile-phone${scheme === "dark" ? "-dark" : ""}`);
      }
      await context.close();
    }
  }
});

test("screenshots for the README (with ROSTER_SCREENSHOTS)", { skip: !process.env.ROSTER_SCREENSHOTS }, async () => {
  const views = [
    ["overview", "/console/overview"], ["users", "/console/users"], ["audit-log", "/console/settings/audit-log"],
    ["wizard-details", "/console/users/new"], ["settings-links", "/console/settings/links"],
  ];
  for (const scheme of SCHEMES) {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, path] of views) {
        await page.goto(server.baseUrl + path);
        const suffix = (size.name === "phone" ? "-phone" : "") + (scheme === "dark" ? "-dark" : "");
        await shot(page, name + suffix, { fullPage: size.name === "desktop" });
      }
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: "light" });
});
