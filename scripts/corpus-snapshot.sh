#!/usr/bin/env bash
# Records what awaitify says about the benchmark corpus, in five modes, so
# that two builds can be compared finding by finding:
#
#   scripts/corpus-snapshot.sh OUT_DIR [AWAITIFY_BINARY]
#   diff -r before/ after/        (or: git diff --no-index --stat before after)
#
# Modes: concise findings (stderr), the JSON report, the human report, SARIF,
# and the diff with --unsafe-fixes --parking-lot. Paths are relative to the
# corpus, timings are masked, so two runs of one build are byte-identical.
# The corpus is the one scripts/bench.sh fetches (target/bench/corpus; run
# that first, or set AWAITIFY_CORPUS).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
bin=${2:-$root/target/release/awaitify}
corpus=${AWAITIFY_CORPUS:-$root/target/bench/corpus}
[ -f "$corpus/.complete" ] || { echo "no corpus at $corpus: run scripts/bench.sh first" >&2; exit 2; }
[ -x "$bin" ] || { echo "no awaitify binary at $bin: cargo build --release" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

mask() { sed -E 's/in [0-9]+\.[0-9]+s$/in Xs/'; }
cd "$corpus"
run() { "$bin" --no-verify "$@" . || [ $? -le 2 ]; }
run --format concise 2>&1 >/dev/null | mask >"$out/concise.txt"
run --format json 2>/dev/null >"$out/report.json"
run 2>&1 >/dev/null | mask >"$out/human.txt"
run --format sarif 2>/dev/null >"$out/report.sarif"
run --unsafe-fixes --parking-lot 2>/dev/null >"$out/unsafe.diff"
# Findings per rule, for the README's tables.
grep -oE '(warning|error|note)\[AW[0-9]+\]' "$out/concise.txt" | sort | uniq -c >"$out/per-rule.txt"
cat "$out/per-rule.txt"
