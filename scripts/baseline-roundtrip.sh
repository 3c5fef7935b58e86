#!/usr/bin/env bash
# The baseline round trip: on each crate, unchanged, `--write-baseline`
# followed by `--check --fail-on manual --baseline` must report 0 findings
# and exit 0. Prints each crate that fails and what it reported.
#
# Usage: scripts/baseline-roundtrip.sh [CRATE_DIR ...]
#   (default: every crate of the benchmark corpus, target/bench/corpus/*;
#   `scripts/bench.sh` fetches it)
# Set AWAITIFY to the binary to check (default: a release build of HEAD).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${AWAITIFY:-}" ]; then
  cargo build --release --locked -q --manifest-path "$root/Cargo.toml"
  AWAITIFY="$root/target/release/awaitify"
fi
[ $# -gt 0 ] || set -- "$root"/target/bench/corpus/*/
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for dir in "$@"; do
  name=$(basename "$dir")
  "$AWAITIFY" "$dir" --write-baseline "$work/$name.json" >/dev/null 2>"$work/write.log" || {
    echo "FAIL $name: --write-baseline: $(tail -n 1 "$work/write.log")"; failed=$((failed + 1)); continue; }
  if ! "$AWAITIFY" "$dir" --check --fail-on manual --baseline "$work/$name.json" \
      --format concise >/dev/null 2>"$work/check.log"; then
    echo "FAIL $name:"; sed 's/^/    /' "$work/check.log"; failed=$((failed + 1))
  fi
done
echo "baseline round trip: $(($# - failed)) of $# crates give 0 findings and exit 0"
[ "$failed" = 0 ]
