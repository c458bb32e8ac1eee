#!/usr/bin/env bash
# programme_privacy.sh - erasure and retention on the fixed dataset, and
# rebuilding attendance being deterministic.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/programme_dataset.sh"

build_programme_dataset

# Derived tables as text, for comparing rebuilds.
derived() {
	sql "SELECT * FROM attendance ORDER BY participant, session;
	     SELECT * FROM tap_unmatched ORDER BY tap;
	     SELECT * FROM activity_week ORDER BY participant, programme, iso_week;
	     SELECT * FROM engagement ORDER BY participant, programme;"
}

# Rebuilding is deterministic and changes nothing.
derived > "$T/d1"
tl attendance rebuild > /dev/null
derived > "$T/d2"
ok "rebuilding twice gives identical derived tables" cmp -s "$T/d1" "$T/d2"
# Rebuilding from scratch in another database, with the taps inserted in
# the opposite order, gives the same tables.
cp "$DB" "$T/copy.db"
sqlite3 "$T/copy.db" "CREATE TEMP TABLE t AS SELECT * FROM tap; DELETE FROM tap;
	INSERT INTO tap SELECT * FROM t ORDER BY n DESC;
	DELETE FROM attendance; DELETE FROM engagement;"
"$TOUCHLINE" --db "$T/copy.db" attendance rebuild > /dev/null
DB="$T/copy.db" derived > "$T/d3"
ok "insertion order of taps does not matter" cmp -s "$T/d1" "$T/d3"
is "$(tl attendance unmatched | awk 'NR > 1 {print $NF}' | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
	"cancelled_session=2 no_session=1 not_eligible=3 unknown_card=1 " "unmatched taps are kept with reasons"
is "$(tl followup list | awk 'NR > 1 {print $1}' | tr '\n' ' ')" "P-0004 P-0001 " "drop-outs are flagged for follow-up"

