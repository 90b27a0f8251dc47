#!/usr/bin/env python3
"""A relying party from PyPI — Authlib — against a freshly started Roster: a confidential
client (client_secret_basic) with PKCE runs the code flow, validates the ID token against the
JWKS (issuer, audience, nonce, expiry, and at_hash for the access token), reads userinfo,
refreshes, and sees the refresh fail once the customer is locked in the console.

The customer's part is plain HTTP (requests): the authorization URL, My Account's sign-in form,
and the redirect back. Usage: ROSTER_BIN=target/debug/roster python3 tests/rp/authlib_rp.py
"""

import html
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings

import requests
with warnings.catch_warnings():  # authlib.jose announces its successor on import
    warnings.simplefilter("ignore")
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

BIN = os.environ.get("ROSTER_BIN", "target/debug/roster")
OWNER = ("olive@example.com", "owner passphrase 2026")
CUSTOMER_PASSWORD = "customer-password"  # every seeded customer's
REDIRECT = "http://127.0.0.1:9/cb"


def field(page, name):
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), page)
    assert m, "no %s field" % name
    return html.unescape(m.group(1))


def element(page, element_id):
    m = re.search(r'id="%s"[^>]*>([^<]*)<' % re.escape(element_id), page)
    assert m, "no #%s" % element_id
    return html.unescape(m.group(1)).strip()


def main():
    data = tempfile.mkdtemp(prefix="roster-authlib-")
    subprocess.run([BIN, "--data-dir", data, "seed", "--customers", "5"], check=True, capture_output=True)
    subprocess.run([BIN, "--data-dir", data, "create-owner", "--email", OWNER[0]],
                   input=(OWNER[1] + "\n").encode(), check=True, capture_output=True)
    port = 18000 + os.getpid() % 1000
    base = "http://127.0.0.1:%d" % port
    server = subprocess.Popen([BIN, "--data-dir", data, "--bind", "127.0.0.1:%d" % port],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                requests.get(base + "/console/login", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        run(base)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("authlib relying party: ok")


def run(base):
    # The administrator registers the application in the console.
    console = requests.Session()
    page = console.get(base + "/console/login").text
    r = console.post(base + "/console/login", data={"csrf_token": field(page, "csrf_token"),
                     "email": OWNER[0], "password": OWNER[1]}, allow_redirects=False)
    assert r.status_code == 303, r.status_code
    page = console.get(base + "/console/applications/new").text
    r = console.post(base + "/console/applications/new", data={
        "csrf_token": field(page, "csrf_token"), "name": "Authlib shop",
        "client_type": "confidential", "redirect_uris": REDIRECT, "refresh_tokens": "on",
        "access_token_minutes": "5", "refresh_token_days": "30",
        "claims": ["email", "profile"]}, allow_redirects=False)
    # The form answers with a redirect; the application's page shows the secret once.
    assert r.status_code == 303, (r.status_code, r.text[:500])
    page = console.get(base + r.headers["location"]).text
    client_id, secret = element(page, "client-id"), element(page, "reveal-value")
    users = console.get(base + "/console/users?status=active").text
    customer_page = re.search(r'href="(/console/users/[0-9a-f-]{36})"', users).group(1)
    email = re.search(r'<td class="email"><a href="%s">([^<]+)</a>' % customer_page, users).group(1)

    meta = requests.get(base + "/.well-known/openid-configuration").json()
    assert meta["issuer"] == base
    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"]).json())

    rp = OAuth2Session(client_id, secret, scope="openid email profile", redirect_uri=REDIRECT,
                       code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
    verifier = "v" * 20 + os.urandom(24).hex()
    nonce = os.urandom(12).hex()
    url, state = rp.create_authorization_url(meta["authorization_endpoint"], nonce=nonce,
                                             code_verifier=verifier)

    # The customer signs in (plain HTTP, as a browser would).
    browser = requests.Session()
    r = browser.get(url, allow_redirects=False)
    assert r.status_code == 303 and "/myaccount/login" in r.headers["location"], r.status_code
    login = browser.get(base + r.headers["location"]).text
    r = browser.post(base + "/myaccount/login", data={"csrf_token": field(login, "csrf_token"),
                     "email": email, "password": CUSTOMER_PASSWORD, "next": field(login, "next")},
                     allow_redirects=False)
    assert r.status_code == 200, r.status_code  # the page that moves on by itself
    onward = html.unescape(re.search(r'href="(/myaccount/authorize[^"]+)"', r.text).group(1))
    r = browser.get(base + onward, allow_redirects=False)
    callback = r.headers["location"]
    assert callback.startswith(REDIRECT), callback
    assert urllib.parse.parse_qs(urllib.parse.urlparse(callback).query)["iss"] == [base]

    token = rp.fetch_token(meta["token_endpoint"], authorization_response=callback,
                           code_verifier=verifier)
    claims = jwt.decode(token["id_token"], jwks, claims_cls=CodeIDToken,
                        claims_options={"iss": {"essential": True, "value": base}},
                        claims_params={"nonce": nonce, "client_id": client_id,
                                       "access_token": token["access_token"]})
    claims.validate()  # iss, aud, exp, iat, nonce and at_hash
    assert claims["email"] == email and claims.get("at_hash"), claims

    info = rp.get(meta["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"] and info["email"] == email, info
    refreshed = rp.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]

    # Lock user in the console: the next refresh fails at once.
    page = console.get(base + customer_page).text
    r = console.post(base + customer_page + "/lock", data={"csrf_token": field(page, "csrf_token"),
                     "confirm": "on"}, allow_redirects=False)
    assert r.status_code == 303, r.status_code
    r = requests.post(meta["token_endpoint"], auth=(client_id, secret),
                      data={"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text
    r = requests.get(meta["userinfo_endpoint"],
                     headers={"Authorization": "Bearer " + refreshed["access_token"]})
    assert r.status_code == 401, r.status_code


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("authlib relying party FAILED:", e, file=sys.stderr)
        raise
