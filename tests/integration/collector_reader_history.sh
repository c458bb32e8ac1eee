#!/usr/bin/env bash
# A reader's problem history (docs/collector.md, "Reader problems"), from
# statuses sent to a real collector: an offline stretch from a Last Will
# to the next online status, a short gap continuing the stretch, a clock
# stretch from a fresh status measuring the clock off to one measuring it
# right (keeping the worst offset), the broker's retained offline copy
# starting from when the reader was last heard from, the bound per
# reader, and purge. Then the dashboard marks the session and week a past
# stretch overlapped, and no other.
. "$TL_SRC/tests/lib.sh"

DASH="$TL_BIN/dashboard/touchline-dashboard"
broker_start
setup_db
problems() { sql -separator ' ' "SELECT kind, end_at IS NULL, coalesce(worst, '-') FROM reader_problem WHERE reader = '$1' ORDER BY kind, start_at" | tr '\n' ' '; }
status() { pub "burnley/$1/status" "$2"; }
online() { status "$1" "{\"v\":1,\"state\":\"online\",\"ts\":\"$(date -u -d "${2:-+0 seconds}" +%Y-%m-%dT%H:%M:%SZ)\"}"; }
will='{"v":1,"state":"offline"}'

collector_start
online pitch-1
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'pitch-1'\")\" = online ]"
is "$(problems pitch-1)" "" "a reader online with its clock right has no problems"

# --- offline: the Last Will opens a stretch, the next online closes it
status pitch-1 "$will"
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'pitch-1'\")\" = offline ]"
is "$(problems pitch-1)" "offline 1 - " "the Last Will opens an offline stretch"
t_off=$(sql "SELECT start_at FROM reader_problem WHERE reader = 'pitch-1'")
now=$(date -u +%s)
ok "...starting when it arrived ($t_off, now $now)" [ "$t_off" -ge $((now - 5)) ] && [ "$t_off" -le "$now" ]
online pitch-1
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'pitch-1'\")\" = online ]"
is "$(problems pitch-1)" "offline 0 - " "the next online status ends it"
ok "...not before it started" [ "$(sql "SELECT end_at >= start_at FROM reader_problem WHERE reader = 'pitch-1'")" = 1 ]
status pitch-1 "$will"
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'pitch-1'\")\" = offline ]"
is "$(problems pitch-1)" "offline 1 - " "dropping again within 15 min continues the same stretch"
is "$(sql "SELECT start_at FROM reader_problem WHERE reader = 'pitch-1'")" "$t_off" "...from its start"
online pitch-1
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'pitch-1'\")\" = online ]"

# --- clock: fresh statuses measure it; the worst offset is kept
online gym-1 '+300 seconds'
wait_for "[ -n \"\$(sql \"SELECT 1 FROM reader_problem WHERE reader = 'gym-1'\")\" ]"
w=$(sql "SELECT worst FROM reader_problem WHERE reader = 'gym-1' AND kind = 'clock'")
ok "a clock 300 s fast opens a clock stretch (worst $w)" [ "$w" -ge 298 ] && [ "$w" -le 301 ]
# (a slow clock is measured only a minute after the collector connects,
# docs/protocol.md, "Clock measurement"; the dashboard part shows one)
online gym-1 '+900 seconds'
wait_for "[ \"\$(sql \"SELECT worst > 800 FROM reader_problem WHERE reader = 'gym-1'\")\" = 1 ]"
w=$(sql "SELECT worst FROM reader_problem WHERE reader = 'gym-1' AND kind = 'clock'")
ok "...a worse one (900 s fast) becomes its worst ($w)" [ "$w" -ge 898 ] && [ "$w" -le 901 ]
online gym-1 '+250 seconds'
online gym-1
ok "a status measuring the clock right ends the clock stretch" \
	wait_for "[ \"\$(sql \"SELECT end_at IS NOT NULL FROM reader_problem WHERE reader = 'gym-1'\")\" = 1 ]"
is "$(sql "SELECT count(*) FROM reader_problem WHERE reader = 'gym-1'")" 1 "...a milder one before it continued it"
is "$(sql "SELECT worst > 898 FROM reader_problem WHERE reader = 'gym-1'")" 1 "...keeping the worst"

# --- the Last Will published while the collector is away: the broker
# hands it over on reconnect (queued for the collector's session, and as
# the retained copy); the stretch starts between when the reader was last
# heard from and then
seen=$(sql "SELECT last_seen FROM reader WHERE id = 'pitch-1'")
sql "UPDATE reader_problem SET start_at = start_at - 7200, end_at = end_at - 7200 WHERE reader = 'pitch-1'"
collector_stop
mosquitto_pub -p "$PORT" -q 1 -r -t "$PREFIX/burnley/pitch-1/status" -m "$will"
sleep 1
collector_start
wait_for "[ \"\$(sql \"SELECT state FROM reader WHERE id = 'pitch-1'\")\" = offline ]"
is "$(problems pitch-1)" "offline 0 - offline 1 - " "an offline status after a restart opens a new stretch"
start=$(sql "SELECT max(start_at) FROM reader_problem WHERE reader = 'pitch-1'")
ok "...from no earlier than the reader was last heard from ($seen <= $start <= now)" \
	[ "$start" -ge "$seen" ] && [ "$start" -le "$(date -u +%s)" ]
mosquitto_pub -p "$PORT" -q 1 -r -t "$PREFIX/burnley/pitch-1/status" -n

# --- bounded: the newest 2000 stretches of a kind per reader
sql "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 2100)
	INSERT INTO reader_problem (site, reader, kind, start_at, end_at)
	SELECT 'burnley', 'gym-1', 'offline', 1700000000 + i * 3600, 1700000000 + i * 3600 + 60 FROM g"
