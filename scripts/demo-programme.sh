#!/bin/sh
# demo-programme.sh - builds a demo database holding a 12-week programme
# and prints its weekly report.
#
#   sh scripts/demo-programme.sh [BUILD-DIR] [DATABASE]
#
# Two sites (burnley, padiham), football and gym, 40 participants joining
# in four intakes (rolling) and one expected at Tuesday football only, with regular, patchy, improving and dropping-
# out attendance; one withdrawal per drop-out kind, unknown cards, stray
# taps, a cancelled session and the March clock change; referrals, exit
# reasons and outcome assessments (SWEMWBS, ONS4, seven pathways). Taps are written
# with sqlite3 exactly as the collector stores them. The data is the same
# on every run (fixed random seed) and is computed as at DEMO_AS_OF
# (default 2026-05-01T00:00:00Z, week 10 of the first intake).
set -eu
BUILD=${1:-build}
DB=${2:-$BUILD/demo-programme.db}
TL="$BUILD/collector/touchline"
TOUCHLINE_AS_OF=${DEMO_AS_OF:-2026-05-01T00:00:00Z}
export TOUCHLINE_AS_OF
[ -x "$TL" ] || { echo "demo: $TL not built (run make build)" >&2; exit 1; }
command -v sqlite3 > /dev/null || { echo "demo: sqlite3 not installed" >&2; exit 1; }

rm -f "$DB" "$DB-wal" "$DB-shm"
tl() { "$TL" --db "$DB" "$@"; }

tl init > /dev/null
tl site add burnley --name "Burnley FC in the Community" > /dev/null
tl site add padiham --name "Padiham Leisure Centre" > /dev/null
for s in burnley padiham; do
	tl reader add "$s" pitch-1 > /dev/null
	tl reader add "$s" gym-1 > /dev/null
done
tl programme add kickstart --name "Kickstart 2026" --weeks 12 --sites burnley,padiham > /dev/null
tl schedule add kickstart --site burnley --activity football --weekday tue --start 18:00 \
	--end 19:30 --from 2026-02-23 --to 2026-06-14 > /dev/null
tl schedule add kickstart --site padiham --activity gym --weekday thu --start 10:00 \
	--end 11:00 --from 2026-02-23 --to 2026-06-14 > /dev/null
tl schedule add kickstart --site padiham --activity football --weekday sat --start 11:00 \
	--end 12:30 --from 2026-02-23 --to 2026-06-14 > /dev/null
tl schedule cancel 3 --date 2026-04-04 --reason "Easter" > /dev/null
tl session add kickstart --site burnley --activity football --date 2026-04-06 --start 11:00 \
	--end 13:00 > /dev/null # Easter Monday tournament

# Participants 1-40 (expected at every session): intakes on 23 Feb (15), 9 Mar (10), 23 Mar (10), 6 Apr (5).
# The programme moved over from a paper register and keeps its codes
# P-0001 to P-0041 (--code); a participant added without --code gets a
# random one.
i=1
while [ "$i" -le 40 ]; do
	code=$(tl participant add --code "$(printf 'P-%04d' "$i")" --name "Demo Person $i")
	tl card enrol "$code" --token "$(printf 'de%030x' "$i")" > /dev/null
	if [ "$i" -le 15 ]; then start=2026-02-23
	elif [ "$i" -le 25 ]; then start=2026-03-09
	elif [ "$i" -le 35 ]; then start=2026-03-23
	else start=2026-04-06; fi
	tl programme enrol kickstart "$code" --start "$start" > /dev/null
	i=$((i + 1))
done
# Participant 41 comes to Tuesday football (schedule 1) only, every week:
# expected there alone, never counted as missing the gym or Saturdays.
code=$(tl participant add --code P-0041 --name "Demo Person 41")
tl card enrol "$code" --token "$(printf 'de%030x' 41)" > /dev/null
tl programme enrol kickstart "$code" --start 2026-02-23 --schedules 1 > /dev/null

