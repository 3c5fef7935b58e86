#!/usr/bin/env bash
# Runs the README's first ```sh block verbatim in a fresh clone of HEAD, as a
# new user would. The build goes to target/readme-setup (kept between runs,
# so only the first run builds from scratch).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
clone="$(mktemp -d)"
trap 'rm -rf "$clone"' EXIT
git clone --quiet "$root" "$clone/awaitify"
block="$(awk '/^```sh$/ { on = 1; next } on && /^```$/ { exit } on { print }' "$root/README.md")"
if [ -z "$block" ]; then
    echo "readme-setup: README.md has no \`\`\`sh block" >&2
    exit 1
fi
echo "readme-setup: running in a fresh clone:" >&2
echo "$block" >&2
cd "$clone/awaitify"
CARGO_TARGET_DIR="$root/target/readme-setup" bash -euo pipefail -c "$block" >/dev/null
echo "readme-setup: ok" >&2
