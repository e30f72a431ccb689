#!/usr/bin/env bash
# Fuzz smoke pass: every cargo-fuzz target in fuzz/ runs for FUZZ_SMOKE_SECS seconds (default 20)
# from a seed corpus of real inputs (the shared corpus, the Word renditions (docx and .doc, plus
# .doc files built at run time), a few pandoc docx,
# the spreadsheets and the committed fuzz findings in tests/fixtures/fuzz). A crash, memory past
# -rss_limit_mb or a 10 s hang fails CI and leaves the reproducer under fuzz/artifacts/<target>/.
# The long runs (5 minutes and more per target) are by hand, see README "Development".
#
# Needs cargo-fuzz (installed here once, ~3 min) and nightly flags on the stable toolchain
# (RUSTC_BOOTSTRAP=1; no sanitizer: `-s none`). The fuzz crate depends on the parsing library
# alone (default-features = false), so the instrumented build takes minutes, not a quarter hour.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SMOKE_SECS:-20}
CORPUS=${DOCINGEST_CORPUS:-../shared/corpus}
export RUSTC_BOOTSTRAP=1 CARGO_TERM_COLOR=never

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz 0.13.2"
  cargo install --quiet --locked cargo-fuzz@0.13.2
fi
cargo fuzz build -s none 2>&1 | tail -n 3

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
add() { # add TARGET FILE... : copy files into the target's seed corpus
  local t=$1
  shift
  mkdir -p "$seeds/$t"
  for f in "$@"; do
    if [ -f "$f" ]; then cp "$f" "$seeds/$t/"; fi
  done
}
add_sheet() { # add_sheet SELECTOR FILE... : the sheet target's first byte picks the format
  local sel=$1
  shift
  mkdir -p "$seeds/sheet"
  for f in "$@"; do
    if [ -f "$f" ]; then { printf "\\x$sel"; cat "$f"; } > "$seeds/sheet/$sel-$(basename "$f")"; fi
  done
}
text=("$CORPUS"/seeds/*.txt "$CORPUS"/variants/*.txt "$CORPUS"/variants/*.md
      tests/fixtures/gbt9704_full.txt tests/fixtures/fuzz/*.txt tests/fixtures/fuzz/*.md)
docx=("$CORPUS"/variants/*.docx)
# .doc seeds are made at run time: the LibreOffice renditions of the seeds, and the small
# documents tests/hostile/doc_reader.rs builds from scratch (written by its `doc_support` helper).
docs=("$CORPUS"/variants/*.doc)
# The ten smallest pandoc test documents: many features in few bytes.
mapfile -t pandoc < <(ls -S "$CORPUS"/external/pandoc-docx/*.docx 2>/dev/null | tail -n 10)
sheets=("$CORPUS"/variants/*.xlsx)
xls=(tests/fixtures/*.xls tests/fixtures/fuzz/*.xls)
add decode "${text[@]}"
add text_structure "${text[@]}"
add docx "${docx[@]}" "${pandoc[@]}"
add doc "${docs[@]}"
DOCINGEST_DOC_SEEDS="$seeds/doc" cargo test --quiet --no-default-features --test hostile \
  doc_reader::write_fuzz_seeds >/dev/null 2>&1 || echo "fuzz doc: could not write the built .doc seeds" >&2
add_sheet 00 "${sheets[@]}"
add_sheet 02 "${xls[@]}"
add parse_bytes "${text[@]}" "${docx[@]}" "${sheets[@]}" "${xls[@]}" "${docs[@]}"
# PDF seeds: the corpus renditions plus small files written here and now (one per font and
# content path the reader has), never committed third-party PDFs.
mkdir -p "$seeds/pdf"
python3 - "$seeds/pdf" <<'PY'
import sys, zlib
out = sys.argv[1]
def pdf(objs, root):
    b = bytearray(b"%PDF-1.7\n")
    offs = []
    for i, o in enumerate(objs):
        offs.append(len(b))
        b += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    x = len(b)
    b += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        b += b"%010d 00000 n \n" % o
    b += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, root, x)
    return bytes(b)
def stream(data, extra=b"", z=False):
    if z:
        data, extra = zlib.compress(data), extra + b" /Filter /FlateDecode"
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"
def page(font, content, z=False, extra_res=b""):
    return [font, stream(content, z=z),
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 1 0 R >> " + extra_res + b" >> /Contents 2 0 R >>",
            b"<< /Type /Catalog /Pages 3 0 R >>"]
ucs2 = b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /W [1 95 500] >>] >>"
text = "\u4e00\u3001\u603b\u4f53\u60c5\u51b5".encode("utf-16-be").hex().encode()
body = b"BT /F1 12 Tf 72 760 Td <" + text + b"> Tj 0 -20 Td [(\x00\x32\x00\x30) -300 <5E74>] TJ T* (\x20\x14) ' ET"
open(out + "/ucs2.pdf", "wb").write(pdf(page(ucs2, body, z=True), 5))
simple = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /BaseEncoding /WinAnsiEncoding /Differences [1 /emdash /uni6CD5] >> /FirstChar 32 /Widths [278 278] >>"
open(out + "/simple.pdf", "wb").write(pdf(page(simple, b"BT /F1 12 Tf 14 TL 72 700 Td (Work \001\002) Tj T* [(pl) 20 (an)] TJ ET"), 5))
gbk = b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /GBK-EUC-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>] >>"
open(out + "/gbk.pdf", "wb").write(pdf(page(gbk, b"q 1 0 0 1 10 10 cm BT /F1 12 Tf 72 700 Td <B7A8D6CE> Tj (2023) Tj ET Q"), 5))
PY
add pdf "$CORPUS"/variants/*.pdf
# OFD: the easyofd renditions and the ten smallest ofdrw files whole (selector 00), and the
# renditions' first pages' Content.xml alone (selector 01: the target wraps them into a
# package), made here from the corpus, not committed.
mkdir -p "$seeds/ofd"
mapfile -t ofdrw < <(ls -S "$CORPUS"/external/ofdrw/*.ofd 2>/dev/null | tail -n 10)
for f in "$CORPUS"/variants/*.ofd "${ofdrw[@]}"; do
  [ -f "$f" ] || continue
  b=$(basename "$f" .ofd)
  { printf '\x00'; cat "$f"; } > "$seeds/ofd/00-$b"
done
if command -v unzip >/dev/null; then
  for f in "$CORPUS"/variants/*.ofd; do
    [ -f "$f" ] || continue
    { printf '\x01'; unzip -p "$f" Doc_0/Pages/Page_0/Content.xml; } > "$seeds/ofd/01-$(basename "$f" .ofd)" || true
  done
fi

failed=0
for t in $(cargo fuzz list); do
  n=$(find "$seeds/$t" -type f 2>/dev/null | wc -l)
  if [ "$n" -eq 0 ]; then
    echo "fuzz $t: no seed inputs (corpus at $CORPUS?)" >&2
    failed=1
    continue
  fi
  work=$(mktemp -d)
  log=$(mktemp)
  # The first directory collects new inputs (thrown away); the seeds are only read.
  if cargo fuzz run -s none "$t" "$work" "$seeds/$t" -- \
      -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      > "$log" 2>&1; then
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    echo "fuzz $t: ok, ${runs:-?} inputs in ${SECS} s from $n seeds"
  else
    failed=1
    echo "fuzz $t: FAILED" >&2
    tail -n 40 "$log" >&2
    ls fuzz/artifacts/"$t"/ >&2 2>/dev/null || true
  fi
  rm -rf "$work" "$log"
done
exit "$failed"
