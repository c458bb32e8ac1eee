#!/usr/bin/env python3
"""md2man.py NAME SECTION SUMMARY IN.md OUT - a manual page from a doc page.

Converts the Markdown the docs use (headings, paragraphs, lists, fenced and
indented code, pipe tables, `code`, **bold**, *emphasis*, [links](url)) to
roff (man(7); a table becomes a list, one entry per row), so the manual is made from the doc at build
time and cannot differ from it. The first heading becomes the DESCRIPTION's
title line; "##" headings become sections, "###" subsections.
Python standard library only.
"""
import re
import sys


def escape(text):
    """Text for roff: backslashes and hyphens escaped, and any character
    beyond ASCII as a groff Unicode escape (the page is then plain ASCII)."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)


def inline(text):
    """Inline Markdown to roff fonts; code spans are taken literally."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", text)):
        if i % 2:
            out.append("\\fB" + escape(part[1:-1]) + "\\fR")
            continue
        part = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\1", part)
        part = escape(part)
        part = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", part)
        part = re.sub(r"(?<![\w*])[*_]([^*_\s][^*_]*)[*_](?![\w*])", r"\\fI\1\\fR", part)
        out.append(part)
    return "".join(out)


def line(text):
    """One output line of running text, guarded against control characters."""
    return ("\\&" + text) if text[:1] in (".", "'") else text


def cells(row):
    return [c.strip() for c in row.strip().strip("|").split("|")]


def convert(name, section, summary, lines):
    out = [f'.TH {name.upper()} {section} "" "touchline" "Touchline manual"',
           ".SH NAME", f"{escape(name)} \\- {escape(summary)}", ".SH DESCRIPTION"]
    i = 0
    para = False
    while i < len(lines):
        raw = lines[i].rstrip("\n")
        s = raw.strip()
        if not s:
            para = False
            i += 1
        elif raw.startswith("```"):
            i += 1
            out += [".PP", ".RS 4", ".nf"]
            while i < len(lines) and not lines[i].startswith("```"):
                out.append(line(escape(lines[i].rstrip("\n"))))
                i += 1
            out += [".fi", ".RE"]
            i += 1
            para = False
        elif raw.startswith("    ") and not para:
            out += [".PP", ".RS 4", ".nf"]
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                # a blank line inside the block only if more code follows
                if not lines[i].strip():
                    j = i
                    while j < len(lines) and not lines[j].strip():
                        j += 1
                    if j >= len(lines) or not lines[j].startswith("    "):
                        break
                out.append(line(escape(lines[i].rstrip("\n")[4:])))
                i += 1
            out += [".fi", ".RE"]
            para = False
        elif s.startswith("#"):
            level = len(s) - len(s.lstrip("#"))
            title = s.lstrip("#").strip()
            if level == 1:
                out += [".PP", "\\fB" + inline(title) + "\\fR"]
            elif level == 2:
                out.append('.SH "' + inline(title.upper()).replace('"', "") + '"')
            else:
                out.append('.SS "' + inline(title).replace('"', "") + '"')
            para = False
            i += 1
        elif s.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                r = cells(lines[i])
                if not all(re.fullmatch(r":?-+:?", c) for c in r):
                    rows.append(r)
                i += 1
            # One entry per row: the first cell as its tag, then each other
            # cell under its column's heading (a list reads well at any width).
            head, body = rows[0], rows[1:]
            for r in body:
                out += [".TP", line(inline(r[0]))]
                for k in range(1, len(head)):
                    value = r[k] if k < len(r) else ""
                    if k > 1:
                        out.append(".br")
                    out.append(line("\\fI" + inline(head[k]) + ":\\fR " + inline(value)))
            para = False
        elif re.match(r"(- |\* |\d+\. )", s):
            m = re.match(r"(- |\* |\d+\. )", s)
            mark = "\\(bu" if m.group(1)[0] in "-*" else m.group(1).strip()
            indent = len(raw) - len(raw.lstrip())
            out += [f'.IP "{mark}" 4', line(inline(s[len(m.group(1)):]))]
            i += 1
            # continuation lines, indented under the item
            while (i < len(lines) and lines[i].strip() and
                   len(lines[i]) - len(lines[i].lstrip()) > indent and
                   not re.match(r"(- |\* |\d+\. )", lines[i].strip())):
                out.append(line(inline(lines[i].strip())))
                i += 1
            para = True
        else:
            if not para:
                out.append(".PP")
                para = True
            out.append(line(inline(s)))
            i += 1
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: md2man.py NAME SECTION SUMMARY IN.md OUT")
    name, section, summary, src, dst = sys.argv[1:]
    with open(src, encoding="utf-8") as f:
        text = convert(name, section, summary, f.readlines())
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
