#!/usr/bin/env bash
# Benchmarks awaitify on a corpus of real async Rust (about 4,000 files) against
# a parse-only pass, ast-grep and a plain text search, all measured in the
# same run. See scripts/bench.py for what is measured and reported.
#
# Usage: scripts/bench.sh [--reps N]
# Needs: cargo (fetches the corpus crates), npm (installs @ast-grep/cli 0.51.1), python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${AWAITIFY_BENCH_DIR:-$root/target/bench}
mkdir -p "$work"

crates=(
  tokio@1.54.1 tokio-util@0.7.20 tokio-stream@0.1.19 hyper@1.12.0 hyper-util@0.1.21
  axum@0.8.9 axum-core@0.5.6 tower@0.5.3 tower-http@0.7.1 reqwest@0.13.5 h2@0.4.20
  tonic@0.14.9 sqlx-core@0.9.0 sqlx-postgres@0.9.0 actix-web@4.18.1 actix-rt@2.15.0
  actix-http@3.20.0 async-std@1.13.2 futures-util@0.3.34 futures-channel@0.3.34
  tracing@0.1.44 tracing-subscriber@0.3.23 deadpool@0.13.1 bb8@0.9.1 mini-redis@0.4.1
  redis@1.8.1 lapin@4.12.3 rdkafka@0.39.0 warp@0.4.3 rocket@0.5.2 serde@1.0.229
  serde_json@1.0.154 syn@3.0.10 regex@1.13.2 clap@4.6.9 rayon@1.12.0
  tokio-postgres@0.7.18 tungstenite@0.30.0 tokio-tungstenite@0.30.0 quinn@0.11.12
  async-graphql@7.2.1 moka@0.12.16 opentelemetry_sdk@0.33.1 lettre@0.11.23 rumqttc@0.25.1
)

# The corpus: exactly these crates' sources, unpacked from cargo's cache. Each
# is fetched through its own throwaway manifest so that pins never conflict.
corpus="$work/corpus"
if [ ! -f "$corpus/.complete" ]; then
  rm -rf "$corpus" && mkdir -p "$corpus"
  registry=${CARGO_HOME:-$HOME/.cargo}/registry/src
  for c in "${crates[@]}"; do
    name=${c%@*} version=${c#*@}
    fetch="$work/fetch/$name"
    mkdir -p "$fetch/src" && touch "$fetch/src/lib.rs"
    printf '[package]\nname = "fetch-%s"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s = "=%s"\n' \
      "$name" "$name" "$version" > "$fetch/Cargo.toml"
    (cd "$fetch" && cargo fetch -q)
    cp -r "$(ls -d "$registry"/*/"$name-$version" | head -n 1)" "$corpus/"
  done
  touch "$corpus/.complete"
fi
for n in 2 4; do
  if [ ! -d "$work/corpus-x$n" ]; then
    mkdir -p "$work/corpus-x$n"
    # Hard links where the file system allows them: the same files, each
    # copy its own directory (so its own crates).
    for i in $(seq 1 "$n"); do
      cp -al "$corpus" "$work/corpus-x$n/copy$i" 2>/dev/null || cp -r "$corpus" "$work/corpus-x$n/copy$i"
    done
  fi
done

# ast-grep, from npm (the package ships a prebuilt binary).
if [ ! -x "$work/npm/node_modules/.bin/ast-grep" ]; then
  npm install --silent --prefix "$work/npm" @ast-grep/cli@0.51.1 >/dev/null
fi

(cd "$root" && cargo build --release -q --bin awaitify --example parse_only)
exec python3 "$root/scripts/bench.py" --work "$work" --root "$root" "$@"
