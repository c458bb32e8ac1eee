#!/usr/bin/env bash
# Taps published while the collector is down arrive once it is back (the
# broker keeps its persistent session). Then the hard case: the collector
# is killed with SIGKILL mid-stream, and a reader that resends every tap it
# has no ack for (as docs/protocol.md requires) ends with every tap stored
# exactly once.
. "$TL_SRC/tests/lib.sh"

broker_start
setup_db
collector_start
acks_listen restart
collector_stop

for i in $(seq 1 200); do tap_json burnley pitch-1 "$CARD1" "" "$i"; done > "$T/down.jsonl"
pub_lines burnley/pitch-1/tap < "$T/down.jsonl"
is "$(sql 'SELECT count(*) FROM tap')" 0 "nothing stored while the collector is down"
collector_start
wait_for "[ \$(sql 'SELECT count(*) FROM tap') -ge 200 ]" 20
is "$(sql 'SELECT count(*) FROM tap')" 200 "all 200 queued taps arrive after restart"
acks_get restart 200 > "$T/acks1"
is "$(grep -c recorded "$T/acks1")" 200 "each of them acked"

# SIGKILL while a stream is arriving.
for i in $(seq 1 3000); do tap_json burnley gym-1 "$CARD1" "" "$((1000 + i))"; done > "$T/burst.jsonl"
pub_lines burnley/gym-1/tap < "$T/burst.jsonl" &
pubpid=$!
wait_for "[ \$(sql 'SELECT count(*) FROM tap') -gt 400 ]" 20
collector_stop KILL || true
wait "$pubpid"
collector_start
# The reader's side: resend whatever has no ack yet, until all are acked.
for round in 1 2 3 4 5; do
	acks_get restart 100000 3 >> "$T/acks2"
	grep -o '"id":"[^"]*"' "$T/acks2" | cut -d'"' -f4 | sort -u > "$T/acked"
	grep -v -F -f "$T/acked" "$T/burst.jsonl" > "$T/resend" || true
	[ -s "$T/resend" ] || break
	echo "round $round: resending $(wc -l < "$T/resend") unacked taps"
	pub_lines burnley/gym-1/tap < "$T/resend"
done
is "$(wc -l < "$T/resend")" 0 "every tap of the burst acked in the end"
is "$(sql "SELECT count(*) FROM tap WHERE reader = 'gym-1'")" 3000 "every tap of the burst stored"
is "$(sql 'SELECT count(*) - count(DISTINCT id) FROM tap')" 0 "none stored twice"
is "$(sql 'PRAGMA integrity_check')" ok "database intact after SIGKILL"
done_testing
