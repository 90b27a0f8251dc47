#!/usr/bin/env python3
"""Email delivery figures, against the release binary and a real SMTP server on loopback.

1. latency: 100 customers invited by email through the New User wizard; for each, the time
   from sending Finish to the SMTP server accepting the message (p50, p90, max), and how long
   Finish itself took. Twice: paced (each invitation waits for the previous email to arrive, as
   an administrator working through a list) and burst (100 Finishes back to back: the queue).
2. crash, queued: the SMTP server is down while 100 invitations are created; the server is
   killed with SIGKILL, the SMTP server comes up, Roster restarts on the same data directory:
   how many emails arrive, how many are lost, how many twice.
3. crash, mid-send: the SMTP server answers slowly (80 ms per message); Roster is killed with
   SIGKILL while sending 100 queued invitations, then restarted: lost and duplicates.

usage: bench/mail.py [--bin target/release/roster] [--count 100]
Everything listens on 127.0.0.1 only; every wait is bounded.
"""
import argparse
import asyncio
import http.cookiejar
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

OWNER, OWNER_PASSWORD = "owner@example.com", "bench password 2026"


class Sink:
    """A minimal SMTP server in a thread: records (monotonic time, recipient) per message."""

    def __init__(self, port=0, delay=0.0):
        self.delay, self.accepted, self.port = delay, [], port
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait(5)

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _serve(self, reader, writer):
        rcpt = None
        writer.write(b"220 sink ESMTP\r\n")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-sink\r\n250 8BITMIME\r\n")
                elif verb == b"RCPT":
                    rcpt = line.decode().split("<", 1)[1].split(">", 1)[0]
                    writer.write(b"250 ok\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 go\r\n")
                    await writer.drain()
                    while (data := await reader.readline()) and data != b".\r\n":
                        pass
                    if self.delay:
                        await asyncio.sleep(self.delay)
                    self.accepted.append((time.monotonic(), rcpt))
                    writer.write(b"250 accepted\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        except ConnectionError:
            pass
        writer.close()

    def stop(self):
        def close():
            self.server.close()
            self.loop.stop()
        self.loop.call_soon_threadsafe(close)


class Roster:
    def __init__(self, binary, data, smtp_port, extra=()):
        self.binary, self.data, self.smtp_port, self.extra = binary, data, smtp_port, list(extra)
        self.proc, self.base = None, None

    def start(self):
        env = dict(os.environ, ROSTER_LOG="info", NO_COLOR="1")
        self.log = open(os.path.join(self.data, "server.log"), "a")
        self.proc = subprocess.Popen(
            [self.binary, "--data-dir", self.data, "--bind", "127.0.0.1:0",
             "--smtp-url", f"smtp://127.0.0.1:{self.smtp_port}", "--smtp-timeout", "5",
             *self.extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            self.log.write(line)
            m = re.search(r"open (http://127\.0\.0\.1:\d+)/console", line)
            if m:
                self.base = m.group(1)
                threading.Thread(target=self._drain, daemon=True).start()
                return
        raise SystemExit("roster did not start")

    def _drain(self):
        for line in self.proc.stderr:
            self.log.write(line)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Admin:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())
        page = self.get("/console/login")
        self.post("/console/login", [("csrf_token", self.csrf(page)), ("email", OWNER),
                                     ("password", OWNER_PASSWORD)], expect=303)

    def get(self, path):
        with self.opener.open(self.base + path, timeout=10) as r:
            return r.read().decode()

    def post(self, path, fields, expect=200):
        body = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=30) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if status != expect:
            raise SystemExit(f"POST {path}: {status}\n{text[:500]}")
        return text

    @staticmethod
    def csrf(page):
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def invite(self, email):
        """Opens the wizard, then times Finish; returns (t_sent, seconds Finish took)."""
        page = self.get("/console/users/new")
        key = re.search(r'name="submission" value="([^"]+)"', page).group(1)
        fields = [("csrf_token", self.csrf(page)), ("submission", key), ("action", "next"),
                  ("email", email), ("first_name", "Bench"), ("last_name", "Mark"),
                  ("method", "invite"), ("delivery", "email"), ("password", "")]
        t0 = time.monotonic()
        self.post("/console/users/new", fields)
        return t0, time.monotonic() - t0


def fresh_data(binary):
    data = tempfile.mkdtemp(prefix="roster-mail-bench.")
    subprocess.run([binary, "--data-dir", data, "create-owner", "--email", OWNER],
                   input=OWNER_PASSWORD + "\n", text=True, check=True, capture_output=True)
    return data


def outbox_states(data):
    db = sqlite3.connect(os.path.join(data, "roster.sqlite3"))
    try:
        return dict(db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    finally:
        db.close()


def wait_until(predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def latency(binary, count, paced):
    sink = Sink()
    data = fresh_data(binary)
    roster = Roster(binary, data, sink.port)
    roster.start()
    try:
        admin = Admin(roster.base)
        sent, finish = {}, []
        for i in range(count):
            email = f"latency{i}@example.com"
            t0, took = admin.invite(email)
            sent[email], _ = t0, finish.append(took)
            if paced:
                wait_until(lambda: len(sink.accepted) > i, 10)
        wait_until(lambda: len(sink.accepted) >= count, 60)
        lat = [(t - sent[r]) * 1000 for t, r in sink.accepted if r in sent]
        mode = "paced" if paced else "burst"
        print(f"latency ({mode}): {len(lat)}/{count} delivered; Finish → accepted by SMTP: "
              f"p50 {pct(lat, 50):.1f} ms, p90 {pct(lat, 90):.1f} ms, max {max(lat):.1f} ms; "
              f"Finish answered in p50 {pct([f * 1000 for f in finish], 50):.1f} ms")
    finally:
        roster.stop()
        sink.stop()
        shutil.rmtree(data, ignore_errors=True)


def crash(binary, count, mid_send):
    data = fresh_data(binary)
    port = free_port()
    sink = Sink(port, delay=0.08) if mid_send else None
    roster = Roster(binary, data, port)
    roster.start()
    try:
        admin = Admin(roster.base)
        if mid_send:
            sink.stop()  # queue everything first, then let it flow and kill it mid-way
            time.sleep(0.2)
        for i in range(count):
            admin.invite(f"crash{i}@example.com")
        if mid_send:
            sink = Sink(port, delay=0.08)
            # The worker retries after its backoff; wait until sending is under way.
            wait_until(lambda: len(sink.accepted) >= count // 4, 90)
        before = len(sink.accepted) if sink else 0
        roster.kill9()
        states = outbox_states(data)
        if not sink:
            sink = Sink(port)
        roster.start()
        wait_until(lambda: len(sink.accepted) >= count, 180)
        time.sleep(2)  # anything sent twice arrives by now
        recipients = [r for _, r in sink.accepted]
        unique = len(set(recipients))
        label = "mid-send" if mid_send else "queued"
        print(f"crash ({label}): {before} delivered before kill -9; outbox at the kill {states}; "
              f"after restart {len(recipients)} received, {unique} distinct: "
              f"lost {count - unique}, duplicates {len(recipients) - unique}; "
              f"final outbox {outbox_states(data)}")
    finally:
        roster.stop()
        if sink:
            sink.stop()
        shutil.rmtree(data, ignore_errors=True)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/roster")
    ap.add_argument("--count", type=int, default=100)
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, {binary}")
    latency(binary, args.count, paced=True)
    latency(binary, args.count, paced=False)
    crash(binary, args.count, mid_send=False)
    crash(binary, args.count, mid_send=True)


if __name__ == "__main__":
    sys.exit(main())
