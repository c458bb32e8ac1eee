#!/usr/bin/env bash
# One reader floods the real collector with 50 000 rejected messages of
# 500 bytes (25 MB if all were kept) while another reader makes real
# taps. The collector runs with a small dead-letter cap and junk rate: the
# dead letters on disk stay under the cap, every message not kept is
# counted (kept + counted = sent, exactly), every honest tap is recorded
# and acked, and the counts are shown by 'deadletter list', 'reader list'
# and the dashboard. Also: unattributable junk shares one bucket and one
# cap; dead letters past the age limit and 'touchline purge' are counted.
. "$TL_SRC/tests/lib.sh"

FLOOD=50000
HONEST=300
CAP=200
broker_start
setup_db
# A dead letter from 40 days ago: past the 30-day age limit.
sql "INSERT INTO deadletter (received_at, topic, payload, payload_size, reason, site, reader)
     VALUES (strftime('%s', 'now') - 40 * 86400, '$PREFIX/burnley/pitch-1/tap', 'old', 3,
             'bad_json', 'burnley', 'pitch-1')"
collector_start --deadletter-max "$CAP" --junk-rate 50 --junk-burst 100 --deadletter-max-age 30
acks_listen honest
wait_for "[ \$(sql \"SELECT coalesce(sum(dropped), 0) FROM deadletter_drop WHERE cause = 'age'\") -eq 1 ]"
is "$(sql "SELECT dropped || ' ' || reason FROM deadletter_drop WHERE cause = 'age' AND site = 'burnley' AND reader = 'pitch-1'")" \
	"1 bad_json" "a dead letter past the age limit is dropped at start and counted"

awk -v n="$FLOOD" 'BEGIN { pad = sprintf("%480s", ""); gsub(/ /, "x", pad);
	for (i = 1; i <= n; i++) printf "{junk %06d %s\n", i, pad }' > "$T/junk"
for ((i = 1; i <= HONEST; i++)); do tap_json burnley gym-1 "$CARD1" "" "$i"; done > "$T/honest"
start=$(ms_now)
pub_lines burnley/pitch-1/tap < "$T/junk" &
flood=$!
# The honest reader taps throughout the flood, 30 at a time.
for ((i = 1; i <= HONEST; i += 30)); do
	sed -n "$i,$((i + 29))p" "$T/honest" | pub_lines burnley/gym-1/tap
	sleep 0.1
