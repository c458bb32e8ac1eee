#!/usr/bin/env bash
# The ordinary life of taps: recorded with the participant's code, a
# redelivered tap acked "duplicate" and stored once, an unknown card logged
# and later enrolled with --last-unknown, status updates, and the taps
# export in both formats.
. "$TL_SRC/tests/lib.sh"

broker_start
setup_db
collector_start
acks_listen taps

id1=$(uuid)
id2=$(uuid)
id3=$(uuid)
pub burnley/pitch-1/tap "$(tap_json burnley pitch-1 "$CARD1" 2026-03-03T18:05:12Z 1 "$id1")"
pub burnley/pitch-1/tap "$(tap_json burnley pitch-1 "$CARD1" 2026-03-03T18:05:12Z 1 "$id1")"
pub burnley/gym-1/tap "$(tap_json burnley gym-1 "$CARD2" 2026-03-03T18:06:00Z 7 "$id2")"
acks_get taps 3 > "$T/acks"
is "$(grep -c "\"id\":\"$id1\",\"status\":\"recorded\",\"participant\":\"P-0001\"" "$T/acks")" 1 \
	"first tap acked recorded with the participant code"
is "$(grep -c "\"id\":\"$id1\",\"status\":\"duplicate\"" "$T/acks")" 1 "redelivery acked duplicate"
is "$(grep -c "\"id\":\"$id2\",\"status\":\"unknown_card\"" "$T/acks")" 1 "unknown card acked unknown_card"
is "$(sql "SELECT count(*) FROM tap WHERE id = '$id1'")" 1 "redelivered tap stored once"

tl unknown list > "$T/unknown"
ok "unknown list shows the new card at its reader" grep -q "$CARD2 *burnley/gym-1" "$T/unknown"
tl participant add --name "Sam Example" > "$T/code"
code=$(cat "$T/code")
ok "a new participant gets a random code ($code)" grep -Eqx 'P-[34679ACDEFGHJKMNPQRTWXY]{6}' "$T/code"
tl card enrol "$code" --last-unknown --reader burnley/gym-1 > "$T/enrol"
ok "enrol credits the tap the unknown card made" grep -q "1 earlier tap credited" "$T/enrol"
pub burnley/gym-1/tap "$(tap_json burnley gym-1 "$CARD2" 2026-03-03T19:30:00Z 8 "$id3")"
acks_get taps 1 > "$T/acks2"
is "$(grep -o '"status":"[a-z_]*","participant":"[A-Z0-9-]*"' "$T/acks2")" \
	'"status":"recorded","participant":"'"$code"'"' "same card recorded after enrolment"
is "$(tl unknown list | wc -l)" 1 "unknown list empty after enrolment (header only)"

# With a programme, the ack tells the coach how many sessions the
# participant has attended this week (2026-03-03 is a Tuesday).
tl programme add kickstart --weeks 12 --sites burnley > /dev/null
tl schedule add kickstart --site burnley --activity football --weekday tue --start 18:00 \
	--end 19:30 --from 2026-02-23 --to 2026-05-31 > /dev/null
tl schedule add kickstart --site burnley --activity gym --weekday thu --start 10:00 \
	--end 11:00 --from 2026-02-23 --to 2026-05-31 > /dev/null
tl programme enrol kickstart P-0001 --start 2026-02-23 > /dev/null
id4=$(uuid)
id5=$(uuid)
pub burnley/gym-1/tap "$(tap_json burnley gym-1 "$CARD1" 2026-03-05T09:50:00Z 9 "$id4")"
acks_get taps 1 > "$T/acks3"
ok "ack counts this week's sessions (Tuesday's and now Thursday's)" \
	grep -q "\"id\":\"$id4\",\"status\":\"recorded\",\"participant\":\"P-0001\",\"week_sessions\":2" "$T/acks3"
pub burnley/pitch-1/tap "$(tap_json burnley pitch-1 "$CARD1" 2026-03-10T17:55:00Z 10 "$id5")"
acks_get taps 1 > "$T/acks3"
ok "a new week counts afresh: this tap is its first session" \
	grep -q "\"id\":\"$id5\".*\"week_sessions\":1" "$T/acks3"

