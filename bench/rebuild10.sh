#!/bin/bash
# The rebuild at ten times national scale: tl-gen-national with 100 000
# participants and 500 sites over a year (about 20M taps), loaded by the
# sqlite3 shell, then 'touchline attendance rebuild' timed with its peak
# resident memory. Prints one markdown table on standard output.
#
#   bench/rebuild10.sh BUILD-DIR [--smoke]
#
# --smoke runs it on a small programme in seconds and judges nothing
# (part of make test). It needs about 6 GB of free disk at full size.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
SMOKE=
[ "${2:-}" = --smoke ] && SMOKE=1
SRC=$(cd "$(dirname "$0")/.." && pwd)
TL="$BUILD/collector/touchline"
. "$SRC/bench/lib.sh"
bench_workdir rebuild10
say() { echo "rebuild10: $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
if [ -n "$SMOKE" ]; then
	GEN=(--participants 500 --sites 10 --weeks 8)
else
	GEN=(--participants 100000 --sites 500 --weeks 52)
fi

say "generating ${GEN[*]}"
t0=$(now)
gen=$("$BUILD/bench/tl-gen-national" --db "$W/db" --taps-out "$W/taps.csv" --seed 2026 "${GEN[@]}")
t_gen=$(since "$t0")
field() { tr ' ' '\n' <<< "$gen" | sed -n "s/^$1=//p"; }
AS_OF=$(date -u -d "@$(field as_of)" +%Y-%m-%dT%H:%M:%SZ)
say "loading $(field taps) taps with the sqlite3 shell"
t0=$(now)
sqlite_load "$W/db" "$W/taps.csv"
t_load=$(since "$t0")
rm -f "$W/taps.csv"
say "attendance rebuild as of $AS_OF"
t0=$(now)
/usr/bin/time -f %M -o "$W/rss" "$TL" --db "$W/db" attendance rebuild --as-of "$AS_OF" >&2
t_rb=$(since "$t0")
rss_mb=$(awk '{ printf "%.0f", $1 / 1024 }' "$W/rss")
rows=$(sqlite3 "$W/db" 'SELECT count(*) FROM attendance')
[ "$rows" -gt 0 ] || { echo "rebuild10: no attendance rows" >&2; exit 1; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "met" : "MISSED" }'; }
cat <<EOT
| 10 × national: $(field participants) participants, $(field sites) sites, $(field sessions) sessions, $(field taps) taps | value | target | |
|---|---|---|---|
| generate; load with the sqlite3 shell | $t_gen s; $t_load s | | |
| attendance rebuild, $rows rows | $t_rb s | < 60 s | $(verdict "$t_rb" 60) |
| its peak resident memory | $rss_mb MB | < 1024 MB | $(verdict "$rss_mb" 1024) |
EOT
if [ -n "$SMOKE" ]; then
	echo "rebuild10 smoke: $rows attendance rows"
	echo "1 passed, 0 failed"
fi
