#!/usr/bin/env bash
# The five quality gates of the org's Rust policy (CONS-009), defined once. CI runs this script,
# gate by gate; run `scripts/gates.sh all` before every pull request.
#
#   scripts/gates.sh all                   the five gates in order, stopping at the first failure
#   scripts/gates.sh build|lint|fmt|test   one gate (lint: clippy, then rustdoc -D warnings)
#   scripts/gates.sh bench                 gate 5 (scripts/bench_gate.py): the base and the head of
#                                          the change, benchmarked now by the same toolchain
#
# Environment (gate 5):
#   BENCH_BASE       git revision to compare with (default: where HEAD left main; none = no base)
#   BENCH_BASE_DIR   a checkout of the base instead (CI checks the pull request's base out there)
#   BENCH_THRESHOLD  largest allowed rise of a benchmark's instructions or estimated cycles, percent
#                    (default: 5; a benchmark may declare its own, see benches/instructions.rs)
#   BENCH_BUDGET_MS  hot-path budget per benchmark iteration in ms (default: 5, the policy's; 0 = off)
#   BENCH_ARGS       criterion flags, e.g. "--measurement-time 5" (default: short runs)
#   BENCH_REPORT     a path: the instruction counts' verdict as JSON (the template's fleet rehearsal)
#   QDRANT_URL       when set, `test` also runs the live tests marked #[ignore]
#   CRATE_DIR        crate to check (default: the crate this script belongs to)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "${CRATE_DIR:-$script_dir/..}"

say() { printf '\n== %s\n' "$*" >&2; }

gate_build() { say "gate 1/5: build"; cargo build --release; }
# Gate 2 lints the code and its docs: the policy's clippy command as written, then rustdoc with
# warnings as errors (a broken or ambiguous doc link fails like a clippy warning). Both are static
# checks of the same sources, so the docs join gate 2 rather than making a sixth gate.
gate_lint() {
  say "gate 2/5: lint (clippy, then rustdoc)"
  cargo clippy --all-targets --all-features -- -D warnings
  RUSTDOCFLAGS="${RUSTDOCFLAGS:-} -D warnings" cargo doc --no-deps --all-features
}
gate_fmt() { say "gate 3/5: format"; cargo fmt --check; }

gate_test() {
  say "gate 4/5: test"
  if [[ -n "${QDRANT_URL:-}" ]]; then
    cargo test --all-features --no-fail-fast -- --include-ignored
  else
    cargo test --all-features --no-fail-fast
  fi
}

# Gate 5 lives in Python (standard library): base and head, instruction counts and wall-clock.
gate_bench() {
  say "gate 5/5: benchmarks (fail above ${BENCH_THRESHOLD:-5}% more instructions or cycles than the base, or over ${BENCH_BUDGET_MS:-5} ms)"
  python3 "$script_dir/bench_gate.py"
}

case "${1:-all}" in
  all) gate_build; gate_lint; gate_fmt; gate_test; gate_bench; say "all five quality gates passed" ;;
  build) gate_build ;;
  lint) gate_lint ;;
  fmt) gate_fmt ;;
  test) gate_test ;;
  bench) gate_bench ;;
  *) echo "usage: $0 [all|build|lint|fmt|test|bench]" >&2; exit 2 ;;
esac
