#!/bin/bash
# make demo: the whole picture on one machine. A private mosquitto on a free
# loopback port, the collector on a fresh database, a site with a football
# pitch and a gym set up with the admin CLI, and two simulated readers
# (touchline-bridge with its sim driver: the same code path as a real NFC
# reader after the card's UID is read). Coaches tap cards, the venue's
# signal drops and returns, an unknown card is enrolled on the spot. Then a
# generated 12-week programme and its weekly report.
# Everything lives in ./demo-run (made anew each run).
set -eu
BUILD=${1:-build}
BIN=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(pwd)/demo-run
TL="$BIN/collector/touchline --db $DIR/touchline.db"
BRIDGE="$BIN/firmware-bridge/touchline-bridge"

rm -rf "$DIR"
mkdir -p "$DIR/broker"
chmod 755 "$DIR"
id mosquitto > /dev/null 2>&1 && chown mosquitto: "$DIR/broker"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { i=0; while [ $i -lt 100 ]; do eval "$1" && return 0; sleep 0.1; i=$((i + 1)); done; return 1; }

broker_start() {
	mosquitto -c "$DIR/broker/mosquitto.conf" 2>> "$DIR/broker/log" &
	bpid=$!
	pids="$pids $bpid"
	wait_for "port_open $PORT"
}
# A free port: try random ones until one is free.
while :; do
	PORT=$(( $(od -An -N2 -tu2 /dev/urandom) % 30000 + 20000 ))
	port_open "$PORT" || break
done
sed -e "s|@PORT@|$PORT|" -e "s|@DIR@|$DIR/broker|" "$SRC/deploy/mosquitto/local.conf" > "$DIR/broker/mosquitto.conf"
broker_start
echo "== broker: mosquitto on 127.0.0.1:$PORT (deploy/mosquitto/local.conf)"

echo "== set-up with the admin CLI"
$TL init
$TL site add burnley --name "Burnley FC in the Community"
$TL reader add burnley pitch-1
$TL reader add burnley gym-1
"$BRIDGE" keygen "$DIR/bridge.key"
# The coach's enrolment desk computes each card's token with the same key
# the readers use (HMAC-SHA256, docs/protocol.md).
token() {
	printf "$(echo "$1" | sed 's/../\\x&/g')" |
		openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(cat "$DIR/bridge.key")" |
		awk '{print $2}' | cut -c1-32
}
codes=""
for uid in 04a1b2c3 04a1b2c4 04d5e6f7a8b9c0 04d5e6f7a8b9c1 04556677889900; do
	code=$($TL participant add) # a random code, as every new participant gets
	$TL card enrol "$code" --token "$(token "$uid")" > /dev/null
	echo "$code holds card $uid"
	codes="$codes $code"
done

# Tonight's football and gym sessions, in a programme everyone is on.
today=$(TZ=Europe/London date +%Y-%m-%d)
start=$(TZ=Europe/London date -d '-10 min' +%H:%M)
end=$(TZ=Europe/London date -d '+80 min' +%H:%M)
[ "$end" \> "$start" ] || end=23:59 # sessions end by midnight
if [ "$end" \> "$start" ]; then
	$TL programme add live --name "Live demo" --weeks 12 --sites burnley > /dev/null
	$TL session add live --site burnley --activity football --date "$today" --start "$start" --end "$end" > /dev/null
	$TL session add live --site burnley --activity gym --date "$today" --start "$start" --end "$end" > /dev/null
	for code in $codes; do $TL programme enrol live "$code" --start "$today" > /dev/null; done
	echo "programme 'live': football and gym sessions today $start-$end (Europe/London)"
fi

"$BIN/collector/touchline-collector" --db "$DIR/touchline.db" --port "$PORT" \
	--stats-interval 0 2> "$DIR/collector.log" &
pids="$pids $!"
wait_for "grep -q subscribed '$DIR/collector.log'"
echo "== collector running (log: demo-run/collector.log)"

# Two readers, each fed card UIDs through a FIFO by this script.
for r in pitch-1 gym-1; do
	mkfifo "$DIR/$r.cards"
	"$BRIDGE" --reader "sim:$DIR/$r.cards" --port "$PORT" --site burnley --id "$r" \
		--key-file "$DIR/bridge.key" --spool "$DIR/$r.spool" --ack-wait 1000 --resend 3 \
		>> "$DIR/$r.feedback" 2> "$DIR/$r.log" &
	pids="$pids $!"
done
wait_for "grep -q 'sim reader on' '$DIR/pitch-1.log' && grep -q 'sim reader on' '$DIR/gym-1.log'"
tap() { echo "$2" > "$DIR/$1.cards"; sleep 0.4; }
show() { echo "-- coach's screen at $1:"; sed 's/^/   /' "$DIR/$1.feedback"; : > "$DIR/$1.feedback"; }

echo "== tonight's football: four participants tap in, one holds the card on too long, a new card"
tap pitch-1 04a1b2c3
tap pitch-1 04a1b2c4
tap pitch-1 04a1b2c4
tap pitch-1 04d5e6f7a8b9c0
tap pitch-1 04556677889900
tap pitch-1 04ffeeddccbbaa
sleep 1
show pitch-1
echo "== the coach enrols the new card on the spot"
code=$($TL participant add)
$TL card enrol "$code" --last-unknown --reader burnley/pitch-1
sleep 3 # past the reader's 3 s debounce: a new tap, not the same one held
tap pitch-1 04ffeeddccbbaa
sleep 1
show pitch-1

echo "== the gym's signal drops (broker stopped); taps carry on"
kill "$bpid"; wait "$bpid" 2>/dev/null || true
tap gym-1 04d5e6f7a8b9c1
tap gym-1 04a1b2c3
sleep 1.5
show gym-1
echo "   spooled at the gym: $(sqlite3 "$DIR/gym-1.spool" 'SELECT count(*) FROM tap') taps"
echo "== signal back: the spool drains"
broker_start
wait_for "[ \$(sqlite3 '$DIR/gym-1.spool' 'SELECT count(*) FROM tap') -eq 0 ]" || true
sleep 0.5
show gym-1
echo "   spooled at the gym: $(sqlite3 "$DIR/gym-1.spool" 'SELECT count(*) FROM tap') taps"
mosquitto_pub -p "$PORT" -q 1 -t touchline/v1/burnley/gym-1/tap -m '{"v":1,"id":"oops"}'
sleep 0.5

echo "== readers"
$TL reader list
echo "== participants"
$TL participant list
echo "== dead letters (a malformed message, kept with its reason)"
$TL deadletter list
$TL export taps --format csv --output "$DIR/taps.csv"
echo "== the taps export (demo-run/taps.csv): pseudonymous codes, UTC times"
cat "$DIR/taps.csv"

echo
echo "== a generated 12-week programme: two sites, football and gym, 40 participants"
sh "$SRC/scripts/demo-programme.sh" "$BIN" "$DIR/programme.db"
echo
echo "== the programme lead's dashboard (static files: open index.html in a browser)"
"$BIN/dashboard/touchline-dashboard" --db "$DIR/programme.db" --out "$DIR/dashboard" --today 2026-04-30
echo
echo "Databases: demo-run/touchline.db (the live demo), demo-run/programme.db (12 weeks)"
echo "Try: build/collector/touchline --db demo-run/touchline.db --help"
