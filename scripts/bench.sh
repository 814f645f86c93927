#!/usr/bin/env bash
# The benchmark harness (benches/amanat.rs) against release builds of both
# binaries. They belong to other packages of the workspace, so `cargo bench`
# alone does not build them; this builds them first.
# Usage: scripts/bench.sh [SECTION…]   (kdf submit upload followup growth flood lockout)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --release --workspace --bins
exec cargo bench --locked --bench amanat -- "$@"
