#!/bin/bash
# Debounce: the same card seen again within the debounce of last being seen
# is one tap, however long it is held; after a pause it is a new tap; other
# cards are not held up by it.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

setup_db
broker_start
collector_start
bridge_start db --debounce 2
A=04111111 B=04222222
# A held for 3 s: seen every 0.2 s, as a reader polling a card would.
for i in $(seq 15); do card db $A; sleep 0.2; done
card db $B
sleep 0.3
card db $A
wait_for "[ \$(taps_at) -ge 2 ]" 5
sleep 0.5
is "$(taps_at)" 2 "A held for 3 s and B: two taps"
sleep 2.5
card db $A
wait_for "[ \$(taps_at) -ge 3 ]" 5
is "$(taps_at)" 3 "A again after the debounce: a new tap"
is "$(sql "SELECT count(*) FROM tap WHERE card = '$(token_of $A)'")" 2 "two taps of A"
wait_for "[ \$(lines db 'unknown card') -ge 3 ]" 5
sleep 0.3
is "$(lines db 'unknown card')" 3 "one feedback line per tap"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
done_testing
