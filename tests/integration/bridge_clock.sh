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
card ck 04c10c01 04c10c02 04c10c03 04c10c04
wait_for "[ \$(lines ck 'stored offline') -ge 4 ]" 5
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
now=$(date +%s)
# Tap 1: the clock said 400 days ago. Tap 2: same, but made in another boot.
# Taps 3 and 4: a clock never set (1970), in this boot and in another.
sqlite3 "$T/ck.spool" "UPDATE tap SET ts = ts - 400 * 86400 WHERE seq <= 2;
	UPDATE tap SET ts = 1000 WHERE seq >= 3;
	UPDATE tap SET boot = 'another-boot' WHERE seq IN (2, 4)"
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
t3=$(sql "SELECT ts FROM tap WHERE seq = 3")
ok "never-set clock, this boot: re-timed and recorded ($t3)" [ $((now - t3)) -lt 60 ]
is "$(sql "SELECT count(*) FROM tap WHERE seq = 4")" 0 "never-set clock, earlier boot: not recordable"
is "$(sql "SELECT reason FROM deadletter")" ts_implausible "it is kept in the collector's dead letters"
ok "and the bridge logs the rejection" grep -q 'collector rejected tap .* (ts_implausible)' "$T/ck.log"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
done_testing
