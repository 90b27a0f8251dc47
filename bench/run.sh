#!/usr/bin/env bash
# Roster's console under load: seed N customers into a fresh data dir, sign in, then wrk on the
# first Users page, searches (three letters, "smi"; a middle part of an email; a part of a last
# name shared by ~0.15 % of customers; a domain; a full name; the domain among locked
# customers), a page 5,000 pages deep, one customer's page, and
# the Users page filtered by a large group (~30,000 members) and by a small one (100 members);
# and that customer's own My Account profile page, signed in as them. The customer's profile
# has 20 custom attributes, each with a value (all shown in My Account too). /static/app.css,
# the server's ceiling on this machine, is measured in the same run beside them.
#
# usage: bench/run.sh [N]          (default N=1000000)
# env:   DURATION=15 (s per wrk run)  SERIAL=5 (s of single-connection run; 0 = off)
#        PORT=18080  KEEP=1 (keep the data dir)  ONLY="list search_name ..." (pages to load)
#        BIN=path to a roster binary (default: build it into cargo's target directory)
#        SEEDED=a data dir already seeded with N customers by `roster seed` (used, and changed:
#        the bench adds a group, attributes and an owner; a 10M seed takes ~6 min to redo)
# Everything talks to 127.0.0.1 only; every load run is bounded by wrk -d and timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
DURATION="${DURATION:-15}"
SERIAL="${SERIAL:-5}"
PORT="${PORT:-18080}"
BASE="http://127.0.0.1:$PORT"
OUT="bench/out/$(date -u +%Y%m%dT%H%M%SZ)-n$N"
mkdir -p "$OUT"

. bench/lib.sh
need_wrk
BIN="$(release_bin)"
if [ -n "${SEEDED:-}" ]; then DATA="$SEEDED"; KEEP=1; else DATA="$(mktemp -d /tmp/roster-bench.XXXXXX)"; fi
cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$DATA"
}
trap cleanup EXIT

if [ -n "${SEEDED:-}" ]; then
  echo "== using $DATA, seeded before" | tee "$OUT/seed.txt"
else
  echo "== seeding $N customers into $DATA"
  start=$(date +%s.%N)
  "$BIN" --data-dir "$DATA" seed --customers "$N" --groups 50 2>/dev/null | tee "$OUT/seed.txt"
  end=$(date +%s.%N)
  python3 -c "print(f'seed wall time: {$end - $start:.1f} s')" | tee -a "$OUT/seed.txt"
fi
du -b "$DATA/roster.sqlite3" | awk '{printf "database file: %.1f MiB\n", $1/1048576}' | tee -a "$OUT/seed.txt"
# A data dir seeded before may have its owner from an earlier run (same email and password).
printf 'bench password 2026\n' | "$BIN" --data-dir "$DATA" create-owner --email owner@example.com >/dev/null \
  || [ -n "${SEEDED:-}" ]

echo "== starting the server"
ROSTER_LOG=warn "$BIN" --data-dir "$DATA" --bind "127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
t0=$(date +%s.%N)
for _ in $(seq 1 100); do curl -fs -o /dev/null "$BASE/console/login" && break; sleep 0.05; done
t1=$(date +%s.%N)
python3 -c "print(f'server answered after {($t1 - $t0)*1000:.0f} ms on the seeded database')" | tee "$OUT/startup.txt"

COOKIE=$(session_cookie console "$BASE" owner@example.com "bench password 2026" "$OUT/cookies.txt")

