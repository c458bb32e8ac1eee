#!/usr/bin/env bash
# A cold start of the central box in the worst order: the collector and a
# reader's bridge come up first, the broker 20 s later. Both must connect
# within the reconnect backoff's bound (attempts 0.5 s doubling to 10 s
# apart) of the broker being up, with no one restarting them, and then
# store and ack: the taps the bridge spooled meanwhile and new ones.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

BOUND_MS=11000 # the 10 s cap, and 1 s for a loaded machine
# in_bound LOG MS: LOG shows a subscription, MS within the bound.
in_bound() { [ "$(subscribed_count "$1")" -ge 1 ] && [ "$2" -le "$BOUND_MS" ]; }
setup_db
tl card enrol P-0001 --token "$(token_of 04a1b2c3)" > /dev/null
PORT=$(free_port)
collector_spawn
bridge_start cold --debounce 0
card cold 04a1b2c3 04000001 04000002
wait_for "[ \$(lines cold 'stored offline, will send') -ge 3 ]" 5
is "$(spool_depth cold)" 3 "three taps spooled while there is no broker"

sleep 20
ok "collector still running, not connected" kill -0 "$COLLECTOR_PID"
is "$(subscribed_count "$T/collector.log")" 0 "collector has not subscribed to anything"
ok "collector says it keeps trying" grep -q 'cannot reach broker' "$T/collector.log"
ok "bridge says it keeps trying" grep -q 'cannot reach broker' "$T/cold.log"

broker_start
up=$(ms_now)
wait_for "[ \$(subscribed_count '$T/collector.log') -ge 1 ]" 15 || true
c_ms=$(($(ms_now) - up))
ok "collector connected ${c_ms} ms after the broker came up (bound ${BOUND_MS} ms)" \
	in_bound "$T/collector.log" "$c_ms"
wait_for "[ \$(subscribed_count '$T/cold.log') -ge 1 ]" 15 || true
b_ms=$(($(ms_now) - up))
ok "bridge connected ${b_ms} ms after the broker came up (bound ${BOUND_MS} ms)" \
	in_bound "$T/cold.log" "$b_ms"
ok "the collector logs how long it was unreachable" \
	grep -q 'connected to broker .* after [0-9]* failed attempts over' "$T/collector.log"

wait_for "[ \$(spool_depth cold) -eq 0 ]" 10 || true
is "$(taps_at)" 3 "the spooled taps are stored"
is "$(spool_depth cold)" 0 "and acked (the spool is empty)"
wait_for "[ \$(lines cold 'sent (tap of .*) recorded: P-0001') -ge 1 ]" 5 || true
ok "follow-up line for the spooled tap" grep -q 'sent (tap of .*) recorded: P-0001' "$T/cold.out"
sleep 0.2
card cold 04000003
wait_for "[ \$(lines cold '^[0-9:]* unknown card') -ge 1 ]" 5 || true
ok "a new tap is acked at once" [ "$(lines cold '^[0-9:]* unknown card')" -ge 1 ]
is "$(taps_at)" 4 "and stored"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
rc=0
collector_stop || rc=$?
is "$rc" 0 "collector exits 0 on SIGTERM"
done_testing
