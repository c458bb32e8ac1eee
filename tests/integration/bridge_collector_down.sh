#!/bin/bash
# Broker up, collector down for a while: taps are "stored offline" after
# the ack wait, reported in the status, and delivered with follow-up lines
# once the collector is back.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

setup_db
tl participant add --code P-0002 > /dev/null
tl card enrol P-0002 --token "$(token_of 04a1b2c3d4e5f6)" > /dev/null
broker_start
collector_start
bridge_start cd --debounce 0
card cd 04a1b2c3d4e5f6
wait_for "[ \$(lines cd 'recorded: P-0002') -ge 1 ]" 5
collector_stop
card cd 04a1b2c3d4e5f6 04000001 04000002
wait_for "[ \$(lines cd 'stored offline, will send') -ge 3 ]" 10
ok "no ack: 'stored offline' after the ack wait" [ "$(lines cd 'stored offline')" -eq 3 ]
wait_for "status_of | grep -q '\"spooled\":3'" 10
ok "status reports 3 spooled" grep -q '"spooled":3' <<< "$(status_of)"
sleep 2
collector_start
wait_for "[ \$(spool_depth cd) -eq 0 ]" 20
is "$(taps_at)" 4 "all taps delivered after the collector came back"
wait_for "[ \$(lines cd 'sent (tap of') -ge 3 ]" 10
ok "follow-up for the recorded card" grep -q 'sent (tap of .*) recorded: P-0002' "$T/cd.out"
is "$(sql "SELECT count(*) FROM tap GROUP BY id HAVING count(*) > 1" | wc -l)" 0 "no tap twice"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
done_testing
