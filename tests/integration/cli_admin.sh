#!/usr/bin/env bash
# The admin CLI: every misuse gets a clear message and a non-zero exit,
# and leaves the database exactly as it was.
. "$TL_SRC/tests/lib.sh"

# expect_fail CODE PATTERN ARGS...: runs touchline, checks exit code and
# that stderr matches PATTERN.
expect_fail() {
	local code=$1 pattern=$2 rc=0
	shift 2
	tl "$@" > "$T/out" 2> "$T/err" || rc=$?
	is "$rc" "$code" "touchline $* exits $code"
	ok "touchline $* says: $pattern" grep -q -e "$pattern" "$T/err"
}

snapshot() { sqlite3 "$DB" .dump | md5sum; }

expect_fail 1 "create it with 'touchline --db" site list
setup_db
before=$(snapshot)

expect_fail 2 "unknown command 'frobnicate'" frobnicate
expect_fail 2 "unknown command 'site remove'" site remove burnley
expect_fail 2 "missing argument" site add
expect_fail 1 "site 'burnley' already exists" site add burnley
expect_fail 1 "must be 1 to 32 of a-z" site add "Bad Site"
expect_fail 1 "must be 1 to 32 of a-z" site add aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
expect_fail 2 "unexpected argument 'extra'" site add preston extra
expect_fail 2 "unknown option '--nmae'" site add preston --nmae X
expect_fail 1 "no site 'preston'" reader add preston pitch-1
expect_fail 1 "reader burnley/pitch-1 already exists" reader add burnley pitch-1
expect_fail 1 "reader id 'Pitch 1'" reader add burnley "Pitch 1"
expect_fail 1 "no participant with code 'P-9999'" card enrol P-9999 --token "$CARD2"
expect_fail 1 "not 32 lowercase hex digits" card enrol P-0001 --token 1234
expect_fail 1 "not 32 lowercase hex digits" card enrol P-0001 --token "${CARD2^^}"
expect_fail 2 "exactly one of --token" card enrol P-0001
expect_fail 2 "exactly one of --token" card enrol P-0001 --token "$CARD2" --last-unknown --reader burnley/pitch-1
expect_fail 2 "needs --reader" card enrol P-0001 --last-unknown
expect_fail 1 "no unknown card has been tapped at burnley/pitch-1" card enrol P-0001 --last-unknown --reader burnley/pitch-1
expect_fail 2 "takes SITE/READER" card enrol P-0001 --last-unknown --reader pitch-1
expect_fail 1 "already enrolled to P-0001" card enrol P-0001 --token "$CARD1"
expect_fail 1 "no active card" card revoke "$CARD2"
expect_fail 2 "unknown export 'everything'" export everything
expect_fail 2 "--format must be csv or json" export taps --format xml
expect_fail 2 "is not a whole number" deadletter list --limit lots
expect_fail 1 "cannot create" export taps --output /nonexistent/dir/taps.csv
touch "$T/taken.password"
expect_fail 1 "refusing to overwrite it" reader add burnley pitch-9 --credentials --password-out "$T/taken.password"
is "$(stat -c %s "$T/taken.password")" 0 "an existing password file is left as it was"
expect_fail 1 "cannot create password file" reader add burnley pitch-9 --credentials --password-out /nonexistent/dir/pw
expect_fail 2 "go with --credentials" reader add burnley pitch-9 --password-out "$T/pw"
expect_fail 1 "no '.' or '@'" reader acl --collector-user venue@burnley
expect_fail 1 "no '.' or '@'" reader acl --collector-user burnley.pitch-1
is "$(snapshot)" "$before" "no failed command changed the database"

# A revoked card can be enrolled to someone else.
tl card revoke "$CARD1" > /dev/null
tl participant add --code P-0002 --name "Alex" > /dev/null
tl card enrol P-0002 --token "$CARD1" > "$T/out"
ok "revoked card re-enrolled" grep -q "enrolled to P-0002" "$T/out"
tl participant list > "$T/list"
ok "participant list hides names by default" bash -c "! grep -q Alex '$T/list'"
tl participant list --names > "$T/list"
ok "participant list --names shows them" grep -q "P-0002 .* Alex" "$T/list"
ok "touchline --help lists every command" bash -c "'$TOUCHLINE' --help | grep -q 'card enrol'"
ok "touchline site add --help describes it" bash -c "'$TOUCHLINE' site add --help | grep -q 'display name'"
# New codes are random, short and free of look-alike characters; none is
# the row id, and a code given with --code is checked and never reused.
for i in $(seq 1 200); do tl participant add; done > "$T/codes"
is "$(sort -u "$T/codes" | wc -l)" 200 "200 new participants, 200 different codes"
is "$(grep -Evx 'P-[34679ACDEFGHJKMNPQRTWXY]{6}' "$T/codes" | wc -l)" 0 \
	"every code is P- and six characters of the code alphabet"
is "$(sql "SELECT count(*) FROM participant WHERE code = printf('P-%04d', id)")" 2 \
	"only the codes given with --code look like row ids"
before=$(snapshot)
expect_fail 2 "is not a participant code" participant add --code p-0003
expect_fail 2 "is not a participant code" participant add --code P-12
expect_fail 2 "is not a participant code" participant add --code "P-00 3"
expect_fail 2 "is not a participant code" participant add --code P-1234567890123
expect_fail 1 "participant P-0002 already exists" participant add --code P-0002
is "$(snapshot)" "$before" "a refused code adds nobody"
# The schema is refused by an older build rather than misread.
sqlite3 "$DB" 'PRAGMA user_version = 999'
expect_fail 1 "newer than this build" site list
done_testing
