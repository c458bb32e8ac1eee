#!/bin/bash
# Taps spooled as burnley/gym-1, then the reader is reconfigured as
# burnley/pitch-1 before they were sent: they are delivered as gym-1 (where
# they happened), their acks are heard, and the spool drains.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

setup_db
broker_start
broker_stop
bridge_start id --id gym-1
card id 04010101 04020202
wait_for "[ \$(lines id 'stored offline') -ge 2 ]" 5
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
broker_start
collector_start
bridge_start id --id pitch-1
card id 04030303
wait_for "[ \$(spool_depth id) -eq 0 ]" 20
is "$(spool_depth id)" 0 "spool drained"
is "$(taps_at gym-1)" 2 "the two old taps arrived as gym-1"
is "$(taps_at pitch-1)" 1 "the new one as pitch-1"
ok "the change is logged" grep -q 'spool holds taps recorded as burnley/gym-1' "$T/id.log"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
done_testing
