#!/usr/bin/env bash
# programme_cli.sh - the programme-model commands: their checks and error
# codes, edits that rebuild attendance, the order in which facts become
# known not mattering, and the demo generator.
source "$TL_SRC/tests/lib.sh"
export TOUCHLINE_AS_OF=2026-05-01T00:00:00Z

# rc CMD...: the exit status of a touchline command, output discarded.
rc() { local r=0; tl "$@" > /dev/null 2>&1 || r=$?; echo "$r"; }

setup_db
tl site add padiham > /dev/null
is "$(rc programme add kick --tz Mars/Olympus)" 1 "unknown time zone refused"
is "$(rc programme add kick --sites nowhere)" 1 "unknown site refused"
is "$(rc programme add kick --sites burnley)" 0 "programme added"
is "$(rc programme add kick)" 1 "duplicate programme refused"
is "$(rc programme add kick --sites padiham)" 0 "a site added to a programme"
is "$(sql "SELECT group_concat(site) FROM (SELECT site FROM programme_site ORDER BY site)")" \
	"burnley,padiham" "programme sites"
is "$(sql "SELECT weeks || ' ' || tz FROM programme")" "12 Europe/London" "programme defaults"

S="--site burnley --activity football --weekday tue --start 18:00 --end 19:30"
is "$(rc schedule add kick $S --from 2026-03-01)" 2 "schedule needs --to"
is "$(rc schedule add kick --site burnley --activity football --weekday tue --start 19:00 \
	--end 18:00 --from 2026-03-01 --to 2026-04-30)" 2 "end before start refused"
is "$(rc schedule add kick --site burnley --activity football --weekday funday --start 18:00 \
	--end 19:00 --from 2026-03-01 --to 2026-04-30)" 2 "bad weekday refused"
is "$(rc schedule add kick --site burnley --activity chess --weekday tue --start 18:00 \
	--end 19:00 --from 2026-03-01 --to 2026-04-30)" 1 "unknown activity refused"
tl site add elsewhere > /dev/null
is "$(rc schedule add kick --site elsewhere --activity football --weekday tue --start 18:00 \
	--end 19:00 --from 2026-03-01 --to 2026-04-30)" 1 "site outside the programme refused"
is "$(tl schedule add kick $S --from 2026-03-01 --to 2026-04-30)" "schedule 1 added: 9 sessions" \
	"weekly sessions generated"
is "$(sql "SELECT group_concat(DISTINCT start_time) FROM session")" "18:00" \
	"every session at 18:00 local"
is "$(sql "SELECT group_concat(DISTINCT strftime('%H:%M', start_ts, 'unixepoch'))
           FROM (SELECT start_ts FROM session ORDER BY start_ts)")" "18:00,17:00" \
	"at 18:00 UTC in winter, 17:00 UTC in summer"
is "$(sql "SELECT count(DISTINCT iso_week) FROM session")" 9 "one session per ISO week"

tl participant add --code P-0002 > /dev/null
tl card enrol P-0002 --token "$CARD2" > /dev/null
is "$(rc programme enrol kick P-0001)" 2 "enrol needs --start"
is "$(rc programme enrol kick P-0009 --start 2026-03-02)" 1 "unknown participant refused"
is "$(tl programme enrol kick P-0001 --start 2026-03-02)" \
	"P-0001 enrolled in kick from 2026-03-02 to 2026-05-24" "enrolled for 12 weeks"
is "$(rc programme enrol kick P-0001 --start 2026-03-02)" 1 "enrolled twice refused"
is "$(rc programme withdraw kick P-0002 --date 2026-04-01)" 1 "withdrawing the unenrolled refused"

tap_at() { # CARD UTC-TIME
	local ts
	ts=$(date -u -d "$2" +%s)
	sql "INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at)
	     VALUES ('$(uuid)', 'burnley', 'pitch-1', '$1',
	     (SELECT participant FROM card WHERE token = '$1'), $ts, 1, $ts)"
}
tap_at "$CARD1" 2026-03-03T17:50:00Z
tap_at "$CARD1" 2026-03-03T19:31:00Z
tap_at "$CARD1" 2026-03-31T16:55:00Z
tap_at "$CARD1" 2026-04-02T16:55:00Z # Thursday: no session yet
tl attendance rebuild > /dev/null
is "$(sql "SELECT sum(attended) FROM attendance")" 2 "two sessions attended"
is "$(tl attendance unmatched | tail -n +2 | awk '{print $NF}')" "no_session" "one tap matched nothing"
is "$(sql "SELECT met_minutes FROM activity_week WHERE iso_week = '2026-W10'")" 630.0 \
	"football MET 7.0"
tl activity add football --met 8.0 > /dev/null
is "$(sql "SELECT met_minutes FROM activity_week WHERE iso_week = '2026-W10'")" 720.0 \
	"editing MET rebuilds activity"
