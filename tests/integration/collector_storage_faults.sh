#!/usr/bin/env bash
# Every way the database can stop taking writes, under a running
# collector: a file-size limit (EFBIG; SIGXFSZ must not kill it), a
# read-only file system (EROFS), a full one (ENOSPC, SQLITE_FULL) and a
# failing disk (EIO on fsync, SQLITE_IOERR). Each time the collector says
# so, acks nothing, stays up, and once the fault is gone stores and acks
# every tap exactly once, by itself. The faults other than the limit are
# injected by tests/faultfs (LD_PRELOAD) into the collector alone; a real
# full disk and a read-only remount at start-up are collector_disk_full.
. "$TL_SRC/tests/lib.sh"

FAULTFS="$TL_BIN/tests/libtl_faultfs.so"
[ -f "$FAULTFS" ] || { echo "no $FAULTFS"; exit 1; }
broker_start
setup_db
: > "$T/fault"
# Its log goes through a pipe, which no file-size limit applies to.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	LD_PRELOAD="$FAULTFS" TL_FAULT_FILE="$T/fault" TL_FAULT_MATCH="$(basename "$DB")" \
	"$COLLECTOR" --db "$DB" --host 127.0.0.1 --port "$PORT" --stats-interval 0 \
	> >(cat >> "$T/collector.log") 2>&1 &
COLLECTOR_PID=$!
TL_PIDS+=("$COLLECTOR_PID")
wait_for "grep -q 'subscribed to' '$T/collector.log'"
acks_listen sf

failures() { grep -c 'database write failed' "$T/collector.log" || true; }
stored() { sql 'SELECT count(*) FROM tap'; }
next=1
# phase NAME REASON START-CMD END-CMD: 200 taps published while the fault
# is on; REASON is what the log must say (SQLite's word for it).
phase() {
	local name=$1 reason=$2 on=$3 off=$4 before want from
	before=$(failures)
	from=$(($(wc -l < "$T/collector.log") + 1))
	want=$((next + 199))
	for ((i = next; i <= want; i++)); do tap_json burnley pitch-1 "$CARD1" "" "$i"; done > "$T/taps"
	next=$((want + 1))
	eval "$on"
	pub_lines burnley/pitch-1/tap < "$T/taps"
	wait_for "[ \$(failures) -gt $before ]" 10 || true
	ok "$name: the collector logs the write failure ($reason)" \
		grep -q "database write failed, nothing acked: $reason" <(tail -n "+$from" "$T/collector.log")
	sleep 1
	is "$(acks_get sf 1 1 | wc -l)" 0 "$name: no ack while it lasts"
	ok "$name: collector still running" kill -0 "$COLLECTOR_PID"
	eval "$off"
	wait_for "[ \$(stored) -ge $want ]" 20 || true
	is "$(stored)" "$want" "$name: every tap stored once it is over"
	is "$(acks_get sf 200 10 | grep -c recorded)" 200 "$name: and acked"
}

phase "file-size limit" "disk I/O error" \
	'prlimit --pid "$COLLECTOR_PID" --fsize=1:unlimited' \
	'prlimit --pid "$COLLECTOR_PID" --fsize=unlimited:unlimited'
phase "read-only file system" "disk I/O error" \
	'echo "EROFS write" > "$T/fault"' ': > "$T/fault"'
phase "full file system" "database or disk is full" \
	'echo "ENOSPC write" > "$T/fault"' ': > "$T/fault"'
phase "failing disk" "disk I/O error" \
	'echo "EIO fsync" > "$T/fault"' ': > "$T/fault"'

ok "it says each time that it recovered" [ "$(grep -c 'database writable again' "$T/collector.log")" -ge 4 ]
is "$(sql 'SELECT count(*) - count(DISTINCT id) FROM tap')" 0 "none stored twice"
is "$(sql 'PRAGMA integrity_check')" ok "database intact"
rc=0
collector_stop || rc=$?
is "$rc" 0 "collector exits 0 on SIGTERM"
done_testing
