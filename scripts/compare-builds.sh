#!/usr/bin/env bash
# Compares the cost of two builds of awaitify on the benchmark corpus, in one
# run: instructions counted by callgrind with one worker thread (a count that
# does not depend on what else the machine is doing), peak RSS, and the
# median wall-clock time of alternated dry runs. Reports NEW/BASE ratios.
#
#   scripts/compare-builds.sh BASE_REV [NEW_REV] [--reps N]
#
# Each revision is built in release mode in its own worktree under
# target/compare/ (NEW_REV defaults to the working tree's build,
# target/release/awaitify). Needs valgrind and GNU time; the corpus is the
# one scripts/bench.sh fetches (target/bench/corpus, or AWAITIFY_CORPUS).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
reps=5
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --reps) reps=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
[ ${#args[@]} -ge 1 ] || { sed -n 2,12p "$0" >&2; exit 2; }
corpus=${AWAITIFY_CORPUS:-$root/target/bench/corpus}
[ -f "$corpus/.complete" ] || { echo "no corpus at $corpus: run scripts/bench.sh first" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }

build() { # REV -> path of its release binary
  local rev=$1 dir=$root/target/compare/$1
  if [ ! -x "$dir/target/release/awaitify" ]; then
    rm -rf "$dir" && git -C "$root" worktree prune
    git -C "$root" worktree add -q --detach "$dir" "$rev" >&2
    (cd "$dir" && cargo build -q --release --locked >&2)
  fi
  echo "$dir/target/release/awaitify"
}
base=$(build "${args[0]}")
if [ ${#args[@]} -ge 2 ]; then new=$(build "${args[1]}"); else
  (cd "$root" && cargo build -q --release --locked)
  new=$root/target/release/awaitify
fi

cd "$corpus"
run() { "$1" --no-verify --format concise "${@:2}" . >/dev/null 2>&1 || [ $? -le 2 ]; }
instructions() {
  local out; out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" --no-verify \
    --format concise --threads 1 . >/dev/null 2>"$out" || true
  grep -oE 'Collected : [0-9]+' "$out" | grep -oE '[0-9]+'
  rm -f "$out"
}
rss() { # peak resident set in KiB (findings make awaitify exit 1)
  { /usr/bin/time -f '%M' "$1" --no-verify --format concise . 2>&1 >/dev/null || true; } | tail -n 1
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

run "$base"; run "$new" # warm the page cache
ib=$(instructions "$base"); in=$(instructions "$new")
rb=$(rss "$base"); rn=$(rss "$new")
tb=(); tn=()
for _ in $(seq "$reps"); do
  for which in base new; do
    bin=$base; [ $which = new ] && bin=$new
    s=$(date +%s.%N); run "$bin"; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    if [ $which = base ]; then tb+=("$t"); else tn+=("$t"); fi
  done
done
mb=$(printf '%s\n' "${tb[@]}" | median); mn=$(printf '%s\n' "${tn[@]}" | median)
ratio() { echo "scale=3; $2 / $1" | bc; }
printf '%-28s %16s %16s %8s\n' "" "base ${args[0]}" "new ${args[1]:-worktree}" "new/base"
printf '%-28s %16s %16s %8s\n' "instructions (1 thread)" "$ib" "$in" "$(ratio "$ib" "$in")"
printf '%-28s %16s %16s %8s\n' "peak RSS KiB" "$rb" "$rn" "$(ratio "$rb" "$rn")"
printf '%-28s %16s %16s %8s\n' "median wall s ($reps alternated)" "$mb" "$mn" "$(ratio "$mb" "$mn")"
