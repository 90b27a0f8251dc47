#!/usr/bin/env bash
# The one performance report: Roster at N customers (20 custom attributes, 50 groups) and, in
# the same run on the same machine, Django's admin for auth.User on the same volume
# (../shared/anchors/django-admin). Runs the bench scripts one after another — the anchor, the
# console and My Account pages (run.sh), the audit log (audit.sh), the provider (oidc.py), the
# sign-in flood (flood.sh) — then writes bench/RESULTS.md from their raw output, with each
# target (≥ 100× Django's requests/s on comparable pages, p99 ≤ 25 ms, RSS ≤ 100 MB) met or
# missed and by how much. Earlier hand-written results are in bench/HISTORY.md.
#
# usage: bench/report.sh [N]       (default 1000000)
# env:   DURATION=15 (s per load run)  EVENTS=N (audit events)  CODES=40000 (OIDC codes)
#        ANCHOR=path to the anchor harness  SKIP_DJANGO=1 (only to try the script quickly)
#        BIN=path to a roster binary (default: build it; a copy lets the tree change meanwhile)
# Loopback only; every load run is bounded (wrk -d inside timeout).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
DURATION="${DURATION:-15}"
EVENTS="${EVENTS:-$N}"
CODES="${CODES:-40000}"
ANCHOR="${ANCHOR:-$(cd .. && pwd)/shared/anchors/django-admin}"
OUT="bench/out/$(date -u +%Y%m%dT%H%M%SZ)-report-n$N"
mkdir -p "$OUT"
. bench/lib.sh
need_wrk
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi

# The raw output directory a bench script names on its last line.
raw_dir() { sed -n 's/^raw output in //p' "$1" | tail -n1; }

if [ -z "${SKIP_DJANGO:-}" ]; then
  echo "== Django admin (anchor), N=$N"
  [ -x "$ANCHOR/run_all.sh" ] || { echo "no anchor harness at $ANCHOR" >&2; exit 1; }
  REPEAT=1 SERIAL=0 QUIET_WAIT=60 DURATION="$DURATION" \
    bash "$ANCHOR/run_all.sh" "$N" "report-n$N" >"$OUT/django.txt" 2>&1
  ls -td /tmp/django_anchor_results/report-n"$N"-*/ | head -n1 >"$OUT/django.dir"
fi

echo "== Roster: console and My Account pages"
SERIAL=0 DURATION="$DURATION" bench/run.sh "$N" >"$OUT/pages.txt" 2>&1
raw_dir "$OUT/pages.txt" >"$OUT/pages.dir"

echo "== Roster: the audit log ($EVENTS events)"
DURATION="$DURATION" bench/audit.sh "$N" "$EVENTS" >"$OUT/audit.txt" 2>&1
raw_dir "$OUT/audit.txt" >"$OUT/audit.dir"

echo "== Roster: the OpenID Connect token endpoint"
python3 bench/oidc.py --customers "$N" --codes "$CODES" --duration "$DURATION" >"$OUT/oidc.txt" 2>&1
raw_dir "$OUT/oidc.txt" >"$OUT/oidc.dir"

echo "== Roster: the Users list during a 50-client wrong-password storm (sign-in's cost)"
DURATION="$DURATION" CLIENTS=50 bench/flood.sh "$N" >"$OUT/flood.txt" 2>&1
raw_dir "$OUT/flood.txt" >"$OUT/flood.dir"

python3 bench/report.py "$OUT" "$N" >"${REPORT:-bench/RESULTS.md}"
echo "${REPORT:-bench/RESULTS.md} written; raw output in $OUT"
