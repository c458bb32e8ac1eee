#!/usr/bin/env bash
# The collector's side of protocol rules that need time or a reconnect:
# retained junk is dead-lettered once however often the collector
# reconnects; a reader's clock is measured only from fresh statuses (not a
# retained one, not one queued while the collector was down); late taps
# with no reason to be late are stored as suspect, kept out of attendance
# until accepted, and accepting brings attendance forward; a dead-lettered
# tap is shown whole and re-entered with its clock fixed.
. "$TL_SRC/tests/lib.sh"

broker_start
setup_db
tl reader add burnley gate > /dev/null
today=$(( $(date -u +%s) / 86400 ))
day() { date -u -d "@$(( $1 * 86400 ))" +%F; }
wday() { date -u -d "@$(( $1 * 86400 ))" +%a | tr 'A-Z' 'a-z'; }
first=$(( today - 2 - 35 ))
tl programme add kickstart --weeks 12 --sites burnley > /dev/null
tl schedule add kickstart --site burnley --activity football --weekday "$(wday $(( today - 2 )))" \
	--start 18:00 --end 19:30 --from "$(day "$first")" --to "$(day $(( first + 83 )))" > /dev/null
tl schedule add kickstart --site burnley --activity gym --weekday "$(wday $(( today - 1 )))" \
	--start 10:00 --end 11:00 --from "$(day "$first")" --to "$(day $(( first + 83 )))" > /dev/null
tl participant add --code P-0002 > /dev/null
tl card enrol P-0002 --token "$CARD2" > /dev/null
tl programme enrol kickstart P-0001 --start "$(day "$first")" > /dev/null
tl programme enrol kickstart P-0002 --start "$(day "$first")" > /dev/null
at() {
	date -u -d "@$(( $(sql "SELECT start_ts FROM session WHERE local_date = '$1'") + $2 * 60 ))" \
		+%Y-%m-%dT%H:%M:%SZ
}
attended() { sql "SELECT coalesce(sum(attended), 0) FROM attendance a JOIN participant p ON p.id = a.participant WHERE p.code = '$1' AND a.session = (SELECT id FROM session WHERE local_date = '$2')"; }

# --- statuses queued while the collector is down, and retained ones
collector_start --suspect-age 3
collector_stop
pub burnley/pitch-1/status "{\"v\":1,\"state\":\"online\",\"ts\":\"$(now_utc)\"}"   # queued for us
mosquitto_pub -p "$PORT" -q 1 -r -t "$PREFIX/burnley/gym-1/status" \
	-m "{\"v\":1,\"state\":\"online\",\"ts\":\"$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)\"}"
mosquitto_pub -p "$PORT" -q 1 -r -t "$PREFIX/burnley/gym-1/tap" -m 'retained junk'
sleep 2 # the queued status is now 2 s old
collector_start --suspect-age 3
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'gym-1'\")\" = online ]"
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'pitch-1'\")\" = online ]"
is "$(sql "SELECT coalesce(clock_offset, 'none') FROM reader WHERE id = 'pitch-1'")" none \
	"a status queued while the collector was down does not measure the clock"
is "$(sql "SELECT coalesce(clock_offset, 'none') FROM reader WHERE id = 'gym-1'")" none \
	"a retained status does not measure the clock"
pub burnley/pitch-1/status "{\"v\":1,\"state\":\"online\",\"ts\":\"$(date -u -d '+200 seconds' +%Y-%m-%dT%H:%M:%SZ)\"}"
wait_for "[ -n \"\$(sql \"SELECT clock_offset FROM reader WHERE id = 'pitch-1'\")\" ]"
off=$(sql "SELECT clock_offset FROM reader WHERE id = 'pitch-1'")
ok "a fresh status measures the clock ($off s, 200 s fast)" [ "$off" -ge 198 ] && [ "$off" -le 201 ]

# --- retained junk: once, however many reconnects
wait_for "[ \$(sql \"SELECT count(*) FROM deadletter WHERE topic LIKE '%gym-1/tap'\") -ge 1 ]"
collector_stop; collector_start --suspect-age 3
collector_stop; collector_start --suspect-age 3
pub burnley/pitch-1/tap 'marker'
wait_for "[ \$(sql \"SELECT count(*) FROM deadletter WHERE payload = CAST('marker' AS BLOB)\") -eq 1 ]"
is "$(sql "SELECT count(*) FROM deadletter WHERE topic LIKE '%gym-1/tap'")" 1 \
	"retained junk dead-lettered once over three subscriptions"
mosquitto_pub -p "$PORT" -q 1 -r -t "$PREFIX/burnley/gym-1/tap" -n # clear it

