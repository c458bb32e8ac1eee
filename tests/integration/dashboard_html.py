#!/usr/bin/env python3
"""dashboard_html.py - checks and reads the dashboard's HTML.

  dashboard_html.py check FILE...    well-formed (every element closed and
      properly nested, void elements excepted), unique ids, a doctype, and
      nothing that would make a browser fetch anything (no http(s): or //
      URLs, no <link>, <iframe>, <object>, <embed>, <img>, external
      scripts). Prints one line per problem; exit 1 if any.
  dashboard_html.py figures FILE     prints every table row that has an id
      as "id: cell | cell | ...", and every list item that has one as
      "id: text", the figures the golden test compares.
  dashboard_html.py contrast FILE    every style rule of the page giving
      both a background and a text colour, and every SVG text fill on
      white, must reach the WCAG 2.1 AA 4.5:1 contrast; exit 1 if not.
  dashboard_html.py words FILE...    the text a reader sees (and a screen
      reader reads: chart titles and descriptions too) of the lead-facing
      parts of each page: everything but the Readers, Data quality and
      Downloads sections, which are for whoever runs the system. Prints
      each developer word found (DEVELOPER_WORDS) with its context; exit 1
      if any.
  dashboard_html.py netlog FILE      reads a Chromium net log (--log-net-log)
      and prints every URL requested other than file: and data: ones,
      leaving out the browser's own background requests (told apart by
      their traffic annotation, not by host); exit 1 if any.
"""
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
FETCHING = {"link", "iframe", "object", "embed", "img", "audio", "video", "source", "frame"}


class Checker(HTMLParser):
    def __init__(self, name):
        super().__init__(convert_charrefs=True)
        self.name, self.stack, self.ids, self.problems = name, [], set(), []
        self.doctype = False

    def problem(self, msg):
        self.problems.append("%s:%d: %s" % (self.name, self.getpos()[0], msg))

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == "id":
                if v in self.ids:
                    self.problem("duplicate id %r" % v)
                self.ids.add(v)
            if k in ("src", "href", "action", "data", "poster", "xlink:href") and v:
                low = v.strip().lower()
                if low.startswith(("http:", "https:", "//", "ftp:", "ws:", "wss:")):
                    self.problem("external URL %s=%r" % (k, v))
            if k == "style" and v and "url(" in v.lower() and "url(#" not in v.lower():
                self.problem("url() in style")
        if tag in FETCHING:
            self.problem("<%s> would fetch something" % tag)
        if tag == "script" and any(k == "src" for k, _ in attrs):
            self.problem("external script")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problem("end tag of void element </%s>" % tag)
            return
        if not self.stack:
            self.problem("</%s> closes nothing" % tag)
            return
        top, line = self.stack.pop()
        if top != tag:
            self.problem("</%s> closes <%s> of line %d" % (tag, top, line))

    def close(self):
        super().close()
        if not self.doctype:
            self.problem("no <!DOCTYPE html>")
        for tag, line in self.stack:
            self.problem("<%s> of line %d never closed" % (tag, line))


