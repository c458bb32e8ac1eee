#!/usr/bin/env bash
# dashboard_xss.sh - everything from the database is text: a site,
# programme, activity, participant name and reader version holding markup
# render as escaped text on every page, never as elements or attributes.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/programme_dataset.sh"

DASH="$TL_BIN/dashboard/touchline-dashboard"
HTMLPY="$TL_SRC/tests/integration/dashboard_html.py"
build_programme_dataset
EVIL='<script>alert(1)</script><img src=x onerror="alert(2)">&amp;'"'"'"'
# Straight into the database: the CLI may well refuse some of these, and
# the dashboard must be safe whatever is stored.
sql() { sqlite3 "$DB" "$@"; }
q=${EVIL//\'/\'\'}
sql "UPDATE site SET name = 'Burnley $q' WHERE id = 'burnley';
     UPDATE programme SET name = 'Kick $q' WHERE id = 'kick';
     UPDATE activity SET name = 'Gym $q' WHERE id = 'gym';
     UPDATE participant_name SET name = 'Name $q' WHERE participant = 1;
     UPDATE reader SET version = 'v $q', state = 'online', last_seen = 1776000000
       WHERE id = 'pitch-1';
     INSERT INTO deadletter (received_at, topic, payload, payload_size, reason)
       VALUES (1776000000, 'touchline/v1/burnley/pitch-1/tap', x'00', 1, 'bad_json $q');"

ok "dashboard runs on hostile names" "$DASH" --db "$DB" --out "$T/site" --today 2026-04-19 --names
# An id that is a path, stored behind the CLI's back, names no file.
sql "PRAGMA foreign_keys = OFF; INSERT INTO site (id, name, created_at) VALUES ('../../evil', 'Evil', 0);
     INSERT INTO programme_site VALUES ('kick', '../../evil');"
ok "dashboard runs with a path as a site id" "$DASH" --db "$DB" --out "$T/site" --today 2026-04-19 --names
ok "...and writes nothing outside its directory" bash -c "[ ! -e '$T/../evil.html' ] && [ ! -e '$T/site-../../evil.html' ] && ls '$T/site' | grep -q '^site-[0-9]*\.html$'"
ok "pages are well-formed (no injected elements)" python3 "$HTMLPY" check "$T"/site/*.html
for f in "$T"/site/*.html; do
	n=$(basename "$f")
	ok "$n: no raw <script>alert" bash -c "! grep -q '<script>alert' '$f'"
	ok "$n: no raw <img" bash -c "! grep -qi '<img' '$f'"
	ok "$n: one <script> element (ours)" test "$(grep -c '<script>' "$f")" -le 1
done
esc='&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&amp;amp;&#39;&quot;'
ok "site name shown as text" grep -qF "Burnley $esc" "$T/site/index.html"
ok "programme name shown as text (title and heading)" grep -qF "Kick $esc" "$T/site/programme-kick.html"
ok "activity name shown as text" grep -qF "Gym $esc" "$T/site/index.html"
ok "participant name shown as text (--names)" grep -qF "Name $esc" "$T/site/index.html"
ok "reader version shown as text" grep -qF "v $esc" "$T/site/index.html"
ok "rejection reason shown as text" grep -qF "bad_json $esc" "$T/site/index.html"
ok "chart labels escaped too" grep -qE '<text [^>]*>Burnley &lt;script&gt;' "$T/site/index.html"
done_testing
