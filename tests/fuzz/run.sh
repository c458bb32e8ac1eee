#!/bin/sh
# run.sh FUZZ-BUILD-DIR NAME SECONDS - runs one libFuzzer harness for a
# bounded time, from the seed corpus in tests/fuzz/corpus/NAME plus every
# earlier crash in tests/fuzz/regressions/NAME (each replayed first). New
# corpus entries go to a temporary directory, not the repository. A crash
# leaves its input in the temporary directory and is printed: copy it to
# tests/fuzz/regressions/NAME/ so it stays a test.
set -eu
BIN=$1/tests/fuzz/fuzz_$2
SRC=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/touchline-fuzz.XXXXXX)
mkdir -p "$W/corpus"
if ls "$SRC/regressions/$2"/* > /dev/null 2>&1; then
	"$BIN" "$SRC/regressions/$2"/*
fi
"$BIN" -max_total_time="$3" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 -close_fd_mask=2 \
	-artifact_prefix="$W/" "$W/corpus" "$SRC/corpus/$2" > "$W/log" 2>&1 || {
	cat "$W/log"
	echo "fuzz_$2: crash; inputs kept in $W" >&2
	exit 1
}
grep -E '^stat::number_of_executed_units|^Done' "$W/log" || true
rm -rf "$W"
echo "1 passed, 0 failed"
