#!/usr/bin/env python3
"""Adds translations to ui/lang/{zh_CN,ko_KR}/LC_MESSAGES/kiosk-ui.po, keeping entries
sorted by msgid (merges stay simple). Input: a TSV file or stdin with lines
    English source<TAB>Chinese<TAB>Korean
Existing msgids are updated in place."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGS = ["zh_CN", "ko_KR"]


def unquote(s):
    return re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), s)


def quote(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def read_po(path):
    text = path.read_text(encoding="utf-8")
    header, _, body = text.partition('\n\n')
    entries = {}
    for block in body.strip().split("\n\n"):
        m = re.match(r'msgid "(.*)"\nmsgstr "(.*)"', block.strip(), re.S)
        if m:
            entries[unquote(m.group(1))] = unquote(m.group(2))
    return header, entries


def write_po(path, header, entries):
    out = [header, ""]
    for msgid in sorted(entries):
        out += [f'msgid "{quote(msgid)}"', f'msgstr "{quote(entries[msgid])}"', ""]
    path.write_text("\n".join(out), encoding="utf-8")


def main():
    rows = [l.rstrip("\n").split("\t") for l in (open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin) if l.strip()]
    for i, lang in enumerate(LANGS):
        path = ROOT / "ui/lang" / lang / "LC_MESSAGES/kiosk-ui.po"
        header, entries = read_po(path)
        for row in rows:
            if len(row) != 3:
                sys.exit(f"need 3 tab-separated columns: {row}")
            entries[row[0]] = row[1 + i]
        write_po(path, header, entries)


if __name__ == "__main__":
    main()
