#!/usr/bin/env bash
# Runs every fuzz target in turn for SECONDS each (default 600), niced, without
# sanitizers (the code is safe Rust: the fuzzer looks for panics, hangs and
# runaway memory). Seeds each corpus from the test fixtures. On a stable
# toolchain RUSTC_BOOTSTRAP=1 lets cargo-fuzz use the flags it needs.
#   fuzz/run-all.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(RUSTC_BOOTSTRAP=1 cargo fuzz list)
fi
./seed.sh
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none
for target in "${targets[@]}"; do
  echo "== $target for $seconds s, from $(date -u +%H:%M:%S)"
  nice -n 10 cargo fuzz run -s none "$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
  echo "== $target done at $(date -u +%H:%M:%S)"
done
