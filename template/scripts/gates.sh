#!/usr/bin/env bash
# The five quality gates of the org's Rust policy (CONS-009), defined once. CI runs this script,
# gate by gate; run `scripts/gates.sh all` before every pull request.
#
#   scripts/gates.sh all                 the five gates in order, stopping at the first failure
#   scripts/gates.sh build|lint|fmt|test one gate
#   scripts/gates.sh bench               gate 5: `cargo bench`, then compare with the baseline
#   scripts/gates.sh bench-save [NAME]   benchmark and save the results as baseline NAME
#
# Environment:
#   BENCH_BASELINE   baseline compared against by `bench` (default: main)
#   BENCH_THRESHOLD  largest allowed slowdown in percent (default: 5)
#   BENCH_BUDGET_MS  hot-path budget per benchmark iteration in ms (default: 5, the policy's; 0 = off)
#   BENCH_ARGS       extra criterion flags, e.g. "--warm-up-time 1 --measurement-time 3"
#   QDRANT_URL       when set, `test` also runs the live tests marked #[ignore]
#   CRATE_DIR        crate to check (default: the crate this script belongs to)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "${CRATE_DIR:-$script_dir/..}"

baseline=${BENCH_BASELINE:-main}
threshold=${BENCH_THRESHOLD:-5}
budget_ms=${BENCH_BUDGET_MS:-5}
read -r -a bench_args <<<"${BENCH_ARGS:-}"

say() { printf '\n== %s\n' "$*" >&2; }

gate_build() { say "gate 1/5: build"; cargo build --release; }
gate_lint() { say "gate 2/5: lint"; cargo clippy --all-targets --all-features -- -D warnings; }
gate_fmt() { say "gate 3/5: format"; cargo fmt --check; }

gate_test() {
  say "gate 4/5: test"
  if [[ -n "${QDRANT_URL:-}" ]]; then
    cargo test --all-features --no-fail-fast -- --include-ignored
  else
    cargo test --all-features --no-fail-fast
  fi
}

# Where criterion keeps results and baselines: <target dir>/criterion/<package>, so crates that
# share a CARGO_TARGET_DIR never compare against each other's baselines. CRITERION_HOME wins.
use_criterion_home() {
  if [[ -z "${CRITERION_HOME:-}" ]]; then
    CRITERION_HOME=$(cargo metadata --format-version 1 --no-deps | python3 -c '
import json, sys
meta = json.load(sys.stdin)
print(meta["target_directory"] + "/criterion/" + meta["packages"][0]["name"])')
  fi
  export CRITERION_HOME
}

gate_bench_save() {
  local name=${1:-$baseline}
  use_criterion_home
  say "benchmarks, saved as baseline '$name' in $CRITERION_HOME"
  cargo bench --no-fail-fast -- --save-baseline "$name" "${bench_args[@]}"
}

gate_bench() {
  say "gate 5/5: benchmarks (fail above ${threshold}% slower than baseline '$baseline' or over ${budget_ms} ms)"
  local started
  use_criterion_home
  started=$(date +%s.%N)
  if [[ -z "$(find "$CRITERION_HOME" -path "*/$baseline/estimates.json" -print -quit 2>/dev/null)" ]]; then
    echo "no baseline '$baseline' in $CRITERION_HOME yet: saving this run as the baseline (nothing to compare)" >&2
    gate_bench_save "$baseline"
  else
    cargo bench --no-fail-fast -- --baseline-lenient "$baseline" "${bench_args[@]}"
  fi
  python3 "$script_dir/bench_regression.py" --criterion-dir "$CRITERION_HOME" --baseline "$baseline" \
    --threshold "$threshold" --budget-ms "$budget_ms" --since "$started"
}

case "${1:-all}" in
  all) gate_build; gate_lint; gate_fmt; gate_test; gate_bench; say "all five quality gates passed" ;;
  build) gate_build ;;
  lint) gate_lint ;;
  fmt) gate_fmt ;;
  test) gate_test ;;
  bench) gate_bench ;;
  bench-save) gate_bench_save "${2:-$baseline}" ;;
  *) echo "usage: $0 [all|build|lint|fmt|test|bench|bench-save [NAME]]" >&2; exit 2 ;;
esac
