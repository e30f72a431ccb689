#!/usr/bin/env python3
"""Generates src/document/readers/pdf/data/adobe_gb1.bin: the Adobe-GB1 CID -> Unicode table the
PDF reader uses for CID fonts that carry no ToUnicode map (and, inverted, to find a CID's width
when a font is addressed by Unicode through UniGB-UCS2-H / UniGB-UTF16-H).

Inputs: Adobe's BSD-3-Clause cmap-resources as Debian's `poppler-data` ships them under
/usr/share/poppler/cMap/Adobe-GB1/ (Copyright 1990-2020 Adobe; the notice is in
data/ADOBE-CMAP-LICENSE.txt beside the table):
- Adobe-GB1-UCS2: Adobe's CID -> UCS-2 map (bfchar/bfrange), taken first;
- UniGB-UTF32-H: Unicode -> CID (cidchar/cidrange), inverted to fill CIDs the first leaves
  empty (supplementary-plane ideographs); the lowest code point wins when several map to a CID.
(poppler-data's cidToUnicode/ files are GPL-2 and are deliberately not used.)

Output: one little-endian u32 per CID (0 = no Unicode), CIDs 0..N-1, read in place with
include_bytes!; nothing is loaded at run time.

Usage: apt-get install poppler-data && python3 scripts/gen_adobe_gb1.py [CMAP_DIR]
"""
import re
import struct
import sys

DIR = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/poppler/cMap/Adobe-GB1"
DST = "src/document/readers/pdf/data/adobe_gb1.bin"
HEX = re.compile(r"<([0-9A-Fa-f]+)>")


def sections(text, name):
    """Yields the lines between `N begin<name>` and `end<name>`."""
    for m in re.finditer(r"begin%s(.*?)end%s" % (name, name), text, re.S):
        for line in m.group(1).strip().splitlines():
            if line.strip():
                yield line.strip()


def utf16be_to_scalar(h):
    data = bytes.fromhex(h)
    s = data.decode("utf-16-be", errors="strict")
    return ord(s) if len(s) == 1 else 0


cid2u = {}
ucs2 = open(f"{DIR}/Adobe-GB1-UCS2", encoding="latin-1").read()
for line in sections(ucs2, "bfchar"):
    src, dst = HEX.findall(line)[:2]
    u = utf16be_to_scalar(dst)
    if u and u != 0xFFFD:
        cid2u[int(src, 16)] = u
for line in sections(ucs2, "bfrange"):
    parts = HEX.findall(line)
    lo, hi, dst = int(parts[0], 16), int(parts[1], 16), parts[2]
    if "[" in line:
        for i, d in enumerate(parts[2:]):
            u = utf16be_to_scalar(d)
            if u:
                cid2u[lo + i] = u
        continue
    base = utf16be_to_scalar(dst)
    for i in range(hi - lo + 1):
        if base:
            cid2u[lo + i] = base + i

inverse = {}
utf32 = open(f"{DIR}/UniGB-UTF32-H", encoding="latin-1").read()
for line in sections(utf32, "cidchar"):
    src = HEX.findall(line)[0]
    cid = int(line.split()[-1])
    u = int(src, 16)
    inverse.setdefault(cid, u)
    inverse[cid] = min(inverse[cid], u)
for line in sections(utf32, "cidrange"):
    lo, hi = (int(h, 16) for h in HEX.findall(line)[:2])
    cid = int(line.split()[-1])
    for i in range(hi - lo + 1):
        c = cid + i
        inverse[c] = min(inverse.get(c, 0x110000), lo + i)

filled = 0
for cid, u in inverse.items():
    if cid not in cid2u:
        cid2u[cid] = u
        filled += 1

n = max(cid2u) + 1
out = bytearray()
for cid in range(n):
    u = cid2u.get(cid, 0)
    if u > 0x10FFFF or 0xD800 <= u <= 0xDFFF:
        u = 0
    out += struct.pack("<I", u)
with open(DST, "wb") as f:
    f.write(out)
print(f"{DST}: {n} CIDs, {len(cid2u)} mapped ({filled} from UniGB-UTF32-H), {len(out)} bytes")
