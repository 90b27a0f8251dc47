// Manage > Applications in Chromium: an administrator registers a web application by visible
// labels, then a small test application on loopback (a real relying party: authorization code
// with PKCE, the token endpoint with the client secret, userinfo) signs a customer in through
// Roster's own sign-in page; a second visit is single sign-on.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import crypto from "node:crypto";
import { shot, signedInConsole, seed } from "./harness.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
const SEEDED_PASSWORD = "customer-password";
let session, server, chrome, page, rp, rpUrl;
let client = {};

const b64url = (buf) => buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/// The test application: /login starts a sign-in, /cb finishes it and greets the customer.
function startRelyingParty() {
  const pending = new Map();
  const srv = http.createServer(async (req, res) => {
    const url = new URL(req.url, rpUrl);
    if (url.pathname === "/login") {
      const verifier = b64url(crypto.randomBytes(32));
      const state = b64url(crypto.randomBytes(16));
      pending.set(state, verifier);
      const challenge = b64url(crypto.createHash("sha256").update(verifier).digest());
      const q = new URLSearchParams({
        response_type: "code", client_id: client.id, redirect_uri: rpUrl + "/cb",
        scope: "openid email profile", state, nonce: "n-" + state,
        code_challenge: challenge, code_challenge_method: "S256",
      });
      res.writeHead(302, { Location: client.authorize + "?" + q }).end();
      return;
    }
    if (url.pathname === "/cb") {
      const state = url.searchParams.get("state");
      const verifier = pending.get(state);
      if (!verifier || url.searchParams.get("iss") !== server.baseUrl) {
        res.writeHead(400).end("bad state or issuer");
        return;
      }
      const tokenRes = await fetch(client.token, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: "Basic " + Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString("base64"),
        },
        body: new URLSearchParams({ grant_type: "authorization_code", code: url.searchParams.get("code"), redirect_uri: rpUrl + "/cb", code_verifier: verifier }),
      });
      const tokens = await tokenRes.json();
      const info = await (await fetch(client.userinfo, { headers: { authorization: "Bearer " + tokens.access_token } })).json();
      res.writeHead(200, { "content-type": "text/html" }).end(`<h1>Hello ${info.email}</h1>`);
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((ok) => srv.listen(0, "127.0.0.1", () => ok(srv)));
}

before(async () => {
  session = await signedInConsole(OWNER, (dir) => seed(dir, 20));
  ({ server, chrome, page } = session);
  rp = await startRelyingParty();
  rpUrl = `http://127.0.0.1:${rp.address().port}`;
});

after(async () => {
  rp?.close();
  await session?.stop();
});

test("an administrator registers a web application and copies its secret", async () => {
  await page.getByRole("link", { name: "Applications" }).click();
  await page.getByRole("heading", { name: "Applications", exact: true }).waitFor();
  await page.getByRole("link", { name: "Register application" }).click();
  await page.getByRole("radio", { name: /Traditional web application/ }).check();
  await page.getByLabel("Name", { exact: true }).fill("Test shop");
  await page.getByLabel("Redirect URIs", { exact: true }).fill(rpUrl + "/cb");
  await page.getByRole("button", { name: "Register" }).click();
  await page.getByText("The application is registered.").waitFor();
  client.secret = (await page.locator("#reveal-value").innerText()).trim();
  client.id = (await page.locator("#client-id").innerText()).trim();
  assert.equal(client.secret.length, 43);
  const discovery = await (await fetch(server.baseUrl + "/.well-known/openid-configuration")).json();
  Object.assign(client, { authorize: discovery.authorization_endpoint, token: discovery.token_endpoint, userinfo: discovery.userinfo_endpoint });
  await shot(page, "application");
  await page.goto(page.url());
  assert.equal(await page.locator("#reveal-value").count(), 0, "the secret is shown once");
});

test("the test application signs a customer in through Roster, then again without asking", async () => {
  await page.goto(server.baseUrl + "/console/users?status=active");
  const email = (await page.locator("tbody tr td.email a").first().innerText()).trim();
  const context = await chrome.browser.newContext();
  const customer = await context.newPage();
  customer.setDefaultTimeout(15_000);
  await customer.goto(rpUrl + "/login");
  await customer.getByRole("heading", { name: "Sign in to My Account" }).waitFor();
  await customer.getByLabel("Email").fill(email);
  await customer.getByLabel("Password").fill(SEEDED_PASSWORD);
  await customer.getByRole("button", { name: "Sign in" }).click();
  await customer.getByRole("heading", { name: `Hello ${email}` }).waitFor();
  // Single sign-on: no sign-in page the second time.
  await customer.goto(rpUrl + "/login");
  await customer.getByRole("heading", { name: `Hello ${email}` }).waitFor();
  await context.close();
});

test("Settings > Signing keys: the keys made on registering, and Rotate keys keeps the previous ones published", async () => {
  await page.getByRole("link", { name: "Signing keys" }).click();
  await page.getByRole("heading", { name: "Signing keys" }).waitFor();
  const signing = page.locator("tbody tr", { hasText: "Signs ID tokens" });
  await signing.nth(1).waitFor();
  const before = (await signing.locator("code").allInnerTexts()).sort();
  await page.getByRole("button", { name: "Rotate keys" }).click();
  await page.getByText("New signing keys sign from now on.").waitFor();
  const after = (await signing.locator("code").allInnerTexts()).sort();
  assert.equal(after.length, 2);
  assert.ok(after.every((k) => !before.includes(k)), "new keys sign");
  const retired = await page.locator("tbody tr", { hasText: "Retired; published until" }).locator("code").allInnerTexts();
  assert.deepEqual(retired.sort(), before);
  const published = await (await fetch(server.baseUrl + "/oidc/jwks")).json();
  assert.deepEqual(published.keys.map((k) => k.kid).sort(), [...before, ...after].sort());
  await shot(page, "signing-keys");
});
