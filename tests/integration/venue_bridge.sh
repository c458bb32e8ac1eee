#!/usr/bin/env bash
# Many sites: two venue brokers (deploy/mosquitto/venue.conf) bridge to one
# central broker (deploy/mosquitto/production.conf, TLS, passwords, ACL)
# where the collector runs. One venue's uplink (through a TCP relay we can
# cut) goes down mid-stream for 10 s and comes back: the venue broker, with
# the shipped reconnect settings, is forwarding again within a few seconds,
# every tap of both venues arrives exactly once and every tap gets its ack
# back at its venue.
. "$TL_SRC/tests/lib.sh"

C="$T/central"
mkdir -p "$C"
sh "$TL_SRC/deploy/make-certs.sh" "$C" localhost 127.0.0.1 > /dev/null
setup_db
tl site add preston > /dev/null
tl reader add preston gym-1 > /dev/null
tl reader acl > "$C/acl"
mosquitto_passwd -c -b "$C/passwd" touchline-collector cpw
mosquitto_passwd -b "$C/passwd" venue@burnley bpw
mosquitto_passwd -b "$C/passwd" venue@preston ppw
install -m 600 /dev/null "$T/collector.pw"
echo cpw > "$T/collector.pw"

production_broker_start "$C"
CPORT=$PROD_PORT

# venue SITE PASSWORD UPLINK-PORT: starts that site's venue broker; sets VPORT.
venue() {
	local dir="$T/venue-$1" port
	mkdir -p "$dir"
	port=$(free_port)
	VPORT=$port
	cp "$C/ca.crt" "$dir/ca.crt"
	sed -e "s|^listener 1883 127.0.0.1|listener $port 127.0.0.1|" \
		-e "s|/var/lib/mosquitto/|$dir/|" -e "s|/etc/mosquitto/touchline/|$dir/|" \
		-e "s|@CENTRAL@:8883|localhost:$3|" -e "s|@SITE@|$1|g" -e "s|@PASSWORD@|$2|" \
		"$TL_SRC/deploy/mosquitto/venue.conf" > "$dir/mosquitto.conf"
	broker_own "$dir"
	mosquitto -c "$dir/mosquitto.conf" > /dev/null 2> "$dir/log" &
	TL_PIDS+=($!)
	wait_for "port_open $port"
}

# burnley's uplink runs through a relay that the test can cut.
RELAY=$(free_port)
relay_start() {
	socat "TCP-LISTEN:$RELAY,bind=127.0.0.1,reuseaddr,fork" "TCP:127.0.0.1:$CPORT" &
	RELAY_PID=$!
	TL_PIDS+=($!)
	wait_for "port_open $RELAY"
}
relay_start
venue burnley bpw "$RELAY"
VB=$VPORT
venue preston ppw "$CPORT"
VP=$VPORT

"$COLLECTOR" --db "$DB" --host localhost --port "$CPORT" --cafile "$C/ca.crt" \
	--username touchline-collector --password-file "$T/collector.pw" --stats-interval 0 \
	> "$T/collector.log" 2>&1 &
TL_PIDS+=($!)
wait_for "grep -q 'subscribed to' '$T/collector.log'"

# Ack listeners at each venue, as the readers there would be.
for v in "burnley $VB" "preston $VP"; do
	set -- $v
	mosquitto_sub -p "$2" -c -i "acks-$1" -q 1 -t "$PREFIX/$1/+/ack" -E
	mosquitto_sub -p "$2" -c -i "acks-$1" -q 1 -t "$PREFIX/$1/+/ack" > "$T/acks-$1" &
	TL_PIDS+=($!)
done
sleep 1

for i in $(seq 1 600); do tap_json burnley pitch-1 "$CARD1" "" "$i"; done > "$T/burnley"
for i in $(seq 1 600); do tap_json preston gym-1 "$CARD1" "" "$i"; done > "$T/preston"
head -200 "$T/burnley" | mosquitto_pub -p "$VB" -q 1 -t "$PREFIX/burnley/pitch-1/tap" -l
head -200 "$T/preston" | mosquitto_pub -p "$VP" -q 1 -t "$PREFIX/preston/gym-1/tap" -l
wait_for "[ \$(sql \"SELECT count(*) FROM tap WHERE site = 'burnley'\") -ge 200 ]" 30
is "$(sql "SELECT count(*) FROM tap WHERE site = 'burnley'")" 200 "burnley's first taps arrive over its bridge"

# Cut burnley's uplink (the relay and every connection through it).
kill "$RELAY_PID"
pkill -f "TCP-LISTEN:$RELAY" || true
cut=$(ms_now)
sleep 1
sed -n 201,600p "$T/burnley" | mosquitto_pub -p "$VB" -q 1 -t "$PREFIX/burnley/pitch-1/tap" -l
sed -n 201,600p "$T/preston" | mosquitto_pub -p "$VP" -q 1 -t "$PREFIX/preston/gym-1/tap" -l
wait_for "[ \$(sql \"SELECT count(*) FROM tap WHERE site = 'preston'\") -ge 600 ]" 30
is "$(sql "SELECT count(*) FROM tap WHERE site = 'preston'")" 600 "preston unaffected by burnley's outage"
burnley_during=$(sql "SELECT count(*) FROM tap WHERE site = 'burnley'")
is "$burnley_during" 200 "burnley's taps wait at its venue broker while the uplink is down"

# Down long enough for a backoff to have grown (the old 2 30 setting
# waited up to 30 s between attempts).
left=$((10000 - ($(ms_now) - cut)))
[ "$left" -le 0 ] || sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
relay_start
back=$(ms_now)
wait_for "[ \$(sql \"SELECT count(*) FROM tap WHERE site = 'burnley'\") -gt 200 ]" 60 || true
took=$(($(ms_now) - back))
ok "burnley's venue broker forwards again ${took} ms after its uplink returns (at most 5 s)" \
	[ "$took" -le 5000 ]
wait_for "[ \$(sql \"SELECT count(*) FROM tap WHERE site = 'burnley'\") -ge 600 ]" 60
is "$(sql "SELECT count(*) FROM tap WHERE site = 'burnley'")" 600 "every burnley tap arrives after the uplink returns"
is "$(sql 'SELECT count(*) - count(DISTINCT id) FROM tap')" 0 "none stored twice"
wait_for "[ \$(sort -u '$T/acks-burnley' | wc -l) -ge 600 ] && [ \$(sort -u '$T/acks-preston' | wc -l) -ge 600 ]" 60
is "$(grep -o '"id":"[^"]*"' "$T/acks-burnley" | sort -u | wc -l)" 600 "every burnley tap acked back at the venue"
is "$(grep -o '"id":"[^"]*"' "$T/acks-preston" | sort -u | wc -l)" 600 "every preston tap acked back at the venue"
done_testing
