#!/bin/bash
# The bridge killed with SIGKILL at random points during bursts of taps and
# restarted: every tap it ever spooled arrives exactly once. The spool's
# seq is never reused, so the collector must end up with seq 1..N exactly
# once each, N being the last seq the spool handed out.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

setup_db
broker_start
collector_start
ROUNDS=6
PER=40
fed=0
for ((r = 1; r <= ROUNDS; r++)); do
	# A burst of distinct cards, a little apart, from a file.
	: > "$T/burst$r"
	for ((i = 0; i < PER; i++)); do
		printf '04%02x%02x%02x\nsleep 0.01\n' "$r" "$i" $((RANDOM % 256)) >> "$T/burst$r"
	done
	"$BRIDGE" --reader "sim:$T/burst$r" --host 127.0.0.1 --port "$PORT" --site burnley \
		--id pitch-1 --key-file "$KEY" --spool "$T/k.spool" --debounce 0 --resend 2 \
		>> "$T/k.out" 2>> "$T/k.log" &
	pid=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	fed=$((fed + PER))
	# Every other round the collector is away as well when the bridge dies.
	if ((r % 2 == 0)); then
		collector_stop
		collector_start
	fi
done
n=$(sqlite3 "$T/k.spool" "SELECT value - 1 FROM meta WHERE name = 'next_seq'")
echo "# $n of $fed fed taps were spooled before the kills"
ok "some taps were spooled ($n)" [ "$n" -gt 0 ]
ok "no more taps than were fed" [ "$n" -le "$fed" ]

# A last run with nothing to read delivers what is left.
: > "$T/empty"
"$BRIDGE" --reader "sim:$T/empty" --host 127.0.0.1 --port "$PORT" --site burnley \
	--id pitch-1 --key-file "$KEY" --spool "$T/k.spool" --resend 2 \
	>> "$T/k.out" 2>> "$T/k.log" &
BRIDGE_PID=$!
TL_PIDS+=("$BRIDGE_PID")
wait_for "[ \$(sqlite3 '$T/k.spool' 'SELECT count(*) FROM tap') -eq 0 ]" 60
is "$(spool_depth k)" 0 "spool drained"
is "$(taps_at)" "$n" "collector holds exactly N taps"
is "$(sql "SELECT count(DISTINCT seq) FROM tap")" "$n" "each seq once"
is "$(sql "SELECT min(seq) || '-' || max(seq) FROM tap")" "1-$n" "seq 1..N, none missing"
is "$(sql "SELECT count(*) FROM deadletter")" 0 "nothing dead-lettered"
is "$(tl export taps --format csv | tail -n +2 | wc -l)" "$n" "touchline export taps lists N taps"
ok "bridge exits 0 on SIGTERM" bridge_stop TERM
done_testing
