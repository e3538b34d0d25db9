#!/usr/bin/env bash
# Time `bash .ci/run` as a new machine runs it: a fresh clone of this repository's HEAD, an EMPTY
# cargo home (every crate downloaded, every tool compiled), an empty npm cache, no target dir.
#
#   bash benchmarks/bench_ci.sh [WORKDIR]      (default: a new temporary folder, kept)
#
# Prints .ci/run's phase times and pytest's ten slowest tests; the whole log is WORKDIR/ci.log.
# Add load with e.g. `python3 -c 'while True: pass' &` before starting, to measure a busy machine.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d -t bench-ci-XXXXXX)}
mkdir -p "$work"
rm -rf "$work/clone" "$work/cargo-home" "$work/npm-cache"
git clone --quiet "$repo" "$work/clone"
# .ci/run expects ../shared beside the clone, as CI places it.
[ -e "$repo/../shared" ] && [ ! -e "$work/shared" ] && ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"
mkdir -p "$work/cargo-home" "$work/npm-cache"
started=$(date +%s)
status=0
(
  cd "$work/clone"
  unset CARGO_TARGET_DIR
  export CARGO_HOME="$work/cargo-home" PATH="$work/cargo-home/bin:$PATH" npm_config_cache="$work/npm-cache"
  bash .ci/run
) >"$work/ci.log" 2>&1 || status=$?
echo "bench_ci: .ci/run exited $status after $(( $(date +%s) - started )) s (log: $work/ci.log)"
grep -E '^== \.ci/run: ' "$work/ci.log" || true
sed -n '/slowest 10 durations/,/^$/p' "$work/ci.log" | head -13
exit "$status"
