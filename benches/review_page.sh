#!/usr/bin/env bash
# The review page at scale: 10,000 synthetic results (the seeds' results with varied ids,
# organizations, levels, years and missing parts), the time `docingest review` takes, the page's
# size, and in headless chromium the time to first paint, to the first rendered rows, to one
# filter and to the first detail. Needs the release binary, python3, node and Debian's chromium.
#   benches/review_page.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
runs="${2:-5}"
bin="${DOCINGEST_BIN:-target/release/docingest}"
corpus="${DOCINGEST_CORPUS:-../shared/corpus}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" parse "$corpus/seeds/" >"$dir/seeds.jsonl"
python3 benches/review_synth.py "$n" <"$dir/seeds.jsonl" >"$dir/r.jsonl"
echo "input: $n results, $(du -m "$dir/r.jsonl" | cut -f1) MiB of JSON Lines"
start=$(date +%s.%N)
"$bin" review "$dir/r.jsonl" -o "$dir/review.html" --csv "$dir/overview.csv"
end=$(date +%s.%N)
printf 'docingest review: %.2f s\n' "$(echo "$end - $start" | bc)"
html=$(stat -c %s "$dir/review.html")
gz=$(gzip -c "$dir/review.html" | wc -c)
printf 'page: %.1f MiB (%.1f MiB gzipped), csv: %d KiB\n' "$(echo "$html / 1048576" | bc -l)" \
  "$(echo "$gz / 1048576" | bc -l)" "$(( $(stat -c %s "$dir/overview.csv") / 1024 ))"
node --experimental-websocket --no-warnings benches/review_paint.mjs "$dir/review.html" "$runs"
