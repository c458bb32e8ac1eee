# lib.sh - shared by the integration tests: temporary directories, a real
# mosquitto on a free loopback port, the collector as a process, taps, acks
# and assertions. Source it; it cleans up after itself on exit.
#
# Needs TL_BIN (the CMake build directory) and TL_SRC (the source tree).

set -euo pipefail
: "${TL_BIN:?TL_BIN must name the build directory}"
: "${TL_SRC:?TL_SRC must name the source tree}"

COLLECTOR="$TL_BIN/collector/touchline-collector"
TOUCHLINE="$TL_BIN/collector/touchline"
T=$(mktemp -d /tmp/touchline-test.XXXXXX)
TL_PIDS=()
TL_FAILS=0
TL_CHECKS=0
PREFIX=touchline/v1

tl_cleanup() {
	local pid
	for pid in "${TL_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if [ "$TL_FAILS" -eq 0 ] && [ -z "${TL_KEEP:-}" ]; then
		rm -rf "$T"
	else
		echo "test files kept in $T"
	fi
}
trap tl_cleanup EXIT

# ok CONDITION-COMMAND... / is ACTUAL EXPECTED MESSAGE
is() {
	TL_CHECKS=$((TL_CHECKS + 1))
	if [ "$1" == "$2" ]; then
		echo "ok - $3"
	else
		echo "FAIL - $3: got '$1', expected '$2'"
		TL_FAILS=$((TL_FAILS + 1))
	fi
}

ok() {
	local msg=$1
	shift
	TL_CHECKS=$((TL_CHECKS + 1))
	if "$@"; then
		echo "ok - $msg"
	else
		echo "FAIL - $msg"
		TL_FAILS=$((TL_FAILS + 1))
	fi
}

# Prints the summary line ctest shows and sets the exit status.
done_testing() {
	echo "$((TL_CHECKS - TL_FAILS)) passed, $TL_FAILS failed"
	[ "$TL_FAILS" -eq 0 ]
}

# Waits up to $2 seconds (default 10) for the command in $1 to succeed.
wait_for() {
	local cmd=$1 limit=${2:-10} i
	for ((i = 0; i < limit * 20; i++)); do
		if eval "$cmd"; then return 0; fi
		sleep 0.05
	done
	echo "timed out waiting for: $cmd" >&2
	return 1
}

port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: prints a loopback port nothing listens on.
free_port() {
	local p
	while :; do p=$((20000 + RANDOM % 30000)); port_open "$p" || break; done
	echo "$p"
}

# production_broker_start DIR: deploy/mosquitto/production.conf as shipped,
# its paths moved into DIR (which holds the certificates from
# deploy/make-certs.sh, passwd and acl) and its TLS listener onto a free
# loopback port. Sets PROD_PORT and PROD_PID.
production_broker_start() {
	local dir=$1
	PROD_PORT=$(free_port)
	sed -e "s|/etc/mosquitto/touchline/|$dir/|" -e "s|^listener 8883|listener $PROD_PORT 127.0.0.1|" \
		-e "s|/var/lib/mosquitto/|$dir/|" -e "s|^log_dest syslog|log_dest stderr|" \
		"$TL_SRC/deploy/mosquitto/production.conf" > "$dir/mosquitto.conf"
	broker_own "$dir"
	mosquitto -c "$dir/mosquitto.conf" 2> "$dir/log" &
	PROD_PID=$!
	TL_PIDS+=("$PROD_PID")
	wait_for "port_open $PROD_PORT"
}

# mosquitto started as root runs as user mosquitto: let it reach and own
# its files, as in a real installation.
broker_own() {
	chmod 755 "$T"
	if id mosquitto > /dev/null 2>&1; then chown -R mosquitto: "$1"; fi
}

# broker_start [EXTRA-CONFIG-FILE]: a private mosquitto on a free loopback
# port, persistence on in $T/broker so restarts keep sessions. Sets PORT.
broker_start() {
	local extra=${1:-} try
	mkdir -p "$T/broker"
	broker_own "$T/broker"
	for try in 1 2 3 4 5 6 7 8 9 10; do
		PORT=${PORT:-$((20000 + RANDOM % 30000))}
		if port_open "$PORT"; then PORT=; continue; fi
		{
			echo "listener $PORT 127.0.0.1"
			echo "allow_anonymous true"
			echo "persistence true"
			echo "persistence_location $T/broker/"
			echo "max_queued_messages 1000000"
			echo "max_inflight_messages 0"
			echo "set_tcp_nodelay true"
			[ -n "$extra" ] && cat "$extra"
		} > "$T/broker/mosquitto.conf"
		mosquitto -c "$T/broker/mosquitto.conf" >> "$T/broker/log" 2>&1 &
		BROKER_PID=$!
		TL_PIDS+=("$BROKER_PID")
		if wait_for "port_open $PORT" 5 2>/dev/null; then return 0; fi
		kill "$BROKER_PID" 2>/dev/null || true
		PORT=
	done
	echo "could not start mosquitto" >&2
	return 1
}

