#!/usr/bin/env bash
# Migrates real crates from crates.io and checks that their own test suites
# still pass: deadpool, lettre (tokio features; its library tests, as its
# integration tests need a live SMTP server) and mini-redis (whose locks
# are only taken in sync fns, so it must come out unchanged or only reported),
# plus bb8, whose test suite has a std Mutex that awaitify does migrate; then
# the baseline round trip (scripts/baseline-roundtrip.sh) on each, unchanged.
#
# Usage: scripts/realworld.sh        (slow: builds three crates twice; not in CI)
# Needs libssl-dev and pkg-config for lettre's native-tls feature.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${AWAITIFY_REALWORLD_DIR:-${TMPDIR:-/tmp}/awaitify-realworld}
rm -rf "$work" && mkdir -p "$work"
export CARGO_TARGET_DIR="$work/target"

cargo build --release --manifest-path "$root/Cargo.toml" -q
awaitify="$root/target/release/awaitify"

# name version cargo-test-args
crates=(
  "deadpool 0.13.1 --all-features"
  "lettre 0.11.23 --lib --no-default-features --features builder,hostname,smtp-transport,pool,tokio1,tokio1-native-tls"
  "mini-redis 0.4.1 "
  "bb8 0.9.1 "
)

# Fetch exactly these crates (not their dependencies) from cargo's cache.
mkdir -p "$work/fetch/src" && touch "$work/fetch/src/lib.rs"
{
  printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n'
  for c in "${crates[@]}"; do set -- $c; printf '%s = "=%s"\n' "$1" "$2"; done
} > "$work/fetch/Cargo.toml"
(cd "$work/fetch" && cargo fetch -q)
registry=${CARGO_HOME:-$HOME/.cargo}/registry/src

status=0
for c in "${crates[@]}"; do
  set -- $c
  name=$1 version=$2; shift 2
  src=$(ls -d "$registry"/*/"$name-$version" | head -n 1)
  dir="$work/$name"
  cp -r "$src" "$dir"
  cp -r "$dir" "$dir.orig"
  echo "== $name $version: cargo test $* (before)"
  (cd "$dir" && cargo test -q "$@" >"$work/$name.before.log" 2>&1) || { echo "   tests fail before migration: see $work/$name.before.log"; status=1; continue; }
  echo "== $name: awaitify --write"
  (cd "$dir" && "$awaitify" --write --allow-dirty . 2>&1 | tee "$work/$name.awaitify.log" | tail -n 1) || true
  changed=$(diff -rq "$dir.orig" "$dir" | grep -v Cargo.lock | wc -l || true)
  echo "   files changed: $changed"
  echo "== $name: cargo test $* (after)"
  if (cd "$dir" && cargo test -q "$@" >"$work/$name.after.log" 2>&1); then
    echo "   PASS"
  else
    echo "   FAIL after migration: see $work/$name.after.log"; status=1
  fi
  if [ "$name" = mini-redis ] && [ "$changed" != 0 ]; then
    echo "   FAIL: mini-redis takes its locks only in sync fns and must be unchanged"; status=1
  fi
done
echo "== baseline round trip on the unchanged crates"
roundtrip=()
for c in "${crates[@]}"; do set -- $c; roundtrip+=("$work/$1.orig"); done
AWAITIFY="$awaitify" "$root/scripts/baseline-roundtrip.sh" "${roundtrip[@]}" || status=1
exit $status
