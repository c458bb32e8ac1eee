#!/bin/bash
# Taps made while the broker is down: feedback at once, stored, delivered
# when the broker comes back; follow-up lines; clean SIGTERM exit with a
# retained "offline" status; Last Will when killed.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

setup_db
# P-0001 holds CARD1; the UID 04a1b2c3 belongs to P-0002.
tl participant add --code P-0002 > /dev/null
tl card enrol P-0002 --token "$(token_of 04a1b2c3)" > /dev/null

broker_start
broker_stop
bridge_start off --debounce 1
start=$(date +%s%N)
card off 04a1b2c3
wait_for "[ \$(lines off 'stored offline, will send') -ge 1 ]" 5
elapsed=$((($(date +%s%N) - start) / 1000000))
ok "offline feedback within 1.5 s (took ${elapsed} ms)" [ "$elapsed" -lt 1500 ]
card off 04d1d2d3d4d5d6 "04:11:22:33:44:55:66:77:88:99"
wait_for "[ \$(lines off 'stored offline, will send') -ge 3 ]" 5
is "$(spool_depth off)" 3 "three taps in the spool while the broker is down"
is "$(stat -c %a "$T/off.spool")" 600 "spool file is mode 0600"

broker_start
collector_start
wait_for "[ \$(spool_depth off) -eq 0 ]" 20
is "$(taps_at)" 3 "all three taps delivered once the broker is up"
is "$(sql "SELECT count(DISTINCT seq) FROM tap")" 3 "with distinct seq"
wait_for "[ \$(lines off 'sent (tap of') -ge 3 ]" 10
ok "follow-up line for the recorded card" grep -q 'sent (tap of .*) recorded: P-0002' "$T/off.out"
ok "follow-up lines for unknown cards" [ "$(lines off 'sent (tap of .*) unknown card')" -eq 2 ]
wait_for "status_of | grep -q '\"spooled\":0'" 10
st=$(status_of)
ok "retained status online with spool depth 0 ($st)" \
	grep -q '"state":"online".*"spooled":0' <<< "$st"
ok "status carries the version" grep -q '"version":"' <<< "$st"

# Live tap with the broker up: recorded at once, not "offline" (after the
# debounce since the card's first tap, which may have been only just now).
sleep 1.1
card off 04a1b2c3
wait_for "[ \$(lines off '^[0-9:]* recorded: P-0002') -ge 1 ]" 5
is "$(lines off '^[0-9:]* stored offline')" 3 "no offline line for a live tap"

# The broker restarts under a connected bridge: a tap made while it is
# away, and one after, both arrive.
before=$(taps_at)
broker_stop
sleep 1.2
card off 04a1b2c3
wait_for "[ \$(lines off '^[0-9:]* stored offline') -ge 4 ]" 5
broker_start
wait_for "grep -q 'collector.*connected\|subscribed to' '$T/collector.log'" 5
sleep 1.2
card off 04d1d2d3d4d5d6
wait_for "[ \$(taps_at) -ge $((before + 2)) ]" 20
is "$(taps_at)" $((before + 2)) "taps around a broker restart delivered"
ok "reconnection logged" grep -q 'lost connection to broker' "$T/off.log"

ok "bridge exits 0 on SIGTERM" bridge_stop TERM
ok "clean exit leaves retained status offline" grep -q '"state":"offline"' <<< "$(status_of)"
is "$(sql "SELECT state FROM reader WHERE id='pitch-1'")" offline "collector saw offline"

# Killed: the broker publishes the Last Will.
bridge_start off --debounce 1
wait_for "status_of | grep -q '\"state\":\"online\"'" 10
bridge_stop KILL || true
wait_for "status_of | grep -q '\"state\":\"offline\"'" 60
is "$(status_of)" '{"v":1,"state":"offline"}' "Last Will is the offline status"
done_testing
