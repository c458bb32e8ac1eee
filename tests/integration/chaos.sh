#!/usr/bin/env bash
# Chaos: 20 simulated bridges (the real touchline-bridge, sim driver) send
# 20 000 taps while the collector is killed with SIGKILL and restarted at
# random points and the broker is restarted twice. At the end every tap is
# in the database exactly once and every spool is empty. Bounded: gives up
# after 240 s. Set CHAOS_SEED to replay a run.
. "$TL_SRC/tests/lib.sh"
. "$TL_SRC/tests/integration/bridge_lib.sh"

SEED=${CHAOS_SEED:-$RANDOM}
RANDOM=$SEED
echo "chaos seed $SEED (replay with CHAOS_SEED=$SEED)"
BRIDGES=20 PER=1000
broker_start
tl init > /dev/null
for b in $(seq 1 $BRIDGES); do
	site=site-$(( (b - 1) / 4 ))
	tl site add "$site" > /dev/null 2>&1 || true
	tl reader add "$site" "r$b" > /dev/null
done
collector_start

# Each bridge gets 1 000 distinct cards from a file over about 20 s, so
# the faults below land while taps are flowing.
for b in $(seq 1 $BRIDGES); do
	for i in $(seq 1 $PER); do
		printf '04%02x%04x\n' "$b" "$i"
		[ $((i % 40)) -eq 0 ] && echo "sleep 0.8"
	done > "$T/cards-$b"
	"$BRIDGE" --reader "sim:$T/cards-$b" --host 127.0.0.1 --port "$PORT" \
		--site "site-$(( (b - 1) / 4 ))" --id "r$b" --key-file "$KEY" --spool "$T/spool-$b" \
		--debounce 0 --resend 3 --ack-wait 500 --heartbeat 5 \
		> /dev/null 2>> "$T/bridge-$b.log" &
	TL_PIDS+=($!)
done

total() { sql 'SELECT count(*) FROM tap'; }
spooled() {
	local n=0 b
	for b in $(seq 1 $BRIDGES); do
		n=$((n + $(sqlite3 "$T/spool-$b" 'SELECT count(*) FROM tap' 2>/dev/null || echo 1)))
	done
	echo "$n"
}

kills=0 restarts=0
start=$SECONDS
# Faults while the taps flow: 5 collector kills, 2 broker restarts.
for fault in kill kill broker kill kill broker kill; do
	sleep "0.$((RANDOM % 9 + 1))"
	sleep $((RANDOM % 3))
	case $fault in
	kill)
		collector_stop KILL || true
		kills=$((kills + 1))
		sleep "0.$((RANDOM % 9))"
		collector_start
		;;
	broker)
		broker_restart
		restarts=$((restarts + 1))
		;;
	esac
	echo "after $fault at $((SECONDS - start)) s: stored $(total)"
done
wait_for "[ \$(total) -ge $((BRIDGES * PER)) ] && [ \$(spooled) -eq 0 ]" 240 || true
echo "collector killed $kills times, broker restarted $restarts times, $((SECONDS - start)) s"
is "$(total)" $((BRIDGES * PER)) "every tap stored"
is "$(sql 'SELECT count(DISTINCT id) FROM tap')" $((BRIDGES * PER)) "each exactly once (distinct ids)"
is "$(sql 'SELECT count(*) FROM (SELECT DISTINCT site, reader, seq FROM tap)')" $((BRIDGES * PER)) \
	"no (reader, seq) twice"
is "$(spooled)" 0 "every spool empty"
is "$(sql 'SELECT count(*) FROM deadletter')" 0 "nothing dead-lettered"
is "$(sql 'PRAGMA integrity_check')" ok "database intact"
done_testing
