#!/usr/bin/env bash
# The crash-consistency harness (tests/crash.rs) at full size: 10,000
# acknowledged submissions from 16 browsers while the real amanatd is killed
# with SIGKILL at random moments (AMANAT_CRASH_KILLS, default 8). Prints the
# figures and rewrites the "crash" section of docs/benchmarks.md. The same
# test runs in `cargo test` (and so in CI) with the same default size.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-0}"
export AMANAT_CRASH_SUBMISSIONS="${AMANAT_CRASH_SUBMISSIONS:-10000}"
export AMANAT_CRASH_WRITE="$PWD/docs/benchmarks.md"
exec cargo test --locked --workspace --features amanat/slow-tests --test crash -- acknowledged_reports_survive --nocapture
