#!/usr/bin/env bash
# Measures every source page in every language (HTML plus the stylesheet) on a
# real server on loopback, prints the figures, and rewrites the "Page weights"
# section of docs/benchmarks.md between its markers. Fails if a page is over
# the 30 KB budget (the test suite enforces the same budget).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-0}"
exec cargo run --locked --quiet --example page-weights -- --write docs/benchmarks.md
