#!/usr/bin/env bash
# export_set.sh - 'touchline export set' on the fixed programme dataset: a
# whole set under one fresh key that joins within itself and links to no
# other set, coarse times, a manifest, modes, and refusals.
source "$TL_SRC/tests/lib.sh"
source "$TL_SRC/tests/integration/programme_dataset.sh"

build_programme_dataset
tl participant erase P-0004 --yes > /dev/null

umask 022
tl export set "$T/a" 2> "$T/a.err"
tl export set "$T/b" 2> "$T/b.err"
ok "the set says where it went and its key's fingerprint" \
	grep -Eq "export set written to .*/a \(key fingerprint [0-9a-f]{16}\)" "$T/a.err"
is "$(stat -c %a "$T/a")" 700 "the set's folder is mode 0700 whatever the umask"
is "$(find "$T/a" -type f ! -perm 600 | wc -l)" 0 "every file in it is mode 0600"
is "$(cd "$T/a" && ls | tr '\n' ' ')" \
	"activity.csv attendance.csv manifest.json outcomes.csv participants.csv referrals.csv sessions.csv taps.csv " \
	"every export and a manifest"
ok "nothing half-written is left beside it" bash -c "! ls -d '$T'/a.tmp-* 2> /dev/null"

# Row counts: the plain exports' own, and what the manifest says.
for kind in attendance activity participants sessions taps outcomes referrals; do
	tl export "$kind" > "$T/plain-$kind.csv"
	is "$(wc -l < "$T/a/$kind.csv")" "$(wc -l < "$T/plain-$kind.csv")" "$kind: every row of the export"
done

python3 - "$T" "$CARD1$CARD3$CARD4$CARD5$CARD6$CARDX" > "$T/checks" <<'PY'
import csv, json, os, re, sys
T, tokens = sys.argv[1], sys.argv[2]
def rows(d, k):
    with open(os.path.join(T, d, k + ".csv"), newline="") as f:
        return list(csv.DictReader(f))
def say(ok, msg):
    print(("ok" if ok else "FAIL") + " - " + msg)
a = {k: rows("a", k) for k in ("attendance", "activity", "participants", "sessions", "taps",
                                "outcomes", "referrals")}
b = {k: rows("b", k) for k in ("attendance", "participants")}
m = json.load(open(os.path.join(T, "a", "manifest.json")))
mb = json.load(open(os.path.join(T, "b", "manifest.json")))
say(all(f["rows"] == len(a[f["kind"]]) for f in m["files"]) and len(m["files"]) == 7,
    "manifest row counts are the files' rows")
say(re.fullmatch(r"[0-9a-f]{16}", m["key_fingerprint"]) is not None, "manifest has a key fingerprint")
say(m["key_fingerprint"] != mb["key_fingerprint"], "each set has its own key")
say(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["as_of"]) is not None
    and m["as_of"] == "2026-04-20T00:00:00Z", "manifest says as of when (the tables' instant)")
say(m["touchline_version"] != "" and m["format_version"] == 1, "manifest has the versions")
say(not re.search(r'"key"\s*:', json.dumps(m)), "manifest holds no key")
codes = lambda rs: {r["participant"] for r in rs if r["participant"]}
pa = codes(a["participants"])
say(all(re.fullmatch(r"R-[0-9a-f]{16}", c) for c in pa), "participants are R- pseudonyms")
say(codes(a["attendance"]) <= pa and codes(a["activity"]) <= pa,
    "attendance and activity pseudonyms join the set's participants")
say(len(codes(a["taps"]) - pa) == 1, "taps add only the one card holder never enrolled (P-0005)")
say(len(pa) == 4, "one pseudonym per participant left after erasure (%d)" % len(pa))
say(not (pa & codes(b["participants"])), "no pseudonym is shared with another set")
sess = {r["session"] for r in a["sessions"]}
say({r["session"] for r in a["attendance"]} <= sess and
    {r["session"] for r in a["taps"] if r["session"]} <= sess, "sessions join within the set")
blob = "".join(open(os.path.join(T, "a", f)).read() for f in os.listdir(os.path.join(T, "a")))
say("P-0" not in blob and "Example" not in blob, "no code and no name anywhere in the set")
say(not any(tokens[i:i + 32] in blob for i in range(0, len(tokens), 32)), "no card token anywhere")
say(not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-4", blob), "no tap id (UUID) anywhere")
say("checkin_at" not in a["attendance"][0] and "ts" not in a["taps"][0]
    and "received_at" not in a["taps"][0], "no exact tap times")
offs = [r[k] for r in a["attendance"] for k in ("checkin_offset_minutes", "checkout_offset_minutes") if r[k]]
offs += [r["offset_minutes"] for r in a["taps"] if r["offset_minutes"]]
say(len(offs) > 10 and all(int(o) % 5 == 0 for o in offs), "every offset is whole 5 minutes (%d)" % len(offs))
# P-0001 at the gym on 19 March 10:00-11:00: in 09:55 (-5), out 11:02 (60).
g = [r for r in a["attendance"] if r["session_start"].startswith("2026-03-19T10:00") and r["attended"] == "1"]
say([(r["checkin_offset_minutes"], r["checkout_offset_minutes"]) for r in g] == [("-5", "60")],
    "check-in 5 minutes early, check-out 62 minutes in, shown as -5 and 60: %r" % g)
# Football 17 March 18:00: in 17:50, again 17:52 (a duplicate), out 19:35.
p1 = g[0]["participant"] if g else None
t = [(r["offset_minutes"], r["used_as"]) for r in a["taps"] if r["date"] == "2026-03-17" and r["participant"] == p1]
say(sorted(t) == sorted([("-10", "checkin"), ("", ""), ("95", "checkout")]),
    "taps are placed by their session: %r" % t)
um = [r["unmatched_reason"] for r in a["taps"] if r["unmatched_reason"]]
say(sorted(set(um)) == ["cancelled_session", "no_session", "not_eligible", "unknown_card"],
    "unmatched taps keep their reason")
PY
cat "$T/checks"
is "$(grep -c '^FAIL' "$T/checks")" 0 "export set checks"
is "$(grep -c '^ok' "$T/checks")" 20 "all 20 export set checks ran"

# JSON sets parse, and have the CSV's rows.
tl export set "$T/j" --format json --programme kick 2> /dev/null
is "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$T/j/attendance.json")" \
	"$(($(tl export attendance --programme kick | wc -l) - 1))" "JSON set with --programme"
ok "a programme's set has only taps used for its sessions" python3 -c "
import json, sys
t = json.load(open(sys.argv[1]))
sys.exit(not (t and all(r['session'] is not None for r in t)))" "$T/j/taps.json"

# Refusals change nothing and leave nothing.
tl export set "$T/a" > /dev/null 2> "$T/err" && rc=0 || rc=$?
is "$rc" 1 "an existing folder is refused"
ok "and says so" grep -q "exists: an export set goes into a new folder" "$T/err"
tl export set "$T/c" --format xml > /dev/null 2>&1 && rc=0 || rc=$?
is "$rc" 2 "a bad format is refused"
tl export set "$T/c" --from 2026-02-30 > /dev/null 2>&1 && rc=0 || rc=$?
is "$rc" 2 "a bad date is refused"
tl export set "$T/nonexistent/c" > /dev/null 2>&1 && rc=0 || rc=$?
is "$rc" 1 "a folder that cannot be made is refused"
ok "no folder left behind" bash -c "! ls -d '$T'/c* '$T'/nonexistent 2> /dev/null"
done_testing
