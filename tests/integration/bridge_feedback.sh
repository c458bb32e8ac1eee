#!/bin/bash
# The coach's lines for every ack outcome, driven by acks published by hand
# (no collector): recorded with the week's session count, duplicate,
# unknown card, rejected; and the follow-up line for a late ack.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

broker_start
bridge_start fb --debounce 0 --ack-wait 3000 --resend 2
ACK="burnley/pitch-1/ack"
n=0
# tap_then_ack UID ACK-JSON-REST: taps UID, answers its id with the rest.
tap_then_ack() {
	n=$((n + 1))
	card fb "$1"
	wait_for "[ \$(grep -c 'debug: tap ' '$T/fb.log') -ge $n ]" 5
	local id
	id=$(grep 'debug: tap ' "$T/fb.log" | sed -n "${n}p" | sed 's/.*debug: tap \([^ ]*\) .*/\1/')
	pub "$ACK" "{\"v\":1,\"id\":\"$id\",$2}"
}
tap_then_ack 04000001 '"status":"recorded","participant":"P-0042","week_sessions":3'
wait_for "grep -q 'recorded: P-0042, 3 sessions this week' '$T/fb.out'" 5
ok "recorded with the week's count" grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2} recorded: P-0042, 3 sessions this week$' "$T/fb.out"
tap_then_ack 04000002 '"status":"recorded","participant":"P-0043","week_sessions":1'
wait_for "grep -q 'P-0043, 1 session this week' '$T/fb.out'" 5
ok "singular for one session" grep -q 'recorded: P-0043, 1 session this week$' "$T/fb.out"
tap_then_ack 04000003 '"status":"duplicate","participant":"P-0042"'
wait_for "grep -q 'already tapped: P-0042' '$T/fb.out'" 5
ok "duplicate: already tapped" grep -q 'already tapped: P-0042$' "$T/fb.out"
tap_then_ack 04000004 '"status":"unknown_card"'
wait_for "grep -q 'unknown card: enrol it' '$T/fb.out'" 5
ok "unknown card: enrol it" grep -q 'unknown card: enrol it' "$T/fb.out"
tap_then_ack 04000005 '"status":"rejected","reason":"unknown_reader"'
wait_for "grep -q 'rejected by the collector' '$T/fb.out'" 5
ok "rejected names the reason" grep -q 'rejected by the collector (unknown_reader): tell the organiser' "$T/fb.out"
ok "rejection logged as an error" grep -q 'error: collector rejected tap' "$T/fb.log"
is "$(lines fb 'stored offline')" 0 "no offline line when acks come in time"

# No ack within the wait: "stored offline" at once; resent with the same
# id after the resend timeout; a follow-up line when the ack comes.
mosquitto_sub -p "$PORT" -q 1 -t "$PREFIX/burnley/pitch-1/tap" -C 2 -W 15 > "$T/resent" &
subpid=$!
sleep 0.5
n=$((n + 1))
card fb 04000006
wait_for "[ \$(lines fb 'stored offline, will send') -ge 1 ]" 10
ok "no ack in 3 s: stored offline" [ "$(lines fb 'stored offline, will send')" -eq 1 ]
id=$(grep 'debug: tap ' "$T/fb.log" | sed -n "${n}p" | sed 's/.*debug: tap \([^ ]*\) .*/\1/')
wait "$subpid" || true
is "$(grep -c "\"id\":\"$id\"" "$T/resent")" 2 "unacked tap resent after the timeout, same id"
is "$(sort -u "$T/resent" | wc -l)" 1 "byte for byte the same tap"
pub "$ACK" "{\"v\":1,\"id\":\"$id\",\"status\":\"recorded\",\"participant\":\"P-0044\",\"week_sessions\":2}"
wait_for "grep -q 'sent (tap of' '$T/fb.out'" 5
ok "follow-up when the ack arrives" grep -qE 'sent \(tap of [0-9:]{8}\) recorded: P-0044, 2 sessions this week' "$T/fb.out"
is "$(wc -l < "$T/fb.out")" 7 "one line per tap, plus the follow-up"
is "$(spool_depth fb)" 0 "every acked tap left the spool"
# A malformed ack is ignored, not fatal.
pub "$ACK" '{"v":1,"id":"nope"}'
sleep 0.3
ok "bad ack logged, bridge alive" bash -c "grep -q 'bad ack' '$T/fb.log' && kill -0 $BRIDGE_PID"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM

# [feedback] naming a GPIO chip that is not there (no gpio-sim on this
# kernel, so no real lines are tested here): logged once, the bridge runs
# without lights and the coach's line still comes at once.
bridge_start gp --chip gpiochip-none --green 17 --red 27 --buzzer 22
ok "missing GPIO chip: logged" grep -q 'error: feedback: GPIO chip gpiochip-none: .*; no lights or buzzer' "$T/gp.log"
card gp 04000099
wait_for "[ \$(lines gp 'stored offline\|recorded\|unknown card') -ge 1 ]" 10
ok "missing GPIO chip: the tap still gets its line" [ "$(wc -l < "$T/gp.out")" -ge 1 ]
ok "missing GPIO chip: bridge exits 0 on SIGTERM" bridge_stop TERM
bad_rc=0
"$BRIDGE" --reader sim:- --site burnley --id pitch-1 --key-file "$KEY" --spool "$T/gpbad.spool" \
	--green 5000 < /dev/null > /dev/null 2> "$T/gpbad.err" || bad_rc=$?
is "$bad_rc" 2 "--green 5000: exit 2"
ok "--green 5000: says the range" grep -q "green: '5000' is not a whole number from -1 to 1023" "$T/gpbad.err"
done_testing
