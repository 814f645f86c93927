#!/usr/bin/env bash
# Uploads decompression bombs (PDF and DOCX, made in code) to a real amanatd
# on loopback, one fresh server per case, and prints the server's peak
# resident memory (VmHWM), its answer and the time taken; then rewrites the
# "Hostile files" section of docs/benchmarks.md between its markers. Exits
# non-zero if a case misses the goal of 256 MiB per upload.
#
#   scripts/hostile-rss.sh            debug build (deps optimised), as the tests
#   scripts/hostile-rss.sh --release  release build, the figures for operators
#
# Needs about 5 GiB of free memory only if a bomb is not contained.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-0}"
profile=debug
flags=()
if [[ "${1:-}" == "--release" ]]; then
    profile=release
    flags=(--release)
fi
cargo build --locked --quiet "${flags[@]}" -p amanatd --bin amanatd
cargo build --locked --quiet "${flags[@]}" -p amanat --example hostile-rss
exec "target/$profile/examples/hostile-rss" --amanatd "target/$profile/amanatd" --write docs/benchmarks.md
