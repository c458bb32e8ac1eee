#!/usr/bin/env bash
# dashboard_long.sh - a long programme at many sites: 8 sites (more lines
# than one chart takes), 30 weeks (more than the heatmap shows), so the
# bounded paths are exercised and the pages stay well-formed.
source "$TL_SRC/tests/lib.sh"

DASH="$TL_BIN/dashboard/touchline-dashboard"
HTMLPY="$TL_SRC/tests/integration/dashboard_html.py"
export TOUCHLINE_AS_OF=2026-08-01T00:00:00Z
tl init > /dev/null
sites=""
for i in 1 2 3 4 5 6 7 8; do
	tl site add "site-$i" --name "Site $i" > /dev/null
	tl reader add "site-$i" gym-1 > /dev/null
	sites="$sites${sites:+,}site-$i"
done
tl programme add long --name "Long" --weeks 40 --sites "$sites" > /dev/null
for i in 1 2 3 4 5 6 7 8; do
	tl schedule add long --site "site-$i" --activity gym --weekday wed --start 10:00 \
		--end 11:00 --from 2026-01-05 --to 2026-07-31 > /dev/null
done
for p in 1 2 3; do
	tl participant add --code "P-000$p" > /dev/null
	tl card enrol "P-000$p" --token "$(printf '%032x' "$p")" > /dev/null
	tl programme enrol long "P-000$p" --start 2026-01-05 > /dev/null
done
# Each participant at one site most Wednesdays (UTC+0 in winter, +1 in summer).
sql "WITH RECURSIVE w(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM w WHERE k < 29)
     INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at)
     SELECT printf('00000000-0000-4000-8000-%06d%06d', p.id, k), 'site-' || p.id, 'gym-1',
            c.token, p.id, s.start_ts - 300, k, s.start_ts - 300
     FROM w, participant p JOIN card c ON c.participant = p.id
     JOIN session s ON s.site = 'site-' || p.id AND s.local_date = date('2026-01-07', '+' || (7 * k) || ' days')
     WHERE (k + p.id) % 4 != 0"
tl attendance rebuild > /dev/null

ok "dashboard of 30 weeks at 8 sites" "$DASH" --db "$DB" --out "$T/site" --today 2026-07-31
ok "well-formed" python3 "$HTMLPY" check "$T"/site/*.html
ok "heatmap bounded to 26 weeks, and says so" grep -q 'The 26 most recent weeks are shown' "$T/site/index.html"
is "$(python3 "$HTMLPY" figures "$T/site/index.html" | grep -c '^week-')" 30 "all 30 weeks in the weekly table"
ok "8 sites: table only, and says why" grep -q 'too many lines for one chart' "$T/site/index.html"
is "$(python3 "$HTMLPY" figures "$T/site/index.html" | grep -c '^att-site-')" 8 "a row per site"
ok "a page per site" test -f "$T/site/site-site-8.html"
is "$(python3 "$HTMLPY" figures "$T/site/index.html" | grep '^ret-1:' | cut -d'|' -f2)" " 3 " \
	"one intake of three"
done_testing
