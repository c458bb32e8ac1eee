#!/usr/bin/env bash
# dashboard_briefing.sh - the briefing and the follow-up by need, on the
# fixed programme dataset (a Sunday and a Monday) and on the demo
# programme (a Monday and a Thursday): golden figures
# (tests/cases/dashboard/briefing-*.txt; TL_REGEN=1 rewrites them), a few
# checked by hand or against the derived tables with sqlite3, the call
# sheets and their CSV, and the comparison with the previous run.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/programme_dataset.sh"

DASH="$TL_BIN/dashboard/touchline-dashboard"
CASES="$TL_SRC/tests/cases/dashboard"
HTMLPY="$TL_SRC/tests/integration/dashboard_html.py"
figures() { python3 "$HTMLPY" figures "$1" | grep -E '^(brief|fu|cs)-' || true; }
golden() { # NAME FILE: compares FILE with the golden NAME
	if [ -n "${TL_REGEN:-}" ]; then
		cp "$2" "$CASES/$1"
		echo "regenerated $1"
	elif diff -u "$CASES/$1" "$2"; then
		is same same "$1 matches the golden file"
	else
		is different same "$1 matches the golden file"
	fi
}
build_programme_dataset

# A Monday: last week is the complete week 16, and no "this week so far".
ok "dashboard on Monday 20 April" "$DASH" --db "$DB" --out "$T/mon" --today 2026-04-20
{ figures "$T/mon/index.html"; figures "$T/mon/site-burnley.html" | sed 's/^/burnley /'; } \
	> "$T/monday.txt"
golden briefing-monday.txt "$T/monday.txt"
# By hand: week 16 had Monday gym (P-0006 expected, missed), Tuesday
# football (P-0001, P-0002, P-0004 expected, none came) and Thursday gym
# (the same three, P-0002 came): 1 of 7; week 15 had 4 of 7.
is "$(grep '^brief-came:' "$T/monday.txt")" "brief-came: Came, of those expected | 1 | 4 | −3" \
	"Monday: 1 came of those expected, 3 fewer than week 15"
is "$(grep -c '^brief-now-' "$T/monday.txt")" 0 "Monday: no 'this week so far'"
ok "Monday: the week in words" grep -q '^brief-w-s2: Nobody came to Tuesday football at Burnley (0 of 3 expected), 1 fewer than the week before.' "$T/monday.txt"
# Against the derived tables: expected places and attendances of week 16.
is "$(grep '^brief-places:' "$T/monday.txt" | cut -d'|' -f2 | tr -d ' ')" \
	"$(sql "SELECT count(*) FROM attendance a JOIN session s ON s.id = a.session
	        WHERE s.iso_week = '2026-W16' AND a.expected")" "expected places = attendance rows"
ok "the cancelled session and why, the week it happened" bash -c \
	"'$DASH' --db '$DB' --out '$T/w14' --today 2026-04-06 > /dev/null &&
	 python3 '$HTMLPY' figures '$T/w14/index.html' | grep -q '^brief-last-3: Thu 2 Apr 10:00 | Padiham | Gym | – | – | – | Cancelled: hall closed'"

# A Sunday: this week so far beside last week.
ok "dashboard on Sunday 19 April" "$DASH" --db "$DB" --out "$T/sun" --today 2026-04-19
is "$(python3 "$HTMLPY" figures "$T/sun/index.html" | grep -c '^brief-now-')" 3 \
	"Sunday: this week's three sessions so far"

# Follow-up by need: P-0001 newly lapsed (missed 2) before P-0004 (long lost).
is "$(python3 "$HTMLPY" figures "$T/sun/index.html" | grep '^fu-' | cut -d'|' -f1 | tr '\n' ' ')" \
	"fu-1: P-0001  fu-2: P-0004  " "newly lapsed first"
ok "bands named" grep -q 'id="fu-band-new">Newly lapsed: 1<' "$T/sun/index.html"
ok "call sheet per site" test -f "$T/sun/callsheet-burnley.html" -a -f "$T/sun/callsheet-padiham.csv"
ok "call sheet well-formed" python3 "$HTMLPY" check "$T"/sun/callsheet-*.html
is "$(sed -n 2p "$T/sun/callsheet-burnley.csv")" \
	"Newly lapsed,P-0001,kick,2,2026-04-09,Padiham,Tuesday 18:00 football at Burnley; Thursday 10:00 gym at Padiham,0/2 2/2 1/1 2/3 2/2 - - -," \
	"call sheet CSV: band, last attended, usual sessions, 8 weeks newest first"
ok "no names in the call sheet without --names" bash -c "! grep -q Example '$T'/sun/callsheet-*"
ok "--names" "$DASH" --db "$DB" --out "$T/names" --today 2026-04-19 --names
ok "names in the call sheet with --names" grep -q 'Person Example1' "$T/names/callsheet-burnley.csv"
ok "no earlier run: says so" grep -q 'No earlier run of the dashboard' "$T/sun/index.html"

# The next run compares with this one: P-0001 comes on Thursday 16 April.
tap padiham gym-1 "$CARD1" 2026-04-16T08:55:00Z
tl attendance rebuild > /dev/null
ok "a later run over the same folder" "$DASH" --db "$DB" --out "$T/sun" --today 2026-04-20
is "$(python3 "$HTMLPY" figures "$T/sun/index.html" | grep '^fu-ch-left-1:')" \
	"fu-ch-left-1: P-0001 (kick): came back on Thursday 16 April." "who came back"
is "$(python3 "$HTMLPY" figures "$T/sun/index.html" | grep -c '^fu-[0-9]')" 1 "one left on the list"
cp -r "$T/sun" "$T/sun-before"
ok "the same day again" "$DASH" --db "$DB" --out "$T/sun" --today 2026-04-20
ok "...compares with the same earlier run: identical bytes" diff -r "$T/sun-before" "$T/sun"

# The demo programme: 41 participants, four intakes.
sh "$TL_SRC/scripts/demo-programme.sh" "$TL_BIN" "$T/demo.db" > /dev/null
ok "demo: a Monday" "$DASH" --db "$T/demo.db" --out "$T/demo-mon" --today 2026-04-13
ok "demo: a Thursday" "$DASH" --db "$T/demo.db" --out "$T/demo-thu" --today 2026-04-16
{ figures "$T/demo-mon/index.html" | grep '^brief'; figures "$T/demo-thu/index.html" | grep '^brief' |
	sed 's/^/thursday /'; } > "$T/demo.txt"
golden briefing-demo.txt "$T/demo.txt"
is "$(grep '^brief-came:' "$T/demo.txt" | cut -d'|' -f2 | tr -d ' ')" \
	"$(sqlite3 "$T/demo.db" "SELECT count(*) FROM attendance a JOIN session s ON s.id = a.session
	   WHERE s.iso_week = '2026-W15' AND a.expected AND a.attended")" \
	"demo: came last week = attended expected rows of week 15"
is "$(grep '^brief-extras:' "$T/demo.txt" | cut -d'|' -f2 | tr -d ' ')" \
	"$(sqlite3 "$T/demo.db" "SELECT count(*) FROM attendance a JOIN session s ON s.id = a.session
	   WHERE s.iso_week = '2026-W15' AND NOT a.expected AND a.attended")" \
	"demo: extras last week = attended rows not expected"
ok "demo pages well-formed" python3 "$HTMLPY" check "$T"/demo-mon/*.html
done_testing
