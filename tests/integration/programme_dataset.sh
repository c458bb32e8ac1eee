# programme_dataset.sh - a small fixed programme dataset, built with the CLI
# plus taps inserted with sqlite3 (as the collector would store them).
# Source after lib.sh; call build_programme_dataset.
#
# Two programmes across the 29 March 2026 clock change:
#   kick   (6 weeks; burnley and padiham): football Tue 18:00-19:30 at
#          burnley, gym Thu 10:00-11:00 at padiham (2 April cancelled),
#          a one-off football session Sat 28 March 11:00-12:30
#   steps  (padiham): gym Mon 10:00-11:00
# P-0001 regular then missing the last two (follow-up), P-0002 late card and
# late enrolment, P-0003 withdraws, P-0004 attends once (erased by some
# tests), P-0005 never enrolled, P-0006 in steps; plus an unknown card.

export TOUCHLINE_AS_OF=2026-04-20T00:00:00Z
CARD3=33333333333333333333333333333333
CARD4=44444444444444444444444444444444
CARD5=55555555555555555555555555555555
CARD6=66666666666666666666666666666666
CARDX=99999999999999999999999999999999
TAPN=0

# tap SITE READER CARD UTC-TIME: a tap as the collector records it.
tap() {
	local ts
	ts=$(date -u -d "$4" +%s)
	TAPN=$((TAPN + 1))
	sql "INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at)
	     VALUES (printf('00000000-0000-4000-8000-%012d', $TAPN), '$1', '$2', '$3',
	     (SELECT participant FROM card WHERE token = '$3' AND revoked_at IS NULL),
	     $ts, $TAPN, $ts)"
}

build_programme_dataset() {
	tl init > /dev/null
	tl site add burnley --name "Burnley" > /dev/null
	tl site add padiham --name "Padiham" > /dev/null
	tl reader add burnley pitch-1 > /dev/null
	tl reader add padiham gym-1 > /dev/null
	tl activity add gym --met 5.5 > /dev/null
	local i
	for i in 1 2 3 4 5 6; do
		tl participant add --code "P-000$i" --name "Person Example$i" > /dev/null
	done
	tl card enrol P-0001 --token "$CARD1" > /dev/null
	tl card enrol P-0003 --token "$CARD3" > /dev/null
	tl card enrol P-0004 --token "$CARD4" > /dev/null
	tl card enrol P-0005 --token "$CARD5" > /dev/null
	tl card enrol P-0006 --token "$CARD6" > /dev/null

	tl programme add kick --name "Kickstart" --weeks 6 --sites burnley,padiham > /dev/null
	tl programme add steps --name "Steps" --sites padiham > /dev/null
	tl schedule add kick --site burnley --activity football --weekday tue --start 18:00 \
		--end 19:30 --from 2026-03-16 --to 2026-04-15 > /dev/null
	tl schedule add kick --site padiham --activity gym --weekday thu --start 10:00 \
		--end 11:00 --from 2026-03-16 --to 2026-04-16 > /dev/null
	tl session add kick --site burnley --activity football --date 2026-03-28 --start 11:00 \
		--end 12:30 > /dev/null
	tl schedule cancel 2 --date 2026-04-02 --reason "hall closed" > /dev/null
	tl schedule add steps --site padiham --activity gym --weekday mon --start 10:00 \
		--end 11:00 --from 2026-03-16 --to 2026-04-13 > /dev/null

	tl programme enrol kick P-0001 --start 2026-03-16 > /dev/null
	tl programme enrol kick P-0003 --start 2026-03-16 > /dev/null
	tl programme enrol kick P-0004 --start 2026-03-16 > /dev/null
	tl programme enrol steps P-0006 --start 2026-03-16 > /dev/null

	# P-0001: GMT until 29 March, BST (UTC+1) after.
	tap burnley pitch-1 "$CARD1" 2026-03-17T17:50:00Z
	tap burnley pitch-1 "$CARD1" 2026-03-17T17:52:00Z # duplicate
	tap burnley pitch-1 "$CARD1" 2026-03-17T19:35:00Z
	tap padiham gym-1 "$CARD1" 2026-03-19T09:55:00Z
	tap padiham gym-1 "$CARD1" 2026-03-19T11:02:00Z
	tap burnley pitch-1 "$CARD1" 2026-03-24T17:58:00Z # no check-out
	tap burnley pitch-1 "$CARD1" 2026-03-28T10:45:00Z
	tap burnley pitch-1 "$CARD1" 2026-03-28T12:00:00Z
	tap burnley pitch-1 "$CARD1" 2026-03-31T16:52:00Z
	tap burnley pitch-1 "$CARD1" 2026-03-31T18:31:00Z
	tap padiham gym-1 "$CARD1" 2026-04-02T09:00:00Z   # cancelled session
	tap burnley pitch-1 "$CARD1" 2026-04-07T16:55:00Z
	tap burnley pitch-1 "$CARD1" 2026-04-07T18:40:00Z
	tap burnley pitch-1 "$CARD1" 2026-04-08T12:00:00Z # no session
	tap padiham gym-1 "$CARD1" 2026-04-09T08:50:00Z
	tap padiham gym-1 "$CARD1" 2026-04-09T09:30:00Z
	# P-0002's card, unknown until enrolled.
	tap padiham gym-1 "$CARD2" 2026-03-19T09:50:00Z   # before their start
	tap burnley pitch-1 "$CARD2" 2026-03-24T17:45:00Z
	tap burnley pitch-1 "$CARD2" 2026-03-24T19:40:00Z
	tap padiham gym-1 "$CARD2" 2026-03-26T09:40:00Z
	# P-0003 withdraws from 1 April.
	tap burnley pitch-1 "$CARD3" 2026-03-17T17:40:00Z
	tap burnley pitch-1 "$CARD3" 2026-03-17T19:20:00Z
	tap burnley pitch-1 "$CARD3" 2026-04-07T16:50:00Z # after withdrawing
	# P-0004 once; P-0005 never enrolled; P-0006 in steps.
	tap burnley pitch-1 "$CARD4" 2026-03-17T17:55:00Z
	tap burnley pitch-1 "$CARD5" 2026-03-31T16:55:00Z
	tap padiham gym-1 "$CARD6" 2026-03-16T09:55:00Z
	tap padiham gym-1 "$CARD6" 2026-03-16T11:00:00Z
	tap padiham gym-1 "$CARD6" 2026-03-30T08:58:00Z
	tap padiham gym-1 "$CARD6" 2026-03-30T10:05:00Z
	tap padiham gym-1 "$CARD6" 2026-04-02T09:05:00Z   # kick's cancelled session
	tap padiham gym-1 "$CARD6" 2026-04-06T09:10:00Z
	tap burnley pitch-1 "$CARDX" 2026-04-14T17:00:00Z # unknown card

	# Late: P-0002's card and enrolment become known after their taps.
	tl participant list > /dev/null
	tl card enrol P-0002 --token "$CARD2" > /dev/null
	tl programme enrol kick P-0002 --start 2026-03-23 > /dev/null
	tap padiham gym-1 "$CARD2" 2026-04-09T08:40:00Z
	tap padiham gym-1 "$CARD2" 2026-04-09T09:55:00Z
	tap padiham gym-1 "$CARD2" 2026-04-16T08:59:00Z
	tap padiham gym-1 "$CARD2" 2026-04-16T10:01:00Z
	tl programme withdraw kick P-0003 --date 2026-04-01 > /dev/null
	tl attendance rebuild > /dev/null
}
