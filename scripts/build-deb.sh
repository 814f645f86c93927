#!/usr/bin/env bash
# Builds the Debian package: release binaries, man pages and shell
# completions generated from the clap definitions, then cargo-deb.
# Installs cargo-deb first if it is missing (a few minutes, once).
# Output: target/debian/amanat_<version>_<arch>.deb
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo-deb >/dev/null 2>&1 || cargo install --locked cargo-deb

cargo build --locked --release --workspace --bins
rm -rf target/assets
target/release/amanatd generate-docs --out target/assets >/dev/null
target/release/amanat generate-docs --out target/assets >/dev/null
# Debian policy: man pages compressed, reproducibly (-n: no name or time).
gzip -9n target/assets/man/*.1
cargo deb --locked --no-build "$@"
ls -l target/debian/*.deb
