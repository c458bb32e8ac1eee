#!/usr/bin/env bash
# deploy/mosquitto/production.conf with certificates from deploy/make-certs.sh,
# a password file and the ACL from 'touchline reader acl': anonymous and
# wrong-password clients are refused; a reader cannot publish as another or
# read another's acks; a payload claiming another site is dead-lettered;
# the collector keeps recording while one reader floods garbage; a reader
# set up from `reader add --credentials` (password in a 0600 file, on no
# printed line) connects.
. "$TL_SRC/tests/lib.sh"

B="$T/broker"
mkdir -p "$B"
sh "$TL_SRC/deploy/make-certs.sh" "$B" localhost 127.0.0.1 > /dev/null
setup_db
tl site add preston > /dev/null
tl reader add preston gym-1 > /dev/null
tl reader acl > "$B/acl"
mosquitto_passwd -c -b "$B/passwd" touchline-collector collector-secret
mosquitto_passwd -b "$B/passwd" burnley.pitch-1 pitch-secret
mosquitto_passwd -b "$B/passwd" preston.gym-1 gym-secret
for f in collector pitch gym; do
	install -m 600 /dev/null "$T/$f.pw"
	echo "$f-secret" > "$T/$f.pw"
done

# The production file as shipped, with its paths and port moved into $T.
production_broker_start "$B"
PORT=$PROD_PORT

TLS=(--cafile "$B/ca.crt" -h localhost -p "$PORT")
# pub_as USER PASSWORD ARGS...: publishes as USER over TLS, QoS 1
pub_as() { local u=$1 p=$2; shift 2; mosquitto_pub "${TLS[@]}" -u "$u" -P "$p" -i "$u" -q 1 "$@"; }

rc=0; mosquitto_pub "${TLS[@]}" -q 1 -t "$PREFIX/burnley/pitch-1/tap" -m x 2> "$T/err" || rc=$?
ok "anonymous client refused" [ "$rc" -ne 0 ]
ok "... as not authorised" grep -qi "not authori" "$T/err"
rc=0; pub_as burnley.pitch-1 wrong -t "$PREFIX/burnley/pitch-1/tap" -m x 2> "$T/err" || rc=$?
ok "wrong password refused" [ "$rc" -ne 0 ]
rc=0; mosquitto_pub -h 127.0.0.1 -p "$PORT" -u burnley.pitch-1 -P pitch-secret -t x -m x 2> /dev/null || rc=$?
ok "plain TCP to the TLS listener fails" [ "$rc" -ne 0 ]

# TLS 1.2 at least, forward-secret AEAD suites only.
# handshake ARGS...: whether openssl completes a TLS handshake with the broker
# (its "New, <protocol>, Cipher is <suite>" line: the session block after it
# may be missing when the connection ends before a TLS 1.3 session ticket)
handshake() {
	openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$B/ca.crt" "$@" \
		< /dev/null > "$T/tls" 2>&1 &&
		grep -q '^New, TLSv1\.[23], Cipher is [A-Z]' "$T/tls"
}
ok "TLS 1.3 accepted" handshake -tls1_3
ok "TLS 1.2 with ECDHE and AES-GCM accepted" handshake -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
refused() { ! handshake "$@"; }
ok "TLS 1.2 with RSA key exchange (no forward secrecy) refused" refused -tls1_2 -cipher AES256-GCM-SHA384
ok "TLS 1.2 with a CBC suite refused" refused -tls1_2 -cipher ECDHE-RSA-AES128-SHA256
ok "TLS 1.1 refused" refused -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'

"$COLLECTOR" --db "$DB" --host localhost --port "$PORT" --cafile "$B/ca.crt" \
	--username touchline-collector --password-file "$T/collector.pw" --stats-interval 0 \
	> "$T/collector.log" 2>&1 &
COLLECTOR_PID=$!
TL_PIDS+=($!)
wait_for "grep -q 'subscribed to' '$T/collector.log'"
ok "collector connects with TLS and its password" grep -q "subscribed to" "$T/collector.log"

