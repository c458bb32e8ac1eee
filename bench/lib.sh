# bench/lib.sh - shared by bench/run.sh and bench/scale.sh: a work
# directory cleaned up on exit with every process started, waiting, and a
# private broker configured as deploy/mosquitto/local.conf without
# persistence. Needs SRC (the source tree).

# bench_workdir NAME: sets W to a new directory; on exit, stops every pid
# in the array pids and removes W.
bench_workdir() {
	W=$(mktemp -d "/tmp/touchline-$1.XXXXXX")
	pids=()
	trap bench_cleanup EXIT
}
bench_cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { for _ in $(seq 200); do eval "$1" && return 0; sleep 0.05; done; echo "timeout: $1" >&2; return 1; }

# bench_broker [NAME [EXTRA-CONFIG]]: starts one on a free loopback port,
# its files named NAME (default mosquitto), EXTRA-CONFIG appended (it then
# applies to the listener); sets PORT.
bench_broker() {
	local name=${1:-mosquitto}
	for _ in $(seq 10); do
		PORT=$((20000 + RANDOM % 30000))
		port_open "$PORT" && continue
		{
			sed -e "s|@PORT@|$PORT|" -e "s|@DIR@|$W|" -e 's/^persistence true/persistence false/' \
				"$SRC/deploy/mosquitto/local.conf"
			echo "${2:-}"
		} > "$W/$name.conf"
		mosquitto -c "$W/$name.conf" 2> "$W/$name.log" &
		pids+=($!)
		wait_for "port_open $PORT || ! kill -0 $! 2> /dev/null" && port_open "$PORT" && return 0
	done
	echo "bench: could not start mosquitto:" >&2
	tail -3 "$W/$name.log" >&2
	return 1
}

# sqlite_load DB CSV: what the collector stores, done by the sqlite3
# shell: import the CSV, look up each card's holder, insert in order.
sqlite_load() {
	sqlite3 "$1" <<EOF
CREATE TEMP TABLE tap_in (id TEXT, site TEXT, reader TEXT, card TEXT, ts INTEGER,
  seq INTEGER, received_at INTEGER);
.import --csv --skip 1 --schema temp $2 tap_in
BEGIN;
INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at)
  SELECT i.id, i.site, i.reader, i.card, c.participant, i.ts, i.seq, i.received_at
  FROM temp.tap_in i LEFT JOIN card c ON c.token = i.card AND c.revoked_at IS NULL
  ORDER BY i.rowid;
COMMIT;
EOF
}