is "$(rc activity add football --intensity extreme)" 2 "bad intensity refused"
is "$(rc activity add boxing --met 8)" 2 "new activity needs an intensity"
is "$(rc activity add boxing --intensity vigorous --met 0)" 2 "MET must be positive"
is "$(rc activity add boxing --intensity vigorous --met 8.5 --name Boxing)" 0 "activity added"

# A one-off session on the Thursday picks up the tap already recorded.
is "$(tl session add kick --site burnley --activity boxing --date 2026-04-02 --start 18:00 \
	--end 19:00)" "session 10 added" "one-off session"
is "$(sql "SELECT attended FROM attendance WHERE session = 10")" 1 "its earlier tap now counts"
is "$(sql "SELECT count(*) FROM tap_unmatched")" 0 "nothing unmatched now"
is "$(rc session add kick --site burnley --activity boxing --date 2026-04-02 --start 18:00 \
	--end 19:00)" 1 "the same session twice refused"

# Cancellations.
is "$(tl schedule cancel 1 --date 2026-03-10 --reason rain)" "1 session of schedule 1 cancelled" \
	"one date cancelled"
is "$(rc schedule cancel 1 --date 2026-03-10)" 1 "cancelling twice refused"
is "$(rc schedule cancel 1)" 2 "cancel needs --date or --from"
is "$(tl schedule cancel 1 --from 2026-04-14)" "3 sessions of schedule 1 cancelled" \
	"the rest of a schedule cancelled"
is "$(sql "SELECT last_date FROM schedule WHERE id = 1")" "2026-04-13" "schedule ends the day before"
is "$(tl session cancel 10)" "session 10 cancelled" "one-off session cancelled"
is "$(sql "SELECT count(*) FROM attendance WHERE session IN (SELECT id FROM session
           WHERE cancelled_at IS NOT NULL)")" 0 "nobody expected at cancelled sessions"
is "$(sql "SELECT reason FROM tap_unmatched")" "cancelled_session" "the tap there is kept"

# Withdrawal and follow-up.
is "$(sql "SELECT missed_run || ' ' || followup FROM engagement")" "1 0" \
	"missed only the last session (others cancelled): not flagged"
tl programme withdraw kick P-0001 --date 2026-04-08 > /dev/null
is "$(tl followup list | tail -n +2)" "" "withdrawn: not flagged"
ok "weekly report says programme activity only" bash -c \
	"'$TOUCHLINE' --db '$DB' report weekly | grep -q 'programme sessions only'"
is "$(rc report weekly --programme nope)" 1 "report of an unknown programme refused"

# The order in which facts become known does not matter: the same data
# entered with taps first, then schedule, card and enrolment, gives the
# same exports.
first=$(tl export attendance; tl export activity; tl export participants)
DB2="$T/late.db"
tl2() { "$TOUCHLINE" --db "$DB2" "$@" > /dev/null; }
tl2 init
tl2 site add burnley --name Burnley
tl2 site add padiham
tl2 reader add burnley pitch-1
tl2 reader add burnley gym-1
tl2 participant add --code P-0001
tl2 participant add --code P-0002
for row in $(sql "SELECT id || '|' || ts || '|' || card FROM tap ORDER BY n DESC"); do
	IFS='|' read -r _ ts card <<< "$row"
	sqlite3 "$DB2" "INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at)
		VALUES ('$(uuid)', 'burnley', 'pitch-1', '$card', NULL, $ts, 1, $ts)"
done
tl2 activity add boxing --intensity vigorous --met 8.5 --name Boxing
tl2 activity add football --met 8.0
tl2 programme add kick --sites padiham,burnley
tl2 programme enrol kick P-0001 --start 2026-03-02
tl2 programme withdraw kick P-0001 --date 2026-04-08
tl2 schedule add kick $S --from 2026-03-01 --to 2026-04-30
tl2 schedule cancel 1 --from 2026-04-14
tl2 schedule cancel 1 --date 2026-03-10
tl2 session add kick --site burnley --activity boxing --date 2026-04-02 --start 18:00 --end 19:00
tl2 session cancel 10
tl2 card enrol P-0001 --token "$CARD1"
tl2 card enrol P-0002 --token "$CARD2"
tl2 attendance rebuild
late=$(DB=$DB2 tl export attendance; DB=$DB2 tl export activity; DB=$DB2 tl export participants)
is "$late" "$first" "facts learnt late give the same exports"

# Who is expected where: bad input changes nothing; a change from a date on.
tl programme add other --sites elsewhere > /dev/null
tl schedule add other --site elsewhere --activity football --weekday wed --start 18:00 \
	--end 19:00 --from 2026-03-01 --to 2026-04-30 > /dev/null # schedule 2, not kick's