# The broker makes each client's id its user name, so a reader has one
# MQTT session, as a real reader does: a tap and its ack travel on one
# connection (mosquitto_rr: subscribe to the ack topic, publish, wait).
# rr_as USER PASSWORD SITE/READER PAYLOAD: prints the ack
rr_as() {
	mosquitto_rr "${TLS[@]}" -u "$1" -P "$2" -i "$1" -q 1 -t "$PREFIX/$3/tap" -e "$PREFIX/$3/ack" \
		-m "$4" -W 5 || true
}
own=$(uuid) spoof=$(uuid) liar=$(uuid) gymtap=$(uuid)
rr_as burnley.pitch-1 pitch-secret burnley/pitch-1 "$(tap_json burnley pitch-1 "$CARD1" "" 1 "$own")" > "$T/pitch-acks"
pub_as burnley.pitch-1 pitch-secret -t "$PREFIX/preston/gym-1/tap" -m "$(tap_json preston gym-1 "$CARD1" "" 2 "$spoof")" || true
pub_as burnley.pitch-1 pitch-secret -t "$PREFIX/burnley/pitch-1/tap" -m "$(tap_json preston pitch-1 "$CARD1" "" 3 "$liar")"
# pitch-1 listens to gym-1's acks (and its own) while gym-1 taps.
mosquitto_sub "${TLS[@]}" -u burnley.pitch-1 -P pitch-secret -i burnley.pitch-1 -q 1 -v \
	-t "$PREFIX/burnley/pitch-1/ack" -t "$PREFIX/preston/gym-1/ack" > "$T/pitch-spy" &
spy=$!
TL_PIDS+=($spy)
sleep 0.5
rr_as preston.gym-1 gym-secret preston/gym-1 "$(tap_json preston gym-1 "$CARD1" "" 1 "$gymtap")" > "$T/gym-acks"
wait_for "[ \$(sql 'SELECT count(*) FROM tap') -ge 2 ] && [ \$(sql 'SELECT count(*) FROM deadletter') -ge 1 ]"
sleep 0.5
kill "$spy"
is "$(sql "SELECT count(*) FROM tap WHERE id = '$own'")" 1 "reader's own tap recorded"
is "$(sql "SELECT count(*) FROM tap WHERE id = '$spoof'") $(sql "SELECT count(*) FROM deadletter WHERE tap_id = '$spoof'")" "0 0" \
	"tap published on another reader's topic never reaches the collector"
is "$(sql "SELECT reason FROM deadletter WHERE tap_id = '$liar'")" site_mismatch \
	"payload claiming another site than its topic dead-lettered"
is "$(sql "SELECT count(*) FROM tap WHERE id = '$gymtap'")" 1 "the other reader's tap recorded"
ok "gym-1 gets its ack" grep -q "$gymtap" "$T/gym-acks"
ok "pitch-1 gets its ack" grep -q "$own" "$T/pitch-acks"
ok "pitch-1 cannot read gym-1's acks" bash -c "! grep -q '$gymtap' '$T/pitch-spy'"

# A packet over max_packet_size: the broker disconnects its sender.
head -c 5000 /dev/zero | tr '\0' x > "$T/big"
rc=0; pub_as burnley.pitch-1 pitch-secret -t "$PREFIX/burnley/pitch-1/tap" -f "$T/big" 2> /dev/null || rc=$?
sleep 0.5
ok "a 5000-byte message is refused by the broker" [ "$(sql "SELECT count(*) FROM deadletter WHERE payload_size >= 5000")" -eq 0 ]
ok "... which disconnects its sender" grep -q "Client burnley.pitch-1 disconnected due to oversize packet" "$B/log"

