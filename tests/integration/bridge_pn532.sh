#!/bin/bash
# The nfc driver through libnfc's real pn532_uart driver, talking to the
# PN532 emulator (tests/pn532_emu) on a pseudo-terminal: cards of each UID
# length and type, a held card, a card presented again after the debounce,
# garbage / truncated / badly checksummed frames, the reader vanishing
# mid-poll and coming back, a hung reader and SIGTERM, the close sequence.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

EMU="$TL_BIN/tests/pn532_emu"
setup_db
broker_start
collector_start
emu() { echo "$*" > "$T/emu.ctl"; }
# present UID TYPE: a card held for SECONDS (default 0.6), then removed.
present() { emu card "$1" "${2:-classic}"; sleep "${3:-0.6}"; emu remove; }

LIBNFC_AUTO_SCAN=false LIBNFC_LOG_LEVEL=0 "$BRIDGE" --reader "nfc:pn532_uart:$T/pn532" \
	--host 127.0.0.1 --port "$PORT" --site burnley --id pitch-1 --key-file "$KEY" \
	--spool "$T/nfc.spool" --debounce 2 --log-level debug > "$T/nfc.out" 2> "$T/nfc.log" &
BRIDGE_PID=$!
TL_PIDS+=("$BRIDGE_PID")
# No reader plugged in at start: the bridge runs, says so, keeps trying.
wait_for "grep -q 'no NFC reader at pn532_uart' '$T/nfc.log'" 10
ok "no reader at start: logged" grep -q 'error: no NFC reader at pn532_uart:' "$T/nfc.log"
wait_for "status_of | grep -q '\"reader_ok\":false'" 10
ok "no reader at start: in the status" grep -q '"reader_ok":false,"fault":"no NFC reader' <<< "$(status_of)"
mkfifo "$T/emu.ctl"
"$EMU" "$T/pn532" "$T/emu.ctl" 2> "$T/emu.log" &
TL_PIDS+=("$!")
wait_for "[ -L '$T/pn532' ]" 5
wait_for "grep -q 'NFC reader ready' '$T/nfc.log'" 20
ok "bridge opened the emulated PN532 once it was plugged in" grep -q 'NFC reader ready: pn532_uart' "$T/nfc.log"
ok "libnfc probed it: Diagnose, GetFirmwareVersion, SAMConfiguration" \
	bash -c "grep -q 'cmd 00' '$T/emu.log' && grep -q 'cmd 02' '$T/emu.log' && grep -q 'cmd 14' '$T/emu.log'"

has_token() { [ "$(sql "SELECT count(*) FROM tap WHERE card = '$(token_of "$1")'")" -eq "${2:-1}" ]; }

U4=04a1b2c3 U7=04112233445566 U7N=04aabbccddeeff U7D=04998877665544 U10=04010203040506070809
present $U4 classic
present $U7 ultralight
present $U7N ntag
present $U7D desfire
present $U10 classic
wait_for "[ \$(taps_at) -ge 5 ]" 10
ok "4-byte UID (MIFARE Classic) recorded under its token" has_token $U4
ok "7-byte UID (Ultralight) recorded" has_token $U7
ok "7-byte UID (NTAG) recorded" has_token $U7N
ok "7-byte UID (DESFire, with ATS) recorded" has_token $U7D
ok "10-byte UID recorded" has_token $U10
is "$(taps_at)" 5 "one tap per card presented"

# Held on the reader for 4 s (well past the 2 s debounce): still one tap.
present 04c0ffee classic 4
sleep 0.5
ok "a card held for 4 s is one tap" has_token 04c0ffee 1
# Removed and presented again after the debounce: a new tap.
sleep 2
present 04c0ffee classic
wait_for "has_token 04c0ffee 2" 5
ok "presented again after the debounce: a second tap" has_token 04c0ffee 2

