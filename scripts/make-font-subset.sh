#!/usr/bin/env bash
# Rebuilds ui/fonts/NotoSansCJKsc-{Regular,Bold}-kiosk.otf: the 'Noto Sans CJK SC' face of
# Debian's fonts-noto-cjk, cut to GB 2312 (all 6,763 hanzi and its symbols), all 11,172 modern
# Hangul syllables (the Korean keyboard composes any of them, 잏 on the way to 이혼, not only
# KS X 1001's 2,350), Hangul jamo, Latin and CJK punctuation. The whole TTC is 19.5 MB per
# weight; the subset still renders every string and bundled text we ship (the font tests in
# src/consult/tests.rs and src/hangul.rs check that). Only needed when the character set changes.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download fonts-noto-cjk >/dev/null
dpkg-deb -x fonts-noto-cjk_*.deb x
python3 -m pip install --quiet fonttools
python3 - <<'PY'
chars = set()
for hi in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8)):      # GB 2312 symbols + hanzi
    for lo in range(0xA1, 0xFF):
        try: chars.add(bytes([hi, lo]).decode('gb2312'))
        except UnicodeDecodeError: pass
ranges = [(0xAC00, 0xD7A4),                                       # every modern Hangul syllable
          (0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x2190, 0x21FF), (0x2460, 0x24FF),
          (0x25A0, 0x2600), (0x3000, 0x3040), (0x3131, 0x318F), (0xFF00, 0xFFF0)]
for a, b in ranges:
    chars.update(chr(c) for c in range(a, b))
chars.update('\u2713\u2715\u2716\u2717\u2122\u2103\u2116')
open('chars.txt', 'w').write(''.join(sorted(chars)))
PY
for w in Regular Bold; do
  python3 -m fontTools.subset "x/usr/share/fonts/opentype/noto/NotoSansCJK-$w.ttc" --font-number=2 \
    --text-file=chars.txt --layout-features='*' --name-IDs='*' --name-legacy --name-languages='*' \
    --output-file="$here/ui/fonts/NotoSansCJKsc-$w-kiosk.otf"
done
ls -l "$here"/ui/fonts/*.otf
