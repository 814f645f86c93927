#!/usr/bin/env bash
# Supply-chain check: `cargo deny` against deny.toml (advisories, licenses,
# bans, sources), entirely offline.
#
# Advisories come from the RustSec snapshot in ../shared/advisory-db (beside
# the repository, as in CI). cargo-deny reads a database only as a git
# checkout under deny.toml's `db-path`, in a directory named after the
# database URL, and dates it by the checkout's FETCH_HEAD. So this script
# builds that view under target/advisory-dbs/: `crates/` links to the
# snapshot and FETCH_HEAD carries the snapshot's date (from SNAPSHOT.txt),
# so that cargo-deny's staleness limit applies to the data's real age.
#
# Timings on this project's 2-core machine: installing cargo-deny
# $CARGO_DENY_VERSION with `cargo install --locked` took 5 min 20 s; the
# check itself takes about 3 s (crates already downloaded by the build).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2
snapshot="${AMANAT_ADVISORY_DB:-../shared/advisory-db}"
# cargo-deny's directory name for https://github.com/rustsec/advisory-db
# (the last path segment and a hash of the URL); change it with db-urls.
db="target/advisory-dbs/advisory-db-3157b0e258782691"

if ! cargo deny --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
  echo "Installing cargo-deny $CARGO_DENY_VERSION (about 5 minutes)"
  cargo install --locked cargo-deny --version "$CARGO_DENY_VERSION"
fi

if [ ! -d "$snapshot/crates" ]; then
  echo "No advisory database at $snapshot (expected a RustSec snapshot with crates/)." >&2
  echo "Put one there, or point AMANAT_ADVISORY_DB at one." >&2
  exit 2
fi
day="$(grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' "$snapshot/SNAPSHOT.txt" 2>/dev/null | head -n 1 || true)"
if [ -z "$day" ]; then
  echo "$snapshot/SNAPSHOT.txt does not say the snapshot's date (YYYY-MM-DD)." >&2
  exit 2
fi

# cargo-deny reads each crate's manifest and license files from cargo's
# cache: on a fresh clone, fetch them first (crates.io only, as pinned by
# Cargo.lock; nothing is fetched once a build has run).
cargo fetch --locked --quiet

rm -rf "$db"
mkdir -p "$db/.git"
ln -s "$(cd "$snapshot" && pwd)/crates" "$db/crates"
touch -d "$day 00:00:00 UTC" "$db/.git/FETCH_HEAD"
echo "Advisory database: $snapshot, snapshot of $day"

# --offline: no crate, index or advisory fetch; --locked: Cargo.lock as committed.
exec cargo deny --offline --locked check "$@"
