#!/usr/bin/env python3
"""The OpenID Connect provider's figures, on a release build and a seeded database:

1. the token endpoint under wrk: code exchange (each request a fresh code, made beforehand
   through the authorization endpoint by a signed-in customer) and refresh (each request a
   fresh refresh token, collected from the exchanges) — requests/s, p50, p99;
2. the full sign-in round trip (authorize → My Account sign-in → code → tokens → userinfo),
   with a password sign-in and by single sign-on, median of 50;
3. the time from Lock user (the console's POST) to the application's refresh failing.

usage: bench/oidc.py [--customers 100000] [--codes 40000] [--duration 8] [--alg RS256|EdDSA]
Everything talks to 127.0.0.1 only; wrk runs are bounded by -d and timeout.
"""

import uuid
import argparse
import base64
import hashlib
import html
import http.client
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# cargo's target directory, as cargo finds it ($CARGO_TARGET_DIR, else ./target); or $BIN.
BIN = os.environ.get("BIN") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"), "release", "roster")
OWNER = ("owner@example.com", "bench password 2026")
PASSWORD = "customer-password"
REDIRECT = "http://127.0.0.1:9/cb"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")


class Browser:
    """A keep-alive HTTP/1.1 client with a cookie jar (enough for Roster's forms)."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.cookies = {}

    def request(self, method, path, form=None, headers=None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed an idle keep-alive connection: open a new one.
            self.conn.close()
            self.conn.request(method, path, body=body, headers=h)
            r = self.conn.getresponse()
        data = r.read().decode()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, value = v.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


def field(page, name):
    return html.unescape(re.search(r'name="%s" value="([^"]*)"' % name, page).group(1))


def sign_in(b, area, email, password, nxt=""):
    _, _, page = b.request("GET", f"/{area}/login")
    form = {"csrf_token": field(page, "csrf_token"), "email": email, "password": password}
    if nxt:
        form["next"] = nxt
    return b.request("POST", f"/{area}/login", form)


def authorize_path(client_id, state="s"):
    q = urllib.parse.urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
                                "scope": "openid email profile", "state": state, "nonce": "n",
                                "code_challenge": CHALLENGE, "code_challenge_method": "S256"})
    return "/myaccount/authorize?" + q


def code_of(location):
    return urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]


def token_request(t, client_id, secret, form):
    auth = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return t.request("POST", "/oidc/token", form, {"Authorization": "Basic " + auth})


WRK_LUA = r"""
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
local items, out, i = {}, nil, 0
function init(args)
  for line in io.lines(args[1]) do items[#items + 1] = line end
  if args[2] then out = io.open(args[2] .. "-" .. id, "w") end
end
function request()
  -- Each thread takes every THREADS-th item, so no item is used twice.
  local item = items[(i * THREADS + id) % #items + 1]
  i = i + 1
  return wrk.format("POST", "/oidc/token", {["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = AUTH}, string.format(BODY, item))
end
function response(status, headers, body)
  if out and status == 200 then
    local r = body:match('"refresh_token":"([^"]+)"')
    if r then out:write(r, "\n"); out:flush() end
  end
end
"""


def wrk(port, items_file, body, auth, duration, out_prefix, collect=None):
    threads = 2
    results = []
    # One wrk per thread slice would be simpler but less load; a single wrk with 2 threads and
    # 16 connections, each thread taking every other item so no item is used twice.
    script = os.path.join(out_prefix, "token.lua")
    with open(script, "w") as f:
        f.write(WRK_LUA.replace("THREADS", str(threads)).replace("AUTH", json.dumps(auth))
                .replace("BODY", json.dumps(body.replace("%", "%%").replace("%%s", "%s"))))
    args = ["wrk", "-t2", "-c16", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", script,
            f"http://127.0.0.1:{port}", "--", items_file]
    if collect:
        args.append(collect)
    run = subprocess.run(args, capture_output=True, text=True, timeout=duration + 60)
    if "Requests/sec" not in run.stdout:
        raise SystemExit(f"wrk failed: {run.stdout}{run.stderr}")
    results.append(run.stdout)
    return run.stdout


def parse_wrk(text):
    def ms(v):
        x, u = re.match(r"([\d.]+)(us|ms|s)", v).groups()
        x = float(x)
        return x / 1000 if u == "us" else x * 1000 if u == "s" else x
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    total = int(re.search(r"(\d+) requests in", text).group(1))
    return rps, p50, p99, int(bad.group(1)) if bad else 0, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100000)
    ap.add_argument("--codes", type=int, default=40000)
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--alg", default="RS256", choices=["RS256", "EdDSA"],
                    help="the application's ID token signature")
    ap.add_argument("--no-refresh", action="store_true",
                    help="measure the code exchange without collecting refresh tokens (wrk's response hook)")
    a = ap.parse_args()
    if not shutil.which("wrk"):
        subprocess.run("apt-get update -qq && apt-get install -y -qq wrk >/dev/null", shell=True, check=True)
    if not os.environ.get("BIN"):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    data = tempfile.mkdtemp(prefix="roster-oidc-")
    out = os.path.join(ROOT, "bench", "out", time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-oidc")
    os.makedirs(out, exist_ok=True)
    subprocess.run([BIN, "--data-dir", data, "seed", "--customers", str(a.customers)], check=True, capture_output=True)
    subprocess.run([BIN, "--data-dir", data, "create-owner", "--email", OWNER[0]],
                   input=(OWNER[1] + "\n").encode(), check=True, capture_output=True)
    db = sqlite3.connect(os.path.join(data, "roster.sqlite3"))
    # Two customers: one makes the codes; the other, with one sign-in like most customers, is
    # the one locked (Lock user revokes every token of the customer: the first holds thousands).
    (email, _), (other, other_id) = db.execute(
        "SELECT email, public_id FROM accounts WHERE kind='customer' AND status='active' "
        "LIMIT 2").fetchall()
    other_id = str(uuid.UUID(bytes=other_id))
    db.close()
    port = 18300
    server = subprocess.Popen([BIN, "--data-dir", data, "--bind", f"127.0.0.1:{port}"],
                              env={**os.environ, "ROSTER_LOG": "warn"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/console/login")
                break
            except OSError:
                time.sleep(0.05)
        a.data = data
        run(a, port, out, email, (other, other_id))
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


def run(a, port, out, email, locked):
    console = Browser(port)
    assert sign_in(console, "console", *OWNER)[0] == 303
    _, _, page = console.request("GET", "/console/applications/new")
    status, headers, _ = console.request("POST", "/console/applications/new", {
        "csrf_token": field(page, "csrf_token"), "name": "Bench shop", "client_type": "confidential",
        "redirect_uris": REDIRECT, "refresh_tokens": "on", "access_token_minutes": "5",
        "refresh_token_days": "30", "claims": ["email", "profile"], "id_token_alg": a.alg})
    # A redirect; the application's page shows the secret once.
    assert status == 303, status
    _, _, page = console.request("GET", headers["location"])
    client_id = html.unescape(re.search(r'id="client-id">([^<]+)<', page).group(1))
    secret = html.unescape(re.search(r'id="reveal-value"[^>]*>([^<]+)<', page).group(1))

    # Codes, made through the authorization endpoint by a signed-in customer (single sign-on).
    customer = Browser(port)
    status, _, _ = sign_in(customer, "myaccount", email, PASSWORD)
    assert status == 303, status
    started = time.time()
    codes_file = os.path.join(out, "codes.txt")
    with open(codes_file, "w") as f:
        for _ in range(a.codes):
            status, h, _ = customer.request("GET", authorize_path(client_id))
            f.write(code_of(h["location"]) + "\n")
    print(f"{a.codes} codes made in {time.time() - started:.1f} s", flush=True)
    # Making the codes wrote ~2 pages per code to the WAL: checkpoint it, so the measured run
    # starts from a small WAL as a server in steady state would.
    checkpoint = sqlite3.connect(os.path.join(a.data, "roster.sqlite3"))
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()

    auth = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    body = ("grant_type=authorization_code&code=%s&redirect_uri=" + urllib.parse.quote(REDIRECT, safe="")
            + "&code_verifier=" + VERIFIER)
    refresh_prefix = os.path.join(out, "refresh")
    text = wrk(port, codes_file, body, auth, a.duration, out, collect=None if a.no_refresh else refresh_prefix)
    open(os.path.join(out, "wrk-code.txt"), "w").write(text)
    code = parse_wrk(text)
    refresh_file = os.path.join(out, "refresh.txt")
    with open(refresh_file, "w") as f:
        for name in os.listdir(out):
            if name.startswith("refresh-"):
                f.write(open(os.path.join(out, name)).read())
    if a.no_refresh:
        refresh = (0, 0, 0, 0, 0)
    else:
        text = wrk(port, refresh_file, "grant_type=refresh_token&refresh_token=%s", auth, a.duration // 2, out)
        open(os.path.join(out, "wrk-refresh.txt"), "w").write(text)
        refresh = parse_wrk(text)

    # The full round trip, median of 50: with a password sign-in, and by single sign-on.
    def round_trip(fresh):
        b = Browser(port) if fresh else customer
        t0 = time.perf_counter()
        status, h, _ = b.request("GET", authorize_path(client_id))
        if fresh:
            nxt = urllib.parse.parse_qs(urllib.parse.urlparse(h["location"]).query)["next"][0]
            status, _, page = sign_in(b, "myaccount", email, PASSWORD, nxt)
            onward = html.unescape(re.search(r'href="(/myaccount/authorize[^"]+)"', page).group(1))
            status, h, _ = b.request("GET", onward)
        t = Browser(port)
        _, _, tokens = token_request(t, client_id, secret, {"grant_type": "authorization_code",
                                     "code": code_of(h["location"]), "redirect_uri": REDIRECT,
                                     "code_verifier": VERIFIER})
        access = json.loads(tokens)["access_token"]
        status, _, _ = t.request("GET", "/oidc/userinfo", headers={"Authorization": "Bearer " + access})
        assert status == 200, status
        return (time.perf_counter() - t0) * 1000
    with_password = statistics.median(round_trip(True) for _ in range(50))
    sso = statistics.median(round_trip(False) for _ in range(50))

    # Lock user → the application's next refresh fails.
    t = Browser(port)
    locked_email, customer_id = locked
    customer = Browser(port)
    assert sign_in(customer, "myaccount", locked_email, PASSWORD)[0] == 303
    status, h, _ = customer.request("GET", authorize_path(client_id))
    _, _, tokens = token_request(t, client_id, secret, {"grant_type": "authorization_code",
                                 "code": code_of(h["location"]), "redirect_uri": REDIRECT, "code_verifier": VERIFIER})
    r = json.loads(tokens)["refresh_token"]
    _, _, page = console.request("GET", f"/console/users/{customer_id}")
    t0 = time.perf_counter()
    status, _, _ = console.request("POST", f"/console/users/{customer_id}/lock",
                                   {"csrf_token": field(page, "csrf_token"), "confirm": "on"})
    assert status == 303, status
    status, _, _ = token_request(t, client_id, secret, {"grant_type": "refresh_token", "refresh_token": r})
    lock_ms = (time.perf_counter() - t0) * 1000
    assert status == 400, status

    table = [
        "| measure | req/s | p50 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|",
        f"| token: code exchange ({a.alg} ID token) | {code[0]:,.0f} | {code[1]:.2f} | {code[2]:.2f} | {code[3]} of {code[4]} |",
        f"| token: refresh (rotation, {a.alg} ID token) | {refresh[0]:,.0f} | {refresh[1]:.2f} | {refresh[2]:.2f} | {refresh[3]} of {refresh[4]} |",
        "",
        f"full round trip, median of 50: **{with_password:.1f} ms** with a password sign-in (Argon2 included), "
        f"**{sso:.1f} ms** by single sign-on",
        f"Lock user (the console's POST) to the application's refresh refused: **{lock_ms:.1f} ms**",
    ]
    text = "\n".join(table)
    open(os.path.join(out, "table.md"), "w").write(text + "\n")
    print(text)
    print("raw output in", out)


if __name__ == "__main__":
    sys.exit(main())
