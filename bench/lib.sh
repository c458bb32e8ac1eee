# bench/lib.sh - shared by bench/run.sh and bench/scale.sh: waiting, and a
# private broker configured as deploy/mosquitto/local.conf without
# persistence. Needs SRC (source tree), W (work directory) and the array
# pids (processes to stop on exit).

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { for _ in $(seq 200); do eval "$1" && return 0; sleep 0.05; done; echo "timeout: $1" >&2; return 1; }

# bench_broker: starts it on a free loopback port; sets PORT.
bench_broker() {
	for _ in $(seq 10); do
		PORT=$((20000 + RANDOM % 30000))
		port_open "$PORT" && continue
		sed -e "s|@PORT@|$PORT|" -e "s|@DIR@|$W|" -e 's/^persistence true/persistence false/' \
			"$SRC/deploy/mosquitto/local.conf" > "$W/mosquitto.conf"
		mosquitto -c "$W/mosquitto.conf" 2> "$W/broker.log" &
		pids+=($!)
		wait_for "port_open $PORT" && return 0
	done
	echo "bench: could not start mosquitto" >&2
	return 1
}
