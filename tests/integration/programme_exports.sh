#!/usr/bin/env bash
# programme_exports.sh - golden-file tests of every export on a fixed
# dataset (tests/cases/exports/<name>.<csv|json>, one case per line of
# tests/cases/exports/cases: NAME ARGS...). TL_REGEN=1 rewrites the
# golden files instead of comparing.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/programme_dataset.sh"

CASES="$TL_SRC/tests/cases/exports"
build_programme_dataset
tl participant erase P-0004 --yes > /dev/null

while read -r name args; do
	case "$name" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086
	tl export $args > "$T/$name.out" 2> "$T/$name.err" || true
	if [ -n "${TL_REGEN:-}" ]; then
		cp "$T/$name.out" "$CASES/$name"
		echo "regenerated $name"
		continue
	fi
	if diff -u "$CASES/$name" "$T/$name.out" > "$T/$name.diff"; then
		is same same "export $args matches $name"
	else
		cat "$T/$name.diff"
		is different same "export $args matches $name"
	fi
done < "$CASES/cases"

# Nothing that identifies a person: no names, no card tokens.
cat "$T"/*.out > "$T/all"
ok "no names in any export" bash -c "! grep -q 'Example' '$T/all'"
for c in "$CARD1" "$CARD2" "$CARD3" "$CARD4" "$CARD5" "$CARD6" "$CARDX"; do
	ok "card token ${c:0:4}... in no export" bash -c "! grep -q '$c' '$T/all'"
done

# --rekey: same rows, codes replaced, one pseudonym per participant.
tl export attendance > "$T/plain.csv"
tl export attendance --rekey > "$T/rekey1.csv"
tl export attendance --rekey > "$T/rekey2.csv"
is "$(wc -l < "$T/rekey1.csv")" "$(wc -l < "$T/plain.csv")" "rekeyed export has every row"
ok "rekeyed export has no codes" bash -c "! grep -q 'P-0' '$T/rekey1.csv'"
is "$(tail -n +2 "$T/rekey1.csv" | cut -d, -f1 | sort -u | wc -l)" \
	"$(tail -n +2 "$T/plain.csv" | cut -d, -f1 | sort -u | wc -l)" \
	"one pseudonym per participant"
ok "pseudonyms differ between exports" bash -c \
	"[ \"\$(cut -d, -f1 '$T/rekey1.csv' | sort -u)\" != \"\$(cut -d, -f1 '$T/rekey2.csv' | sort -u)\" ]"
is "$(tail -n +2 "$T/rekey1.csv" | cut -d, -f2- | sort | md5sum)" \
	"$(tail -n +2 "$T/plain.csv" | cut -d, -f2- | sort | md5sum)" "rekey changes only the codes"

# JSON parses and has the CSV's rows.
for kind in attendance activity participants sessions; do
	tl export "$kind" --format json --output "$T/$kind.json" 2> /dev/null
	is "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$T/$kind.json")" \
		"$(($(tl export "$kind" | wc -l) - 1))" "$kind JSON has the CSV's rows"
done

# Two ways to the same rows: the whole attendance export is read into
# memory and ordered there (common/export_attendance.c), one programme's
# or one site's by SQL. Each programme's rows, taken from the whole, are
# its own export byte for byte (same order), and together they are all.
total=0
for prog in $(tail -n +2 "$T/plain.csv" | cut -d, -f2 | sort -u); do
	tl export attendance --programme "$prog" > "$T/by-$prog.csv"
	is "$(awk -F, -v p="$prog" 'NR == 1 || $2 == p' "$T/plain.csv" | md5sum)" \
		"$(md5sum < "$T/by-$prog.csv")" "whole export's $prog rows = export --programme $prog"
	total=$((total + $(wc -l < "$T/by-$prog.csv") - 1))
done
is "$total" "$(($(wc -l < "$T/plain.csv") - 1))" "the programmes' exports hold every row"
ok "several programmes compared" test "$(ls "$T"/by-*.csv | wc -l)" -ge 2
for site in $(tail -n +2 "$T/plain.csv" | cut -d, -f3 | sort -u); do
	tl export attendance --site "$site" > "$T/site-$site.csv"
	is "$(awk -F, -v s="$site" 'NR == 1 || $3 == s' "$T/plain.csv" | md5sum)" \
		"$(md5sum < "$T/site-$site.csv")" "whole export's $site rows = export --site $site"
done

# Filters that make no sense are refused.
tl export activity --site burnley > /dev/null 2>&1 && rc=0 || rc=$?
is "$rc" 2 "activity refuses --site"
tl export attendance --from 2026-02-30 > /dev/null 2>&1 && rc=0 || rc=$?
is "$rc" 2 "an invalid date is refused"
done_testing
