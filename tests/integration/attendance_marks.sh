#!/usr/bin/env bash
# attendance_marks.sh - manual register marks (touchline attendance mark /
# unmark): counted as attended by the engine, with who, when and why kept;
# exported with source 'manual'; kept by a rebuild; every bad input refused
# with nothing changed.
source "$TL_SRC/tests/lib.sh"
export TOUCHLINE_AS_OF=2026-03-20T00:00:00Z
DB="$T/tl.db"

# rc CMD...: the exit status of a touchline command, output discarded.
rc() { local r=0; tl "$@" > /dev/null 2>&1 || r=$?; echo "$r"; }
# snapshot: every input and derived table, to show nothing changed
snapshot() { sql "SELECT * FROM attendance_mark; SELECT * FROM attendance ORDER BY 1, 2;
                  SELECT * FROM engagement"; }

setup_db
tl participant add --code P-0002 > /dev/null
tl participant add --code P-0003 > /dev/null
tl programme add kick --sites burnley > /dev/null
tl programme add lift --sites burnley > /dev/null
tl schedule add kick --site burnley --activity football --weekday tue --start 18:00 \
	--end 19:30 --from 2026-03-01 --to 2026-03-31 > /dev/null # sessions 1-5: 3, 10, 17, 24, 31
tl programme enrol kick P-0001 --start 2026-03-02 > /dev/null
tl programme enrol kick P-0002 --start 2026-03-12 > /dev/null
tl programme enrol lift P-0003 --start 2026-03-02 > /dev/null
ts=$(date -u -d 2026-03-03T17:55:00Z +%s)
sql "INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at)
     VALUES ('$(uuid)', 'burnley', 'pitch-1', '$CARD1', 1, $ts, 1, $ts)"
tl attendance rebuild > /dev/null
is "$(sql "SELECT group_concat(attended) FROM (SELECT attended FROM attendance
           WHERE participant = 1 ORDER BY session)")" "1,0,0" "before: session 1 attended by tap"

# A forgotten card at session 2.
is "$(tl attendance mark P-0001 --session 2 --reason 'forgot card' --by 'Sam Coach')" \
	"P-0001 marked attended at session 2 by Sam Coach" "mark made"
is "$(sql "SELECT attended || ' ' || minutes || ' ' || minutes_estimated || ' ' || source
           FROM attendance WHERE participant = 1 AND session = 2")" "1 90 1 manual" \
	"counted attended, the scheduled length, estimated, source manual"
is "$(sql "SELECT marked_by || '|' || reason || '|' || (marked_at > 0) FROM attendance_mark")" \
	"Sam Coach|forgot card|1" "who, why and when kept"
is "$(sql "SELECT sessions_attended || ' ' || missed_run FROM engagement WHERE participant = 1")" \
	"2 1" "engagement counts it"
# A mark with minutes; $USER names the operator without --by.
is "$(USER=lead TOUCHLINE_OPERATOR= tl attendance mark P-0001 --session 3 --minutes 45 \
	--reason 'paper register')" "P-0001 marked attended at session 3 by lead" "operator from \$USER"
is "$(TOUCHLINE_OPERATOR=venue-desk tl attendance mark P-0002 --session 3 --reason late \
	| sed 's/.* by //')" "venue-desk" "operator from \$TOUCHLINE_OPERATOR"
is "$(sql "SELECT minutes || ' ' || minutes_estimated FROM attendance
           WHERE participant = 1 AND session = 3")" "45 0" "--minutes credited as given"
# A mark on a session the taps already count keeps the tap's check-in.
is "$(tl attendance mark P-0001 --session 1 --reason 'double check' --by x | sed 's/ by x//')" \
	"P-0001 marked attended at session 1" "mark over a tap"
is "$(sql "SELECT source || ' ' || (checkin_at IS NOT NULL) || ' ' || minutes_estimated
           FROM attendance WHERE participant = 1 AND session = 1")" "manual 1 1" \
	"the tap's check-in stays, the mark is the source"
is "$(tl attendance marks | tail -n +2 | wc -l)" 4 "attendance marks lists them"

# Exported with a source column; a rebuild keeps marks.
tl export attendance > "$T/before.csv"
is "$(grep -c ',manual' "$T/before.csv")" 4 "export: four manual rows"
is "$(head -1 "$T/before.csv" | tr -d '\r' | awk -F, '{print $NF}')" "source" "export: source column"
tl attendance rebuild > /dev/null
tl export attendance > "$T/after.csv"
ok "a full rebuild keeps every mark" cmp -s "$T/before.csv" "$T/after.csv"
is "$(sql "SELECT count(*) FROM attendance WHERE source = 'manual'")" 4 "four manual rows stored"
"$TL_BIN/dashboard/touchline-dashboard" --db "$DB" --out "$T/site" > /dev/null
is "$(python3 -c "
import re, sys
rows = re.findall(r'<tr id=.quality-marked-[0-9]+.><th[^>]*>([^<]*)</th><td[^>]*>([0-9]+)</td>',
                  open(sys.argv[1]).read())
print(sum(int(n) for _, n in rows))" "$T/site/index.html")" 4 \
	"the dashboard's data-quality page counts the four marked by hand"

# The live update agrees: a collector-style update after a tap changes nothing of the marks.
ts=$(date -u -d 2026-03-17T17:58:00Z +%s)
sql "INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at)
     VALUES ('$(uuid)', 'burnley', 'pitch-1', '$CARD1', 1, $ts, 2, $ts)"
tl attendance rebuild > /dev/null
is "$(sql "SELECT source || ' ' || minutes FROM attendance WHERE participant = 1 AND session = 3")" \
	"manual 45" "a tap at a marked session: the mark's minutes stand"

# Unmark.
is "$(tl attendance unmark P-0001 --session 2)" "P-0001 unmarked at session 2" "unmarked"
is "$(sql "SELECT attended || ' ' || source FROM attendance WHERE participant = 1 AND session = 2")" \
	"0 tap" "back to what the taps say"
is "$(rc attendance unmark P-0001 --session 2)" 1 "unmarking twice refused"

# Bad input: a clear error, nothing changed.
before=$(snapshot)
is "$(rc attendance mark P-0009 --session 2 --reason x --by y)" 1 "unknown code refused"
is "$(rc attendance mark P-0001 --session 99 --reason x --by y)" 1 "unknown session refused"
is "$(rc attendance mark P-0003 --session 2 --reason x --by y)" 1 \
	"a session of a programme the person is not enrolled in refused"
is "$(tl attendance mark P-0003 --session 2 --reason x --by y 2>&1 | head -1)" \
	"touchline: P-0003 is not enrolled in programme kick, whose session 2 is" "says why"
is "$(rc attendance mark P-0002 --session 1 --reason x --by y)" 1 \
	"a session before the enrolment's start refused"
is "$(rc attendance mark P-0001 --session 5 --reason x --by y)" 1 "a session not yet held refused"
is "$(rc attendance mark P-0001 --session 2 --minutes 91 --reason x --by y)" 1 \
	"minutes over the session's length refused"
is "$(rc attendance mark P-0001 --session 2 --minutes 0 --reason x --by y)" 2 "0 minutes refused"
is "$(rc attendance mark P-0001 --session 2 --by y)" 2 "a mark needs a reason"
is "$(USER= TOUCHLINE_OPERATOR= rc attendance mark P-0001 --session 2 --reason x)" 2 \
	"a mark needs someone to make it"
tl schedule cancel 1 --date 2026-03-10 > /dev/null
before=$(snapshot)
is "$(rc attendance mark P-0001 --session 2 --reason x --by y)" 1 "a cancelled session refused"
is "$(tl attendance mark P-0001 --session 2 --reason x --by y 2>&1)" \
	"touchline: session 2 is cancelled: nobody can have attended it" "says it is cancelled"
is "$(snapshot)" "$before" "bad marks changed nothing"

# Erasure blanks the free text; purge removes marks with their sessions.
tl participant erase P-0002 --yes > /dev/null 2>&1 || true
is "$(sql "SELECT count(*) FROM attendance_mark WHERE participant = 2 AND reason = ''
           AND marked_by = ''")" 1 "erasure: reason and operator blanked, the mark stays"
tl purge --before 2026-03-15 --yes > /dev/null 2>&1 || true
is "$(sql "SELECT group_concat(session) FROM (SELECT session FROM attendance_mark ORDER BY 1)")" \
	"3,3" "purge: marks of purged sessions gone"
done_testing
