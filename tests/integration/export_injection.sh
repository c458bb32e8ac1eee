#!/usr/bin/env bash
# Hostile text typed into the admin CLI (names beginning with = + - @, as
# used for spreadsheet formula injection, and markup) never reaches an
# export as a live formula: names are never exported at all, and every
# text cell of every CSV export that could start a formula is neutralised.
. "$TL_SRC/tests/lib.sh"

tl init > /dev/null
tl site add burnley --name "=HYPERLINK(\"http://evil.example\",\"click\")" > /dev/null
tl reader add burnley pitch-1 > /dev/null
tl activity add walking --intensity moderate --met 3.5 --name "@SUM(1+1)*cmd|' /C calc'!A0" > /dev/null
tl programme add kick --name "+cmd|' /C calc'!A0" --weeks 12 --sites burnley > /dev/null
tl schedule add kick --site burnley --activity walking --weekday tue --start 18:00 --end 19:00 \
	--from 2026-03-02 --to 2026-03-31 > /dev/null
tl participant add --code P-0001 --name "-2+3+cmd|' /C calc'!A0" > /dev/null
tl card enrol P-0001 --token "$CARD1" > /dev/null
tl programme enrol kick P-0001 --start 2026-03-02 > /dev/null
sqlite3 "$DB" "INSERT INTO tap (id, site, reader, card, participant, ts, seq, received_at)
  VALUES ('6f1c2a3b-1d2e-4f3a-8b4c-5d6e7f8a9b0c', 'burnley', 'pitch-1', '$CARD1', 1,
          strftime('%s', '2026-03-03T17:55:00Z'), 1, strftime('%s', '2026-03-03T17:55:01Z'))"
TOUCHLINE_AS_OF=2026-04-01T00:00:00Z tl attendance rebuild > /dev/null

for kind in taps attendance activity participants sessions; do
	TOUCHLINE_AS_OF=2026-04-01T00:00:00Z tl export "$kind" --format csv > "$T/$kind.csv"
	ok "$kind export has rows" [ "$(wc -l < "$T/$kind.csv")" -ge 2 ]
	ok "$kind export holds no name" bash -c "! grep -q -e HYPERLINK -e 'SUM(' -e 'calc' '$T/$kind.csv'"
	bad=$(python3 - "$T/$kind.csv" <<'PY'
import csv, re, sys
n = 0
for row in csv.reader(open(sys.argv[1], newline='')):
    for cell in row:
        if cell[:1] in ('=', '+', '@') or (cell[:1] == '-' and not re.fullmatch(r'-\d+(\.\d+)?', cell)):
            n += 1
print(n)
PY
)
	is "$bad" 0 "$kind export: no cell starts a formula"
done
done_testing