pub burnley/pitch-1/status "{\"v\":1,\"state\":\"online\",\"ts\":\"$(now_utc)\",\"spooled\":4,\"version\":\"0.1.0\"}"
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'pitch-1'\")\" = online ]"
is "$(sql "SELECT spooled || ' ' || version FROM reader WHERE id = 'pitch-1'")" "4 0.1.0" \
	"status recorded spool depth and version"
# A reader whose clock is an hour fast is flagged. (A slow one is too, but
# only from a status arriving over a minute after the collector connected:
# before that, a status stamped before the connection may have waited at
# the broker; docs/protocol.md, "Status".)
pub burnley/gym-1/status "{\"v\":1,\"state\":\"online\",\"ts\":\"$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)\"}"
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'gym-1'\")\" = online ]"
tl reader list > "$T/readers"
ok "reader list flags a clock an hour fast" grep -qE 'burnley/gym-1 .* \+?3(598|599|600)s OFF' "$T/readers"
ok "a clock within tolerance is not flagged" grep -qE 'burnley/pitch-1 .* [-+][0-9]s ' "$T/readers"
pub burnley/pitch-1/status '{"v":1,"state":"offline"}'
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'pitch-1'\")\" = offline ]"
is "$(sql "SELECT spooled FROM reader WHERE id = 'pitch-1'")" 4 "a Last Will keeps the last spool depth"
# Terminal control from the wire is shown escaped in every listing: a
# version that clears the screen and one that reverses the text.
pub burnley/pitch-1/status '{"v":1,"state":"online","version":"1.0\u001b[2J\u001b]0;pwned\u0007"}'
pub burnley/gym-1/status '{"v":1,"state":"online","version":"\u202eevil\u0085"}'
wait_for "[ \"\$(sql \"SELECT count(*) FROM reader WHERE version LIKE '%evil%'\")\" = 1 ]"
tl reader list > "$T/readers"
ok "reader list shows no raw control byte" bash -c "! LC_ALL=C grep -q \$'[\\x01-\\x08\\x0b-\\x1f\\x7f]' '$T/readers'"
ok "the escape sequence is shown as text" grep -qF '1.0\x1b[2J\x1b]0;pwned\x07' "$T/readers"
ok "a right-to-left override and a C1 control are shown as bytes" \
	grep -qF '\xe2\x80\xaeevil\xc2\x85' "$T/readers"
tl site add hostile --name $'Evil\e[31mRed\rX' > /dev/null
ok "site names are escaped too" grep -qF 'Evil\x1b[31mRed\x0dX' <(tl site list)

tl export taps --format csv > "$T/taps.csv"
is "$(head -1 "$T/taps.csv" | tr -d '\r')" "id,site,reader,participant,ts,received_at" "CSV header"
is "$(grep -c $'\r$' "$T/taps.csv")" 6 "CSV rows end in CRLF (RFC 4180)"
ok "CSV row of the first tap" grep -q "^$id1,burnley,pitch-1,P-0001,2026-03-03T18:05:12Z," "$T/taps.csv"
ok "no card token in the export" bash -c "! grep -q -e '$CARD1' -e '$CARD2' '$T/taps.csv'"
ok "no name in the export" bash -c "! grep -q 'Sam' '$T/taps.csv'"
tl export taps --format json --output "$T/taps.json" 2> /dev/null
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d), d[0]["participant"], d[0]["ts"])' "$T/taps.json")" \
	"5 P-0001 2026-03-03T18:05:12Z" "JSON export parses and holds every tap"
is "$(stat -c %a "$DB")" 600 "database created with mode 0600"
collector_stop
chmod 644 "$DB"
rc=0
"$COLLECTOR" --db "$DB" --port "$PORT" > /dev/null 2> "$T/refused" || rc=$?
is "$rc" 1 "collector refuses a database others can read"
ok "... and says how to fix it" grep -q "chmod 600" "$T/refused"
done_testing
