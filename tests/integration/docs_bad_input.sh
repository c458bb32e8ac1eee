#!/usr/bin/env bash
# docs/bad-input.md lists every bad-input case the tests run, and at least
# 100 rows of hostile input in all (table headers not counted).
. "$TL_SRC/tests/lib.sh"
doc="$TL_SRC/docs/bad-input.md"
for f in "$TL_SRC"/tests/cases/collector-input/*.case "$TL_SRC"/tests/cases/config/*.case; do
	name=$(basename "$f" .case)
	ok "$name listed in docs/bad-input.md" grep -q "^| \`$name\` |" "$doc"
done
# A table's header is the line before its |---| line.
rows=$(awk '/^\|---/ { h++ } /^\| / { n++ } END { print n - h }' "$doc")
ok "at least 100 rows of hostile input ($rows)" [ "$rows" -ge 100 ]
done_testing
