#!/usr/bin/env bash
# The audit log at scale: N customers and E audit events (spread over a year, 20 actions, 5
# administrators and anonymous visitors, subjects among the customers), then wrk on the log's
# first page, a page filtered by action, one filtered by subject, and a page 1,000 pages deep;
# then the full CSV export, timed, with the server's peak RSS before and after.
#
# usage: bench/audit.sh [N] [E]    (defaults 1000000 1000000)
# env:   DURATION=10 (s per wrk run)  PORT=18090  KEEP=1
# Everything talks to 127.0.0.1 only; every load run is bounded by wrk -d and timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
E="${2:-1000000}"
DURATION="${DURATION:-10}"
PORT="${PORT:-18090}"
BASE="http://127.0.0.1:$PORT"
OUT="bench/out/$(date -u +%Y%m%dT%H%M%SZ)-audit-n$N-e$E"
mkdir -p "$OUT"

. bench/lib.sh
need_wrk
BIN="$(release_bin)"
DATA="$(mktemp -d /tmp/roster-audit.XXXXXX)"
cleanup() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$DATA"
}
trap cleanup EXIT

echo "== seeding $N customers and $E audit events"
start=$(date +%s.%N)
"$BIN" --data-dir "$DATA" seed --customers "$N" --groups 50 --events "$E" 2>/dev/null | tee "$OUT/seed.txt"
end=$(date +%s.%N)
python3 -c "print(f'seed wall time: {$end - $start:.1f} s')" | tee -a "$OUT/seed.txt"
printf 'bench password 2026\n' | "$BIN" --data-dir "$DATA" create-owner --email owner@example.com >/dev/null
# The cursor after 49,950 events (page 1,000 of 50), in the log's own format, and a subject
# of the seed's events, about ~E/1,000 of them (read through the log's view, which holds the
# words).
read -r DEEP SUBJECT < <(python3 - "$DATA/roster.sqlite3" <<'PY'
import base64, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
at, eid = db.execute("SELECT occurred_at, id FROM audit_log ORDER BY id DESC "
                     "LIMIT 1 OFFSET 49949").fetchone()
subject = db.execute("SELECT subject_label FROM audit_log WHERE subject_label IS NOT NULL "
                     "ORDER BY id LIMIT 1").fetchone()[0]
cursor = base64.urlsafe_b64encode(f"{at}\n{eid}".encode()).decode().rstrip("=")
print(f"/console/settings/audit-log?before={cursor} {subject}")
PY
)
du -b "$DATA/roster.sqlite3" | awk '{printf "database file: %.1f MiB\n", $1/1048576}' | tee -a "$OUT/seed.txt"

ROSTER_LOG=warn "$BIN" --data-dir "$DATA" --bind "127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null "$BASE/console/login" && break; sleep 0.05; done
COOKIE=$(session_cookie console "$BASE" owner@example.com "bench password 2026" "$OUT/cookies.txt")

# One day half a year ago: a From/Until filter on top of an action's.
DAY=$(date -u -d '-182 days' +%Y-%m-%d)
SUBJECT_Q=$(python3 -c "import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))" "$SUBJECT")
declare -A PAGES=(
  [first]="/console/settings/audit-log"
  [by_action]="/console/settings/audit-log?action=customer.updated"
  [by_subject]="/console/settings/audit-log?subject=$SUBJECT_Q"
  [deep_1000]="$DEEP"
  [by_day]="/console/settings/audit-log?action=signin.failed&from=$DAY&to=$DAY"
)
ORDER=(first by_action by_subject deep_1000 by_day)
for name in "${ORDER[@]}"; do
  curl -fs -H "Cookie: $COOKIE" "$BASE${PAGES[$name]}" -o "$OUT/$name.html"
  echo "$name: $(grep -c '<time datetime' "$OUT/$name.html") events, $(wc -c <"$OUT/$name.html") bytes" | tee -a "$OUT/pages.txt"
  timeout 30 wrk -t2 -c16 -d3s -H "Cookie: $COOKIE" "$BASE${PAGES[$name]}" >/dev/null
done

printf '\n| page | req/s | p50 ms | p99 ms |\n|---|---:|---:|---:|\n' >"$OUT/table.md"
for name in "${ORDER[@]}"; do
  timeout $((DURATION + 30)) wrk -t2 -c16 -d"${DURATION}s" --timeout 10s --latency \
    -H "Cookie: $COOKIE" "$BASE${PAGES[$name]}" >"$OUT/wrk-$name.txt"
  python3 - "$name" "$OUT/wrk-$name.txt" >>"$OUT/table.md" <<'PY'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
def ms(v):
    x, u = re.match(r"([\d.]+)(us|ms|s)", v).groups(); x = float(x)
    return f"{x/1000 if u == 'us' else x*1000 if u == 's' else x:.2f}"
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"| {name} | {rps:,.0f}{' (' + bad.group(1) + ' non-2xx!)' if bad else ''} | {ms(p50)} | {ms(p99)} |")
PY
done
grep VmHWM "/proc/$SERVER_PID/status" | tee "$OUT/rss-before-export.txt"
echo "== full CSV export"
start=$(date +%s.%N)
curl -fs -H "Cookie: $COOKIE" "$BASE/console/settings/audit-log/export.csv" -o "$OUT/export.csv"
end=$(date +%s.%N)
python3 -c "print(f'export: {$end - $start:.1f} s')" | tee "$OUT/export.txt"
echo "rows: $(($(wc -l <"$OUT/export.csv") - 1)), $(du -b "$OUT/export.csv" | awk '{printf "%.0f MiB", $1/1048576}')" | tee -a "$OUT/export.txt"
grep -E 'VmHWM|VmRSS' "/proc/$SERVER_PID/status" | tee "$OUT/rss-after-export.txt"
rm -f "$OUT/export.csv"
cat "$OUT/table.md"
echo "raw output in $OUT"