status gym-1 "$will"
wait_for "[ \"\$(sql \"SELECT count(*) FROM reader_problem WHERE reader = 'gym-1' AND end_at IS NULL AND kind = 'offline'\")\" = 1 ]"
is "$(sql "SELECT count(*) FROM reader_problem WHERE reader = 'gym-1' AND kind = 'offline'")" 2000 \
	"a reader keeps its newest 2000 offline stretches"
is "$(sql "SELECT min(start_at) FROM reader_problem WHERE reader = 'gym-1' AND kind = 'offline'")" \
	$((1700000000 + 102 * 3600)) "...the oldest dropped"
is "$(sql "SELECT count(*) FROM reader_problem WHERE reader = 'gym-1' AND kind = 'clock'")" 1 \
	"...and its clock stretches are counted apart"
collector_stop

# --- purge: stretches over before the date go; open ones stay
tl purge --before 2024-01-01 --yes > /dev/null
is "$(sql "SELECT count(*) FROM reader_problem WHERE end_at < 1704067200")" 0 "purge deletes stretches over before it"
is "$(sql "SELECT count(*) FROM reader_problem WHERE end_at IS NULL")" 2 "...and keeps the open ones"

# --- the dashboard marks the sessions a past stretch overlapped
sql "DELETE FROM reader_problem"
tl programme add kickstart --weeks 12 --sites burnley > /dev/null
tl schedule add kickstart --site burnley --activity football --weekday tue --start 18:00 --end 19:30 \
	--from 2026-03-03 --to 2026-03-31 > /dev/null
tl programme enrol kickstart P-0001 --start 2026-03-03 > /dev/null
TOUCHLINE_AS_OF=2026-04-01T00:00:00Z tl attendance rebuild > /dev/null
s10=$(sql "SELECT start_ts FROM session WHERE local_date = '2026-03-10'")
# offline from 30 min before the 10 March session to 10 min into it
sql "INSERT INTO reader_problem VALUES ('burnley', 'pitch-1', 'offline', $((s10 - 1800)), $((s10 + 600)), NULL)"
# a clock 20 min slow on the Sunday before 24 March's session, over before it
sql "INSERT INTO reader_problem VALUES ('burnley', 'gym-1', 'clock', $((s10 + 12 * 86400)), $((s10 + 12 * 86400 + 3600)), -1200)"
"$DASH" --db "$DB" --out "$T/site" --today 2026-04-01 > /dev/null
row() { python3 - "$T/site/index.html" "$1" <<'EOF'
import re, sys
html = open(sys.argv[1]).read()
m = re.search(r'<tr id="week-%s">(.*?)</tr>' % re.escape(sys.argv[2]), html, re.S)
print(re.sub(r"<[^>]+>", "", m.group(1)) if m else "NO ROW")
EOF
}
ok "the week of 10 March says pitch-1 was offline during its session" \
	bash -c "[[ \"\$1\" == *'pitch-1 at Burnley offline during 1 session'* ]]" _ "$(row 2026-W11)"
for w in 2026-W10 2026-W12 2026-W13 2026-W14; do
	ok "$w has no reader mark" bash -c "[[ \"\$1\" != *offline* && \"\$1\" != *clock* ]]" _ "$(row $w)"
done
ok "the per-site table marks Burnley's cell of that week, and only it" python3 - "$T/site/index.html" <<'EOF'
import re, sys
html = open(sys.argv[1]).read()
table = re.search(r'<table id="att-site">(.*?)</table>', html, re.S).group(1)
weeks = re.findall(r'<th scope="col" class="num">([^<]+)</th>', table)
cells = re.findall(r'<td class="num">(.*?)</td>', re.search(r'<tr id="att-site-1">(.*?)</tr>', table, re.S).group(1))
marked = [w for w, c in zip(weeks, cells) if "&#9888;" in c]
sys.exit(0 if marked == ["2026-W11"] and 'id="att-site-marks"' in html else 1)
EOF
ok "the participants-by-week table marks that week's heading, and only it" python3 - "$T/site/index.html" <<'EOF'
import re, sys
html = open(sys.argv[1]).read()
table = re.search(r'<table class="hm sortable" id="heatmap-table">(.*?)</thead>', html, re.S).group(1)
marked = re.findall(r'>([0-9]{4}-W[0-9]{2}) <span class="mark">&#9888;</span></th>', table)
sys.exit(0 if marked == ["2026-W11"] and 'id="heatmap-marks"' in html else 1)
EOF
ok "the attendance chart marks the week too" \
	grep -q 'Weeks with a reader problem during a session (marked ⚠): 2026-W11.' "$T/site/index.html"
sql "UPDATE reader_problem SET end_at = NULL WHERE kind = 'offline'"
"$DASH" --db "$DB" --out "$T/site" --today 2026-04-01 > /dev/null
ok "a stretch still open marks every session since, up to today" \
	bash -c "[[ \"\$1\" == *'offline during 1 session'* ]]" _ "$(row 2026-W13)"
ok "...and the sites table says offline since" grep -q 'pitch-1 offline since' "$T/site/index.html"
ok "...and the briefing's register of last week says so on its session" python3 - "$T/site/index.html" <<'EOF'
import re, sys
html = open(sys.argv[1]).read()
rows = re.findall(r'<tr id="brief-last-\d+">(.*?)</tr>', html, re.S)
text = [re.sub(r"<[^>]+>", "", r) for r in rows]
sys.exit(0 if len(text) == 1 and "Tue 24 Mar" in text[0]
         and text[0].endswith("reader pitch-1 was offline during it") else 1)
EOF
done_testing
