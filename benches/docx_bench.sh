#!/usr/bin/env bash
# Word reader benchmark: `docingest parse` versus `pandoc -t plain` on the same synthetic report.
#
#   benches/docx_bench.sh [MEGABYTES_OF_DOCUMENT_XML=5] [RUNS=5]
#
# Generates target/bench/docx_bench.docx with `cargo run --release --example gen_docx`, then
# runs each tool RUNS times, recording wall time (date +%s%N around the process) and peak RSS
# (/usr/bin/time -f %M). Prints the median of each and the speed ratio. Needs /usr/bin/time and
# pandoc (Debian: apt-get install time pandoc).
set -euo pipefail
cd "$(dirname "$0")/.."

size_mb="${1:-5}"
runs="${2:-5}"
for tool in /usr/bin/time pandoc; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install time pandoc)" >&2; exit 2; }
done

cargo build --release --quiet --bin docingest --example gen_docx
mkdir -p target/bench
docx=target/bench/docx_bench.docx
target/release/examples/gen_docx "$docx" "$size_mb"
xml_bytes=$(unzip -l "$docx" word/document.xml | awk '$4 == "word/document.xml" {print $1}')
echo "input: $docx ($(stat -c %s "$docx") bytes zipped, word/document.xml $xml_bytes bytes)"

# measure NAME CMD... -> prints "NAME median_ms median_rss_kb", all runs on stderr
measure() {
  local name=$1; shift
  local times=() rss=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f %M -o target/bench/rss.txt "$@" >/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
    rss+=("$(tail -n1 target/bench/rss.txt)")
  done
  echo "$name runs (ms): ${times[*]}; peak RSS (KiB): ${rss[*]}" >&2
  local mt mr
  mt=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mr=$(printf '%s\n' "${rss[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$name $mt $mr"
}

read -r _ ours_ms ours_kb < <(measure docingest target/release/docingest parse "$docx")
read -r _ pandoc_ms pandoc_kb < <(measure pandoc pandoc -t plain "$docx")

echo
printf '%-28s %10s %14s\n' tool "median ms" "peak RSS MiB"
printf '%-28s %10s %14.1f\n' "docingest parse" "$ours_ms" "$(echo "$ours_kb / 1024" | bc -l)"
printf '%-28s %10s %14.1f\n' "pandoc -t plain" "$pandoc_ms" "$(echo "$pandoc_kb / 1024" | bc -l)"
printf 'speedup: %.1fx (target >= 20x); docingest peak RSS target <= 50 MiB\n' \
  "$(echo "$pandoc_ms / ($ours_ms + 0.0001)" | bc -l)"
