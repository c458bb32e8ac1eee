#!/usr/bin/env bash
# collector_coach.sh - coach (staff) cards at the collector: a staff card
# then an unknown card makes a new participant enrolled in the programme
# running at the site, answered on the ack; a known card re-issues
# nothing; a staff card twice cancels; the window is judged on the taps'
# ts per reader, so it works for taps sent late from the spool; random
# UIDs are stored but never offered; bad input changes nothing.
. "$TL_SRC/tests/lib.sh"

STAFF=5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e
NEW=00000000000000000000000000000001
UNK=00000000000000000000000000000002
FAR=00000000000000000000000000000003
RND=00000000000000000000000000000004
rc() { local r=0; tl "$@" > /dev/null 2>&1 || r=$?; echo "$r"; }
# tapr SITE READER CARD TS SEQ [RANDOM]: a tap, with "random":true if asked
tapr() {
	local id; id=$(uuid)
	printf '{"v":1,"id":"%s","site":"%s","reader":"%s","card":"%s","ts":"%s","seq":%s%s}' \
		"$id" "$1" "$2" "$3" "$4" "$5" "${6:+,\"random\":true}"
}
# tapack SITE READER CARD TS SEQ [RANDOM]: publishes a tap, prints its ack
tapack() { pub "$1/$2/tap" "$(tapr "$@")"; acks_get coach 1; }
count() { sql "SELECT count(*) FROM $1"; }

broker_start
setup_db
tl site add padiham > /dev/null
tl reader add padiham hall > /dev/null
tl programme add kick --sites burnley > /dev/null
tl schedule add kick --site burnley --activity football --weekday tue --start 18:00 \
	--end 19:30 --from 2026-03-01 --to 2026-03-31 > /dev/null
is "$(tl staff add "Sam Coach" --token $STAFF)" "staff card $STAFF added for Sam Coach" "staff card added"
collector_start
acks_listen coach

# Staff card, then a new card, within 60 s (taps of a session weeks ago:
# as a spool sends them after an outage, in order).
a=$(tapack burnley pitch-1 $STAFF 2026-03-03T18:00:00Z 1)
ok "staff card: recorded for nobody, window open ($a)" \
	grep -q '"status":"recorded","coach":"open"}' <<< "$a"
a=$(tapack burnley pitch-1 $NEW 2026-03-03T18:00:40Z 2)
code=$(grep -o '"participant":"P-[A-Z0-9]*"' <<< "$a" | cut -d'"' -f4)
ok "new card: a new participant ($code), enrolled in kick, on the ack ($a)" \
	grep -q '"status":"recorded","participant":"P-[34679ACDEFGHJKMNPQRTWXY]\{6\}","week_sessions":1,"coach":"enrolled","programme":"kick"}' <<< "$a"
is "$(sql "SELECT p.code || ' ' || e.start_date || ' ' || x.schedules FROM card c
           JOIN participant p ON p.id = c.participant JOIN enrolment e ON e.participant = p.id
           JOIN expectation x ON x.participant = p.id WHERE c.token = '$NEW'")" \
	"$code 2026-03-03 1" "card enrolled; enrolment from the session's date, expected at its schedule"
sleep 1.5 # the live update
is "$(sql "SELECT a.attended FROM attendance a JOIN participant p ON p.id = a.participant
           WHERE p.code = '$code' AND a.session = 1")" 1 "the enrolling tap counts for the session"
is "$(sql "SELECT count(*) FROM attendance a JOIN tap t ON t.staff IS NOT NULL
           AND a.checkin_tap = t.n")" 0 "staff taps are never attendance"

# Resend of the enrolling tap: duplicate, nothing created again.
before=$(count participant)
id=$(sql "SELECT id FROM tap WHERE card = '$NEW'")
pub burnley/pitch-1/tap "$(tap_json burnley pitch-1 $NEW 2026-03-03T18:00:40Z 2 "$id")"
a=$(acks_get coach 1)
ok "resend: duplicate, same participant ($a)" grep -q "\"duplicate\",\"participant\":\"$code\"" <<< "$a"
is "$(count participant)" "$before" "nobody created twice"

# Staff, then a known card: nothing re-issued.
tapack burnley pitch-1 $STAFF 2026-03-03T18:01:00Z 3 > /dev/null
a=$(tapack burnley pitch-1 "$CARD1" 2026-03-03T18:01:10Z 4)
ok "known card: recorded as theirs, coach known ($a)" \
	grep -q '"participant":"P-0001".*"coach":"known"' <<< "$a"
is "$(count participant)" "$before" "known card: no new participant"

