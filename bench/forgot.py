#!/usr/bin/env python3
"""Forgot password: does the answer's timing tell whether an address has an account?

Against the release binary with a real SMTP server on loopback: N requests for addresses of
active customers (each a different customer, so each one really queues a link and an email)
and N for addresses nobody has, interleaved, one at a time on one keep-alive connection. Prints
each side's median, p10/p90 and the difference of medians, and checks every answer is the same
303. Requests carry a distinct X-Forwarded-For (Roster trusts 127.0.0.1 here) so the per-address
mail throttle does not cut the run short.

usage: bench/forgot.py [--bin target/release/roster] [--count 200]
"""
import argparse
import http.client
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mail import Roster, Sink  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/roster")
    ap.add_argument("--count", type=int, default=200)
    args = ap.parse_args()
    n = args.count
    data = tempfile.mkdtemp(prefix="roster-forgot-")
    sink = Sink()
    subprocess.run([args.bin, "--data-dir", data, "seed", "--customers", str(max(4 * n, 1000))],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    db = sqlite3.connect(os.path.join(data, "roster.sqlite3"))
    known = [r[0] for r in db.execute(
        "SELECT email FROM accounts WHERE kind = 'customer' AND status = 'active' LIMIT ?", (n,))]
    db.close()
    assert len(known) == n, f"only {len(known)} active customers"
    unknown = [f"nobody-{i}@nowhere.example" for i in range(n)]
    roster = Roster(args.bin, data, sink.port, ["--trusted-proxy", "127.0.0.1/32"])
    roster.start()
    try:
        host, port = urllib.parse.urlsplit(roster.base).netloc.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/myaccount/forgot-password")
        res = conn.getresponse()
        page = res.read().decode()
        cookie = res.getheader("Set-Cookie").split(";", 1)[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

        def ask(email, i):
            body = urllib.parse.urlencode({"csrf_token": token, "email": email})
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                       "X-Forwarded-For": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"}
            t0 = time.perf_counter()
            conn.request("POST", "/myaccount/forgot-password", body, headers)
            res = conn.getresponse()
            answer = (res.status, res.getheader("Location"), res.read())
            return time.perf_counter() - t0, answer

        for i in range(20):  # warm-up, not recorded
            ask(f"warm-{i}@nowhere.example", 100_000 + i)
        times = {"known": [], "unknown": []}
        answers = set()
        for i in range(n):
            for side, email in (("known", known[i]), ("unknown", unknown[i])):
                dt, answer = ask(email, 2 * i + (side == "unknown"))
                times[side].append(dt * 1000)
                answers.add(answer)
        deadline = time.time() + 60
        while len(sink.accepted) < n and time.time() < deadline:
            time.sleep(0.1)
    finally:
        roster.stop()
        sink.stop()
        shutil.rmtree(data, ignore_errors=True)

    def q(xs, p):
        return statistics.quantiles(xs, n=100)[p - 1]

    print(f"{n} requests each, interleaved, one connection, loopback")
    print("| address | median ms | p10 ms | p90 ms |\n|---|---:|---:|---:|")
    for side in ("known", "unknown"):
        xs = times[side]
        print(f"| {side} | {statistics.median(xs):.3f} | {q(xs, 10):.3f} | {q(xs, 90):.3f} |")
    diff = statistics.median(times["known"]) - statistics.median(times["unknown"])
    spread = q(times["unknown"], 90) - q(times["unknown"], 10)
    print(f"difference of medians: {diff:+.3f} ms (the unknown side's own p10–p90 spread: {spread:.3f} ms)")
    print(f"distinct answers: {len(answers)} ({sorted({a[:2] for a in answers})})")
    print(f"emails accepted by the SMTP server: {len(sink.accepted)} of {n} known")
    if len(answers) != 1:
        sys.exit("the answers differ")


if __name__ == "__main__":
    main()
