// A real relying party from the registry — npm `openid-client` (strict discovery, issuer, alg,
// nonce, state, PKCE and RFC 9207 `iss` checks) — signs a customer in through Roster: code +
// PKCE (public client) and client_secret_basic (web application), userinfo, refresh, revocation
// and the end-session URL. Then an administrator locks the customer in the console and the
// application's next refresh and userinfo fail; after unlock a fresh sign-in works.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import * as oidc from "openid-client";
import { signedInConsole, seed } from "./harness.mjs";

const OWNER = { email: "olive@example.com", password: "owner passphrase 2026" };
const SEEDED_PASSWORD = "customer-password";
let session, server, chrome, page, callback, callbackUrl, email;
const insecure = { execute: [oidc.allowInsecureRequests] };
const invalidGrant = (e) => e.error === "invalid_grant";

/// A single-page application's callback page: in the browser, from its own origin, it reads
/// the discovery document and exchanges the code at Roster's token endpoint, then asks userinfo
/// who signed in (cross-origin fetches: they work only if Roster answers with CORS).
function spaPage(clientId, verifier) {
  return `<!doctype html><title>SPA</title><h1 id="who">Signing in…</h1><script type="module">
    const roster = ${JSON.stringify(server.baseUrl)};
    const say = (text) => { document.getElementById("who").textContent = text; };
    try {
      const meta = await (await fetch(roster + "/.well-known/openid-configuration")).json();
      const keys = await (await fetch(meta.jwks_uri)).json();
      const code = new URLSearchParams(location.search).get("code");
      const res = await fetch(meta.token_endpoint, { method: "POST", body: new URLSearchParams({
        grant_type: "authorization_code", code, client_id: ${JSON.stringify(clientId)},
        redirect_uri: location.origin + "/spa-cb", code_verifier: ${JSON.stringify(verifier)} }) });
      const tokens = await res.json();
      const info = await (await fetch(meta.userinfo_endpoint, {
        headers: { authorization: "Bearer " + tokens.access_token } })).json();
      say("Signed in as " + info.email + " (" + keys.keys.length + " keys)");
    } catch (e) { say("Failed: " + e); }
  </script>`;
}

/// Where the browser lands after Roster: the last callback URL is kept for the grant.
function startCallback() {
  const seen = [];
  const spa = {};
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url, callbackUrl);
    if (url.pathname === "/spa-cb") {
      return res.writeHead(200, { "content-type": "text/html" }).end(spaPage(spa.clientId, spa.verifier));
    }
    if (url.pathname === "/cb" || url.pathname === "/bye") seen.push(url);
    res.writeHead(200, { "content-type": "text/html" }).end("<h1>Back in the application</h1>");
  });
  srv.spa = spa;
  return new Promise((ok) => srv.listen(0, "127.0.0.1", () => ok({ srv, seen })));
}

async function register(kind, name, redirect = callbackUrl + "/cb") {
  await page.goto(server.baseUrl + "/console/applications/new");
  await page.getByRole("radio", { name: kind }).check();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Redirect URIs", { exact: true }).fill(redirect);
  await page.getByLabel(/Post-logout redirect URIs/).fill(callbackUrl + "/bye");
  await page.getByRole("button", { name: "Register" }).click();
  await page.getByText("The application is registered.").waitFor();
  const id = (await page.locator("#client-id").innerText()).trim();
  const secret = (await page.locator("#reveal-value").count()) ? (await page.locator("#reveal-value").innerText()).trim() : undefined;
  return { id, secret };
}

/// The customer's browser goes through the authorization URL; returns the callback URL.
async function signIn(customer, url, { expectForm = true } = {}) {
  const before = callback.seen.length;
  await customer.goto(url.href);
  if (expectForm) {
    await customer.getByLabel("Email").fill(email);
    await customer.getByLabel("Password").fill(SEEDED_PASSWORD);
    await customer.getByRole("button", { name: "Sign in" }).click();
  }
  await customer.getByRole("heading", { name: "Back in the application" }).waitFor();
  assert.equal(callback.seen.length, before + 1);
  return callback.seen.at(-1);
}

async function authorizationUrl(config, extra = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const params = {
    ...extra,
    redirect_uri: callbackUrl + "/cb",
    scope: "openid email profile",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
  };
  return { url: oidc.buildAuthorizationUrl(config, params), verifier, state: params.state, nonce: params.nonce };
}

before(async () => {
  session = await signedInConsole(OWNER, (dir) => seed(dir, 20));
  ({ server, chrome, page } = session);
  callback = await startCallback();
  callbackUrl = `http://127.0.0.1:${callback.srv.address().port}`;
  await page.goto(server.baseUrl + "/console/users?status=active");
  email = (await page.locator("tbody tr td.email a").first().innerText()).trim();
});

after(async () => {
  callback?.srv.close();
  await session?.stop();
});

