#!/bin/bash
# Key file rules: keygen writes 0600 and refuses to overwrite; a key that
# group or others can read is refused with a clear message; --help lists
# every option.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

PORT=1
is "$(stat -c %a "$KEY")" 600 "keygen writes mode 0600"
ok "keygen refuses to overwrite" bash -c "! '$BRIDGE' keygen '$KEY' 2>/dev/null"
ok "key has 64 hex digits" grep -qE '^[0-9a-f]{64}$' "$KEY"

cp "$KEY" "$T/open.key"
chmod 644 "$T/open.key"
rc=0
"$BRIDGE" --reader sim:- --site burnley --id pitch-1 --key-file "$T/open.key" \
	--spool "$T/x.spool" < /dev/null > "$T/open.out" 2>&1 || rc=$?
is "$rc" 1 "a group/other-readable key is refused (exit 1)"
ok "message says why and how to fix it" grep -q 'must not be readable by group or others (run: chmod 600' "$T/open.out"
ok "nothing was spooled" [ ! -e "$T/x.spool" ]
chmod 640 "$T/open.key"
rc=0
"$BRIDGE" --reader sim:- --site burnley --id pitch-1 --key-file "$T/open.key" \
	--spool "$T/x.spool" < /dev/null > /dev/null 2>&1 || rc=$?
is "$rc" 1 "group-readable (0640) refused too"
rc=0
"$BRIDGE" --reader sim:- --site burnley --id pitch-1 --key-file "$T/missing.key" \
	--spool "$T/x.spool" < /dev/null > /dev/null 2>&1 || rc=$?
is "$rc" 1 "missing key refused"

rc=0
"$BRIDGE" --reader sim:- --key-file "$KEY" < /dev/null > /dev/null 2>&1 || rc=$?
is "$rc" 2 "site and reader id are required"
rc=0
"$BRIDGE" --reader bogus --site burnley --id pitch-1 > /dev/null 2>&1 || rc=$?
is "$rc" 2 "unknown reader driver refused"

"$BRIDGE" --help > "$T/help"
for opt in config reader debounce hook site id key-file spool spool-max ack-wait resend \
	window heartbeat log-level host port topic-prefix keepalive cafile certfile keyfile \
	username password-file allow-plain-credentials; do
	ok "--help documents --$opt" grep -q -- "--$opt" "$T/help"
done
ok "--help mentions keygen" grep -q 'keygen FILE' "$T/help"

# A config file, overridden by flags.
cat > "$T/bridge.ini" <<INI
[reader]
reader = sim:-
debounce = 7
[bridge]
site = burnley
id = gym-1
key-file = $KEY
spool = $T/ini.spool
[mqtt]
port = 1
INI
"$BRIDGE" --config "$T/bridge.ini" --help > "$T/help2"
ok "config file is read" grep -q 'debounce.*(default: 7)' "$T/help2"
"$BRIDGE" --config "$T/bridge.ini" --debounce 9 --help > "$T/help3"
ok "flags override the file" grep -q 'debounce.*(default: 9)' "$T/help3"
timeout 5 "$BRIDGE" --config "$T/bridge.ini" < /dev/null > /dev/null 2> "$T/ini.log" &
sleep 1.5
kill -TERM $! 2>/dev/null || true
wait $! 2>/dev/null || true
ok "bridge ran from the config file" grep -q 'reader gym-1 (sim:-)' "$T/ini.log"
is "$(stat -c %a "$T/ini.spool")" 600 "spool created mode 0600"

# The protocol's test vector (docs/protocol.md), through the real tap path.
printf '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n' > "$T/vector.key"
chmod 600 "$T/vector.key"
echo '04:a2:2b:6a:3c:5e:80' > "$T/vector.uids"
"$BRIDGE" --reader "sim:$T/vector.uids" --site burnley --id pitch-1 --port 1 \
	--key-file "$T/vector.key" --spool "$T/vector.spool" > "$T/vector.out" 2> "$T/vector.log" &
vpid=$!
wait_for "grep -q 'stored offline' '$T/vector.out'" 10
kill -TERM "$vpid"
wait "$vpid" || true
# A second bridge on the same spool is refused.
"$BRIDGE" --reader sim:- --site burnley --id pitch-1 --port 1 --key-file "$KEY" \
	--spool "$T/one.spool" < /dev/null > /dev/null 2> "$T/one.log" &
onepid=$!
wait_for "grep -q 'started' '$T/one.log'" 10
rc=0
"$BRIDGE" --reader sim:- --site burnley --id pitch-1 --port 1 --key-file "$KEY" \
	--spool "$T/one.spool" < /dev/null > /dev/null 2> "$T/two.log" || rc=$?
is "$rc" 1 "a second bridge on the same spool is refused"
ok "saying why" grep -q 'in use by another touchline-bridge' "$T/two.log"
kill -TERM "$onepid"
wait "$onepid" || true
is "$(sqlite3 "$T/vector.spool" 'SELECT card FROM tap')" 6b4f932b264667447ba8ccd5ce746170 \
	"token of the protocol's test vector"
done_testing
