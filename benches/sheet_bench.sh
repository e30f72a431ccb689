#!/usr/bin/env bash
# Spreadsheet benchmark: `docingest parse` on a generated ROWS x COLUMNS xlsx sheet (default
# 200 000 x 10), measured with GNU time: wall clock, CPU time (user + sys) and peak resident
# memory. Targets (issue 3): <= 2 s and <= 50 MB for 200 000 x 10.
#
#   benches/sheet_bench.sh [ROWS] [COLUMNS] [--no-refs]
#
# Cells carry an Excel-style reference on every cell (`<c r="B7">`), as Excel writes them: the
# honest case, 67 MB of sheet XML for 200 000 x 10. --no-refs leaves the references out (they
# are optional in SpreadsheetML; 44 MB of XML, the same cells). See examples/gen_xlsx.rs.
#
# Needs /usr/bin/time (Debian: apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/.."
refs=--refs
positional=()
for arg in "$@"; do
    case "$arg" in
        --no-refs) refs= ;;
        --refs) refs=--refs ;;
        -*) echo "unknown option $arg (usage: $0 [ROWS] [COLUMNS] [--no-refs])" >&2; exit 2 ;;
        *) positional+=("$arg") ;;
    esac
done
rows=${positional[0]:-200000}
cols=${positional[1]:-10}
if [ ! -x /usr/bin/time ]; then
    echo "needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release --bin docingest --example gen_xlsx
./target/release/examples/gen_xlsx "$work/sheet.xlsx" "$rows" "$cols" $refs
if [ -n "$refs" ]; then
    echo "cell references: on every cell (Excel style)"
else
    echo "cell references: none (--no-refs)"
fi
ls -l "$work/sheet.xlsx" | awk '{print "input:", $5, "bytes"}'
unzip -l "$work/sheet.xlsx" xl/worksheets/sheet1.xml | awk 'NR==4 {print "sheet XML:", $1, "bytes"}'

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# One warm-up run so the file is in the page cache; it must succeed, or there is nothing to time.
./target/release/docingest parse "$work/sheet.xlsx" > "$work/out.json"
ls -l "$work/out.json" | awk '{print "result JSON:", $5, "bytes"}'
for i in 1 2 3; do
    /usr/bin/time -v ./target/release/docingest parse "$work/sheet.xlsx" \
        > /dev/null 2> "$work/time.txt"
    wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}')
    user=$(grep 'User time' "$work/time.txt" | awk '{print $NF}')
    sys=$(grep 'System time' "$work/time.txt" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
    # On a shared machine wall time includes waiting for a core; user + sys is the work.
    # GNU time reports kibibytes: shown as MiB and as MB (10^6 bytes).
    awk -v i="$i" -v wall="$wall" -v user="$user" -v sys="$sys" -v kib="$rss" 'BEGIN {
        printf "run %s: wall %s (m:ss), cpu %ss user + %ss sys = %.2f s, peak RSS %.1f MiB (%.1f MB)\n",
            i, wall, user, sys, user + sys, kib / 1024, kib * 1024 / 1e6 }'
done
