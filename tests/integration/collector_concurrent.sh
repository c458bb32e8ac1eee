#!/usr/bin/env bash
# The admin CLI reads and writes the database while the collector is busy
# writing it: every command succeeds (WAL, busy timeout), and the collector
# stores every tap.
. "$TL_SRC/tests/lib.sh"

broker_start
tl init > /dev/null
sqlite3 "$DB" "
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49)
INSERT INTO site (id, name, created_at) SELECT printf('site-%02d', i), 'Site', 0 FROM n;
INSERT INTO reader (site, id, created_at) SELECT s.id, 'reader-' || r.i, 0 FROM site s,
  (SELECT 0 AS i UNION SELECT 1 UNION SELECT 2 UNION SELECT 3) r;"
tl participant add --code P-0001 > /dev/null
collector_start
"$TL_BIN/bench/tl-loadgen" --port "$PORT" --taps 30000 --cards 500 > "$T/load" &
load=$!
fails=0 runs=0
while kill -0 "$load" 2>/dev/null; do
	for cmd in "export taps --format csv" "participant add" "unknown list" "reader list" \
		"attendance rebuild" "card enrol P-0001 --token $(printf '%032x' $((runs + 1)))"; do
		runs=$((runs + 1))
		# shellcheck disable=SC2086
		tl $cmd > /dev/null 2> "$T/err" || { fails=$((fails + 1)); cat "$T/err"; }
	done
done
wait "$load"
cat "$T/load"
ok "load generator saw every tap acked" grep -q "acked=30000 " "$T/load"
ok "CLI ran while the collector wrote ($runs commands)" [ "$runs" -ge 12 ]
is "$fails" 0 "no CLI command failed (no SQLITE_BUSY)"
is "$(sql 'SELECT count(*) FROM tap')" 30000 "every tap stored"
done_testing
