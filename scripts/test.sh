#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the tools the
# tests use (they fail loudly, never skip, when a tool is missing), then runs
# `cargo test` on the whole workspace, slow suites included.
#
# Tools: age (age-keygen, for interoperability with the reference age);
# chromium and chromium-driver (the browser test, JavaScript off).
# tor (the shipped torrc is checked and run); microsocks (a real SOCKS5 proxy
# for the reviewer CLI); systemd (systemd-analyze rates the shipped unit);
# openssl (deploy/tor/client-auth-keygen.sh); fuse3 (fusermount3 mounts the
# power-cut test's file system, tests/powercut.rs); exiftool, mat2, ffmpeg, sox,
# flac, opus-tools, vorbis-tools, libheif-examples and imagemagick (the
# stripping tests make fixtures with them and judge the cleaned files).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v age-keygen >/dev/null 2>&1 || need+=(age)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v tor >/dev/null 2>&1 || need+=(tor)
command -v microsocks >/dev/null 2>&1 || need+=(microsocks)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v fusermount3 >/dev/null 2>&1 || need+=(fuse3)
# Metadata stripping (tests/strip/): independent readers, and real tools that
# make the dirty fixtures and decode the cleaned files.
command -v exiftool >/dev/null 2>&1 || need+=(libimage-exiftool-perl)
command -v mat2 >/dev/null 2>&1 || need+=(mat2)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v sox >/dev/null 2>&1 || need+=(sox)
command -v flac >/dev/null 2>&1 || need+=(flac)
command -v opusenc >/dev/null 2>&1 || need+=(opus-tools)
command -v vorbiscomment >/dev/null 2>&1 || need+=(vorbis-tools)
command -v heif-enc >/dev/null 2>&1 || need+=(libheif-examples)
dpkg -s imagemagick >/dev/null 2>&1 || need+=(imagemagick)
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

# Smaller, faster test builds on small machines.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-0}"
# The whole workspace (both binaries are built first: the end-to-end tests
# run them) with the slow suites (`slow-tests`, see Cargo.toml).
exec cargo test --locked --workspace --features amanat/slow-tests "$@"
