#!/usr/bin/env bash
# Runs the fuzz targets in fuzz/ for a bounded time each and prints a summary.
#
#   scripts/fuzz.sh                 # every target, 60 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh multipart intake_form
#
# Installs cargo-fuzz if it is missing. cargo-fuzz needs nightly flags
# (-Zsanitizer); RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
# Targets are built once, in release with debug assertions (so integer
# overflow panics too) and AddressSanitizer, into fuzz/target/: a second
# release build of the whole dependency graph, so the first one takes
# several minutes on 2 cores.
#
# Each target starts from its checked-in seeds in fuzz/corpus/<target>/,
# which are only read: new inputs go to fuzz/target/corpus/<target>/, kept
# between runs. A crash, a timeout or a leak is saved in
# fuzz/artifacts/<target>/ and makes the script exit 1; replay one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -a <target> fuzz/artifacts/<target>/<file>
# and turn it into a regression test beside the code it broke.
#
# Environment: FUZZ_SECONDS (default 60) per target; FUZZ_TIMEOUT (default
# 20) seconds one input may take before it counts as a hang.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
seconds="${FUZZ_SECONDS:-60}"
timeout="${FUZZ_TIMEOUT:-20}"
export RUSTC_BOOTSTRAP=1
# The fuzz crate is its own workspace with its own target directory.
unset CARGO_TARGET_DIR

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "Installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

if (($#)); then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

# `cargo fuzz build` takes one target or all of them (one compile either way).
if (($# == 1)); then
  cargo fuzz build --debug-assertions "$1"
else
  cargo fuzz build --debug-assertions
fi

# The multipart target writes (encrypted) staged files and fsyncs them: a
# tmpfs keeps that fast and off the disk.
scratch_root=/dev/shm
[ -d "$scratch_root" ] && [ -w "$scratch_root" ] || scratch_root="${TMPDIR:-/tmp}"
scratch="$(mktemp -d "$scratch_root/amanat-fuzz.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
# Full libFuzzer output of the last run of each target.
logs=fuzz/target/logs
mkdir -p "$logs"

declare -a rows=()
failed=0
for t in "${targets[@]}"; do
  work="fuzz/target/corpus/$t"
  mkdir -p "$work" "fuzz/corpus/$t"
  log="$logs/$t.log"
  echo "== $t (${seconds}s)"
  start=$SECONDS
  set +e
  TMPDIR="$scratch" cargo fuzz run --debug-assertions "$t" "$work" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  elapsed=$((SECONDS - start))
  stat() { awk -v k="stat::$1:" '$1 == k {print $2}' "$log" | tail -n 1; }
  runs="$(stat number_of_executed_units)"
  rate="$(stat average_exec_per_sec)"
  units="$(stat new_units_added)"
  if ((rc == 0)); then
    result="ok"
  else
    failed=1
    artifact="$(grep -o 'fuzz/artifacts/[^ ]*' "$log" | tail -n 1 || true)"
    result="FAILED (exit $rc) ${artifact:-see log below}"
    tail -n 40 "$log"
  fi
  rows+=("$(printf '%-16s %8s %12s %8s %6s  %s' "$t" "$elapsed" "${runs:-?}" "${rate:-?}" "${units:-?}" "$result")")
done

echo
printf '%-16s %8s %12s %8s %6s  %s\n' target seconds runs exec/s new result
printf '%s\n' "${rows[@]}"
exit "$failed"
