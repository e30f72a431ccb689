#!/usr/bin/env bash
# benches/e2e checks its own results: a tiny clean run must pass, and a run where some jobs
# cannot produce a result (a truncated .docx among the inputs, dead-lettered by both
# implementations) must exit 1 saying how many jobs have no result. Uses the debug binary
# `cargo test --all-targets` has just built; about half a minute after the first run, which
# creates .ci-state/e2e-venv (pika, boto3, python-docx).
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus="${DOCINGEST_CORPUS:-../shared/corpus}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/good" "$dir/bad"
cp "$corpus/variants/000_plain.docx" "$corpus/seeds/001_9c76b1dea792aca4.txt" "$dir/good/"
cp "$dir/good/"* "$dir/bad/"
head -c 20000 "$corpus/variants/002_styles.docx" >"$dir/bad/truncated.docx"
small=(--binary target/debug/docingest --jobs 12 --workers 1 --paced-secs 1)

benches/e2e "${small[@]}" --inputs "$dir/good" >"$dir/good.out" 2>&1 || {
  cat "$dir/good.out"; echo "FAIL: benches/e2e failed on good inputs" >&2; exit 1; }
grep -q '^| python | 1 |' "$dir/good.out" && grep -q '^| docingest | 1 |' "$dir/good.out" || {
  cat "$dir/good.out"; echo "FAIL: no result table" >&2; exit 1; }
echo "clean run: passed with a table"

for impl in docingest python; do
  status=0
  benches/e2e "${small[@]}" --impl "$impl" --inputs "$dir/bad" >"$dir/bad.out" 2>&1 || status=$?
  kept=$(sed -n 's/^worker logs kept in //p' "$dir/bad.out")
  [ -n "$kept" ] && rm -rf "$kept"
  if [ "$status" -ne 1 ] || ! grep -q "FAIL: $impl K=1: 4 of 12 job(s) have no result" "$dir/bad.out"; then
    cat "$dir/bad.out"
    echo "FAIL: $impl with a truncated input: exit $status, expected 1 and 4 missing results" >&2
    exit 1
  fi
  echo "missing results, $impl: exit 1, $(grep -o '4 of 12 job(s) have no result: .*' "$dir/bad.out")"
done
