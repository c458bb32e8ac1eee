#!/usr/bin/env bash
# bridge_sound.sh - deploy/touchline-sound, the bridge's hook for a
# speaker: a distinct pattern of tones per outcome (read from the `play`
# calls it makes, through a stand-in `play` that records them), and a
# clear error for an unknown outcome or a missing sox. (The bridge running
# a hook on each tap is bridge.feedback's.)
. "$TL_SRC/tests/lib.sh"
SOUND="$TL_SRC/deploy/touchline-sound"
mkdir -p "$T/bin"
cat > "$T/bin/play" <<PLAY
#!/bin/sh
echo "\$*" >> "$T/play.log"
PLAY
chmod 755 "$T/bin/play"
pattern() { rm -f "$T/play.log"; PATH="$T/bin:$PATH" "$SOUND" "$1" P-0001 && tr '\n' '|' < "$T/play.log"; }
for o in recorded duplicate offline unknown_card rejected; do
	pattern "$o" > "$T/p.$o"
	ok "$o plays tones ($(cat "$T/p.$o"))" grep -q 'synth [0-9.]* sine [0-9]*' "$T/p.$o"
done
is "$(for f in "$T"/p.*; do cat "$f"; echo; done | sort -u | wc -l)" 5 \
	"each of the five outcomes sounds different"
rc=0; PATH="$T/bin:$PATH" "$SOUND" frobnicated - 2> "$T/err" || rc=$?
is "$rc" 2 "an unknown outcome is refused"
ok "... saying which are known" grep -q "unknown outcome 'frobnicated'" "$T/err"
rc=0; PATH="$T/nothing" /bin/sh "$SOUND" recorded - 2> "$T/err" || rc=$?
is "$rc" 1 "without sox it says so"
ok "... and what to install" grep -q "install the sox package" "$T/err"
done_testing
