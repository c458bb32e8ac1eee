# bridge_lib.sh - helpers for the touchline-bridge tests; source after lib.sh.
# A bridge reads cards from a FIFO ($T/NAME.fifo) with the sim driver,
# prints coach feedback to $T/NAME.out and logs to $T/NAME.log.

BRIDGE="$TL_BIN/firmware-bridge/touchline-bridge"
KEY="$T/bridge.key"
"$BRIDGE" keygen "$KEY" > /dev/null

# bridge_start NAME [FLAGS...]: site burnley, reader pitch-1 unless FLAGS
# say otherwise; sets BRIDGE_PID. Needs PORT (the broker may be down).
bridge_start() {
	local name=$1
	shift
	[ -p "$T/$name.fifo" ] || mkfifo "$T/$name.fifo"
	"$BRIDGE" --reader "sim:$T/$name.fifo" --host 127.0.0.1 --port "$PORT" \
		--site burnley --id pitch-1 --key-file "$KEY" --spool "$T/$name.spool" \
		--ack-wait 3000 --resend 5 --log-level debug "$@" \
		>> "$T/$name.out" 2>> "$T/$name.log" &
	BRIDGE_PID=$!
	TL_PIDS+=("$BRIDGE_PID")
	wait_for "grep -q 'sim reader on' '$T/$name.log'" 10
}

# bridge_stop [SIGNAL]: default TERM; returns the bridge's exit status.
bridge_stop() {
	local rc=0
	kill "-${1:-TERM}" "$BRIDGE_PID" 2>/dev/null || true
	wait "$BRIDGE_PID" || rc=$?
	return $rc
}

# card NAME UID...: presents cards to the running bridge NAME.
card() {
	local name=$1
	shift
	printf '%s\n' "$@" > "$T/$name.fifo"
}

# token_of UID: the token the bridge computes for a UID with $KEY.
token_of() {
	local hex=${1//:/}
	printf "$(echo "$hex" | sed 's/../\\x&/g')" |
		openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(cat "$KEY")" |
		sed 's/.*= //' | cut -c1-32
}

# spool_depth NAME: taps still in the bridge's spool.
spool_depth() { sqlite3 "$T/$1.spool" 'SELECT count(*) FROM tap'; }

# taps_at READER: taps the collector stored from burnley/READER.
taps_at() { sql "SELECT count(*) FROM tap WHERE site='burnley' AND reader='${1:-pitch-1}'"; }

# status_of: the retained status of burnley/pitch-1.
status_of() {
	mosquitto_sub -p "$PORT" -t "$PREFIX/burnley/${1:-pitch-1}/status" -C 1 -W 3 2>/dev/null || true
}

# lines NAME PATTERN: how many feedback lines match.
lines() { grep -c -- "$2" "$T/$1.out" || true; }
