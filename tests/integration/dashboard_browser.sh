#!/usr/bin/env bash
# dashboard_browser.sh - a real browser: headless Chromium opens the
# generated dashboard from file://, runs its script, and must show the key
# figures without making any network request (checked in its net log,
# with a control page that does make one, so the check is not vacuous).
# Screenshots (desktop and phone) and a print PDF are kept as artefacts
# in $TL_BIN/test-artefacts/. Skipped (77) when chromium is not installed.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/programme_dataset.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "skip: chromium not installed (scripts/deps.sh installs it)"
	exit 77
fi
DASH="$TL_BIN/dashboard/touchline-dashboard"
HTMLPY="$TL_SRC/tests/integration/dashboard_html.py"
ART="$TL_BIN/test-artefacts"
mkdir -p "$ART"
build_programme_dataset
# a reader offline during one of the last sessions before --today, so
# the warning marks on the weekly table and chart are checked too
sqlite3 "$DB" "INSERT INTO reader_problem SELECT 'burnley', 'pitch-1', 'offline',
	start_ts - 600, start_ts + 600, NULL FROM session WHERE site = 'burnley'
	AND local_date <= '2026-04-19' ORDER BY start_ts DESC LIMIT 1 OFFSET 2"
# outcomes for five people measured twice, so the Outcomes section shows
# its table and chart (five is the smallest group it shows)
for f in "$TL_SRC"/deploy/instruments/*.ini; do tl instrument add "$f" > /dev/null; done
for p in P-0001 P-0002 P-0003 P-0004 P-0006; do
	tl assessment add "$p" --instrument swemwbs --date 2026-03-23 --scores 2,3,2,3,2,3,2 > /dev/null
	tl assessment add "$p" --instrument swemwbs --date 2026-03-30 --wave end --scores 4,3,4,3,4,4,3 > /dev/null
done
"$DASH" --db "$DB" --out "$T/site" --today 2026-04-19 > /dev/null
ok "the Outcomes section the browser checks has figures" grep -q 'aria-labelledby="chart-outcomes-t' "$T/site/index.html"
ok "the reader problem is marked on the page the browser checks" \
	grep -q 'pitch-1 at Burnley offline during 1 session' "$T/site/index.html"

# browser NAME ARGS... URL: one bounded headless run with a fresh profile,
# no proxy that works (nothing can leave the machine even if asked), and
# its net log in $T/NAME.netlog.
browser() {
	local name=$1
	shift
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --disable-default-apps --disable-extensions \
		--proxy-server=socks5://127.0.0.1:9 --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" \
		--log-net-log="$T/$name.netlog" --net-log-capture-mode=Default "$@" 2> "$T/$name.err"
}

ok "chromium loads index.html from file://" \
	bash -c "$(declare -f browser); T='$T' CHROMIUM='$CHROMIUM'; browser dom --enable-logging=stderr --v=0 --dump-dom 'file://$T/site/index.html' > '$T/dom.html'"
python3 "$HTMLPY" figures "$T/dom.html" > "$T/dom.txt"
python3 "$HTMLPY" figures "$T/site/index.html" > "$T/file.txt"
ok "the rendered page has the figures" test -s "$T/dom.txt"
is "$(grep '^kpi-sessions:' "$T/dom.txt")" "kpi-sessions: Sessions held | 3 | 3" "sessions held, this week and last"
is "$(grep '^kpi-attendances:' "$T/dom.txt")" "kpi-attendances: Attendances | 1 | 4" "attendances"
is "$(grep '^kpi-followup:' "$T/dom.txt")" "kpi-followup: Participants flagged for follow-up | 2" "follow-up count"
is "$(grep '^week-2026-W12:' "$T/dom.txt")" "week-2026-W12: 2026-W12 | Mon 16 Mar | 3 | 7 | 5 | 71% | 4 | " "week 12"
ok "every figure of the file is in the rendered page" diff "$T/file.txt" "$T/dom.txt"
ok "the script ran (sort buttons made)" grep -q 'class="sort"' "$T/dom.html"
ok "charts rendered inline" grep -q '<svg class="chart"' "$T/dom.html"
ok "no network request by the page" python3 "$HTMLPY" netlog "$T/dom.netlog"

# The script: sorting and the search box work, and nothing logs an error.
ok "no script error on the page" bash -c "! grep -qi 'uncaught' '$T/dom.err'"
{
	head -n -2 "$T/site/index.html" # all but </body></html>
	cat << 'EOS'
<script>
var t = document.getElementById("heatmap-table"), h = t.tHead.rows[0].cells;
function first() { return t.tBodies[0].rows[0].cells[0].textContent; }
h[0].querySelector("button").click(); console.log("SORT-CODE-UP " + first());
h[0].querySelector("button").click(); console.log("SORT-CODE-DOWN " + first());
h[1].querySelector("button").click(); console.log("SORT-RATE-UP " + first());
var box = document.querySelector("input[data-filter=heatmap-table]");
box.value = "0003"; box.dispatchEvent(new Event("input"));
console.log("FILTER " + [].filter.call(t.tBodies[0].rows, function (r) { return !r.hidden; }).length);
</script>
</body>
</html>
EOS
} > "$T/site/scripted.html"
browser script --enable-logging=stderr --v=0 --dump-dom "file://$T/site/scripted.html" > /dev/null || true
console() { grep -o "\"$1 [^\"]*\"" "$T/script.err" | tr -d '"'; }
is "$(console SORT-CODE-UP)" "SORT-CODE-UP P-0001" "sort by code"
is "$(console SORT-CODE-DOWN)" "SORT-CODE-DOWN P-0006" "sort by code, descending"
is "$(console SORT-RATE-UP)" "SORT-RATE-UP P-0004" "sort by attendance rate, lowest first"
is "$(console FILTER)" "FILTER 1" "the search box keeps only P-0003"

# The control: a page that does fetch is caught by the same check.
printf '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/probe.png"></body></html>\n' \
	> "$T/control.html"
browser control --dump-dom "file://$T/control.html" > /dev/null || true
ok "control: a page's request is caught" \
	bash -c "python3 '$HTMLPY' netlog '$T/control.netlog' | grep -q 'probe.png'"

# Artefacts: look at them.
rm -f "$ART"/dashboard*.png "$ART"/dashboard-print.pdf
browser shot --window-size=1280,4200 --hide-scrollbars --screenshot="$ART/dashboard.png" \
	"file://$T/site/index.html" > /dev/null || true
browser phone --window-size=390,2400 --hide-scrollbars --screenshot="$ART/dashboard-phone.png" \
	"file://$T/site/programme-kick.html" > /dev/null || true
browser print --no-pdf-header-footer --print-to-pdf="$ART/dashboard-print.pdf" \
	"file://$T/site/index.html" > /dev/null || true
ok "desktop screenshot saved ($ART/dashboard.png)" \
	bash -c "head -c 8 '$ART/dashboard.png' | od -An -tx1 | grep -q '89 50 4e 47'"
ok "phone screenshot saved" test -s "$ART/dashboard-phone.png"
ok "print PDF saved" bash -c "head -c 4 '$ART/dashboard-print.pdf' | grep -q '%PDF'"
ok "no request while taking them" bash -c "for n in shot phone print; do
	python3 '$HTMLPY' netlog '$T/'\$n.netlog > /dev/null || exit 1; done"

# puppeteer-core and axe-core from npm (tests/browser/package-lock.json),
# installed once into the build directory, drive the same chromium: axe
# WCAG 2.1 AA on every page, the search box, the summary on one A4 page,
# the newest week in view at 1366 and 390 px (tests/browser/dashboard.mjs).
DEPS="$TL_BIN/browser-deps"
if [ ! -d "$DEPS/node_modules/puppeteer-core" ] || [ ! -d "$DEPS/node_modules/axe-core" ] ||
	! cmp -s "$TL_SRC/tests/browser/package-lock.json" "$DEPS/package-lock.json"; then
	mkdir -p "$DEPS"
	cp "$TL_SRC/tests/browser/package.json" "$TL_SRC/tests/browser/package-lock.json" "$DEPS/"
	if ! command -v npm > /dev/null ||
		! (cd "$DEPS" && timeout 300 npm ci --no-audit --no-fund --ignore-scripts > "$T/npm.log" 2>&1); then
		cat "$T/npm.log" 2> /dev/null || true
		echo "skip: puppeteer-core and axe-core could not be installed with npm"
		exit 77
	fi
fi
cp "$TL_SRC/tests/browser/dashboard.mjs" "$DEPS/"
rm -f "$T/site/scripted.html"
ok "in the browser: accessibility, search, print, layout" \
	timeout 120 node "$DEPS/dashboard.mjs" "$CHROMIUM" "$T/site" "$ART"
done_testing
