#!/usr/bin/env bash
# The bridge checked for leaks: 100 000 taps from the sim reader through
# the ASan+UBSan build of the bridge to a collector, then SIGTERM;
# LeakSanitizer reports any leak at exit and turns the exit status
# non-zero. The spool lives on /dev/shm so the run takes seconds, not an
# fsync per tap on disk. Skipped (77) without a sanitizer build.
. "$TL_SRC/tests/lib.sh"
. "$TL_SRC/tests/integration/bridge_lib.sh"

# grep reads all of ldd's output: -q would stop early, and pipefail would
# then take ldd's SIGPIPE for "not a sanitizer build".
ldd "$BRIDGE" | grep libasan > /dev/null || { echo "skipped: not a sanitizer build"; exit 77; }
N=100000
broker_start
setup_db
collector_start
SPOOL=$(mktemp -d /dev/shm/touchline-spool.XXXXXX)
trap 'rm -rf "$SPOOL"; tl_cleanup' EXIT
python3 -c "
import sys
for i in range($N):
    print('04%012x' % i)
" > "$T/cards"
"$BRIDGE" --reader "sim:$T/cards" --host 127.0.0.1 --port "$PORT" --site burnley --id pitch-1 \
	--key-file "$KEY" --spool "$SPOOL/spool.db" --debounce 0 --window 1000 --ack-wait 60000 \
	> /dev/null 2> "$T/bridge.log" &
pid=$!
TL_PIDS+=("$pid")
wait_for "[ \$(taps_at pitch-1) -ge $N ]" 240 || true
wait_for "[ \$(sqlite3 '$SPOOL/spool.db' 'SELECT count(*) FROM tap') -eq 0 ]" 30 || true
is "$(taps_at pitch-1)" "$N" "all $N taps recorded through the bridge"
rc=0
kill -TERM "$pid"
wait "$pid" || rc=$?
is "$rc" 0 "bridge exits 0 after $N taps (no leak reported)"
ok "no LeakSanitizer report" bash -c "! grep -q LeakSanitizer '$T/bridge.log'"
done_testing
