#!/usr/bin/env bash
# Migrates a copy of a binary crate end to end, as the held-out crates of
# the README's corpus review were checked: runs it, runs awaitify --write on
# a copy, builds the copy with -D warnings, runs it, compares the output,
# runs its tests, and runs awaitify again (a second run must change nothing).
#
#   scripts/check-crate.sh CRATE_DIR OUT_DIR [awaitify flags...]
#
# OUT_DIR gets each step's stdout/stderr and the applied diff; the last
# line says whether the output stayed the same and the second run was empty.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { sed -n 2,10p "$0" >&2; exit 2; }
crate=$(cd "$1" && pwd) out=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2
bin=${AWAITIFY:-$root/target/release/awaitify}
[ -x "$bin" ] || { echo "no awaitify binary at $bin: cargo build --release" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$crate" "$work/crate" && rm -rf "$work/crate/target"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$out/target}
(cd "$crate" && cargo run -q >"$out/orig.out" 2>"$out/orig.err"); echo "original run: exit $?"
(cd "$work/crate" && "$bin" --color never --write --allow-dirty "$@" >"$out/write.out" 2>"$out/write.err"); echo "awaitify --write: exit $?"
(cd "$work/crate" && RUSTFLAGS="-D warnings" cargo build -q >"$out/build.out" 2>&1); build=$?
echo "build with -D warnings: exit $build"
(cd "$work/crate" && cargo run -q >"$out/new.out" 2>"$out/new.err"); echo "migrated run: exit $?"
(cd "$work/crate" && cargo test -q >"$out/test.out" 2>&1); tests=$?; echo "migrated tests: exit $tests"
(cd "$work/crate" && "$bin" --color never "$@" >"$out/second.out" 2>"$out/second.err"); echo "second dry run: exit $?"
diff -ru "$crate/src" "$work/crate/src" >"$out/applied.diff"
same=no; cmp -s "$out/orig.out" "$out/new.out" && same=yes
settled=no; [ ! -s "$out/second.out" ] && settled=yes
echo "builds: $([ $build = 0 ] && echo yes || echo no); same output: $same; tests pass: $([ $tests = 0 ] && echo yes || echo no); second run changes nothing: $settled"
