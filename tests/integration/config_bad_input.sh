#!/usr/bin/env bash
# Every case in tests/cases/config is given to touchline-collector as its
# config file: it must refuse to start with the expected exit status and a
# message naming the problem, and must not have touched the broker.
. "$TL_SRC/tests/lib.sh"

field() { grep -m1 "^$1: " "$2" | cut -d' ' -f2-; }
for file in "$TL_SRC"/tests/cases/config/*.case; do
	name=$(basename "$file" .case)
	if hex=$(field ini-hex "$file"); then
		printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')" > "$T/c.ini"
	else
		sed -n '/^ini:$/,$p' "$file" | tail -n +2 > "$T/c.ini"
	fi
	rc=0
	timeout 10 "$COLLECTOR" --config "$T/c.ini" --db "$T/c.db" --host 127.0.0.1 --port 1 \
		> "$T/out" 2> "$T/err" || rc=$?
	is "$rc" "$(field expect-exit "$file")" "$name: exit status ($(head -1 "$file" | cut -c3-))"
	ok "$name: says '$(field expect-error "$file")'" grep -qF -- "$(field expect-error "$file")" "$T/err"
done
rc=0
"$COLLECTOR" --config "$T/none.ini" > /dev/null 2> "$T/err" || rc=$?
is "$rc" 2 "missing config file: exit 2"
ok "missing config file: says cannot open" grep -q "none.ini: cannot open" "$T/err"
done_testing