# Taps, generated with a fixed seed. Profile by id mod 10: 0-3 regular,
# 4-6 patchy, 7 drops out and is withdrawn, 8 improves, 9 drops out
# silently (a follow-up case).
as_of_ts=$(date -u -d "$TOUCHLINE_AS_OF" +%s)
sqlite3 -separator ' ' "$DB" "SELECT 'S', s.id, s.site, s.activity, s.start_ts, s.end_ts,
	CAST(julianday(s.local_date) AS INTEGER) FROM session s
	WHERE s.cancelled_at IS NULL AND s.start_ts < $as_of_ts ORDER BY s.start_ts;
	SELECT 'E', e.participant, c.token, CAST(julianday(e.start_date) AS INTEGER),
	CAST(julianday(e.end_date) AS INTEGER) FROM enrolment e
	JOIN card c ON c.participant = e.participant ORDER BY e.participant" |
awk -v as_of="$as_of_ts" '
function tap(site, reader, card, ts) {
	if (ts >= as_of) return
	n++
	printf "INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at) VALUES (\"%08d-0000-4000-8000-%012d\", \"%s\", \"%s\", \"%s\", (SELECT participant FROM card WHERE token = \"%s\"), %d, %d, %d);\n", n, n, site, reader, card, card, ts, n, ts + int(rand() * 5)
}
BEGIN { srand(2026); print "BEGIN;" }
$1 == "S" { ns++; sid[ns] = $2; ssite[ns] = $3; sact[ns] = $4; sst[ns] = $5; sen[ns] = $6; sday[ns] = $7 }
$1 == "E" { ne++; pid[ne] = $2; card[ne] = $3; pstart[ne] = $4; pend[ne] = $5 }
END {
	for (p = 1; p <= ne; p++) {
		prof = pid[p] % 10
		drop = 3 + pid[p] % 4
		for (k = 1; k <= ns; k++) {
			if (sday[k] < pstart[p] || sday[k] > pend[p]) continue
			if (pid[p] == 41) { # Tuesday football, always; one Saturday as an extra
				if ((ssite[k] == "burnley" && sact[k] == "football") ||
				    (ssite[k] == "padiham" && sact[k] == "football" && ++sat41 == 3)) {
					tap(ssite[k], "pitch-1", card[p], sst[k] - 600)
					tap(ssite[k], "pitch-1", card[p], sen[k] + 120)
				}
				continue
			}
			week = int((sday[k] - pstart[p]) / 7)
			if (prof <= 3) pr = 0.85
			else if (prof <= 6) pr = 0.5
			else if (prof == 7 || prof == 9) pr = week < drop ? 0.8 : 0
			else pr = week < 4 ? 0.3 : 0.8
			if (sact[k] == "gym" && prof % 2) pr = pr * 0.6 # some prefer football
			if (rand() >= pr) continue
			reader = sact[k] == "gym" ? "gym-1" : "pitch-1"
			ci = sst[k] - 60 * int(25 * rand()) + 60 * int(10 * rand() * rand())
			tap(ssite[k], reader, card[p], ci)
			if (rand() < 0.1) tap(ssite[k], reader, card[p], ci + 30 + int(60 * rand()))
			if (rand() < 0.8) tap(ssite[k], reader, card[p], sen[k] + 60 * (int(25 * rand()) - 10))
		}
	}
	# Visitors with cards nobody holds, and stray taps between sessions.
	for (k = 1; k <= ns; k += 7) tap(ssite[k], "pitch-1", sprintf("ff%030x", k), sst[k] - 300)
	for (k = 2; k <= ns; k += 9) tap(ssite[k], "gym-1", card[1 + k % ne], sst[k] - 4 * 3600)
	print "COMMIT;"
}' | sqlite3 "$DB"