# P-0004's second card, and rejected messages that quote its token in
# upper and in mixed case, and one of P-0001's token that stays.
CARD4B=4444aaaabbbbccccddddeeeeffff4444
tl card enrol P-0004 --token "$CARD4B" > /dev/null
dl() { sql "INSERT INTO deadletter (received_at, topic, payload, payload_size, reason)
	VALUES (1, 'touchline/v1/burnley/pitch-1/tap', CAST('{\"card\":\"$1\"}' AS BLOB), 44, 'bad_card')"; }
dl "${CARD4B^^}"
dl 4444AaaAbbbbCCCCddddeeeeFFFF4444
dl "${CARD1^^}"
# P-0004's outcomes: an assessment of the health pathway (special
# category), a referral from prison (criminal offence data) and an exit
# reason; P-0001's stay. A marker score pattern is looked for on disk.
tl instrument add "$TL_SRC/deploy/instruments/pathways.ini" > /dev/null
tl instrument add "$TL_SRC/deploy/instruments/swemwbs.ini" > /dev/null
tl programme refer kick P-0004 --source prison --date 2026-03-10 > /dev/null
tl assessment add P-0004 --programme kick --instrument pathways --date 2026-03-16 \
	--scores 9,8,7,6,5,4,3 > /dev/null
tl programme exit kick P-0004 --reason custody > /dev/null
tl programme refer kick P-0001 --source probation --date 2026-03-09 > /dev/null
tl assessment add P-0001 --programme kick --instrument swemwbs --date 2026-03-16 \
	--scores 1,2,3,4,5,4,3 > /dev/null
tl assessment add P-0001 --programme kick --instrument swemwbs --date 2026-03-30 \
	--scores 2,2,3,4,5,4,3 --wave mid > /dev/null
is "$(sql "SELECT count(*) FROM assessment WHERE participant = 4")" 1 "P-0004 assessed"
ok "P-0004's scores are on disk before erasure" bash -c \
	"cat '$DB' '$DB-wal' 2> /dev/null | grep -aq '9,8,7,6,5,4,3'"
# Everything of P-0004 on disk: the database file (live and free pages)
# and its write-ahead log, read as bytes with strings(1).
on_disk() { cat "$DB" "$DB-wal" 2> /dev/null | strings -n 6 | grep -ci -e "$CARD4" -e "$CARD4B" -e "Person Example4" -e "P-0004"; }
ok "before erasure P-0004's token, name and code are on disk ($(on_disk) strings)" \
	[ "$(on_disk)" -gt 0 ]

# Erasure asks first; without a terminal or --yes nothing changes.
sessions_before=$(tl export sessions)
tl participant erase P-0004 < /dev/null > /dev/null 2>&1 && rc=0 || rc=$?
is "$rc" 1 "erase without --yes is refused"
is "$(sql "SELECT count(*) FROM participant WHERE code = 'P-0004'")" 1 "nothing erased then"
is "$(tl participant erase P-0004 --yes)" "P-0004 erased" "erase with --yes"
is "$(sql "SELECT count(*) FROM participant WHERE code = 'P-0004'")" 0 "code gone"
is "$(sql "SELECT count(*) FROM participant WHERE id = 4 AND code IS NULL AND erased_at IS NOT NULL")" 1 \
	"participant row kept without a code"
is "$(sql "SELECT count(*) FROM participant_name WHERE participant = 4")" 0 "name gone"
is "$(sql "SELECT count(*) FROM card WHERE participant = 4 OR token = '$CARD4'")" 0 "cards gone"
is "$(sql "SELECT count(*) FROM tap WHERE card = '$CARD4'")" 0 "card token gone from taps"
is "$(sql "SELECT count(*) FROM tap WHERE participant = 4")" 1 "their tap still counts"
is "$(sql "SELECT count(*) FROM deadletter WHERE reason = 'bad_card'")" 1 \
	"dead letters quoting their token in any letter case gone, another's kept"
is "$(on_disk)" 0 "nothing of P-0004 readable in the database file, its free pages or the WAL"
is "$(sql "SELECT count(*) FROM assessment WHERE participant = 4")" 0 "their assessments gone"
is "$(sql "SELECT count(*) FROM referral WHERE participant = 4")" 0 "their referral gone"
is "$(sql "SELECT count(*) FROM enrolment WHERE participant = 4 AND exit_reason IS NOT NULL")" 0 \
	"their exit reason gone"
ok "their scores are not readable on disk" bash -c \
	"! cat '$DB' '$DB-wal' 2> /dev/null | grep -aq '9,8,7,6,5,4,3'"
is "$(sql "SELECT count(*) FROM assessment WHERE participant = 1")" 2 "another's assessments kept"
is "$(tl export outcomes | grep -c P-0004 || true)" 0 "nor in the outcomes export"
is "$(tl export referrals | grep -c P-0004 || true)" 0 "nor in the referrals export"
is "$(stat -c %s "$DB-wal" 2> /dev/null || echo 0)" 0 "the write-ahead log is empty"
is "$(sql "PRAGMA freelist_count")" 0 "no free pages left holding old data"
is "$(tl export sessions)" "$sessions_before" "anonymous session counts unchanged"
ok "erased participant in no per-person export" bash -c \
	"! '$TOUCHLINE' --db '$DB' export participants | grep -q P-0004"
tl attendance rebuild > /dev/null
is "$(tl export sessions)" "$sessions_before" "and unchanged after a rebuild"
tl participant erase P-0004 --yes > /dev/null 2>&1 && rc=0 || rc=$?
is "$rc" 1 "an erased code is unknown"

# Retention: taps and attendance before the date go, the rest is as it was.
after_before=$(tl export attendance --from 2026-03-25)
tl purge --before 2026-03-25 < /dev/null > /dev/null 2>&1 && rc=0 || rc=$?
is "$rc" 1 "purge without --yes is refused"
is "$(sql "SELECT count(*) FROM tap WHERE ts < strftime('%s', '2026-03-25')")" 14 "taps kept then"
old_ids=$(sql "SELECT group_concat(id, ' ') FROM tap WHERE ts < strftime('%s', '2026-03-25')")
tl purge --before 2026-03-25 --yes > /dev/null
is "$(sql "SELECT count(*) FROM tap WHERE ts < strftime('%s', '2026-03-25')")" 0 "old taps purged"
left=0
for id in $old_ids; do
	cat "$DB" "$DB-wal" 2> /dev/null | grep -aq "$id" && left=$((left + 1))
done
is "$left" 0 "no purged tap's id readable in the database file or the WAL"
is "$(sql "SELECT count(*) FROM attendance a JOIN session s ON s.id = a.session
           WHERE s.start_ts < strftime('%s', '2026-03-25')")" 0 "old attendance purged"
tl attendance rebuild > /dev/null
is "$(sql "SELECT count(*) FROM attendance a JOIN session s ON s.id = a.session
           WHERE s.start_ts < strftime('%s', '2026-03-25')")" 0 "and not rebuilt as missed"
is "$(tl export attendance --from 2026-03-25)" "$after_before" "later attendance unchanged"
is "$(tl export attendance | wc -l)" "$(tl export attendance --from 2026-03-25 | wc -l)" \
	"nothing older is exported"
is "$(sql "SELECT group_concat(date) FROM assessment")" "2026-03-30" \
	"assessments dated before the purge gone, later ones kept"
is "$(sql "SELECT count(*) FROM referral")" 0 "referrals dated before it gone"
done_testing
