#!/usr/bin/env bash
# .doc reader benchmark: `docingest parse` (the whole pipeline: detection, the .doc reader,
# normalization, structure, extraction, JSON) versus antiword and catdoc printing the text of
# the same file, and LibreOffice's `--convert-to txt` when it is installed.
#
#   benches/doc_bench.sh [FILE=../shared/corpus/bench/seed004x40.doc] [RUNS=5]
#
# Each tool runs RUNS times; wall time (date +%s%N around the process) and peak RSS
# (/usr/bin/time -f %M); the median of each is printed. Needs /usr/bin/time, bc, antiword and
# catdoc (Debian: apt-get install time bc antiword catdoc); soffice is optional
# (apt-get install libreoffice-writer-nogui).
set -euo pipefail
cd "$(dirname "$0")/.."

doc="${1:-../shared/corpus/bench/seed004x40.doc}"
runs="${2:-5}"
for tool in /usr/bin/time bc antiword catdoc; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install time bc antiword catdoc)" >&2; exit 2; }
done
cargo build --release --quiet --bin docingest
mkdir -p target/bench
echo "input: $doc ($(stat -c %s "$doc") bytes)"

# measure NAME CMD... -> prints "NAME median_ms median_rss_kb", all runs on stderr
measure() {
  local name=$1; shift
  local times=() rss=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f %M -o target/bench/rss.txt "$@" >/dev/null 2>&1
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

row() { printf '%-32s %10s %14.1f\n' "$1" "$2" "$(echo "$3 / 1024" | bc -l)"; }
printf '%-32s %10s %14s\n' tool "median ms" "peak RSS MiB"
read -r _ ms kb < <(measure docingest target/release/docingest parse "$doc")
row "docingest parse" "$ms" "$kb"
read -r _ ms kb < <(measure antiword antiword -w 0 "$doc")
row "antiword -w 0" "$ms" "$kb"
read -r _ ms kb < <(measure catdoc catdoc -w "$doc")
row "catdoc -w" "$ms" "$kb"
if command -v soffice >/dev/null; then
  read -r _ ms kb < <(measure soffice soffice --headless --convert-to txt:Text --outdir target/bench "$doc")
  row "soffice --convert-to txt" "$ms" "$kb"
fi
