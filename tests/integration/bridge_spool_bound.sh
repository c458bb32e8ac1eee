#!/bin/bash
# The spool bound (--spool-max 5) with the broker down: new taps are always
# kept; same-day repeats of a card go first, then the oldest tap; every drop
# is logged and counted in the status.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

setup_db
broker_start
broker_stop
bridge_start sb --debounce 0 --spool-max 5
A=04000a0a B=04000b0b C=04000c0c D=04000d0d E=04000e0e F=04000f0f
card sb $A $B $C $A $B
wait_for "[ \$(lines sb 'stored offline') -ge 5 ]" 5
is "$(spool_depth sb)" 5 "five taps spooled"
card sb $D
wait_for "[ \$(lines sb 'stored offline') -ge 6 ]" 5
is "$(spool_depth sb)" 5 "still five after a sixth tap"
is "$(sqlite3 "$T/sb.spool" "SELECT count(*) FROM tap WHERE card = '$(token_of $D)'")" 1 \
	"the new tap is kept"
is "$(sqlite3 "$T/sb.spool" "SELECT count(*) FROM tap WHERE card = '$(token_of $A)'")" 1 \
	"A's repeat made room; its first tap stays"
ok "the drop is logged" grep -q 'spool full (5 taps): dropped tap .* a repeat' "$T/sb.log"
card sb $E
wait_for "[ \$(lines sb 'stored offline') -ge 7 ]" 5
is "$(sqlite3 "$T/sb.spool" "SELECT count(*) FROM tap WHERE card = '$(token_of $B)'")" 1 \
	"then B's repeat"
card sb $F
wait_for "[ \$(lines sb 'stored offline') -ge 8 ]" 5
is "$(sqlite3 "$T/sb.spool" "SELECT count(*) FROM tap WHERE card = '$(token_of $A)'")" 0 \
	"no repeats left: the oldest tap (A) goes"
ok "loudly" grep -q 'error: spool full (5 taps) and no repeats to drop: dropped the OLDEST' "$T/sb.log"
is "$(spool_depth sb)" 5 "the bound holds"
is "$(sqlite3 "$T/sb.spool" "SELECT value FROM meta WHERE name = 'dropped'")" 3 "3 drops counted"

broker_start
collector_start
wait_for "[ \$(spool_depth sb) -eq 0 ]" 20
is "$(taps_at)" 5 "the five kept taps are delivered"
is "$(sql "SELECT count(DISTINCT card) FROM tap")" 5 "one per card B..F"
wait_for "status_of | grep -q '\"spooled\":0.*\"dropped\":3'" 10
ok "status reports the drops" grep -q '"spooled":0.*"dropped":3' <<< "$(status_of)"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
# The count survives a restart.
bridge_start sb
wait_for "status_of | grep -q '\"state\":\"online\"'" 10
ok "drops counted across restarts" grep -q '"dropped":3' <<< "$(status_of)"
done_testing
