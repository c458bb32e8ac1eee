#!/bin/bash
# The systemd watchdog protocol, as systemd sees it: the bridge and the
# collector run with NOTIFY_SOCKET naming a unix datagram socket this test
# reads and WATCHDOG_USEC=1 s. Each says READY=1, then WATCHDOG=1 about
# every 0.5 s from its main loop; stopped with SIGSTOP (a wedged process),
# the pings stop, which is what makes systemd restart it; SIGCONT, they
# resume. On SIGTERM each says STOPPING=1.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/bridge_lib.sh"

# listen NAME: a datagram socket $T/NAME.sock; each message received is a
# line "SECONDS MESSAGE" in $T/NAME.notify.
listen() {
	python3 -u -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
while True:
    m = s.recv(4096).decode()
    for part in m.split("\n"):
        if part:
            out.write("%.3f %s\n" % (time.monotonic(), part))
' "$T/$1.sock" "$T/$1.notify" &
	TL_PIDS+=("$!")
	wait_for "[ -S '$T/$1.sock' ]" 5
	: >> "$T/$1.notify"
}
pings() { grep -c 'WATCHDOG=1' "$T/$1.notify" || true; }

# check NAME PID: the READY / ping / SIGSTOP / SIGCONT sequence.
check() {
	local name=$1 pid=$2 n0 n1 n2
	wait_for "grep -q READY=1 '$T/$name.notify'" 10
	ok "$name: READY=1" grep -q 'READY=1' "$T/$name.notify"
	n0=$(pings "$name")
	sleep 2.2
	n1=$(pings "$name")
	ok "$name: pings WATCHDOG=1 at half the interval ($((n1 - n0)) in 2.2 s)" \
		[ $((n1 - n0)) -ge 3 -a $((n1 - n0)) -le 6 ]
	kill -STOP "$pid"
	sleep 0.3
	n1=$(pings "$name")
	sleep 2
	n2=$(pings "$name")
	is "$((n2 - n1))" 0 "$name: stopped (SIGSTOP), no pings for 2 s: systemd would restart it"
	kill -CONT "$pid"
	wait_for "[ \$(pings $name) -gt $n2 ]" 3
	ok "$name: pings again after SIGCONT" [ "$(pings "$name")" -gt "$n2" ]
}

setup_db
broker_start
listen collector
NOTIFY_SOCKET="$T/collector.sock" WATCHDOG_USEC=1000000 collector_start
check collector "$COLLECTOR_PID"

listen bridge
NOTIFY_SOCKET="$T/bridge.sock" WATCHDOG_USEC=1000000 bridge_start b
check bridge "$BRIDGE_PID"
ok "bridge: SIGTERM exits 0" bridge_stop TERM
ok "bridge: said STOPPING=1" grep -q 'STOPPING=1' "$T/bridge.notify"
ok "collector: SIGTERM exits 0" collector_stop TERM
ok "collector: said STOPPING=1" grep -q 'STOPPING=1' "$T/collector.notify"

# Without WATCHDOG_USEC: READY=1 only, never a ping.
: > "$T/bridge.notify"
NOTIFY_SOCKET="$T/bridge.sock" bridge_start b2
wait_for "grep -q READY=1 '$T/bridge.notify'" 10
sleep 1
is "$(pings bridge)" 0 "no WATCHDOG_USEC: READY=1 and no pings"
bridge_stop TERM
done_testing