# Drop-outs of kind 7 told the coach and were withdrawn.
for i in 7 17 27 37; do
	code=$(printf 'P-%04d' "$i")
	start=$(sqlite3 "$DB" "SELECT date(start_date, '+$(( (3 + i % 4) * 7 )) days') FROM enrolment
		WHERE participant = $i")
	tl programme withdraw kickstart "$code" --date "$start" > /dev/null
done

# Outcomes: who referred each participant (a week before their start),
# three people referred who never started, reasons for leaving, and
# SWEMWBS, ONS4 and the seven pathways at intake (the start) and mid-way
# (week 7), imported from one CSV. Scores are generated with a fixed
# seed, better on average for those who attend more.
for f in "$(dirname "$0")"/../deploy/instruments/*.ini; do tl instrument add "$f" > /dev/null; done
sources="probation prison self agency probation"
sqlite3 -separator ' ' "$DB" "SELECT p.code, e.start_date, date(e.start_date, '-7 days'),
	date(e.start_date, '+42 days') FROM enrolment e JOIN participant p ON p.id = e.participant
	ORDER BY p.id" > "$DB.enrolments"
while read -r code start referred mid; do
	n=$(echo "${code#P-}" | sed "s/^0*//")
	tl programme refer kickstart "$code" --date "$referred" \
		--source "$(echo $sources | cut -d' ' -f$((n % 5 + 1)))" > /dev/null
done < "$DB.enrolments"
for i in 42 43 44; do
	tl participant add --code "P-00$i" > /dev/null
	tl programme refer kickstart "P-00$i" --source probation --date 2026-03-2$((i - 40)) > /dev/null
done
tl programme exit kickstart P-0007 --reason disengaged > /dev/null
tl programme exit kickstart P-0017 --reason work_or_training > /dev/null
tl programme exit kickstart P-0027 --reason custody > /dev/null
tl programme exit kickstart P-0037 --reason moved_away > /dev/null
as_of_day=$(date -u -d "$TOUCHLINE_AS_OF" +%F)
awk -v as_of="$as_of_day" '
function clip(v, lo, hi) { return v < lo ? lo : v > hi ? hi : v }
function items(k, lo, hi, base, gain,   i, out) {
	out = ""
	for (i = 1; i <= k; i++)
		out = out (i > 1 ? ";" : "") clip(base + int(3 * rand()) - 1 + (rand() < gain ? 1 : 0) + (rand() < gain / 2 ? 1 : 0), lo, hi)
	return out
}
BEGIN { srand(18); print "participant,instrument,wave,date,scores" }
{
	code = $1; n = $1; sub(/^P-0*/, "", n); n += 0; prof = n % 10
	gain = prof <= 3 ? 0.7 : prof <= 6 ? 0.35 : prof == 8 ? 0.6 : 0.1
	printf "%s,swemwbs,intake,%s,%s\n", code, $2, items(7, 1, 5, 3, 0)
	printf "%s,ons4,intake,%s,%s\n", code, $2, items(4, 0, 10, 5, 0)
	printf "%s,pathways,intake,%s,%s\n", code, $2, items(7, 1, 10, 4, 0)
	if ($4 >= as_of || prof == 7 || prof == 9) next # not yet, or gone
	printf "%s,swemwbs,mid,%s,%s\n", code, $4, items(7, 1, 5, 3, gain)
	printf "%s,ons4,mid,%s,%s\n", code, $4, items(4, 0, 10, 5, gain)
	printf "%s,pathways,mid,%s,%s\n", code, $4, items(7, 1, 10, 4, gain)
}' "$DB.enrolments" > "$DB.assessments.csv"
tl import assessments "$DB.assessments.csv" > /dev/null
rm -f "$DB.enrolments"
tl attendance rebuild
echo
tl report weekly
echo "Flagged for follow-up (missed their last 2 expected sessions):"
tl followup list
echo
echo "P-0041 is expected at Tuesday football only and comes every week; the gym"
echo "and Saturday sessions are not places of theirs, so they are not flagged. The"
echo "one Saturday they came to counts as an extra, credited, never as a miss:"
tl export participants --format csv | awk -F, 'NR == 1 || $1 == "P-0041"' |
	cut -d, -f1,6-13
echo
echo "Outcomes: distance travelled from intake to mid-way, against the sessions attended:"
tl outcomes report
echo
echo "Demo database: $DB (as of $TOUCHLINE_AS_OF). Try:"
echo "  TOUCHLINE_AS_OF=$TOUCHLINE_AS_OF $TL --db $DB export activity --format csv"
