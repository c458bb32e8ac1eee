#!/usr/bin/env bash
# demo.sh - the README's `make demo` (scripts/demo.sh) runs to its end on
# the programs of this build, in a folder of its own: the live part (taps
# recorded and acked, an unknown card enrolled, a reader's offline spool
# drained) and the generated programme with its report and dashboard.
. "$TL_SRC/tests/lib.sh"
cd "$T"
bash "$TL_SRC/scripts/demo.sh" "$TL_BIN" > "$T/demo.out" 2>&1 && rc=0 || rc=$?
is "$rc" 0 "the demo runs to its end"
[ "$rc" = 0 ] || tail -20 "$T/demo.out"
ok "the demo ends by naming its dashboard" grep -q "demo-run/dashboard/index.html" "$T/demo.out"
ok "the dashboard is there" test -s "$T/demo-run/dashboard/index.html"
is "$(grep -cE '^P-[34679ACDEFGHJKMNPQRTWXY]{6} holds card' "$T/demo.out")" 5 \
	"five participants with random codes"
ok "taps were recorded in the live demo" \
	test "$(sqlite3 "$T/demo-run/touchline.db" 'SELECT count(*) FROM tap WHERE participant IS NOT NULL')" -gt 0
done_testing
