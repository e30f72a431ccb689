#!/usr/bin/env bash
# PDF reader benchmark, in one run on the same file: `docingest parse` (the whole pipeline,
# release build) versus poppler's `pdftotext` (text only) and pdfminer.six (`pdf2txt.py`).
#
#   benches/pdf_bench.sh [PDF=../shared/corpus/bench/seed004x40.pdf] [RUNS=5]
#
# Each tool runs RUNS times; wall time (date +%s%N around the process) and peak RSS
# (/usr/bin/time -f %M) are recorded and the medians printed with the ratios. pdfminer.six is
# installed into target/bench/pdfminer-venv on first use (PyPI). Needs /usr/bin/time,
# pdftotext and python3-venv (Debian: apt-get install time poppler-utils python3-venv).
# Targets (issue 12): docingest <= 1.5x pdftotext's time, >= 10x faster than pdfminer.six,
# peak RSS <= 100 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."

pdf="${1:-../shared/corpus/bench/seed004x40.pdf}"
runs="${2:-5}"
for tool in /usr/bin/time pdftotext python3 bc; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install time poppler-utils python3-venv bc)" >&2; exit 2; }
done

cargo build --release --quiet --bin docingest
mkdir -p target/bench
venv=target/bench/pdfminer-venv
if [ ! -x "$venv/bin/pdf2txt.py" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'pdfminer.six==20260107'
fi
echo "input: $pdf ($(stat -c %s "$pdf") bytes, $(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}') pages)"

# measure NAME RUNS CMD... -> prints "NAME median_ms median_rss_kb", all runs on stderr
measure() {
  local name=$1 n=$2; shift 2
  local times=() rss=()
  for _ in $(seq "$n"); do
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

read -r _ ours_ms ours_kb < <(measure docingest "$runs" target/release/docingest parse "$pdf")
read -r _ pt_ms pt_kb < <(measure pdftotext "$runs" pdftotext "$pdf" -)
# pdfminer takes tens of seconds: at most three runs.
read -r _ pm_ms pm_kb < <(measure pdfminer "$(( runs < 3 ? runs : 3 ))" "$venv/bin/pdf2txt.py" "$pdf")

echo
printf '%-28s %10s %14s\n' tool "median ms" "peak RSS MiB"
printf '%-28s %10s %14.1f\n' "docingest parse" "$ours_ms" "$(echo "$ours_kb / 1024" | bc -l)"
printf '%-28s %10s %14.1f\n' "pdftotext" "$pt_ms" "$(echo "$pt_kb / 1024" | bc -l)"
printf '%-28s %10s %14.1f\n' "pdfminer.six pdf2txt.py" "$pm_ms" "$(echo "$pm_kb / 1024" | bc -l)"
printf 'docingest / pdftotext: %.2fx (target <= 1.5x); pdfminer.six / docingest: %.1fx (target >= 10x); peak RSS target <= 100 MiB\n' \
  "$(echo "$ours_ms / ($pt_ms + 0.0001)" | bc -l)" "$(echo "$pm_ms / ($ours_ms + 0.0001)" | bc -l)"
