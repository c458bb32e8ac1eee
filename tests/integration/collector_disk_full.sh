#!/usr/bin/env bash
# The database's disk fills up, then becomes read-only: the collector stops
# acking (so readers keep their taps), says so in its log, and resumes by
# itself when space returns, storing every tap exactly once.
# Needs root to mount a small tmpfs; skipped (exit 77) otherwise.
. "$TL_SRC/tests/lib.sh"

mkdir -p "$T/disk"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=4m tmpfs "$T/disk" 2>/dev/null; then
	echo "skipped: cannot mount a tmpfs here"
	exit 77
fi
trap 'umount -l "$T/disk" 2>/dev/null; tl_cleanup' EXIT
DB="$T/disk/touchline.db"

broker_start
setup_db
collector_start
acks_listen disk

# Fill the disk to the last byte.
dd if=/dev/zero of="$T/disk/filler" bs=64k 2>/dev/null || true
for i in $(seq 1 300); do tap_json burnley pitch-1 "$CARD1" "" "$i"; done > "$T/taps"
pub_lines burnley/pitch-1/tap < "$T/taps"
wait_for "grep -q 'database write failed' '$T/collector.log'" 20
ok "collector logs that it cannot write" grep -q "database write failed, nothing acked" "$T/collector.log"
sleep 1
is "$(acks_get disk 1 1 | wc -l)" 0 "no ack while the disk is full"
ok "collector still running" kill -0 "$COLLECTOR_PID"

rm -f "$T/disk/filler"
wait_for "[ \$(sql 'SELECT count(*) FROM tap') -ge 300 ]" 60
is "$(sql 'SELECT count(*) FROM tap')" 300 "every tap stored once space returns"
is "$(acks_get disk 300 | grep -c recorded)" 300 "and acked"
ok "it says it recovered" grep -q "database writable again" "$T/collector.log"

# Now a read-only file system (as after a kernel remount on I/O errors):
# the collector, restarted, waits for it rather than failing or acking.
collector_stop
mount -o remount,ro "$T/disk"
"$COLLECTOR" --db "$DB" --host 127.0.0.1 --port "$PORT" --stats-interval 0 >> "$T/collector.log" 2>&1 &
COLLECTOR_PID=$!
TL_PIDS+=($!)
wait_for "grep -q 'not writable; not connecting' '$T/collector.log'" 20
ok "collector says the database is not writable" grep -q "not writable; not connecting" "$T/collector.log"
for i in $(seq 301 400); do tap_json burnley pitch-1 "$CARD1" "" "$i"; done > "$T/taps2"
pub_lines burnley/pitch-1/tap < "$T/taps2"
sleep 2
is "$(acks_get disk 1 1 | wc -l)" 0 "no ack while the database is read-only"
ok "collector waiting, not exited" kill -0 "$COLLECTOR_PID"
mount -o remount,rw "$T/disk"
wait_for "[ \$(sql 'SELECT count(*) FROM tap') -ge 400 ]" 60
is "$(sql 'SELECT count(*) FROM tap')" 400 "every tap stored once writable again"
is "$(acks_get disk 100 | grep -c recorded)" 100 "and acked"
is "$(sql 'SELECT count(*) - count(DISTINCT id) FROM tap')" 0 "none twice"
is "$(sql 'PRAGMA integrity_check')" ok "database intact"
rc=0
collector_stop || rc=$?
is "$rc" 0 "collector exits 0 on SIGTERM"
done_testing
