#!/usr/bin/env bash
# Fuzz smoke pass: every cargo-fuzz target in fuzz/ runs for FUZZ_SMOKE_SECS seconds (default 20)
# from a seed corpus of real inputs (the shared corpus, the Word renditions, a few pandoc docx,
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
# The ten smallest pandoc test documents: many features in few bytes.
mapfile -t pandoc < <(ls -S "$CORPUS"/external/pandoc-docx/*.docx 2>/dev/null | tail -n 10)
sheets=("$CORPUS"/variants/*.xlsx)
xls=(tests/fixtures/*.xls tests/fixtures/fuzz/*.xls)
add decode "${text[@]}"
add text_structure "${text[@]}"
add docx "${docx[@]}" "${pandoc[@]}"
add_sheet 00 "${sheets[@]}"
add_sheet 02 "${xls[@]}"
add parse_bytes "${text[@]}" "${docx[@]}" "${sheets[@]}" "${xls[@]}"
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
