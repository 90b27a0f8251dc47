#!/usr/bin/env bash
# A sign-in flood against the console: the Users list's latency idle, then while CLIENTS
# concurrent clients post wrong passwords to the My Account sign-in page. The flood comes
# "through a proxy" on 127.0.0.1 (the server runs with --trusted-proxy 127.0.0.1) with a new
# X-Forwarded-For address on every request: a distributed guess that the per-address throttle
# cannot stop, so every attempt costs an Argon2 verification (production cost, m=19 MiB t=2).
# Reported: the list's p50/p99 idle and under the flood, and the verifications per second.
#
# usage: bench/flood.sh [N]        (default N=100000 customers)
# env:   DURATION=20 (s per measured run)  CLIENTS=50  LIST_CONN=2  PORT=18081  KEEP=1
#        BIN=path to a roster binary (default: build it; see release_bin in bench/lib.sh)
# Loopback only; every load run is bounded by wrk -d and timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
DURATION="${DURATION:-20}"
CLIENTS="${CLIENTS:-50}"
LIST_CONN="${LIST_CONN:-2}"
PORT="${PORT:-18081}"
BASE="http://127.0.0.1:$PORT"
OUT="bench/out/$(date -u +%Y%m%dT%H%M%SZ)-flood-n$N"
mkdir -p "$OUT"

. bench/lib.sh
need_wrk
BIN="$(release_bin)"
DATA="$(mktemp -d /tmp/roster-flood.XXXXXX)"
cleanup() {
  [ -n "${FLOOD_PID:-}" ] && kill "$FLOOD_PID" 2>/dev/null || true
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$DATA"
}
trap cleanup EXIT

echo "== seeding $N customers"
"$BIN" --data-dir "$DATA" seed --customers "$N" --groups 20 2>/dev/null | tee "$OUT/seed.txt"
printf 'bench password 2026\n' | "$BIN" --data-dir "$DATA" create-owner --email owner@example.com >/dev/null

ROSTER_LOG=warn "$BIN" --data-dir "$DATA" --bind "127.0.0.1:$PORT" --trusted-proxy 127.0.0.1 \
  >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null "$BASE/console/login" && break; sleep 0.05; done

# The owner's console session, for the list.
CONSOLE=$(session_cookie console "$BASE" owner@example.com "bench password 2026" "$OUT/cookies.txt")

# The flood's stateless CSRF pair (a cookie value and its token), as a browser would get them.
FJAR="$OUT/flood-cookies.txt"
ftoken=$(curl -fs -c "$FJAR" "$BASE/myaccount/login" | csrf_field)
fcookie=$(awk '$6 == "roster_csrf" {print $7}' "$FJAR")

# 500 real customers' emails (their failures are counted in the database, as an attack's are).
python3 - "$DATA/roster.sqlite3" "$ftoken" "$fcookie" >"$OUT/flood.lua" <<'PY'
import sqlite3, sys, urllib.parse
db = sqlite3.connect(sys.argv[1])
emails = [urllib.parse.quote(e) for (e,) in db.execute(
    "SELECT email FROM accounts WHERE kind = 'customer' ORDER BY random() LIMIT 500")]
token, cookie = sys.argv[2], sys.argv[3]
print("local emails = {" + ",".join(f'"{e}"' for e in emails) + "}")
print(f'local token, cookie = "{token}", "{cookie}"')
print('''
local n = 0
request = function()
  n = n + 1
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local body = "csrf_token=" .. token .. "&email=" .. emails[math.random(#emails)] ..
    "&password=wrong+guess+" .. n
  return wrk.format("POST", "/myaccount/login", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "roster_csrf=" .. cookie,
    ["X-Forwarded-For"] = ip,
  }, body)
end
''')
PY

list() { # $1: output file
  timeout $((DURATION + 30)) wrk -t1 -c"$LIST_CONN" -d"${DURATION}s" --timeout 10s --latency \
    -H "Cookie: $CONSOLE" "$BASE/console/users" >"$1"
}

echo "== warm-up"
timeout 30 wrk -t1 -c"$LIST_CONN" -d3s -H "Cookie: $CONSOLE" "$BASE/console/users" >/dev/null
echo "== the Users list, idle"
list "$OUT/list-idle.txt"
echo "== the Users list while $CLIENTS clients flood sign-in"
timeout $((DURATION + 40)) wrk -t1 -c"$CLIENTS" -d"$((DURATION + 6))s" --timeout 30s --latency \
  -s "$OUT/flood.lua" "$BASE/myaccount/login" >"$OUT/flood.txt" &
FLOOD_PID=$!
sleep 3
list "$OUT/list-flood.txt"
wait "$FLOOD_PID"; FLOOD_PID=

python3 - "$OUT" "$CLIENTS" "$LIST_CONN" <<'PY' | tee "$OUT/table.md"
import re, sys
out, clients, conns = sys.argv[1], sys.argv[2], sys.argv[3]
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v); x = float(m.group(1)); u = m.group(2)
    return x / 1000 if u == "us" else x * 1000 if u == "s" else x
def read(name):
    t = open(f"{out}/{name}").read()
    get = lambda p: ms(re.search(rf"^\s+{p}%\s+(\S+)", t, re.M).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    total = int(re.search(r"(\d+) requests in", t).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    return rps, get("50"), get("99"), total, int(bad.group(1)) if bad else 0
idle, flood, attack = read("list-idle.txt"), read("list-flood.txt"), read("flood.txt")
print(f"| Users list ({conns} connections) | req/s | p50 ms | p99 ms |")
print("|---|---:|---:|---:|")
print(f"| idle | {idle[0]:,.0f} | {idle[1]:.2f} | {idle[2]:.2f} |")
print(f"| during the flood | {flood[0]:,.0f} | {flood[1]:.2f} | {flood[2]:.2f} |")
print(f"\np99 under the flood / idle: {flood[2] / idle[2]:.2f}x (target: at most 2x)")
print(f"flood: {clients} clients, {attack[0]:.1f} failed sign-ins/s = Argon2 verifications/s; "
      f"{attack[3]} attempts, {attack[4]} answered 422 (the generic failure), p50 {attack[1]:.0f} ms, "
      f"p99 {attack[2]:.0f} ms")
PY
grep -E 'VmHWM' "/proc/$SERVER_PID/status" | tee "$OUT/rss.txt"
echo "raw output in $OUT"
