#!/bin/sh
# make demo: a private broker on a free loopback port, the collector on a
# fresh database, a site with two readers and a few participants set up
# with the admin CLI, a realistic stream of taps, and what was recorded.
# Everything lives in ./demo-run (removed and made anew each run).
set -eu
BUILD=${1:-build}
BIN=$(cd "$BUILD" && pwd)
DIR=$(pwd)/demo-run
TL="$BIN/collector/touchline --db $DIR/touchline.db"

rm -rf "$DIR"
mkdir -p "$DIR/broker"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Free port: try random ones until mosquitto binds one.
for try in 1 2 3 4 5 6 7 8 9 10; do
	PORT=$(( $(od -An -N2 -tu2 /dev/urandom) % 30000 + 20000 ))
	bash -c "$(declare -f port_open); port_open $PORT" && continue
	sed -e "s|@PORT@|$PORT|" -e "s|@DIR@|$DIR/broker|" deploy/mosquitto/local.conf > "$DIR/broker/mosquitto.conf"
	mosquitto -c "$DIR/broker/mosquitto.conf" 2> "$DIR/broker/log" &
	bpid=$!
	sleep 0.3
	kill -0 "$bpid" 2>/dev/null && break
done
pids="$pids $bpid"
echo "== broker: mosquitto on 127.0.0.1:$PORT"

echo "== set-up with the admin CLI"
$TL init
$TL site add burnley --name "Burnley FC in the Community"
$TL reader add burnley pitch-1
$TL reader add burnley gym-1

# A deployment key and six cards. Real readers compute the token from the
# card UID with this key; here openssl does the same HMAC.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DIR/deployment.key"
chmod 600 "$DIR/deployment.key"
token() {
	printf "$(echo "$1" | sed 's/../\\x&/g')" |
		openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(cat "$DIR/deployment.key")" |
		awk '{print $2}' | cut -c1-32
}
n=0
for uid in 04a1b2c3 04a1b2c4 04d5e6f7a8b9c0 04d5e6f7a8b9c1 0455667788 04a1b2c7; do
	n=$((n + 1))
	code=$($TL participant add)
	echo "$code $uid" >> "$DIR/cards"
	[ "$n" -le 5 ] && $TL card enrol "$code" --token "$(token "$uid")"
done

"$BIN/collector/touchline-collector" --db "$DIR/touchline.db" --port "$PORT" \
	--stats-interval 0 2> "$DIR/collector.log" &
pids="$pids $!"
for i in $(seq 50); do grep -q subscribed "$DIR/collector.log" && break; sleep 0.1; done
echo "== collector running (log: demo-run/collector.log)"

# Three weeks of Tuesday football (pitch-1) and Thursday gym (gym-1): each
# participant taps in before the session and out at the end, with some
# missing sessions and one card nobody has enrolled yet.
for r in pitch-1 gym-1; do
	mosquitto_pub -p "$PORT" -q 1 -r -t "touchline/v1/burnley/$r/status" \
		-m '{"v":1,"state":"online","spooled":0,"version":"demo"}'
done
seq=0
day0=$(date -u -d 'last monday -21 days' +%Y-%m-%d)
for week in 0 1 2; do
	for slot in "1 pitch-1 18:00 19:30" "3 gym-1 10:00 11:00"; do
		set -- $slot
		date=$(date -u -d "$day0 +$((week * 7 + $1)) days" +%Y-%m-%d)
		while read -r code uid; do
			# Participant-dependent absences make the numbers varied.
			case "$code$week$2" in P-0002?gym-1|P-0004[12]*|P-0005[02]pitch-1) continue ;; esac
			for t in "$3" "$4"; do
				seq=$((seq + 1))
				base=$(date -u -d "$date $t" +%s)
				ts=$(date -u -d "@$((base + ((seq * 7) % 11 - 5) * 60))" +%Y-%m-%dT%H:%M:%SZ)
				printf '{"v":1,"id":"%s","site":"burnley","reader":"%s","card":"%s","ts":"%s","seq":%d}\n' \
					"$(cat /proc/sys/kernel/random/uuid)" "$2" "$(token "$uid")" "$ts" "$seq" \
					>> "$DIR/taps-$2.jsonl"
			done
		done < "$DIR/cards"
	done
done
total=$(cat "$DIR"/taps-*.jsonl | wc -l)
mosquitto_pub -p "$PORT" -q 1 -t touchline/v1/burnley/pitch-1/tap -l < "$DIR/taps-pitch-1.jsonl"
mosquitto_pub -p "$PORT" -q 1 -t touchline/v1/burnley/gym-1/tap -l < "$DIR/taps-gym-1.jsonl"
# and one malformed message, which is dead-lettered, not lost
mosquitto_pub -p "$PORT" -q 1 -t touchline/v1/burnley/gym-1/tap -m '{"v":1,"id":"oops"}'
echo "== published $total taps and 1 malformed message"
for i in $(seq 100); do
	[ "$(sqlite3 "$DIR/touchline.db" 'SELECT count(*) FROM tap')" -ge "$total" ] && break
	sleep 0.1
done

echo "== readers"
$TL reader list
echo "== participants"
$TL participant list
echo "== taps per participant and reader"
sqlite3 -column -header "$DIR/touchline.db" \
	"SELECT coalesce(p.code, '(unknown card)') AS participant,
	        sum(t.reader = 'pitch-1') AS football_taps, sum(t.reader = 'gym-1') AS gym_taps,
	        min(strftime('%Y-%m-%d', t.ts, 'unixepoch')) AS first, max(strftime('%Y-%m-%d', t.ts, 'unixepoch')) AS last
	 FROM tap t LEFT JOIN participant p ON p.id = t.participant GROUP BY 1 ORDER BY 1"
echo "== unknown cards (enrol with: touchline card enrol CODE --last-unknown --reader SITE/READER)"
$TL unknown list
echo "== dead letters"
$TL deadletter list
$TL export taps --format csv --output "$DIR/taps.csv"
echo "== first rows of the taps export (demo-run/taps.csv)"
head -4 "$DIR/taps.csv"

echo
echo "== a generated 12-week programme: two sites, football and gym, 40 participants"
sh scripts/demo-programme.sh "$BUILD" "$DIR/programme.db"
echo
echo "Databases: demo-run/touchline.db (live demo), demo-run/programme.db (12-week programme)"
echo "Try: build/collector/touchline --db demo-run/touchline.db --help"