broker_stop() {
	kill "$BROKER_PID" 2>/dev/null || true
	wait "$BROKER_PID" 2>/dev/null || true
}

# The same port again, so clients reconnect to it.
broker_restart() {
	broker_stop
	broker_start
}

DB="$T/touchline.db"

tl() { "$TOUCHLINE" --db "$DB" "$@"; }

# collector_spawn [FLAGS...]: runs the collector on $DB against the broker
# on $PORT (which may be down) without waiting. Log in $T/collector.log.
collector_spawn() {
	"$COLLECTOR" --db "$DB" --host 127.0.0.1 --port "$PORT" --stats-interval 0 "$@" \
		>> "$T/collector.log" 2>&1 &
	COLLECTOR_PID=$!
	TL_PIDS+=("$COLLECTOR_PID")
}

# subscribed_count LOG: how many times a program has (re)subscribed.
subscribed_count() {
	if [ -f "$1" ]; then grep -c 'subscribed to' "$1" || true; else echo 0; fi
}

# collector_start [FLAGS...]: collector_spawn, then waits until it has
# subscribed.
collector_start() {
	local before
	before=$(subscribed_count "$T/collector.log")
	collector_spawn "$@"
	wait_for "[ \$(subscribed_count '$T/collector.log') -gt $before ]" 10
}

# ms_now: monotonic-enough milliseconds, for timing recoveries.
ms_now() { echo $(($(date +%s%N) / 1000000)); }

# collector_stop [SIGNAL]: default TERM; returns the collector's status.
collector_stop() {
	local sig=${1:-TERM} rc=0
	kill "-$sig" "$COLLECTOR_PID" 2>/dev/null || true
	wait "$COLLECTOR_PID" || rc=$?
	return $rc
}

uuid() { cat /proc/sys/kernel/random/uuid; }
now_utc() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# tap_json SITE READER CARD [TS] [SEQ] [ID]
tap_json() {
	local id=${6:-$(uuid)}
	printf '{"v":1,"id":"%s","site":"%s","reader":"%s","card":"%s","ts":"%s","seq":%s}\n' \
		"$id" "$1" "$2" "$3" "${4:-$(now_utc)}" "${5:-1}"
}

# pub TOPIC-SUFFIX PAYLOAD: one QoS 1 message on $PREFIX/TOPIC-SUFFIX
pub() { mosquitto_pub -p "$PORT" -q 1 -t "$PREFIX/$1" -m "$2"; }
# pub_lines TOPIC-SUFFIX < FILE: one message per line
pub_lines() { mosquitto_pub -p "$PORT" -q 1 -t "$PREFIX/$1" -l; }

# acks_listen NAME: from now on every ack is appended to $T/acks-NAME.log
# by a subscriber that stays connected (a persistent session registered
# first, so nothing published after this returns is missed).
acks_listen() {
	mosquitto_sub -p "$PORT" -c -i "test-$1" -q 1 -t "$PREFIX/+/+/ack" -E
	mosquitto_sub -p "$PORT" -c -i "test-$1" -q 1 -t "$PREFIX/+/+/ack" >> "$T/acks-$1.log" &
	TL_PIDS+=($!)
	echo 0 > "$T/acks-$1.read"
}
# acks_get NAME COUNT [SECONDS]: prints the next COUNT acks (payloads) not
# yet printed, waiting at most SECONDS (default 20); fewer if time runs out.
acks_get() {
	local log="$T/acks-$1.log" read
	read=$(cat "$T/acks-$1.read")
	wait_for "[ \$((\$(wc -l < '$log') - $read)) -ge $2 ]" "${3:-20}" 2>/dev/null || true
	tail -n +"$((read + 1))" "$log" | head -n "$2" > "$T/acks-$1.new"
	echo $((read + $(wc -l < "$T/acks-$1.new"))) > "$T/acks-$1.read"
	cat "$T/acks-$1.new"
}

# A fixed deployment: site burnley with readers pitch-1 and gym-1, and
# participant P-0001 holding card $CARD1.
CARD1=0123456789abcdef0123456789abcdef
CARD2=fedcba9876543210fedcba9876543210
setup_db() {
	tl init > /dev/null
	tl site add burnley --name "Burnley" > /dev/null
	tl reader add burnley pitch-1 > /dev/null
	tl reader add burnley gym-1 > /dev/null
	tl participant add --code P-0001 > /dev/null
	tl card enrol P-0001 --token "$CARD1" > /dev/null
}

sql() { sqlite3 "$DB" "$@"; }