test("openid-client: a public client with PKCE signs in, reads userinfo, refreshes, revokes, asks again (prompt=login), logs out", async () => {
  const app = await register(/Single-page or native application/, "SPA");
  const config = await oidc.discovery(new URL(server.baseUrl), app.id, undefined, oidc.None(), insecure);
  assert.equal(config.serverMetadata().issuer, server.baseUrl);
  const context = await chrome.browser.newContext();
  const customer = await context.newPage();
  customer.setDefaultTimeout(15_000);
  const a = await authorizationUrl(config);
  const back = await signIn(customer, a.url);
  const tokens = await oidc.authorizationCodeGrant(config, back, {
    pkceCodeVerifier: a.verifier, expectedState: a.state, expectedNonce: a.nonce, idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.equal(claims.email, email);
  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.email, email);
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token, "rotated");
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), invalidGrant, "reuse is refused");
  await assert.rejects(oidc.fetchUserInfo(config, refreshed.access_token, claims.sub), "the family was revoked");

  // Signed in again by single sign-on; the token is revoked; logout goes back with state.
  const b = await authorizationUrl(config);
  const again = await signIn(customer, b.url, { expectForm: false });
  const second = await oidc.authorizationCodeGrant(config, again, { pkceCodeVerifier: b.verifier, expectedState: b.state, expectedNonce: b.nonce });
  await oidc.tokenRevocation(config, second.refresh_token);
  await assert.rejects(oidc.refreshTokenGrant(config, second.refresh_token));
  // prompt=login: signed in or not, the customer types the password again, once.
  const c = await authorizationUrl(config, { prompt: "login" });
  const fresh = await signIn(customer, c.url, { expectForm: true });
  const third = await oidc.authorizationCodeGrant(config, fresh, { pkceCodeVerifier: c.verifier, expectedState: c.state, expectedNonce: c.nonce });
  assert.ok(third.claims().auth_time >= claims.auth_time);
  const end = oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: callbackUrl + "/bye", id_token_hint: second.id_token, state: "bye-1" });
  await customer.goto(end.href);
  await customer.getByRole("button", { name: "Sign out" }).click();
  await customer.getByRole("heading", { name: "Back in the application" }).waitFor();
  assert.equal(callback.seen.at(-1).searchParams.get("state"), "bye-1");
  await context.close();
});

test("a single-page application exchanges the code and reads userinfo from its own origin in the browser", async () => {
  const app = await register(/Single-page or native application/, "Browser app", callbackUrl + "/spa-cb");
  const config = await oidc.discovery(new URL(server.baseUrl), app.id, undefined, oidc.None(), insecure);
  const verifier = oidc.randomPKCECodeVerifier();
  Object.assign(callback.srv.spa, { clientId: app.id, verifier });
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl + "/spa-cb", scope: "openid email", state: oidc.randomState(),
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256",
  });
  const context = await chrome.browser.newContext();
  const customer = await context.newPage();
  customer.setDefaultTimeout(15_000);
  const failures = [];
  customer.on("console", (m) => m.type() === "error" && failures.push(m.text()));
  await customer.goto(url.href);
  await customer.getByLabel("Email").fill(email);
  await customer.getByLabel("Password").fill(SEEDED_PASSWORD);
  await customer.getByRole("button", { name: "Sign in" }).click();
  await customer.getByRole("heading", { name: /^(Signed in as|Failed)/ }).waitFor();
  assert.equal(await customer.locator("#who").innerText(), `Signed in as ${email} (2 keys)`);
  assert.deepEqual(failures, []);
  await context.close();
});

test("openid-client: a web application with its secret loses access the moment the customer is locked", async () => {
  const app = await register(/Traditional web application/, "Shop");
  const config = await oidc.discovery(new URL(server.baseUrl), app.id, undefined, oidc.ClientSecretBasic(app.secret), insecure);
  const context = await chrome.browser.newContext();
  const customer = await context.newPage();
  customer.setDefaultTimeout(15_000);
  const a = await authorizationUrl(config);
  const tokens = await oidc.authorizationCodeGrant(config, await signIn(customer, a.url), {
    pkceCodeVerifier: a.verifier, expectedState: a.state, expectedNonce: a.nonce,
  });
  const sub = tokens.claims().sub;

  // Lock user, as the guide says: the checkbox, then Confirm.
  await page.goto(server.baseUrl + "/console/users?q=" + encodeURIComponent(email));
  await page.getByRole("link", { name: email }).click();
  await page.getByRole("link", { name: /Lock user/ }).click();
  const dialog = page.getByRole("dialog", { name: "Lock user" });
  await dialog.getByLabel("I want to lock this account.").check();
  const locked = Date.now();
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("The user was locked.").waitFor();
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), invalidGrant);
  const refused = Date.now();
  await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, sub));
  console.log(`from Confirm to the application's refresh failing: ${refused - locked} ms (including the console's round trip)`);

  // Unlock: a fresh sign-in works again.
  await page.getByRole("link", { name: /Lock user/ }).click();
  const unlock = page.getByRole("dialog", { name: "Unlock user" });
  await unlock.getByLabel("I want to unlock this account.").check();
  await unlock.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("The user was unlocked").waitFor();
  const b = await authorizationUrl(config);
  const fresh = await oidc.authorizationCodeGrant(config, await signIn(customer, b.url), {
    pkceCodeVerifier: b.verifier, expectedState: b.state, expectedNonce: b.nonce,
  });
  assert.equal((await oidc.fetchUserInfo(config, fresh.access_token, sub)).email, email);
  await context.close();
});
