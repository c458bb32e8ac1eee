#!/usr/bin/env bash
# SIGTERM while taps stream in: the collector stores what it has taken,
# disconnects cleanly and exits 0; the rest waits at the broker; after a
# restart every tap is stored exactly once, with no reader resending.
. "$TL_SRC/tests/lib.sh"

broker_start
setup_db
collector_start

for i in $(seq 1 3000); do tap_json burnley pitch-1 "$CARD1" "" "$i"; done > "$T/stream.jsonl"
pub_lines burnley/pitch-1/tap < "$T/stream.jsonl" &
pubpid=$!
wait_for "[ \$(sql 'SELECT count(*) FROM tap') -gt 300 ]" 20
rc=0
collector_stop TERM || rc=$?
is "$rc" 0 "collector exits 0 on SIGTERM mid-stream"
ok "it said it was storing queued messages" grep -q "stopping: storing queued messages" "$T/collector.log"
wait "$pubpid"
stored=$(sql 'SELECT count(*) FROM tap')
echo "stored before restart: $stored"
collector_start
wait_for "[ \$(sql 'SELECT count(*) FROM tap') -ge 3000 ]" 30 || true
is "$(sql 'SELECT count(*) FROM tap')" 3000 "every tap stored after restart"
is "$(sql 'SELECT count(DISTINCT seq) FROM tap')" 3000 "each exactly once"
rc=0
collector_stop INT || rc=$?
is "$rc" 0 "collector exits 0 on SIGINT"
done_testing