# One reader floods garbage while the other sends real taps.
for i in $(seq 1 5000); do echo "{garbage $i $RANDOM$RANDOM"; done > "$T/garbage"
pub_as burnley.pitch-1 pitch-secret -t "$PREFIX/burnley/pitch-1/tap" -l < "$T/garbage" &
flood=$!
for i in $(seq 1 200); do tap_json preston gym-1 "$CARD1" "" "$((10 + i))"; done > "$T/real"
pub_as preston.gym-1 gym-secret -t "$PREFIX/preston/gym-1/tap" -l < "$T/real"
wait "$flood"
junk() { sql "SELECT (SELECT count(*) FROM deadletter WHERE reason = 'bad_json')
	+ (SELECT coalesce(sum(dropped), 0) FROM deadletter_drop WHERE reason = 'bad_json')"; }
wait_for "[ \$(sql \"SELECT count(*) FROM tap WHERE site = 'preston'\") -ge 201 ] && [ \$(junk) -ge 5000 ]" 60
is "$(sql "SELECT count(*) FROM tap WHERE site = 'preston'")" 201 "every real tap recorded during the flood"
is "$(junk)" 5000 "every garbage message dead-lettered or, beyond the junk rate, counted"
is "$(sql "SELECT count(*) FROM deadletter WHERE reason = 'bad_json' AND (site, reader) <> ('burnley', 'pitch-1')")" 0 \
	"... all under the flooding reader"
ok "collector survived" kill -0 "$COLLECTOR_PID"

# A new reader from 'touchline reader add --credentials', followed as
# printed: the broker user and ACL, then the reader's own config file.
tl reader add preston pitch-2 --credentials --broker-host localhost --broker-port "$PORT" \
	--password-out "$T/pitch-2.password" > "$T/creds"
is "$(stat -c %a "$T/pitch-2.password")" 600 "reader add --credentials writes the password to a file of mode 600"
ok "... and prints no line that holds the password" bash -c "! grep -qF '$(cat "$T/pitch-2.password")' '$T/creds'"
grep '| mosquitto_passwd /etc/mosquitto/touchline/passwd' "$T/creds" | sed "s|/etc/mosquitto/touchline/|$B/|" | sh
tl reader acl > "$B/acl"
kill -HUP "$PROD_PID"
mkdir -p "$T/etc"
# (installed here for this user: the bridge's touchline-bridge user is the
# package's, checked by deploy.install_deb)
grep "^install -m 600 -o touchline-bridge '.*' /etc/touchline/mqtt-password" "$T/creds" |
	sed "s|/etc/touchline/|$T/etc/|g; s| -o touchline-bridge||" | sh
sed -n "/^cat > \/etc\/touchline\/bridge.ini <<'EOF'/,/^EOF/p" "$T/creds" | sed '1d;$d' |
	sed -e "s|/etc/touchline/|$T/etc/|g" -e "s|/var/lib/touchline-bridge/|$T/|" > "$T/etc/bridge.ini"
cp "$B/ca.crt" "$T/etc/ca.crt"
"$TL_BIN/firmware-bridge/touchline-bridge" keygen "$T/etc/bridge.key" > /dev/null
echo 04a1b2c3d4e5f6 > "$T/one-card"
"$TL_BIN/firmware-bridge/touchline-bridge" --config "$T/etc/bridge.ini" --reader "sim:$T/one-card" \
	> "$T/bridge.out" 2> "$T/bridge.log" &
TL_PIDS+=($!)
wait_for "[ \$(sql \"SELECT count(*) FROM tap WHERE site = 'preston' AND reader = 'pitch-2'\") -ge 1 ]" 20
is "$(sql "SELECT count(*) FROM tap WHERE site = 'preston' AND reader = 'pitch-2'")" 1 \
	"a reader set up from 'reader add --credentials' connects over TLS and its tap is recorded"
ok "its coach sees the collector's answer" grep -q "unknown card" "$T/bridge.out"

# The client refuses to send a password in clear to a non-loopback host.
rc=0
"$COLLECTOR" --db "$DB" --host 192.0.2.1 --username u --password-file "$T/collector.pw" \
	> /dev/null 2> "$T/refuse" || rc=$?
is "$rc" 1 "collector refuses plain credentials to a remote host"
ok "... and says why" grep -q "refusing to send credentials over plain TCP" "$T/refuse"
chmod 644 "$T/collector.pw"
rc=0
"$COLLECTOR" --db "$DB" --host localhost --port "$PORT" --cafile "$B/ca.crt" \
	--username touchline-collector --password-file "$T/collector.pw" > /dev/null 2> "$T/refuse" || rc=$?
is "$rc" 1 "collector refuses a password file others can read"
done_testing
