#!/usr/bin/env bash
# A stolen reader against deploy/mosquitto/production.conf as shipped
# (TLS, passwords, the ACL from 'touchline reader acl'): with its own valid
# credentials it connects again and again with the collector's client id
# and with the honest reader's client ids, and tries to take the
# collector's persistent session, while an honest reader (the real
# touchline-bridge, over TLS with its password) makes N taps. Every one of
# the N taps must be recorded and acked, and neither the collector nor the
# honest reader may ever lose its connection. Also: site and reader ids
# that looked alike in the old user names get distinct MQTT users.
. "$TL_SRC/tests/lib.sh"

N=40
ROUNDS=10
B="$T/broker"
mkdir -p "$B"
sh "$TL_SRC/deploy/make-certs.sh" "$B" localhost 127.0.0.1 > /dev/null
setup_db
# A site called 'venue' whose reader is called 'burnley' once had the
# user name of burnley's venue broker (venue.burnley).
tl site add venue > /dev/null
tl reader add venue burnley > /dev/null
tl reader acl > "$B/acl"
users=$(grep -c '^user ' "$B/acl")
is "$(grep '^user ' "$B/acl" | sort -u | wc -l)" "$users" \
	"every MQTT user in the ACL is distinct ($users), with a site called venue"
ok "burnley's venue broker is venue@burnley" grep -qx 'user venue@burnley' "$B/acl"
ok "reader venue/burnley is venue.burnley" grep -qx 'user venue.burnley' "$B/acl"

mosquitto_passwd -c -b "$B/passwd" touchline-collector collector-secret
mosquitto_passwd -b "$B/passwd" burnley.pitch-1 pitch-secret
mosquitto_passwd -b "$B/passwd" burnley.gym-1 stolen-secret
install -m 600 /dev/null "$T/collector.pw"
echo collector-secret > "$T/collector.pw"
install -m 600 /dev/null "$T/pitch.pw"
echo pitch-secret > "$T/pitch.pw"
production_broker_start "$B"
PORT=$PROD_PORT
TLS=(--cafile "$B/ca.crt" -h localhost -p "$PORT")

"$COLLECTOR" --db "$DB" --host localhost --port "$PORT" --cafile "$B/ca.crt" \
	--username touchline-collector --password-file "$T/collector.pw" --stats-interval 0 \
	> "$T/collector.log" 2>&1 &
COLLECTOR_PID=$!
TL_PIDS+=($!)
wait_for "grep -q 'subscribed to' '$T/collector.log'"

# The honest reader: the real bridge, reading cards from a FIFO.
BRIDGE="$TL_BIN/firmware-bridge/touchline-bridge"
"$BRIDGE" keygen "$T/bridge.key" > /dev/null
mkfifo "$T/cards"
"$BRIDGE" --reader "sim:$T/cards" --host localhost --port "$PORT" --cafile "$B/ca.crt" \
	--username burnley.pitch-1 --password-file "$T/pitch.pw" --site burnley --id pitch-1 \
	--key-file "$T/bridge.key" --spool "$T/spool.db" > "$T/bridge.out" 2> "$T/bridge.log" &
TL_PIDS+=($!)
wait_for "grep -q 'connected to broker' '$T/bridge.log'"

# The stolen reader (burnley/gym-1, its own valid password): each round
# it connects as the collector's client id, as the honest bridge's client
# id and as the honest reader's user name, publishing junk on its own
# topic, and tries to resume the collector's session and read its taps.
hostile() {
	local i id
	for ((i = 1; i <= ROUNDS; i++)); do
		for id in touchline-collector touchline-bridge-burnley-pitch-1 burnley.pitch-1; do
			mosquitto_pub "${TLS[@]}" -u burnley.gym-1 -P stolen-secret -i "$id" -q 1 \
				-t "$PREFIX/burnley/gym-1/tap" -m "junk from $id round $i" 2>/dev/null || true
		done
		timeout 0.3 mosquitto_sub "${TLS[@]}" -u burnley.gym-1 -P stolen-secret -i touchline-collector \
			-c -q 1 -t "$PREFIX/+/+/tap" >> "$T/stolen-taps" 2>/dev/null || true
	done
}
hostile &
attack=$!
start=$(ms_now)
for ((i = 1; i <= N; i++)); do
	printf '04%012x\n' "$i"
	echo "sleep 0.1"
done > "$T/cards"
wait "$attack"
took=$(($(ms_now) - start))
wait_for "[ \$(sql \"SELECT count(*) FROM tap WHERE reader = 'pitch-1'\") -ge $N ] && [ \$(sqlite3 '$T/spool.db' 'SELECT count(*) FROM tap') -eq 0 ]" 30 || true

is "$(sql "SELECT count(*) FROM tap WHERE site = 'burnley' AND reader = 'pitch-1'")" "$N" \
	"all $N of the honest reader's taps recorded during a ${took} ms attack"
is "$(sqlite3 "$T/spool.db" 'SELECT count(*) FROM tap')" 0 "... and every one acked (the reader's spool is empty)"
is "$(grep -c 'unknown card' "$T/bridge.out" || true)" "$N" "... and its coach saw the collector's answer to each"
hostile_connects=$(grep -c "as burnley.gym-1 " "$B/log" || true)
ok "the stolen reader connected $hostile_connects times (at least $((ROUNDS * 4)))" \
	[ "$hostile_connects" -ge $((ROUNDS * 4)) ]
is "$(grep -c "as touchline-collector " "$B/log" || true)" 1 \
	"the broker saw the collector's client id connect once (never taken over)"
is "$(grep -c 'connected to broker' "$T/collector.log" || true)" 1 "the collector connected once"
is "$(grep -c 'lost connection' "$T/collector.log" || true)" 0 "... and never lost its connection"
is "$(grep -c "as burnley.pitch-1 " "$B/log" || true)" 1 "the honest reader connected once"
is "$(grep -c 'lost connection' "$T/bridge.log" || true)" 0 "... and never lost its connection"
touch "$T/stolen-taps"
is "$(grep -c '"card"' "$T/stolen-taps" || true)" 0 "the stolen reader read no tap"
is "$(sql "SELECT count(*) FROM deadletter WHERE topic = '$PREFIX/burnley/gym-1/tap'")" \
	"$((ROUNDS * 3))" "its junk is dead-lettered under its own topic"
ok "collector still running" kill -0 "$COLLECTOR_PID"
done_testing
