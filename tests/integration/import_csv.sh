#!/usr/bin/env bash
# import_csv.sh - bulk set-up from CSV: touchline import participants,
# enrolments and schedules. Every row goes through the command an admin
# would type; every bad row is reported with its line and reason; all or
# nothing; --dry-run stores nothing; BOM, CRLF, duplicates, a wrong header.
source "$TL_SRC/tests/lib.sh"
export TOUCHLINE_AS_OF=2026-03-20T00:00:00Z
DB="$T/tl.db"
rc() { local r=0; tl "$@" > /dev/null 2>&1 || r=$?; echo "$r"; }
# state: every table an import may write, to show a refused one changed nothing
state() { sql "SELECT * FROM participant; SELECT * FROM participant_name;
               SELECT * FROM enrolment; SELECT * FROM expectation;
               SELECT * FROM schedule; SELECT count(*) FROM session;
               SELECT * FROM attendance; SELECT * FROM engagement"; }

setup_db
tl site add padiham > /dev/null
tl programme add kick --sites burnley,padiham > /dev/null

# The templates in docs/import.md are valid imports as they stand.
tmpl() { awk -v name="$1" '$0 == "```csv " name {on=1; next} on && /^```/ {exit} on' \
	"$TL_SRC/docs/import.md"; }
tmpl participants > "$T/participants.csv"
tmpl schedules > "$T/schedules.csv"
tmpl enrolments > "$T/enrolments.csv"
ok "the docs have all three templates" test -s "$T/participants.csv" -a -s "$T/schedules.csv" \
	-a -s "$T/enrolments.csv"

# participants: a dry run stores nothing; then the real import.
before=$(state)
is "$(tl import participants "$T/participants.csv" --dry-run | tail -1)" \
	"$T/participants.csv: dry run: 3 participants would be imported; nothing was" "dry run"
is "$(state)" "$before" "a dry run changed nothing"
tl import participants "$T/participants.csv" > "$T/p.out"
is "$(tail -1 "$T/p.out")" "3 participants imported from $T/participants.csv" "participants imported"
is "$(grep -c '^line [0-9]*: P-' "$T/p.out")" 3 "each new code printed with its line"
is "$(sql "SELECT name FROM participant_name n JOIN participant p ON p.id = n.participant
           WHERE p.code = 'P-0101'")" "Ann Smith" "name kept apart, as participant add does"
is "$(sql "SELECT count(*) FROM participant WHERE code GLOB 'P-[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9]'
           AND code NOT IN ('P-0101', 'P-0102', 'P-0001')")" 1 "an empty code gets a random one"

# schedules, then enrolments against them (attendance rebuilt once at the end).
is "$(tl import schedules "$T/schedules.csv" | tail -1)" \
	"2 schedules imported from $T/schedules.csv" "schedules imported"
is "$(sql "SELECT count(*) FROM session")" 8 "their sessions generated as schedule add does"
is "$(tl import enrolments "$T/enrolments.csv" | tail -1)" \
	"2 enrolments imported from $T/enrolments.csv" "enrolments imported"
is "$(sql "SELECT schedules FROM expectation e JOIN participant p ON p.id = e.participant
           WHERE p.code = 'P-0102'")" "1,2" "a schedules list (';' between ids) stored"
is "$(sql "SELECT count(*) FROM attendance")" 7 "attendance rebuilt after the import"

# Bad rows: every one reported with its line, nothing stored.
before=$(state)
printf '\xef\xbb\xbfcode,name\r\nP-0201,Zed\r\nP-0201,Again\r\np-0202,\r\n"P-0203,Broken\r\nP-0101,Taken\r\n' \
	> "$T/bad.csv"
r=0; tl import participants "$T/bad.csv" > "$T/bad.out" 2> "$T/bad.err" || r=$?
is "$r" 1 "a file with bad rows exits 1"
is "$(cut -d: -f2- "$T/bad.err" | sed "s|$T/||")" \
" bad.csv line 3: participant P-0201 already exists
 bad.csv line 4: --code 'p-0202' is not a participant code: P- and 4 to 12 capital letters or digits, e.g. P-0042
 bad.csv line 5: a quoted field is not closed (a field cannot span lines)
 bad.csv line 6: participant P-0101 already exists
 bad.csv: 4 bad lines: nothing imported" "BOM and CRLF read; a duplicate in the file, a bad code, a broken quote, a taken code: each with its line"
is "$(cat "$T/bad.out")" "" "nothing printed as imported"
is "$(state)" "$before" "nothing stored, not even the good row"

printf 'programme,participant,start\nkick,P-0001,2026-03-02\nkick,P-0001,2026-03-02\nkick,P-0404,2026-03-02\nkick,P-0001,someday\n' \
	> "$T/bad-enrol.csv"
tl import enrolments "$T/bad-enrol.csv" > /dev/null 2> "$T/be.err" || true
is "$(cut -d: -f2- "$T/be.err" | sed "s|$T/||")" \
" bad-enrol.csv line 3: P-0001 is already enrolled in kick
 bad-enrol.csv line 4: no participant with code 'P-0404'
 bad-enrol.csv line 5: --start 'someday' is not a date YYYY-MM-DD
 bad-enrol.csv: 3 bad lines: nothing imported" "enrolments: a duplicate row, an unknown code, a bad date"
is "$(state)" "$before" "nothing enrolled"

printf 'programme,site,activity,day,start,end,from,to\n' > "$T/bad-header.csv"
tl import schedules "$T/bad-header.csv" > /dev/null 2> "$T/bh.err" || true
is "$(head -2 "$T/bh.err" | cut -d: -f2- | sed "s|$T/||")" \
" bad-header.csv line 1: unknown column 'day' (columns: programme, site, activity, weekday, start, end, from, to)
 bad-header.csv line 1: no weekday column" "a wrong header named"
printf 'programme,site,activity,weekday,start,end,from,to\nkick,burnley,football,tue,18:00\n' \
	> "$T/short.csv"
is "$(tl import schedules "$T/short.csv" 2>&1 | head -1 | cut -d: -f2- | sed "s|$T/||")" \
	" short.csv line 2: 5 fields, the header has 8" "a short row"
: > "$T/empty.csv"
is "$(rc import schedules "$T/empty.csv")" 1 "an empty file refused"
printf 'code,name\n' > "$T/header-only.csv"
is "$(rc import participants "$T/header-only.csv")" 1 "a header and no rows refused"
is "$(rc import participants "$T/nope.csv")" 1 "a missing file refused"
is "$(state)" "$before" "none of them changed anything"
done_testing
