#!/usr/bin/env bash
# Roster beside the Django-admin anchor (../shared/anchors/django-admin): the same number of
# customers, the same machine, back to back in one run, so host speed drift hits both alike.
#
# usage: bench/compare.sh [N]      (default 1000000)
# env:   ANCHOR=path to the anchor harness; DURATION, SERIAL as in run.sh; REPEAT for the anchor
# Loopback only; every load run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
ANCHOR="${ANCHOR:-$(cd .. && pwd)/shared/anchors/django-admin}"
[ -x "$ANCHOR/run_all.sh" ] || { echo "no anchor harness at $ANCHOR" >&2; exit 1; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

echo "== Django admin anchor, N=$N"
REPEAT="${REPEAT:-1}" SERIAL="${SERIAL:-5}" QUIET_WAIT="${QUIET_WAIT:-60}" \
  bash "$ANCHOR/run_all.sh" "$N" "compare-n$N" | tee "/tmp/roster-compare-anchor.txt"

echo "== Roster, N=$N"
bench/run.sh "$N" | tee "/tmp/roster-compare-roster.txt"
