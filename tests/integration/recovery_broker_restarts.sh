#!/usr/bin/env bash
# The broker killed (SIGKILL: its sessions and queues since the last save
# are gone) and restarted 10 times in a row while a reader taps 10 cards a
# second. After every restart the collector and the bridge are connected
# again within the backoff's bound, and at the end every tap is stored
# exactly once and the spool is empty.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

BOUND_MS=11000 # the 10 s cap, and 1 s for a loaded machine
ROUNDS=10
setup_db
broker_start
collector_start
bridge_start rs --debounce 0
# The feeder holds the FIFO open: 10 distinct cards a second.
TAPS=300
for ((i = 1; i <= TAPS; i++)); do printf '04%06x\n' "$i"; sleep 0.1; done > "$T/rs.fifo" &
TL_PIDS+=($!)

worst=0 late=0
for ((r = 1; r <= ROUNDS; r++)); do
	sleep "$((RANDOM % 2)).$((RANDOM % 10))"
	cb=$(subscribed_count "$T/collector.log")
	bb=$(subscribed_count "$T/rs.log")
	kill -KILL "$BROKER_PID"
	wait "$BROKER_PID" 2>/dev/null || true
	sleep "0.$((RANDOM % 10))"
	broker_start
	up=$(ms_now)
	wait_for "[ \$(subscribed_count '$T/collector.log') -gt $cb ] && [ \$(subscribed_count '$T/rs.log') -gt $bb ]" 15 || true
	took=$(($(ms_now) - up))
	if [ "$(subscribed_count "$T/collector.log")" -le "$cb" ] ||
		[ "$(subscribed_count "$T/rs.log")" -le "$bb" ] || [ "$took" -gt "$BOUND_MS" ]; then
		late=$((late + 1))
	fi
	[ "$took" -gt "$worst" ] && worst=$took
	echo "restart $r: both connected again ${took} ms after the broker was up; stored $(taps_at)"
done
is "$late" 0 "after each of $ROUNDS restarts both reconnected within ${BOUND_MS} ms (slowest ${worst} ms)"
ok "collector still running" kill -0 "$COLLECTOR_PID"
ok "bridge still running" kill -0 "$BRIDGE_PID"

wait_for "[ \$(taps_at) -ge $TAPS ] && [ \$(spool_depth rs) -eq 0 ]" 60 || true
is "$(taps_at)" "$TAPS" "every tap stored"
is "$(sql 'SELECT count(DISTINCT id) FROM tap')" "$TAPS" "each exactly once"
is "$(spool_depth rs)" 0 "the spool is empty: every tap acked"
ok "the bridge logged its reconnections" grep -q 'lost connection to broker' "$T/rs.log"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
rc=0
collector_stop || rc=$?
is "$rc" 0 "collector exits 0 on SIGTERM"
done_testing
