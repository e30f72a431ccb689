#!/usr/bin/env bash
# OFD reader benchmark: `docingest parse` (the whole pipeline: reader, layout, normalize,
# structure, extract, JSON) versus the PyPI package easyofd reading the same file's text.
#
#   benches/ofd_bench.sh [OFD=../shared/corpus/bench/seed004x40.ofd] [RUNS=5]
#
# easyofd is installed by this script into target/bench/easyofd-venv (pip, from PyPI). Its
# reader looks for the attribute `Size` while its own writer (which made the corpus files)
# writes `size`, so it cannot read its own output as is: the script gives it a copy with the
# attribute renamed (target/bench/easyofd-input.ofd); docingest reads the original. Each tool
# runs RUNS times; wall time (date +%s%N around the process) and peak RSS (/usr/bin/time -f %M)
# are recorded and the medians printed. Needs /usr/bin/time and python3 with venv
# (Debian: apt-get install time python3-venv).
set -euo pipefail
cd "$(dirname "$0")/.."

ofd="${1:-../shared/corpus/bench/seed004x40.ofd}"
runs="${2:-5}"
command -v /usr/bin/time >/dev/null || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 2; }

cargo build --release --quiet --bin docingest
mkdir -p target/bench
venv=target/bench/easyofd-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import easyofd' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet easyofd
fi
peer_input=target/bench/easyofd-input.ofd
python3 - "$ofd" "$peer_input" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
    for info in zi.infolist():
        data = zi.read(info)
        if info.filename.endswith("Content.xml"):
            data = data.replace(b' size="', b' Size="')
        zo.writestr(info, data)
PY
peer=target/bench/easyofd_text.py
cat > "$peer" <<'PY'
# Prints the text of every text object of every page, in file order (easyofd's reader).
import sys
from loguru import logger
logger.remove()  # easyofd logs every resource at DEBUG level to stderr
from easyofd import OFD
ofd = OFD()
ofd.read(sys.argv[1], fmt="path")
for doc in ofd.data:
    for _, page in sorted(doc["page_info"].items()):
        print("".join(t["text"] for t in page["text_list"]))
PY
pages=$(unzip -l "$ofd" | grep -c 'Content.xml$' || true)
echo "input: $ofd ($(stat -c %s "$ofd") bytes, $pages page descriptions); $("$venv/bin/pip" show easyofd 2>/dev/null | awk '/^Version/ {print "easyofd " $2}')"

# measure NAME CMD... -> prints "NAME median_ms median_rss_kb", all runs on stderr
measure() {
  local name=$1; shift
  local times=() rss=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f %M -o target/bench/rss.txt "$@" >/dev/null 2>target/bench/stderr.txt \
      || { echo "$name failed:" >&2; tail -n 5 target/bench/stderr.txt >&2; exit 1; }
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

read -r _ ours_ms ours_kb < <(measure docingest target/release/docingest parse "$ofd")
read -r _ peer_ms peer_kb < <(measure easyofd "$venv/bin/python" "$peer" "$peer_input")

echo
printf '%-36s %10s %14s\n' tool "median ms" "peak RSS MiB"
printf '%-36s %10s %14.1f\n' "docingest parse (whole pipeline)" "$ours_ms" "$(echo "$ours_kb / 1024" | bc -l)"
printf '%-36s %10s %14.1f\n' "easyofd OFD().read + text" "$peer_ms" "$(echo "$peer_kb / 1024" | bc -l)"
printf 'docingest is %.1fx faster\n' "$(echo "$peer_ms / ($ours_ms + 0.0001)" | bc -l)"
