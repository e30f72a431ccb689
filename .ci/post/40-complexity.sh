#!/usr/bin/env bash
# Complexity check: every syntax family a hostile upload could repeat (markup, entities,
# headings of each style, bold, 一是 markers, Markdown tables, facts, 《》 references, chrome
# fields, dates, long and many lines, docx paragraphs/runs/tables, sheet cells) is parsed at
# 256 KB and 1 MB under callgrind; the run fails when a family's instruction count grows more
# than 1.5x the size ratio (6x for 4x the bytes). Instructions, not wall time: deterministic,
# so it cannot flake on a loaded machine. The families live in examples/complexity.rs, one line
# each. Takes about two minutes (callgrind runs ~50x slower than native).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TERM_COLOR=never
if ! command -v valgrind >/dev/null 2>&1; then
  echo "complexity: valgrind is not installed (apt-get install valgrind)" >&2
  exit 1
fi
# The parsing library alone: no service dependencies to build.
cargo build --quiet --locked --release --no-default-features --example complexity
target/release/examples/complexity check