# --- suspect taps
acks_listen wire
pub burnley/gate/status "{\"v\":1,\"state\":\"online\",\"ts\":\"$(now_utc)\"}"
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'gate'\")\" = online ]"
football=$(day $(( today - 2 ))) gym=$(day $(( today - 1 )))
# a spooled tap from before the reader came online: late, for a reason
pub burnley/pitch-1/tap "$(tap_json burnley pitch-1 "$CARD1" "$(at "$football" 5)" 100)"
# seq lower than the tap above, ts later: seq_backwards
pub burnley/pitch-1/tap "$(tap_json burnley pitch-1 "$CARD2" "$(at "$gym" 5)" 50)"
# seq higher and ts later: in order, fine
pub burnley/pitch-1/tap "$(tap_json burnley pitch-1 "$CARD1" "$(at "$gym" 6)" 101)"
sleep 4.5
# online for 4 s and the collector connected: nothing held this one back
pub burnley/gate/tap "$(tap_json burnley gate "$CARD1" "$(date -u -d '-4 seconds' +%Y-%m-%dT%H:%M:%SZ)" 1)"
acks_get wire 4 > "$T/acks"
is "$(grep -c '"status":"recorded"' "$T/acks")" 4 "suspect taps are stored and acked recorded"
is "$(sql "SELECT group_concat(coalesce(suspect, '-'), ' ') FROM (SELECT suspect FROM tap WHERE site = 'burnley' ORDER BY n)")" \
	"- seq_backwards - late_while_online" "late taps flagged only without a reason"
tl tap suspect list > "$T/suspects"
is "$(grep -c 'seq_backwards\|late_while_online' "$T/suspects")" 2 "tap suspect list shows both"
"$TL_BIN/dashboard/touchline-dashboard" --db "$DB" --out "$T/site" > /dev/null
ok "the data-quality page counts both, one each, pending" python3 -c "
import re, sys
rows = set(re.findall(r'<tr id=.quality-suspect-[0-9]+.><th[^>]*>([^<]*)</th><td[^>]*>([0-9]+)</td>',
                      open(sys.argv[1]).read()))
sys.exit(not {('seq_backwards (pending)', '1'), ('late_while_online (pending)', '1')} <= rows)
" "$T/site/index.html"
wait_for "[ \"\$(tl attendance status > /dev/null; echo \$?)\" = 0 ]"
is "$(attended P-0001 "$football")" 1 "an in-order late tap counts"
is "$(attended P-0002 "$gym")" 0 "a suspect tap does not count"
gate_n=$(sql "SELECT n FROM tap WHERE reader = 'gate'")
is "$(sql "SELECT count(*) FROM tap_unmatched WHERE tap = $gate_n")" 0 "a suspect tap is not even unmatched"
suspect_id=$(sql "SELECT id FROM tap WHERE suspect = 'seq_backwards'")
tl tap accept "$suspect_id" > "$T/out"
ok "tap accept reports it" grep -q '^1 suspect tap(s) accepted' "$T/out"
is "$(attended P-0002 "$gym")" 1 "an accepted tap counts at once"
tl tap accept --all-from burnley/gate > /dev/null
is "$(sql "SELECT reason FROM tap_unmatched WHERE tap = $gate_n")" no_session "accepted: now matched like any tap"
rc=0; tl tap accept --all-from burnley/gate 2> "$T/err" || rc=$?
is "$rc" 1 "accepting again: nothing to accept"
tl attendance status > /dev/null; rc=$?
is "$rc" 0 "attendance status up to date after accepting"
sql ".backup $T/live.db"
tl attendance rebuild > /dev/null
for t in attendance tap_unmatched; do
	is "$(sqlite3 "$T/live.db" "SELECT * FROM $t ORDER BY 1, 2" | md5sum)" "$(sql "SELECT * FROM $t ORDER BY 1, 2" | md5sum)" \
		"$t after accepting equals a rebuild"
done

# --- a dead-lettered tap, shown whole and re-entered with its clock fixed
bad_ts=$(date -u -d "$(at "$gym" 10) - 3 hours" +%Y-%m-%dT%H:%M:%SZ)
id=$(uuid)
pub burnley/gym-1/tap "{\"v\":1,\"id\":\"$id\",\"site\":\"burnley\",\"reader\":\"gym-1\",\"card\":\"$CARD1\",\"ts\":\"$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)\",\"seq\":7,\"note\":\"bell\\u0007\"}"
wait_for "[ -n \"\$(sql \"SELECT n FROM deadletter WHERE tap_id = '$id'\")\" ]"
n=$(sql "SELECT n FROM deadletter WHERE tap_id = '$id'")
tl deadletter show "$n" > "$T/show"
ok "deadletter show: the reason" grep -q '^reason    ts_in_future' "$T/show"
ok "deadletter show: the whole payload, a backslash shown doubled" \
	grep -qF '"seq":7,"note":"bell\\u0007"}' "$T/show"
rc=0; tl deadletter retry "$n" 2> "$T/err" || rc=$?
is "$rc" 1 "retry without fixing the clock: rejected again"
ok "... saying why" grep -q 'still rejected: ts_in_future' "$T/err"
is "$(sql "SELECT count(*) FROM deadletter WHERE n = $n")" 1 "... and the dead letter is kept"
tl deadletter retry "$n" --ts-offset -7200 > "$T/out"
ok "retry with the clock fixed: stored" grep -q "re-entered as tap $id: recorded P-0001" "$T/out"
is "$(sql "SELECT count(*) FROM deadletter WHERE n = $n")" 0 "the dead letter is gone"
got=$(sql "SELECT ts - received_at FROM tap WHERE id = '$id'")
ok "the tap's ts moved back two hours ($got s from now)" [ "$got" -ge -5 ] && [ "$got" -le 1 ]
rc=0; tl deadletter retry "$n" 2> /dev/null || rc=$?
is "$rc" 1 "retrying a dead letter that is gone fails"
collector_stop
done_testing