class Figures(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.row, self.cell, self.cells, self.out, self.tag = None, None, [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("tr", "li") and a.get("id"):
            self.row, self.cells, self.tag = a["id"], [], tag
            if tag == "li":
                self.cell = ""
        elif tag in ("td", "th") and self.row and self.tag == "tr":
            self.cell = ""
        elif tag == "br" and self.cell is not None:
            self.cell += " "

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row and self.tag == "tr" and self.cell is not None:
            self.cells.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "li" and self.row and self.tag == "li":
            self.out.append("%s: %s" % (self.row, " ".join(self.cell.split())))
            self.row, self.cell = None, None
        elif tag == "tr" and self.row:
            self.out.append("%s: %s" % (self.row, " | ".join(self.cells)))
            self.row = None


# Words a programme lead should never have to read: the system's own
# terms, reason codes, identifiers, UTC times, file names, commands and
# their options.
DEVELOPER_WORDS = [
    (r"(?i)\bspool", "spool"), (r"(?i)dead ?letter", "dead letter"),
    (r"\b[a-z]+_[a-z_]+\b", "an identifier (snake_case: a reason code, a setting)"),
    (r"\bUTC\b", "UTC"), (r"\d{4}-\d\d-\d\dT\d\d", "a timestamp"),
    (r"\b\d{4}-\d\d-\d\d\b", "a date as digits"),
    (r"\b[\w-]+\.(md|html?|csv|json|txt|ini|db|c|sh)\b", "a file name"),
    (r"\btouchline\b", "a command"), (r"(^|\s)--[a-z]", "a command option"),
    (r"(?i)\bdocs/", "a file name"), (r"(?i)\b(sql|sqlite|null|json|mqtt|payload|iso)\b", "a technical word"),
]
TECHNICAL_SECTIONS = {"readers", "quality", "downloads"}


class Words(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip, self.section, self.text = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "section":
            self.section.append(dict(attrs).get("id"))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag == "section" and self.section:
            self.section.pop()

    def handle_data(self, data):
        if not self.skip and not (self.section and self.section[-1] in TECHNICAL_SECTIONS):
            self.text.append(data)


def words(names):
    import re
    bad = 0
    for name in names:
        p = Words()
        with open(name, encoding="utf-8") as f:
            p.feed(f.read())
        text = " ".join(" ".join(p.text).split())
        for pat, what in DEVELOPER_WORDS:
            for m in re.finditer(pat, text):
                a, b = max(0, m.start() - 40), min(len(text), m.end() + 40)
                print("%s: %s %r in ...%s..." % (name, what, m.group(0), text[a:b]))
                bad += 1
    sys.exit(1 if bad else 0)


# Traffic annotations (hashes of their unique ids) of Chromium's own
# background requests, which no page can make: network time, the Google
# account check, the component updater, and a few more that some
# versions make at start. Anything else, e.g. blink_resource_loader for
# a page's <img>, is the page's doing.
BROWSER_ANNOTATIONS = {46188932, 35565745, 54845618}
BROWSER_HOSTS = ("clients2.google.com", "update.googleapis.com", "accounts.google.com",
                 "clients1.google.com", "www.googleapis.com", "redirector.gvt1.com",
                 "optimizationguide-pa.googleapis.com", "content-autofill.googleapis.com")


def netlog(name):
    import json
    from urllib.parse import urlsplit
    with open(name, encoding="utf-8") as f:
        text = f.read()
    try:
        log = json.loads(text)
    except ValueError:  # a log cut short by a killed browser
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    annotation, urls, bad, ignored = {}, {}, [], 0
    for e in log["events"]:
        p = e.get("params") or {}
        src = e.get("source", {}).get("id")
        if types.get(e["type"]) == "REQUEST_ALIVE" and "traffic_annotation" in p:
            annotation[src] = p["traffic_annotation"]
        url = p.get("url")
        if isinstance(url, str):
            urls.setdefault(src, set()).add(url)
    for src, us in sorted(urls.items()):
        for url in sorted(us):
            scheme = url.split(":", 1)[0].lower()
            if scheme in ("file", "data"):
                continue
            if annotation.get(src) in BROWSER_ANNOTATIONS or (
                    annotation.get(src) is None and urlsplit(url).hostname in BROWSER_HOSTS):
                ignored += 1
                continue
            bad.append(url)
    for url in bad:
        print("request: " + url)
    print("%d page requests, %d browser background requests ignored" % (len(bad), ignored))
    sys.exit(1 if bad else 0)


def contrast(name):
    import re

    def lum(h):
        h = h.lstrip("#")
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def ratio(a, b):
        hi, lo = sorted((lum(a), lum(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    text = open(name, encoding="utf-8").read()
    pairs = re.findall(r"background:(#[0-9a-fA-F]{3,6});color:(#[0-9a-fA-F]{3,6})", text)
    pairs += re.findall(r"color:(#[0-9a-fA-F]{3,6});background:(#[0-9a-fA-F]{3,6})", text)
    # SVG text on the chart's white ground (white text is only drawn on the
    # "active" fill, which the CSS pair for .lv-active checks).
    pairs += [("#ffffff", c) for c in re.findall(r'<text [^>]*fill="(#[0-9a-fA-F]{6})"', text)
              if c.lower() != "#ffffff"]
    pairs += [("#ffffff", c) for c in re.findall(r"--(?:ink|muted|link):(#[0-9a-fA-F]{6})", text)]
    bad = 0
    for bg, fg in sorted(set(pairs)):
        r = ratio(bg, fg)
        print("%s on %s: %.2f%s" % (fg, bg, r, "" if r >= 4.5 else "  FAILS AA"))
        bad += r < 4.5
    sys.exit(1 if bad or not pairs else 0)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    if sys.argv[1] == "check":
        bad = 0
        for name in sys.argv[2:]:
            c = Checker(name)
            with open(name, encoding="utf-8") as f:
                c.feed(f.read())
            c.close()
            for p in c.problems:
                print(p)
            bad += len(c.problems)
        sys.exit(1 if bad else 0)
    if sys.argv[1] == "figures":
        p = Figures()
        with open(sys.argv[2], encoding="utf-8") as f:
            p.feed(f.read())
        p.close()
        print("\n".join(p.out))
        return
    if sys.argv[1] == "contrast":
        contrast(sys.argv[2])
    if sys.argv[1] == "words":
        words(sys.argv[2:])
    if sys.argv[1] == "netlog":
        netlog(sys.argv[2])
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
