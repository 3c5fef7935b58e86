#!/usr/bin/env bash
# Peak memory of a dry run over one copy of the benchmark corpus and over
# four copies side by side (each copy its own directory), and their ratio:
# a run holds the crates in hand, not every crate, so four copies should
# need little more than one (issue 24's goal: at most 1.25x).
#
#   scripts/bench-memory.sh [AWAITIFY_BINARY] [--reps N] [--threads N]
#
# The copies are hard links into a temporary directory (plain copies where
# the corpus is on another file system). Peak RSS is GNU time's %M, the
# largest of N runs (3 by default). The corpus is the one scripts/bench.sh
# fetches (target/bench/corpus, or AWAITIFY_CORPUS).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/target/release/awaitify
reps=3
threads=$(nproc)
while [ $# -gt 0 ]; do
  case $1 in
    --reps) reps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) bin=$1; shift ;;
  esac
done
corpus=${AWAITIFY_CORPUS:-$root/target/bench/corpus}
[ -f "$corpus/.complete" ] || { echo "no corpus at $corpus: run scripts/bench.sh first" >&2; exit 2; }
[ -x "$bin" ] || { echo "no awaitify binary at $bin: cargo build --release" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is not installed" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 1 4; do
  mkdir "$tmp/x$n"
  for i in $(seq 1 "$n"); do
    cp -al "$corpus" "$tmp/x$n/copy$i" 2>/dev/null || cp -r "$corpus" "$tmp/x$n/copy$i"
  done
done

# The largest peak RSS (KiB) of $reps dry runs over $1, after a warm-up.
peak() {
  local max=0 kib
  "$bin" -q -j "$threads" "$1" >/dev/null 2>&1 || true
  for _ in $(seq 1 "$reps"); do
    /usr/bin/time -o "$tmp/rss" -f '%M' "$bin" -q -j "$threads" "$1" >/dev/null 2>&1 || true
    kib=$(tail -n 1 "$tmp/rss")
    [ "$kib" -gt "$max" ] && max=$kib
  done
  echo "$max"
}
one=$(peak "$tmp/x1")
four=$(peak "$tmp/x4")
echo "peak RSS of a dry run ($threads threads, largest of $reps runs):"
awk -v a="$one" -v b="$four" 'BEGIN {
  printf "| corpus | peak RSS MiB |\n| --- | --- |\n| 1 copy | %.1f |\n| 4 copies | %.1f |\n", a / 1024, b / 1024
  printf "4 copies / 1 copy: %.2f  (goal <= 1.25; 1 copy: goal <= 64 MiB)\n", b / a
}'
