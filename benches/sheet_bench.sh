#!/usr/bin/env bash
# Spreadsheet benchmark: `docingest parse` on a generated 200 000 x 10 xlsx sheet, measured
# with GNU time (wall clock and peak resident memory). Targets: <= 2 s, <= 50 MB peak RSS.
#
#   benches/sheet_bench.sh [ROWS] [COLUMNS] [--refs]
#
# Cells are written without `r` references unless --refs is given (see examples/gen_xlsx.rs:
# with Excel-style references a 200000 x 10 sheet exceeds the default 64 MiB part limit and
# is refused, which the script then reports).
#
# Needs /usr/bin/time (Debian: apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-200000}
cols=${2:-10}
refs=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release --bin docingest --example gen_xlsx
./target/release/examples/gen_xlsx "$work/sheet.xlsx" "$rows" "$cols" $refs
ls -l "$work/sheet.xlsx" | awk '{print "input:", $5, "bytes"}'
unzip -l "$work/sheet.xlsx" xl/worksheets/sheet1.xml | awk 'NR==4 {print "sheet XML:", $1, "bytes"}'

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# One warm-up run so the file is in the page cache, then three measured runs.
if ! ./target/release/docingest parse "$work/sheet.xlsx" > "$work/out.json"; then
    echo "refused (see the error above); timing the refusal:"
fi
ls -l "$work/out.json" | awk '{print "result JSON:", $5, "bytes"}'
for i in 1 2 3; do
    /usr/bin/time -v ./target/release/docingest parse "$work/sheet.xlsx" \
        > /dev/null 2> "$work/time.txt" || true
    wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
    user=$(grep 'User time' "$work/time.txt" | awk '{print $NF}')
    sys=$(grep 'System time' "$work/time.txt" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
    # On a shared machine wall time includes waiting for a core; user + sys is the work.
    echo "run $i: wall ${wall} (m:ss), cpu ${user}s user + ${sys}s sys, peak RSS $((rss / 1024)) MB"
done
