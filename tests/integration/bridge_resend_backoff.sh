#!/bin/bash
# The broker is up but the collector is away: no ack at all arrives. The
# bridge resends its unacknowledged taps less and less often (here
# --resend 1: after 1 s, then 2, 4, 8 and at most 10 s apart) instead of
# once a --resend for ever, so the broker's queue for the collector does
# not fill with copies. The first ack sets the resend time back.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

setup_db
broker_start
collector_start # its persistent session queues what is sent while it is away
collector_stop
mosquitto_sub -p "$PORT" -q 1 -t "$PREFIX/burnley/pitch-1/tap" > "$T/copies" &
TL_PIDS+=($!)
bridge_start rb --debounce 0 --resend 1 --heartbeat 1
sleep 0.5
card rb 04000001 04000002 04000003 04000004 04000005
start=$(ms_now)
sleep 20
copies=$(wc -l < "$T/copies")
echo "$copies copies of 5 taps published in 20 s"
# Once a second would be 5 + 5 x 20 = 105; backing off, 5 + 5 x 4 (at
# about 1, 3, 7 and 15 s).
ok "resends backed off: $copies copies of 5 taps in 20 s (at most 35)" [ "$copies" -le 35 ]
ok "and the taps were resent at all" [ "$copies" -ge 15 ]
ok "the bridge says why" grep -q 'no ack for .* resent every .* until an ack arrives' "$T/rb.log"
ok "its status shows the resend time" grep -q '"resend_s":10' <<< "$(status_of)"
is "$(spool_depth rb)" 5 "every tap still spooled"

collector_start
wait_for "[ \$(spool_depth rb) -eq 0 ]" 15 || true
is "$(spool_depth rb)" 0 "all acked once the collector is back"
is "$(taps_at)" 5 "each stored once"
ok "the resend time is set back" grep -q 'acks are arriving again' "$T/rb.log"
wait_for "status_of | grep -q '\"resend_s\":1,'" 5 || true
ok "and the status says so" grep -q '"resend_s":1,' <<< "$(status_of)"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
done_testing
