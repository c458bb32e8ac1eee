#!/usr/bin/env bash
# Live attendance through the real collector: a tap's attendance, follow-up
# and unmatched listing are current as soon as it is acked, with no
# rebuild; a card enrolled with --last-unknown credits earlier taps at
# once; a derived update that fails costs no tap and no ack, is reported
# by 'attendance status', and catches up by itself.
. "$TL_SRC/tests/lib.sh"

broker_start
setup_db
# The collector works at the real time, so the programme is laid out
# around today: football on the weekday of two days ago, gym on
# yesterday's, from five weeks before that on. So the latest football and
# gym sessions have ended, whatever the time of day, and the next ones'
# check-in windows are days away.
today=$(( $(date -u +%s) / 86400 ))
day() { date -u -d "@$(( $1 * 86400 ))" +%F; }
wday() { date -u -d "@$(( $1 * 86400 ))" +%a | tr 'A-Z' 'a-z'; }
first=$(( today - 2 - 35 ))
start=$(day "$first")
tl programme add kickstart --weeks 12 --sites burnley > /dev/null
tl schedule add kickstart --site burnley --activity football --weekday "$(wday $(( today - 2 )))" \
	--start 18:00 --end 19:30 --from "$start" --to "$(day $(( first + 83 )))" > /dev/null
tl schedule add kickstart --site burnley --activity gym --weekday "$(wday $(( today - 1 )))" \
	--start 10:00 --end 11:00 --from "$start" --to "$(day $(( first + 83 )))" > /dev/null
tl participant add --code P-0002 > /dev/null #, card tapped before it is enrolled
tl programme enrol kickstart P-0001 --start "$start" --schedules 1 > /dev/null
tl programme enrol kickstart P-0002 --start "$start" > /dev/null
football_day=$(day $(( today - 2 ))) # the latest football session
gym_day=$(day $(( today - 1 ))) # the latest gym session
# at DATE MINUTES: a UTC tap time MINUTES from the start of that day's session
at() {
	date -u -d "@$(( $(sql "SELECT start_ts FROM session WHERE local_date = '$1'") + $2 * 60 ))" \
		+%Y-%m-%dT%H:%M:%SZ
}
collector_start
acks_listen live

# P-0001 is expected at football only. Before any tap, six have
# passed unattended: flagged for follow-up, as the collector computed at start.
wait_for "tl attendance status > /dev/null" 10
ok "follow-up lists P-0001 before any tap" sh -c "$TOUCHLINE --db $DB followup list | grep -q P-0001"
ok "attendance status: current" tl attendance status

# The latest football session: P-0001 comes, and to the gym the day after
# as an extra.
id1=$(uuid)
id2=$(uuid)
pub burnley/pitch-1/tap "$(tap_json burnley pitch-1 "$CARD1" "$(at "$football_day" -5)" 1 "$id1")"
pub burnley/gym-1/tap "$(tap_json burnley gym-1 "$CARD1" "$(at "$gym_day" -2)" 2 "$id2")"
is "$(acks_get live 2 | grep -c '"status":"recorded"')" 2 "both taps acked recorded"
# No rebuild anywhere: what the acks confirm is visible straight away.
wait_for "[ \"\$(sql \"SELECT count(*) FROM attendance a JOIN participant p ON p.id = a.participant WHERE p.code = 'P-0001' AND a.attended\")\" = 2 ]" 5
is "$(sql "SELECT a.expected FROM attendance a JOIN session s ON s.id = a.session
	WHERE a.participant = 1 AND s.local_date = '$football_day'")" 1 "Tuesday: an expected place, attended"
is "$(sql "SELECT a.expected FROM attendance a JOIN session s ON s.id = a.session
	WHERE a.participant = 1 AND s.local_date = '$gym_day'")" 0 "Thursday gym: an extra"
is "$(tl export participants --format csv | tr -d '\r' |
	awk -F, '$1 == "P-0001" { print $7 "/" $8 "/" $11 "/" $13 }')" \
	"6/1/0/1" "participants export: 6 expected, 1 attended, missed run 0, one extra"
ok "P-0001 no longer flagged" \
	sh -c "! $TOUCHLINE --db $DB followup list | grep -q P-0001"
is "$(sql "SELECT count(*) FROM tap_unmatched")" 0 "the extra is no unmatched tap"

# An unknown card at Tuesday's session is listed at once; enrolling it to
# P-0002 credits the tap at once.
id3=$(uuid)
pub burnley/pitch-1/tap "$(tap_json burnley pitch-1 "$CARD2" "$(at "$football_day" 5)" 3 "$id3")"
acks_get live 1 | grep -q '"status":"unknown_card"' || echo "# no unknown_card ack"
wait_for "tl attendance unmatched | grep -q unknown_card" 5
ok "unknown card listed as unmatched without a rebuild" sh -c "$TOUCHLINE --db $DB attendance unmatched | grep -q unknown_card"
tl card enrol P-0002 --last-unknown --reader burnley/pitch-1 > /dev/null
is "$(sql "SELECT a.attended FROM attendance a JOIN session s ON s.id = a.session
	WHERE a.participant = 2 AND s.local_date = '$football_day'")" 1 \
	"card enrol --last-unknown credits the earlier tap at once"
is "$(sql "SELECT count(*) FROM tap_unmatched")" 0 "and it is no longer unmatched"

# A derived update that fails (a trigger refuses engagement rows): the tap
# is still stored and acked; status says behind; once the fault is gone
# the collector catches up by itself.
sql "CREATE TRIGGER fault BEFORE INSERT ON engagement BEGIN SELECT RAISE(ABORT, 'injected'); END;"
id4=$(uuid)
pub burnley/gym-1/tap "$(tap_json burnley gym-1 "$CARD2" "$(at "$gym_day" -5)" 4 "$id4")"
is "$(acks_get live 1 | grep -c "\"id\":\"$id4\",\"status\":\"recorded\"")" 1 \
	"tap acked recorded while the derived update fails"
is "$(sql "SELECT count(*) FROM tap WHERE id = '$id4'")" 1 "and stored"
wait_for "grep -q 'attendance not brought up to date' '$T/collector.log'" 10
tl attendance status > "$T/status" && rc=0 || rc=$?
is "$rc" 1 "attendance status exits 1 while behind"
ok "and says how many taps are behind" grep -q 'taps behind: 1' "$T/status"
sql "DROP TRIGGER fault"
wait_for "tl attendance status > /dev/null" 40
ok "caught up by itself once the fault is gone" tl attendance status
is "$(sql "SELECT a.attended FROM attendance a JOIN session s ON s.id = a.session
	WHERE a.participant = 2 AND s.local_date = '$gym_day'")" 1 "the tap taken during the fault counts"
ok "collector logged that it is up to date again" grep -q 'attendance up to date again' "$T/collector.log"

# The live tables equal a full rebuild at the same instant.
dump() {
	sql "SELECT * FROM attendance ORDER BY 1, 2; SELECT * FROM tap_unmatched ORDER BY 1;
	     SELECT * FROM activity_week ORDER BY 1, 2, 3; SELECT * FROM engagement ORDER BY 1, 2"
}
collector_stop
dump > "$T/live"
as_of=$(sql "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', as_of, 'unixepoch') FROM attendance_build")
tl attendance rebuild --as-of "$as_of" > /dev/null
dump > "$T/full"
ok "live tables equal a rebuild as of the same instant" cmp -s "$T/live" "$T/full"
done_testing