tl schedule add kick --site padiham --activity gym --weekday thu --start 10:00 \
	--end 11:00 --from 2026-03-01 --to 2026-04-30 > /dev/null # schedule 3
tl participant add --code P-0003 > /dev/null
before=$(sql "SELECT count(*) FROM enrolment; SELECT count(*) FROM expectation")
is "$(rc programme enrol kick P-0003 --start 2026-03-02 --schedules 2)" 1 \
	"another programme's schedule refused"
is "$(rc programme enrol kick P-0003 --start 2026-03-02 --sites elsewhere)" 1 \
	"a site the programme does not have refused"
is "$(rc programme enrol kick P-0003 --start 2026-03-02 --sites burnley --schedules 1)" 2 \
	"sites and schedules together refused"
is "$(rc programme enrol kick P-0003 --start 2026-03-02 --schedules 1,x)" 2 \
	"a schedule id that is not a number refused"
is "$(sql "SELECT count(*) FROM enrolment; SELECT count(*) FROM expectation")" "$before" \
	"and nothing changed"
is "$(tl programme enrol kick P-0003 --start 2026-03-02 --schedules 3)" \
	"P-0003 enrolled in kick from 2026-03-02 to 2026-05-24" "enrolled for Thursday gym only"
is "$(sql "SELECT count(*) FROM attendance WHERE participant = 3 AND expected
	AND session IN (SELECT id FROM session WHERE schedule = 1)")" 0 \
	"not expected at Tuesday football"
is "$(rc programme expect kick P-0003 --sites burnley --from 2026-02-01)" 1 \
	"an expectation before the start refused"
is "$(rc programme expect kick P-0003 --sites burnley --from 2026-06-01)" 1 \
	"an expectation after the end refused"
is "$(rc programme expect kick P-0003 --from 2026-04-01)" 2 "expect needs what is expected"
is "$(rc programme expect kick P-0003 --sites burnley --all)" 2 "and only one of them"
is "$(rc programme expect kick P-0009 --sites burnley)" 1 "unknown participant refused"
is "$(rc programme expect other P-0003 --sites elsewhere)" 1 "not enrolled there refused"
is "$(sql "SELECT count(*) FROM expectation WHERE participant = 3")" 1 "still one expectation"
is "$(tl programme expect kick P-0003 --sites burnley --from 2026-03-16)" \
	"P-0003 in kick from 2026-03-16: expected at the sessions at burnley" \
	"moves to Tuesday football from 16 March"
is "$(sql "SELECT count(*) FROM attendance a JOIN session s ON s.id = a.session
	WHERE a.participant = 3 AND a.expected AND s.site = 'burnley' AND s.local_date < '2026-03-16'")" \
	0 "earlier football keeps what was expected then"
ok "later football is expected" test "$(sql "SELECT count(*) FROM attendance a
	JOIN session s ON s.id = a.session WHERE a.participant = 3 AND a.expected
	AND s.site = 'burnley' AND s.local_date >= '2026-03-16'")" -gt 0
is "$(sql "SELECT count(*) FROM attendance a JOIN session s ON s.id = a.session
	WHERE a.participant = 3 AND s.site = 'padiham' AND s.local_date >= '2026-03-16'")" 0 \
	"later gym is not"
ok "the one change leaves the tables as a rebuild makes them" bash -c "
	a=\$(sqlite3 '$DB' 'SELECT * FROM attendance ORDER BY 1, 2; SELECT * FROM engagement ORDER BY 1, 2')
	'$TOUCHLINE' --db '$DB' attendance rebuild > /dev/null
	[ \"\$a\" = \"\$(sqlite3 '$DB' 'SELECT * FROM attendance ORDER BY 1, 2; SELECT * FROM engagement ORDER BY 1, 2')\" ]"

# The demo generator builds its programme and reports on it.
sh "$TL_SRC/scripts/demo-programme.sh" "$TL_BIN" "$T/demo.db" > "$T/demo.out"
is "$(sqlite3 "$T/demo.db" "SELECT count(*) FROM enrolment")" 41 "demo: 41 participants"
is "$(sqlite3 "$T/demo.db" "SELECT count(*) FROM expectation")" 1 \
	"demo: one of them expected at one schedule only"
is "$(sqlite3 "$T/demo.db" "SELECT followup || ' ' || sessions_extra FROM engagement
	WHERE participant = 41")" "0 1" "demo: that one is not flagged, and has an extra"
ok "demo: says so" grep -q "P-0041 is expected at Tuesday football only" "$T/demo.out"
is "$(sqlite3 "$T/demo.db" "SELECT count(DISTINCT site) FROM session")" 2 "demo: two sites"
ok "demo: some attend, some drop out" test \
	"$(sqlite3 "$T/demo.db" "SELECT count(*) FROM engagement WHERE followup")" -gt 0
ok "demo: weekly report printed" grep -q "^2026-W1[0-8]" "$T/demo.out"
done_testing
