#!/usr/bin/env bash
# docs/bad-input.md lists every bad-input case the tests run, and at least
# 40 rows in all.
. "$TL_SRC/tests/lib.sh"
doc="$TL_SRC/docs/bad-input.md"
for f in "$TL_SRC"/tests/cases/collector-input/*.case "$TL_SRC"/tests/cases/config/*.case; do
	name=$(basename "$f" .case)
	ok "$name listed in docs/bad-input.md" grep -q "^| \`$name\` |" "$doc"
done
rows=$(grep -c '^| ' "$doc")
ok "at least 40 rows ($rows, headers included)" [ "$rows" -ge 50 ]
done_testing
