#!/bin/bash
# A tap made while the board's clock was wrong (no RTC, no network: unset
# or fake-hwclock's stale time) and corrected before the tap was sent is
# re-timed from the time elapsed since the tap in this boot; a tap from an
# earlier boot keeps its time. The wrong clock is simulated by rewriting
# the spooled tap's time, which is what the clock would have said.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

setup_db
broker_start
broker_stop
bridge_start ck --debounce 0
card ck 04c10c01 04c10c02
wait_for "[ \$(lines ck 'stored offline') -ge 2 ]" 5
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
now=$(date +%s)
# Tap 1: the clock said 400 days ago. Tap 2: same, but made in another boot.
sqlite3 "$T/ck.spool" "UPDATE tap SET ts = ts - 400 * 86400;
	UPDATE tap SET boot = 'another-boot' WHERE seq = 2"
broker_start
collector_start
bridge_start ck
wait_for "[ \$(spool_depth ck) -eq 0 ]" 20
t1=$(sql "SELECT ts FROM tap WHERE seq = 1")
t2=$(sql "SELECT ts FROM tap WHERE seq = 2")
ok "tap of this boot re-timed to when it happened ($t1 vs $now)" \
	[ $((now - t1)) -lt 60 -a $((t1 - now)) -lt 60 ]
ok "tap of another boot keeps its time" [ $((now - t2)) -gt $((399 * 86400)) ]
ok "the correction is logged" grep -q 'clock was off by 3456[0-9]* s when tap' "$T/ck.log"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
done_testing