# A phone in card emulation: random 4-byte UID starting 08.
present 08123456 classic
wait_for "has_token 08123456" 5
ok "random UID (08..) still taps, and is noted" grep -q 'random UID' "$T/nfc.log"
is "$(grep -c 'random UID' "$T/nfc.log")" 1 "noted once, not at every poll"

# Garbage, truncated and badly checksummed answers: survived, no lost taps.
emu garbage
sleep 0.5
emu truncated
sleep 0.8
emu badsum
sleep 0.5
present 04badf00 classic 1.2
wait_for "has_token 04badf00" 10
ok "after garbage, truncated and bad-checksum frames the next card taps" has_token 04badf00
ok "the emulator did send them" bash -c "grep -q 'garbage' '$T/emu.log' && grep -q 'truncated' '$T/emu.log' && grep -q 'bad checksum' '$T/emu.log'"
kill -0 "$BRIDGE_PID"
ok "bridge still running" kill -0 "$BRIDGE_PID"

# The reader vanishes mid-poll: fault logged and in the status; it comes back.
emu vanish
wait_for "grep -q 'vanishing mid-poll' '$T/emu.log'" 5
ok "the reader vanished in the middle of a poll" grep -q 'vanishing mid-poll' "$T/emu.log"
wait_for "grep -q 'NFC reader .* failed' '$T/nfc.log'" 10
ok "failure logged" grep -q 'error: NFC reader .* failed' "$T/nfc.log"
wait_for "status_of | grep -q '\"reader_ok\":false'" 10
ok "status reports the reader fault" grep -q '"reader_ok":false,"fault":"' <<< "$(status_of)"
sleep 1.5
ok "bridge still running while the reader is gone" kill -0 "$BRIDGE_PID"
emu return
wait_for "[ \$(grep -c 'NFC reader ready' '$T/nfc.log') -ge 2 ]" 40
ok "reader reopened when it came back" [ "$(grep -c 'NFC reader ready' "$T/nfc.log")" -ge 2 ]
wait_for "status_of | grep -q '\"reader_ok\":true'" 10
ok "status healthy again" grep -q '"reader_ok":true' <<< "$(status_of)"
present 04beef01
wait_for "has_token 04beef01" 10
ok "a card taps after the reader came back" has_token 04beef01

# A hung reader, then SIGTERM: the poll is aborted and the bridge exits.
emu stall
sleep 0.5
start=$(date +%s%N)
ok "SIGTERM with a hung reader: exit 0" bridge_stop TERM
elapsed=$((($(date +%s%N) - start) / 1000000))
ok "and promptly (${elapsed} ms)" [ "$elapsed" -lt 3000 ]
emu unstall
sleep 0.2

# Clean close sequence when stopped normally: InRelease, RF off, PowerDown.
: > "$T/emu.log.before"
LIBNFC_AUTO_SCAN=false LIBNFC_LOG_LEVEL=0 "$BRIDGE" --reader "nfc:pn532_uart:$T/pn532" \
	--host 127.0.0.1 --port "$PORT" --site burnley --id pitch-1 --key-file "$KEY" \
	--spool "$T/nfc.spool" --debounce 1 >> "$T/nfc.out" 2>> "$T/nfc2.log" &
BRIDGE_PID=$!
TL_PIDS+=("$BRIDGE_PID")
wait_for "grep -q 'NFC reader ready' '$T/nfc2.log'" 10
lines_before=$(wc -l < "$T/emu.log")
ok "SIGTERM: exit 0" bridge_stop TERM
tail -n +"$lines_before" "$T/emu.log" | grep 'cmd' | tail -3 | tr '\n' ' ' > "$T/close"
is "$(cat "$T/close")" "cmd 52 cmd 32 cmd 16 " "close sequence: InRelease, RFConfiguration, PowerDown"
wait_for "[ \$(spool_depth nfc) -eq 0 ]" 10
is "$(sql "SELECT count(*) FROM tap")" "$(sql "SELECT count(DISTINCT id) FROM tap")" "no duplicates"
done_testing