done
wait "$flood"
seen() { sql "SELECT (SELECT count(*) FROM deadletter WHERE site = 'burnley' AND reader = 'pitch-1')
	+ (SELECT coalesce(sum(dropped), 0) FROM deadletter_drop WHERE site = 'burnley' AND reader = 'pitch-1' AND cause <> 'age')"; }
wait_for "[ \$(seen) -ge $FLOOD ] && [ \$(sql \"SELECT count(*) FROM tap WHERE reader = 'gym-1'\") -ge $HONEST ]" 60 || true
took=$(($(ms_now) - start))

kept=$(sql "SELECT count(*) FROM deadletter WHERE site = 'burnley' AND reader = 'pitch-1'")
rated=$(sql "SELECT coalesce(sum(dropped), 0) FROM deadletter_drop WHERE site = 'burnley' AND reader = 'pitch-1' AND cause = 'rate_limit'")
capped=$(sql "SELECT coalesce(sum(dropped), 0) FROM deadletter_drop WHERE site = 'burnley' AND reader = 'pitch-1' AND cause = 'cap'")
is "$((kept + rated + capped))" "$FLOOD" \
	"every junk message kept or counted ($kept kept, $rated over the rate, $capped beyond the cap; ${took} ms)"
ok "at most $CAP kept" [ "$kept" -le "$CAP" ]
is "$(sql "SELECT count(*) FROM deadletter WHERE site = 'burnley' AND reader = 'pitch-1' AND reason = 'bad_json'")" \
	"$kept" "... all of them bad_json"
is "$(sql "SELECT coalesce(sum(payload_bytes), 0) FROM deadletter_drop WHERE site = 'burnley' AND reader = 'pitch-1' AND cause <> 'age'")" \
	"$(((rated + capped) * 493))" "the dropped ones' bytes counted (493 each)"
bytes=$(sql "SELECT sum(pgsize) FROM dbstat WHERE name IN ('deadletter', 'deadletter_reason', 'deadletter_source', 'deadletter_received')")
bound=$((CAP * 4096))
ok "dead letters on disk: $bytes bytes (table and indexes; cap $CAP x 4 KiB = $bound; all $FLOOD would be $((FLOOD * 493)) bytes of payload)" \
	[ "$bytes" -le "$bound" ]
is "$(sql "SELECT count(*) FROM tap WHERE site = 'burnley' AND reader = 'gym-1'")" "$HONEST" \
	"every one of the honest reader's $HONEST taps recorded during the flood"
acks_get honest "$HONEST" 30 > "$T/acks"
is "$(grep -c '"status":"recorded"' "$T/acks" || true)" "$HONEST" "... and acked"
lines=$(grep -c 'rejected messages from burnley/pitch-1 beyond 50/s' "$T/collector.log" || true)
ok "the rate limit is logged, rate-limited itself ($lines line(s))" [ "$lines" -ge 1 -a "$lines" -le 3 ]
ok "collector survived" kill -0 "$COLLECTOR_PID"

# Unattributable junk (a topic naming no registered reader) shares one
# bucket and one cap.
for ((i = 1; i <= 2000; i++)); do tap_json nowhere nobody "$CARD1" "" "$i"; done > "$T/stray"
pub_lines nowhere/nobody/tap < "$T/stray"
stray() { sql "SELECT (SELECT count(*) FROM deadletter WHERE site = '' AND reader = '')
	+ (SELECT coalesce(sum(dropped), 0) FROM deadletter_drop WHERE site = '' AND reader = '')"; }
wait_for "[ \$(stray) -ge 2000 ]" 30 || true
is "$(stray)" 2000 "unattributable junk kept or counted, every message"
ok "at most $CAP unattributable kept" [ "$(sql "SELECT count(*) FROM deadletter WHERE site = ''")" -le "$CAP" ]
is "$(sql "SELECT DISTINCT reason FROM deadletter WHERE site = ''")" unknown_reader "... as unknown_reader"

# What the CLI and the dashboard show.
tl deadletter list --limit 1 > "$T/list"
ok "deadletter list shows the rate-limited count" \
	grep -qE "^burnley/pitch-1 +rate_limit +bad_json +$rated " "$T/list"
ok "... and the unattributable ones" grep -q "^(unattributable) " "$T/list"
tl reader list > "$T/readers"
ok "reader list shows pitch-1's kept and dropped dead letters" \
	grep -qE "^burnley/pitch-1 .* $kept +$((rated + capped + 1)) " "$T/readers"
"$TL_BIN/dashboard/touchline-dashboard" --db "$DB" --out "$T/site" > /dev/null
ok "the data-quality page counts them" grep -q "rate_limit: bad_json</th><td class=\"num\">$rated<" "$T/site/index.html"

# purge covers dead letters, counted.
rc=0
collector_stop || rc=$?
is "$rc" 0 "collector exits 0"
left=$(sql "SELECT count(*) FROM deadletter")
tl purge --before "$(date -u -d tomorrow +%F)" --yes > "$T/purge"
ok "purge deletes the dead letters too" grep -q ", $left dead letters and" "$T/purge"
is "$(sql "SELECT count(*) FROM deadletter")" 0 "none left"
is "$(sql "SELECT coalesce(sum(dropped), 0) FROM deadletter_drop WHERE cause = 'purge'")" "$left" "... each counted as purged"
done_testing
