#!/bin/bash
# The nfc reader's faults, against the PN532 emulator: a bad --reader is an
# error at start (exit 2); a missing reader and a silent one are reported
# differently; a reader that opens but whose polls keep failing backs off
# (1 s doubling) and stays reader_ok:false until a poll works; a chip that
# stops answering mid-poll is aborted (libnfc would wait for ever), called
# silent, and recovered from when it answers again.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

EMU="$TL_BIN/tests/pn532_emu"

# bad READER MESSAGE: refused at start with exit 2 and MESSAGE.
bad() {
	local rc=0
	timeout 5 "$BRIDGE" --reader "$1" --host 127.0.0.1 --port 1 --site burnley --id pitch-1 \
		--key-file "$KEY" --spool "$T/bad.spool" > /dev/null 2> "$T/bad.err" || rc=$?
	is "$rc" 2 "--reader '$1': exit 2"
	ok "--reader '$1': says '$2'" grep -qF -- "$2" "$T/bad.err"
	ok "--reader '$1': no spool made" [ ! -e "$T/bad.spool" ]
}
bad "nfc:pn523_uart:/dev/ttyS0" "unknown libnfc driver 'pn523_uart'"
bad "nfc:" "unknown libnfc driver ''"
bad "nfc:pn532_uart" "pn532_uart needs a port"
bad "nfc:pn532_uart:" "pn532_uart needs a port"
bad "nfc:pn532_uart:/dev/ttyS0:fast" "the speed after the port must be digits"
bad "usb" "--reader must be nfc, nfc:CONNSTRING or sim:PATH"
bad "sim:" "--reader must be nfc, nfc:CONNSTRING or sim:PATH"

setup_db
broker_start
collector_start
emu() { echo "$*" > "$T/emu.ctl"; }
fault() { status_of | sed -n 's/.*"fault":"\([^"]*\)".*/\1/p'; }
# The bridge on the emulated PN532's port, in the background (BRIDGE_PID).
nfc_bridge_start() {
	LIBNFC_AUTO_SCAN=false LIBNFC_LOG_LEVEL=0 "$BRIDGE" --reader "nfc:pn532_uart:$T/pn532" \
		--host 127.0.0.1 --port "$PORT" --site burnley --id pitch-1 --key-file "$KEY" \
		--spool "$T/nfc.spool" --log-level debug > "$T/nfc.out" 2> "$T/nfc.log" &
	BRIDGE_PID=$!
	TL_PIDS+=("$BRIDGE_PID")
}

# Missing: nothing at the port.
nfc_bridge_start
wait_for "status_of | grep -q '\"reader_ok\":false'" 10
ok "missing reader: logged as missing" grep -q "error: no NFC reader at pn532_uart:$T/pn532 (No such file or directory)" "$T/nfc.log"
ok "missing reader: status says so" grep -q '^no NFC reader at' <<< "$(fault)"
ok "opening again with backoff 1 s, 2 s" wait_for "grep -q 'next try in 2 s' '$T/nfc.log'" 5
kill "$BRIDGE_PID"; wait "$BRIDGE_PID" || true

# Silent: the port is there, the chip never answers.
mkfifo "$T/emu.ctl"
"$EMU" "$T/pn532" "$T/emu.ctl" 2> "$T/emu.log" &
TL_PIDS+=("$!")
wait_for "[ -L '$T/pn532' ]" 5
emu stall
wait_for "grep -q stalled '$T/emu.log'" 5
: > "$T/nfc.log"
nfc_bridge_start
wait_for "grep -q 'is silent' '$T/nfc.log'" 10
ok "silent chip at open: logged as silent, not missing" \
	grep -q "error: NFC reader at pn532_uart:$T/pn532 is silent: the port opens but the chip does not answer" "$T/nfc.log"
ok "silent chip: never called missing" bash -c "! grep -q 'no NFC reader' '$T/nfc.log'"
wait_for "status_of | grep -q 'is silent'" 5
ok "silent chip: status reader_ok:false and 'is silent'" \
	grep -q '"reader_ok":false,"fault":"NFC reader at .* is silent' <<< "$(status_of)"
emu unstall
wait_for "grep -q 'NFC reader ready' '$T/nfc.log'" 40
ok "chip answers again: reader ready" grep -q 'NFC reader ready' "$T/nfc.log"
wait_for "status_of | grep -q '\"reader_ok\":true'" 5
ok "chip answers again: reader_ok:true" grep -q '"reader_ok":true' <<< "$(status_of)"

# Opens, but every poll fails: backoff doubles, reader_ok stays false
# across the reopenings (each open works), until a poll works.
emu failpolls
wait_for "grep -q 'error: NFC reader .* failed' '$T/nfc.log'" 10
ok "failing polls: logged" grep -q 'error: NFC reader .* failed: .*; reopening in 1 s' "$T/nfc.log"
failed_at() { sed -n '/error: NFC reader .* failed/,$p' "$T/nfc.log" | grep 'next try in'; }
wait_for "[ \$(failed_at | wc -l) -ge 3 ]" 20
failed_at | head -3 | sed 's/.*next try in \([0-9]*\) s/\1/' | tr '\n' ' ' > "$T/backoff"
is "$(cat "$T/backoff")" "1 2 4 " "failing polls: reopened after 1 s, 2 s, 4 s (doubling)"
opens=$(grep -c 'NFC reader opened' "$T/nfc.log")
ok "the reopenings opened the reader ($opens opens in all)" [ "$opens" -ge 3 ]
ok "reader_ok:false throughout" grep -q '"reader_ok":false' <<< "$(status_of)"
is "$(grep -c 'NFC reader ready' "$T/nfc.log")" 1 "never called ready while polls fail"
emu okpolls
wait_for "[ \$(grep -c 'NFC reader ready' '$T/nfc.log') -ge 2 ]" 20
wait_for "status_of | grep -q '\"reader_ok\":true'" 5
ok "a poll works: reader_ok:true" grep -q '"reader_ok":true' <<< "$(status_of)"

# Goes silent mid-poll: libnfc would wait for ever; the bridge aborts the
# poll, calls the reader silent, and a card taps once it answers again.
emu stall
wait_for "grep -q 'is silent: it opened but does not answer polls' '$T/nfc.log'" 15
ok "silent mid-poll: aborted and logged as silent" \
	grep -q 'error: NFC reader .* is silent: it opened but does not answer polls' "$T/nfc.log"
wait_for "status_of | grep -q '\"reader_ok\":false'" 5
ok "silent mid-poll: reader_ok:false" grep -q '"reader_ok":false' <<< "$(status_of)"
emu unstall
wait_for "[ \$(grep -c 'NFC reader ready' '$T/nfc.log') -ge 3 ]" 40
emu card 04a1b2c3 classic
sleep 0.6
emu remove
wait_for "[ \$(taps_at) -ge 1 ]" 10
is "$(taps_at)" 1 "a card taps once the chip answers again"
ok "bridge still running" kill -0 "$BRIDGE_PID"
ok "SIGTERM: exit 0" bridge_stop TERM
done_testing