# The deep page and the customer page, computed in SQL from the database itself.
read -r DEEP CUSTOMER DENSE_GROUP CUSTOMER_EMAIL MIDDLE NAME SHARED SMALL_GROUP < <(python3 - "$DATA/roster.sqlite3" <<'PY'
import base64, sqlite3, sys, urllib.parse, uuid
db = sqlite3.connect(sys.argv[1])
public = lambda blob: str(uuid.UUID(bytes=blob))
# The cursor after 125,000 rows (5,000 pages of 25), in the list's own format: newest first is
# key order; a cursor names its row by creation time and public id.
created, rid = db.execute(
    "SELECT created_at, public_id FROM accounts WHERE kind = 'customer' "
    "ORDER BY id DESC LIMIT 1 OFFSET 124999").fetchone()
cursor = base64.urlsafe_b64encode(f"{created}\n{public(rid)}".encode()).decode().rstrip("=")
n = db.execute("SELECT COUNT(*) FROM accounts WHERE kind = 'customer'").fetchone()[0]
# The middle customer among the active ones (they can sign in to My Account).
key, middle, email, first, last = db.execute(
    "SELECT id, public_id, email, first_name, last_name FROM accounts WHERE kind = 'customer' "
    "AND status = 'active' ORDER BY id DESC LIMIT 1 OFFSET ?", (n // 4,)).fetchone()
middle = public(middle)
# Searches for that customer: a middle part of the email (its 3rd to 9th characters) and the
# full name, as typed into the search box.
words = lambda q: urllib.parse.quote_plus(q)
# A dense group (one of the seeded fifty, ~30,000 members) and a sparse one made here (100
# members, its public id printed for the URL), for the Group filter's two plans.
(dense,) = db.execute("SELECT public_id FROM groups ORDER BY member_count DESC LIMIT 1").fetchone()
dense = public(dense)
now = "(unixepoch() * 1000)"  # times are stored as milliseconds since 1970
small = uuid.uuid4()
# What an earlier run on the same data dir added goes first (SEEDED).
db.execute("PRAGMA foreign_keys = ON")  # their memberships and values go with them
db.execute("DELETE FROM groups WHERE name = 'bench-small'")
db.execute("DELETE FROM attributes WHERE name LIKE 'bench\\_%' ESCAPE '\\'")
cur = db.execute("INSERT INTO groups (public_id, name, name_key, created_at, updated_at, "
                 f"member_count) VALUES (?, 'bench-small', 'bench-small', {now}, {now}, 100)",
                 (small.bytes,))
db.execute("INSERT INTO group_members (group_id, account_id, added_at) "
           f"SELECT ?, id, {now} FROM accounts "
           "WHERE kind = 'customer' AND id % 9973 = 0 LIMIT 100", (cur.lastrowid,))
# Twenty custom attributes (the three defaults and seventeen more, all shown in the console),
# every one with a value for the benchmarked customer.
for i in range(17):
    db.execute("INSERT INTO attributes (public_id, name, display_name, data_type, display_order, "
               "console_displayed, myaccount_displayed, created_at, updated_at) "
               f"VALUES (?, ?, ?, 'text', ?, TRUE, TRUE, {now}, {now})",
               (uuid.uuid4().bytes, f"bench_{i:02}", f"Bench field {i}", 100 + i))
db.execute("INSERT OR REPLACE INTO attribute_values (attribute_id, account_id, value, value_key) "
           "SELECT id, ?, '+44 20 7946 0958', '+442079460958' FROM attributes", (key,))
db.commit()
# The hard middle-of-email search: a part of a last name shared by ~0.15 % of customers (more
# than the 1,000 matches a page collects, too few for a short walk): the last name nearest that
# share, without its first two letters (as "mpbell" of Campbell).
share = n * 0.0015
(shared,) = db.execute(
    "SELECT last_name_key FROM accounts WHERE kind = 'customer' AND length(last_name_key) >= 6 "
    "GROUP BY last_name_key ORDER BY abs(COUNT(*) - ?) LIMIT 1", (share,)).fetchone()
print(f"/console/users?after={cursor} /console/users/{middle} {dense} {email} "
      f"{words(email[2:9])} {words(first + ' ' + last)} {words(shared[2:])} {small}")
PY
)

MYACCOUNT=$(session_cookie myaccount "$BASE" "$CUSTOMER_EMAIL" customer-password "$OUT/customer-cookies.txt")

declare -A PAGES=(
  [static]="/static/app.css"
  [list]="/console/users"
  [search]="/console/users?q=smi"
  [search_middle]="/console/users?q=$MIDDLE"
  [search_shared]="/console/users?q=$SHARED"
  [search_domain]="/console/users?q=example.org"
  [search_name]="/console/users?q=$NAME"
  [search_locked]="/console/users?q=example.org&status=locked"
  [deep]="$DEEP"
  [customer]="$CUSTOMER"
  [group]="/console/users?group=$DENSE_GROUP"
  [group_small]="/console/users?group=$SMALL_GROUP"
  [myaccount]="/myaccount"
)
ORDER=(static list search search_middle search_shared search_domain search_name search_locked deep customer group group_small myaccount)
if [ -n "${ONLY:-}" ]; then read -r -a ORDER <<<"$ONLY"; fi
# Each page with the session of its area.
cookie_for() { if [ "$1" = myaccount ]; then echo "$MYACCOUNT"; else echo "$COOKIE"; fi; }

for name in "${ORDER[@]}"; do
  path="${PAGES[$name]}"
  curl -fs -H "Cookie: $(cookie_for "$name")" "$BASE$path" -o "$OUT/$name.html"
  rows=$(grep -c 'class="email"\|name="attr_' "$OUT/$name.html" || true)
  said=$(grep -o '<p class="results-meta">[^<]*' "$OUT/$name.html" | sed 's/.*>//' || true)
  echo "$name: $path → 200, $rows rows, $(wc -c <"$OUT/$name.html") bytes${said:+, \"$said\"}" | tee -a "$OUT/pages.txt"
done

# Warm-up, not recorded: the first seconds after seeding and start read cold pages.
for name in "${ORDER[@]}"; do
  timeout 30 wrk -t2 -c16 -d3s -H "Cookie: $(cookie_for "$name")" "$BASE${PAGES[$name]}" >/dev/null
done

printf '\n| page | req/s | p50 ms | p99 ms | serial p50 ms |\n|---|---:|---:|---:|---:|\n' >"$OUT/table.md"
for name in "${ORDER[@]}"; do
  url="$BASE${PAGES[$name]}"
  timeout $((DURATION + 30)) wrk -t2 -c16 -d"${DURATION}s" --timeout 10s --latency \
    -H "Cookie: $(cookie_for "$name")" "$url" >"$OUT/wrk-$name.txt"
  serial="-"
  if [ "$SERIAL" != 0 ]; then
    timeout $((SERIAL + 30)) wrk -t1 -c1 -d"${SERIAL}s" --latency -H "Cookie: $(cookie_for "$name")" "$url" >"$OUT/wrk-$name-serial.txt"
    serial=$(awk '$1 == "50%" {print $2}' "$OUT/wrk-$name-serial.txt")
  fi
  python3 - "$name" "$OUT/wrk-$name.txt" "$serial" >>"$OUT/table.md" <<'PY'
import re, sys
name, path, serial = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    if not m: return v
    x = float(m.group(1)); u = m.group(2)
    return f"{x/1000 if u == 'us' else x*1000 if u == 's' else x:.2f}"
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
note = f" ({errors.group(1)} non-2xx!)" if errors else ""
print(f"| {name} | {float(rps):,.0f}{note} | {ms(p50)} | {ms(p99)} | {ms(serial) if serial != '-' else '-'} |")
PY
done
grep -E 'VmHWM|VmRSS' "/proc/$SERVER_PID/status" | tee "$OUT/rss.txt"
cat "$OUT/table.md"
echo "raw output in $OUT"