# Staff twice cancels; the next unknown card is just unknown.
tapack burnley pitch-1 $STAFF 2026-03-03T18:02:00Z 5 > /dev/null
a=$(tapack burnley pitch-1 $STAFF 2026-03-03T18:02:05Z 6)
ok "staff card twice: cancel ($a)" grep -q '"coach":"cancel"' <<< "$a"
a=$(tapack burnley pitch-1 $UNK 2026-03-03T18:02:10Z 7)
ok "after a cancel: unknown card, no coach ($a)" grep -q '"status":"unknown_card"}$' <<< "$a"

# Past the window (by the taps' own times): unknown.
tapack burnley pitch-1 $STAFF 2026-03-03T18:03:00Z 8 > /dev/null
a=$(tapack burnley pitch-1 $FAR 2026-03-03T18:04:01Z 9)
ok "61 s after the staff card: unknown ($a)" grep -q '"status":"unknown_card"}$' <<< "$a"
# One card per staff tap: the window closed with the enrolment above.
a=$(tapack burnley gym-1 $UNK 2026-03-03T18:05:00Z 1)
ok "another reader's window is its own ($a)" grep -q '"status":"unknown_card"}$' <<< "$a"

# A random UID after the staff card: stored, never enrolled or offered.
tapack burnley pitch-1 $STAFF 2026-03-03T18:06:00Z 10 > /dev/null
a=$(tapack burnley pitch-1 $RND 2026-03-03T18:06:05Z 11 1)
ok "random UID after a staff card: coach random_uid, unknown ($a)" \
	grep -q '"status":"unknown_card","coach":"random_uid"}' <<< "$a"
is "$(sql "SELECT random FROM tap WHERE card = '$RND'")" 1 "stored, marked random"
tl unknown list > "$T/unknown"
ok "unknown list: the unknown cards" grep -q "$UNK" "$T/unknown"
ok "unknown list: no random UID" bash -c "! grep -q $RND '$T/unknown'"
ok "unknown list: no staff card" bash -c "! grep -q $STAFF '$T/unknown'"
is "$(rc card enrol P-0001 --last-unknown --reader burnley/pitch-1)" 0 \
	"--last-unknown passes over the random UID"
is "$(sql "SELECT count(*) FROM card WHERE token = '$RND'")" 0 "the random UID was not enrolled"
is "$(sql "SELECT participant FROM card WHERE token = '$FAR'")" 1 "the last real unknown card was"
tl attendance rebuild > /dev/null
is "$(sql "SELECT group_concat(DISTINCT u.reason) FROM tap_unmatched u JOIN tap t ON t.n = u.tap
           WHERE t.card IN ('$STAFF', '$RND') ORDER BY 1")" "staff_card,random_uid" \
	"unmatched reasons: staff_card, random_uid"

# Bad input: a site with no programme running, an unregistered reader.
before=$(count participant)
tapack padiham hall $STAFF 2026-03-03T18:10:00Z 1 > /dev/null
a=$(tapack padiham hall 00000000000000000000000000000009 2026-03-03T18:10:05Z 3)
ok "no programme running at the site: said so, nothing created ($a)" \
	grep -q '"status":"unknown_card","coach":"no_programme"}' <<< "$a"
pub burnley/nope/tap "$(tapr burnley nope $STAFF 2026-03-03T18:11:00Z 1)"
a=$(acks_get coach 1)
ok "a staff card at an unregistered reader: rejected ($a)" grep -q '"reason":"unknown_reader"' <<< "$a"
pub burnley/nope/tap "$(tapr burnley nope 0000000000000000000000000000000a 2026-03-03T18:11:05Z 2)"
acks_get coach 1 > /dev/null
is "$(count participant)" "$before" "nothing created by either"
is "$(tl staff list | awk -v t=$STAFF '$0 ~ t {print $NF}')" 7 "staff list counts its taps"

# staff add bad input (nothing changed).
is "$(rc staff add Ann --token "$CARD1")" 1 "a participant's card refused as a staff card"
is "$(rc staff add Ann --token $STAFF)" 1 "a staff card twice refused"
is "$(rc staff add Ann --token XYZ)" 1 "a bad token refused"
is "$(rc staff add Ann --last-unknown --reader burnley/nope)" 1 "an unregistered reader refused"
is "$(tl staff add Ann --last-unknown --reader burnley/nope 2>&1)" \
	"touchline: no reader burnley/nope (register it with 'touchline reader add')" "and says so"
is "$(rc staff add Ann)" 2 "staff add needs --token or --last-unknown"
is "$(rc card enrol P-0001 --token $STAFF)" 1 "a staff card cannot be enrolled as a participant's"
is "$(count staff)" 1 "no staff card added by any of them"
is "$(tl staff revoke $STAFF)" "staff card $STAFF revoked" "revoked"
a=$(tapack burnley pitch-1 $STAFF 2026-03-03T18:20:00Z 12)
ok "a revoked staff card is an unknown card ($a)" grep -q '"status":"unknown_card"}$' <<< "$a"
collector_stop
done_testing
