#!/usr/bin/env bash
# bridge_coach.sh - the reader's side of coach cards and random UIDs, with
# the real bridge (sim reader), broker and collector: a random UID is sent
# marked "random", stored so and never offered; the coach is told to use
# the programme card; a staff card then a new card gives "new participant
# P-XXXX enrolled in <programme>", then a known card, a cancel and a site
# with no programme are said in words.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

broker_start
setup_db
tl programme add kick --sites burnley > /dev/null
today=$(date -u +%F)
# a session running now, whatever the time of day (UTC programme)
tl programme add now-prog --sites burnley --tz UTC > /dev/null
tl session add now-prog --site burnley --activity football --date "$today" --start 00:00 \
	--end 23:59 > /dev/null
collector_start
bridge_start co --debounce 0
STAFF_UID=04c0ac4c0ac4c0
tl staff add Coach --token "$(token_of $STAFF_UID)" > /dev/null

card co 08a1b2c3
wait_for "grep -q 'phone or random-ID card: use the programme card' '$T/co.out'" 10
ok "random UID: the coach is told to use the programme card" \
	grep -q 'phone or random-ID card: use the programme card' "$T/co.out"
is "$(sql "SELECT random FROM tap WHERE card = '$(token_of 08a1b2c3)'")" 1 \
	"the tap reached the collector marked random"
is "$(tl unknown list | tail -n +2 | wc -l)" 0 "not offered in unknown list"

card co $STAFF_UID
wait_for "grep -q 'staff card: tap the new card' '$T/co.out'" 10
ok "staff card: the coach is asked for the new card" grep -q 'staff card: tap the new card within 60 s' "$T/co.out"
card co 04aaaaaaaaaaaa
wait_for "grep -q 'new participant' '$T/co.out'" 10
code=$(sql "SELECT p.code FROM card c JOIN participant p ON p.id = c.participant
            WHERE c.token = '$(token_of 04aaaaaaaaaaaa)'")
ok "new participant $code enrolled in now-prog, said at the reader" \
	grep -q "new participant $code enrolled in now-prog\$" "$T/co.out"
card co $STAFF_UID
wait_for "[ \$(grep -c 'staff card: tap the new card' '$T/co.out') -ge 2 ]" 10
card co 04aaaaaaaaaaaa
wait_for "grep -q 'already belongs' '$T/co.out'" 10
ok "a known card: nothing re-issued, said so" grep -q "card already belongs to $code: nothing re-issued" "$T/co.out"
card co $STAFF_UID
wait_for "[ \$(grep -c 'staff card: tap the new card' '$T/co.out') -ge 3 ]" 10
card co $STAFF_UID
wait_for "grep -q 'staff card: cancelled' '$T/co.out'" 10
ok "staff card twice: cancelled" grep -q 'staff card: cancelled' "$T/co.out"
is "$(sql "SELECT count(*) FROM participant")" 2 "one participant created in all"
bridge_stop
collector_stop
done_testing
