#!/usr/bin/env bash
# dashboard_markdown.sh - tl-markdown, the Markdown subset the dashboard's
# data-dictionary page is made from at build time (dashboard/markdown.c):
# a fixed sample (a copy of the dictionary as it once was,
# tests/cases/dashboard/markdown-sample.md) against a golden file
# (TL_REGEN=1 rewrites it), the real dictionary's structure, the
# dashboard's page carrying exactly that, and hostile input: nothing but
# the converter's own few tags and attributes may come out, every link
# stays within the page, and unclosed delimiters cost linear time.
source "$TL_SRC/tests/lib.sh"
MD="$TL_BIN/dashboard/tl-markdown"
HTMLPY="$TL_SRC/tests/integration/dashboard_html.py"
GOLD="$TL_SRC/tests/cases/dashboard/data-dictionary.html"
SAMPLE="$TL_SRC/tests/cases/dashboard/markdown-sample.md"

ok "converts the sample" bash -c "'$MD' '$SAMPLE' > '$T/sample.html'"
if [ -n "${TL_REGEN:-}" ]; then
	cp "$T/sample.html" "$GOLD"
	echo "regenerated $(basename "$GOLD")"
fi
ok "the sample's HTML matches the golden file" diff -u "$GOLD" "$T/sample.html"
ok "converts the data dictionary" bash -c "'$MD' '$TL_SRC/docs/data-dictionary.md' > '$T/dict.html'"
# Figures a regenerated golden file cannot silently lose: each export's
# heading, its table, and the column rows (one per | row of the source).
for kind in attendance activity participants sessions taps outcomes referrals export-sets; do
	ok "heading #$kind" grep -q "<h2 id=\"$kind\">" "$T/dict.html"
done
is "$(grep -o '<tr>' "$T/dict.html" | wc -l)" \
	"$(grep -v '^|---' "$TL_SRC/docs/data-dictionary.md" | grep -c '^|')" "a table row per row of the source"
is "$(grep -c '<table>' "$T/dict.html")" "$(grep -c '^|---' "$TL_SRC/docs/data-dictionary.md")" \
	"a table per table in the source"
ok "no Markdown left over: no '**', no '](', no line starting '|' or '- '" \
	bash -c "! grep -qE '\*\*|\]\(|^\||^- ' '$T/dict.html'"
ok "every link within the page leads to a heading" python3 - "$T/dict.html" << 'EOP'
import re, sys
t = open(sys.argv[1]).read()
ids = set(re.findall(r' id="([^"]+)"', t))
bad = [h for h in re.findall(r'href="#([^"]*)"', t) if h not in ids]
print("missing:", bad) if bad else None
sys.exit(1 if bad else 0)
EOP

# The dashboard's page is that HTML inside the dashboard's page style.
source "$TL_SRC/tests/integration/programme_dataset.sh"
build_programme_dataset
"$TL_BIN/dashboard/touchline-dashboard" --db "$DB" --out "$T/site" --today 2026-04-19 > /dev/null
ok "data-dictionary.html carries it" python3 -c "import sys; a=open(sys.argv[1]).read(); \
	sys.exit(0 if open(sys.argv[2]).read() in a else 1)" "$T/site/data-dictionary.html" "$T/dict.html"
ok "...well-formed, fetching nothing" python3 "$HTMLPY" check "$T/site/data-dictionary.html"
ok "...no raw Markdown in a <pre>" bash -c "! grep -q '<pre>' '$T/site/data-dictionary.html'"

# Hostile input.
cat > "$T/evil.md" << 'EOF2'
# <script>alert(1)</script> heading
# <script>alert(1)</script> heading
Text <img src=x onerror=alert(1)> & "quotes" 'single' <!-- comment -->
[click](javascript:alert(1)) [x](#"><script>alert(2)</script>) [y](http://example.com/a.png)
[z](#a" onmouseover="alert(3)) **<b>bold</b>** *<i>em</i>* `<code>` ``a`b``
<a href="http://example.com">raw link</a> <style>body{}</style> &lt;already&gt; \<escaped\>

| <th>head</th> | `a|b` | c \| d |
|---|---|---|
| <td onclick=x>cell</td> | [l](#ok) | </table><script>x</script> |
| short |

- item <svg onload=alert(4)>
  continued </li></ul><script>
    - nested <iframe src=x>
1. one
2) two <object data=x>

```
</code></pre><script>alert(5)</script>
```
```
unclosed fence <script>
EOF2
printf 'CRLF line\r\n- item\r\n\r\n| a |\r\n|---|\r\n| <b> |\r\n' >> "$T/evil.md"
ok "hostile input converts" bash -c "'$MD' '$T/evil.md' > '$T/evil.html'"
ok "...only the converter's tags and attributes, links only to anchors" python3 - "$T/evil.html" << 'EOP'
import sys
from html.parser import HTMLParser
TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "div", "table", "thead",
        "tbody", "tr", "th", "td", "code", "pre", "em", "strong", "a"}
ATTRS = {"id", "class", "tabindex", "role", "aria-label", "scope", "href"}
bad = []
class P(HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            bad.append("tag " + tag)
        for k, v in attrs:
            if k not in ATTRS:
                bad.append("attribute %s=%r" % (k, v))
            if k == "href" and not (v or "").startswith("#"):
                bad.append("link to %r" % v)
    def handle_comment(self, data):
        bad.append("comment")
P().feed(open(sys.argv[1]).read())
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOP
ok "...the text is all there, escaped" bash -c "grep -q '&lt;script&gt;alert(1)&lt;/script&gt; heading' '$T/evil.html' &&
	grep -q '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;single&#39;' '$T/evil.html' &&
	grep -q 'click (javascript:alert(1))' '$T/evil.html' && grep -q '&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;' '$T/evil.html'"
ok "...a repeated heading gets its own id" grep -q 'id="scriptalert1script-heading-1"' "$T/evil.html"
ok "...well-formed inside a page" bash -c "{ echo '<!DOCTYPE html><html><body>'; cat '$T/evil.html';
	echo '</body></html>'; } > '$T/evil-page.html' && python3 '$HTMLPY' check '$T/evil-page.html'"
# Unclosed delimiters by the hundred thousand: bounded work.
python3 -c "import sys; sys.stdout.write('*a ' * 60000 + '[' * 60000 + '\`x ' * 60000 + '\n')" > "$T/many.md"
ok "200 000 unclosed delimiters in under 10 s" timeout 10 "$MD" "$T/many.md" > /dev/null
ok "a missing file is an error" bash -c "! '$MD' '$T/nope.md' 2> /dev/null"
done_testing
