#!/usr/bin/env bash
# The mutation fuzzer of tests/reliability.rs with N cases (default 10000):
#   scripts/fuzz.sh [N] [SEED]
# AWAITIFY_FUZZ_CORPUS=DIR adds the .rs files under DIR that mention both
# `async` and `Mutex` (e.g. ~/.cargo/registry/src/*/) to the fixture files.
# It runs the debug build, which has the test hooks and overflow checks.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWAITIFY_FUZZ_CASES="${1:-10000}"
export AWAITIFY_FUZZ_SEED="${2:-1}"
exec cargo test --test reliability fuzz_mutated_crates -- --nocapture
