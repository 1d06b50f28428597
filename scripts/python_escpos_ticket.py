"""Encodes a document (the JSON of hardware::printer::Document on stdin) the way a
python-escpos user would: text as GB18030, the QR code with python-escpos's default
(a raster image), python-escpos's cut. Prints the number of bytes produced.

Used by hardware/benches/printer_encode.rs for comparison; run with the interpreter that
scripts/setup-python-escpos.sh installs.
"""
import json
import sys

from escpos.printer import Dummy

SIZES = {"Normal": 1, "Double": 2, "Triple": 3}


def main() -> None:
    doc = json.load(sys.stdin)
    columns = int(sys.argv[1]) if len(sys.argv) > 1 else 48
    p = Dummy()
    # The default profile has no paper width; give it ours so the QR image is centred.
    p.profile.profile_data["media"]["width"]["pixels"] = 576 if columns == 48 else 384
    p.hw("INIT")
    p._raw(b"\x1c\x26")  # Chinese mode, as our encoder sends
    for block in doc["blocks"]:
        if block == "Separator":
            p.set(normal_textsize=True, align="left", bold=False)
            p._raw(b"-" * columns + b"\n")
        elif block == "Cut":
            p.cut()
        elif "Text" in block:
            t = block["Text"]
            n = SIZES[t["size"]]
            p.set(
                align=t["align"].lower(),
                bold=t["bold"],
                custom_size=n > 1,
                width=n,
                height=n,
                normal_textsize=n == 1,
            )
            p._raw(t["text"].encode("gb18030") + b"\n")
        elif "Qr" in block:
            p.qr(block["Qr"], center=True)
        elif "Feed" in block:
            p._raw(b"\n" * block["Feed"])
    print(len(p.output))


if __name__ == "__main__":
    main()
