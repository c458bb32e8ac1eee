#!/bin/bash
# An unknown card, then `touchline card enrol --last-unknown`, then the same
# card recorded with its code; the hook gets OUTCOME CODE for each tap.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

setup_db
tl participant add --code P-0002 > /dev/null
cat > "$T/hook" <<HOOK
#!/bin/sh
echo "\$1 \$2" >> "$T/hook.log"
HOOK
chmod 700 "$T/hook"
broker_start
collector_start
bridge_start en --debounce 1 --hook "$T/hook"
card en 04:aa:bb:cc:dd:ee:01
wait_for "grep -q 'unknown card: enrol it' '$T/en.out'" 5
ok "unknown card line names the enrol command" \
	grep -q 'touchline card enrol CODE --last-unknown --reader burnley/pitch-1' "$T/en.out"
tl card enrol P-0002 --last-unknown --reader burnley/pitch-1 > /dev/null
is "$(sql "SELECT token FROM card c JOIN participant p ON p.id = c.participant WHERE p.code = 'P-0002'")" \
	"$(token_of 04aabbccddee01)" "the card's token is enrolled to P-0002"
sleep 1.2
card en 04aabbccddee01
wait_for "grep -q 'recorded: P-0002' '$T/en.out'" 5
ok "the same card is now recorded as P-0002" grep -q 'recorded: P-0002' "$T/en.out"
wait_for "[ -f '$T/hook.log' ] && [ \$(wc -l < '$T/hook.log') -ge 2 ]" 5
is "$(sed -n 1p "$T/hook.log")" "unknown_card -" "hook: unknown_card -"
is "$(sed -n 2p "$T/hook.log")" "recorded P-0002" "hook: recorded P-0002"

# A hook that hangs does not hold up the taps.
cat > "$T/hook" <<HOOK
#!/bin/sh
sleep 30
HOOK
sleep 1.2
start=$(date +%s%N)
card en 04aabbccddee01
wait_for "[ \$(grep -c 'recorded: P-0002' '$T/en.out') -ge 2 ]" 5
sleep 1.2
card en 04aabbccddee01
wait_for "[ \$(grep -c 'recorded: P-0002' '$T/en.out') -ge 3 ]" 5
elapsed=$((($(date +%s%N) - start) / 1000000))
ok "taps go on while hooks hang (${elapsed} ms)" [ "$elapsed" -lt 5000 ]
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
done_testing
