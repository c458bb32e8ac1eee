#!/usr/bin/env bash
# Every case in tests/cases/collector-input is published to a running
# collector. A bad one must land in the dead-letter table with the expected
# reason (and be acked "rejected" when its id and topic are readable); a
# good one must be recorded. The collector must survive them all.
#
# A case file (docs/protocol.md, "Conformance"): '# what it is', then
#   topic: SITE/READER/KIND   under the prefix (may be malformed on purpose)
#   qos: 0|1                  optional, default 1
#   expect: REASON | recorded | unknown_card
#   ack: none | rejected | recorded | unknown_card
#   payload: TEXT             with @NOW@, @FUTURE@, @PAD1100@, @NEST400@
#   payload-hex: HEX          instead of payload, for bytes TEXT cannot hold
. "$TL_SRC/tests/lib.sh"

CASES="$TL_SRC/tests/cases/collector-input"
broker_start
setup_db
collector_start
acks_listen bad

# Expands the placeholders a case may use into $T/payload.
render_payload() {
	local file=$1 line
	if line=$(grep -m1 '^payload-hex: ' "$file"); then
		printf "$(printf '%s' "${line#payload-hex: }" | sed 's/../\\x&/g')" > "$T/payload"
		return
	fi
	line=$(grep -m1 '^payload: ' "$file" || true)
	line=${line#payload: }
	line=${line//@NOW@/$(now_utc)}
	line=${line//@FUTURE@/$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)}
	line=${line//@PAD1100@/$(head -c 1100 /dev/zero | tr '\0' x)}
	line=${line//@NEST400@/$(head -c 400 /dev/zero | tr '\0' '[')$(head -c 400 /dev/zero | tr '\0' ']')}
	printf '%s' "$line" > "$T/payload"
}

field() { grep -m1 "^$1: " "$2" | cut -d' ' -f2-; }
received() { echo $(($(sql 'SELECT count(*) FROM deadletter') + $(sql 'SELECT count(*) FROM tap'))); }

expected_acks=0
for file in "$CASES"/*.case; do
	name=$(basename "$file" .case)
	topic=$(field topic "$file")
	expect=$(field expect "$file")
	[ "$(field ack "$file")" != none ] && expected_acks=$((expected_acks + 1))
	qos=$(field qos "$file" || true)
	render_payload "$file"
	before=$(received)
	mosquitto_pub -p "$PORT" -q "${qos:-1}" -t "$PREFIX/$topic" -f "$T/payload"
	if ! wait_for "[ \$(received) -gt $before ]" 10; then
		ok "$name: collector stored something" false
		continue
	fi
	case $expect in
	recorded) got=$(sql "SELECT CASE WHEN participant IS NULL THEN 'unknown_card' ELSE 'recorded' END FROM tap ORDER BY n DESC LIMIT 1") ;;
	unknown_card) got=$(sql "SELECT CASE WHEN participant IS NULL THEN 'unknown_card' ELSE 'recorded' END FROM tap ORDER BY n DESC LIMIT 1") ;;
	*) got=$(sql 'SELECT reason FROM deadletter ORDER BY n DESC LIMIT 1') ;;
	esac
	is "$got" "$expect" "$name: $(head -1 "$file" | cut -c3-)"
done

ok "collector still running after every case" kill -0 "$COLLECTOR_PID"
# The collector reads everything under the prefix, its own acks included:
# they, and anything else on an ack topic, are not input.
pub burnley/pitch-1/ack '{"v":1,"id":"00000000-0000-4000-8000-0000000000ff","status":"recorded"}'
sleep 0.5
is "$(received)" "$(ls "$CASES"/*.case | wc -l)" "one stored row per case: nothing on ack topics is taken as input"
acks_get bad "$expected_acks" > "$T/acks"
is "$(wc -l < "$T/acks")" "$expected_acks" "one ack per case with a readable id"
for file in "$CASES"/*.case; do
	ack=$(field ack "$file")
	[ "$ack" = none ] && continue
	render_payload "$file"
	id=$(grep -ao '"id" *: *"[0-9A-Fa-f-]*"' "$T/payload" | head -1 | cut -d'"' -f4 | tr A-F a-f)
	got=$(grep "\"$id\"" "$T/acks" | grep -o '"status":"[a-z_]*"' | cut -d'"' -f4)
	is "$got" "$ack" "$(basename "$file" .case): acked $ack"
done
is "$(sql "SELECT count(*) FROM tap WHERE id = '00000000-0000-4000-8000-0000000000ab'")" 1 \
	"upper-case tap id stored in lower case"
is "$(sql "SELECT ts FROM tap WHERE id = '00000000-0000-4000-8000-000000000052'")" \
	"$(date -u -d 2026-03-03T18:05:12Z +%s)" "fractional seconds dropped, not rounded"
is "$(sql "SELECT payload_size FROM deadletter WHERE reason = 'too_large' AND tap_id IS NULL")" 1116 \
	"oversized payload's real size recorded"
rc=0
collector_stop || rc=$?
is "$rc" 0 "collector exits 0 on SIGTERM"
done_testing
