#!/usr/bin/env bash
# The long-running daemon checked for leaks: 100 000 taps through the
# ASan+UBSan build of the collector, then SIGTERM; LeakSanitizer reports
# any leak at exit and turns the exit status non-zero. Skipped (77) when
# the collector was not built with the sanitizers.
. "$TL_SRC/tests/lib.sh"

ldd "$COLLECTOR" | grep libasan > /dev/null || { echo "skipped: not a sanitizer build"; exit 77; }
broker_start
tl init > /dev/null
sqlite3 "$DB" "
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
INSERT INTO participant (id, code, created_at) SELECT i + 1, printf('P-%04d', i + 1), 0 FROM n;
INSERT INTO card (token, participant, enrolled_at) SELECT printf('%032x', id), id, 0 FROM participant;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49)
INSERT INTO site (id, name, created_at) SELECT printf('site-%02d', i), 'Site', 0 FROM n;
INSERT INTO reader (site, id, created_at) SELECT s.id, 'reader-' || r.i, 0 FROM site s,
  (SELECT 0 AS i UNION SELECT 1 UNION SELECT 2 UNION SELECT 3) r;"
collector_start --stats-interval 5
# 10 000 distinct cards, 1 000 enrolled: recorded and unknown_card paths;
# some bad messages for the dead-letter path.
"$TL_BIN/bench/tl-loadgen" --port "$PORT" --taps 100000 --cards 10000 --window 5000 > "$T/load"
for i in $(seq 1 500); do echo "{bad $i"; done | pub_lines site-00/reader-0/tap
cat "$T/load"
ok "every tap acked" grep -q "acked=100000 " "$T/load"
wait_for "[ \$(sql \"SELECT (SELECT count(*) FROM deadletter) + (SELECT coalesce(sum(dropped), 0) FROM deadletter_drop)\") -ge 500 ]"
rc=0
collector_stop TERM || rc=$?
is "$rc" 0 "collector exits 0 after 100 000 taps (no leak reported)"
ok "no LeakSanitizer report" bash -c "! grep -q LeakSanitizer '$T/collector.log'"
is "$(sql 'SELECT count(*) FROM tap')" 100000 "all stored"
done_testing
