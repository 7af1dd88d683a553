#!/usr/bin/env bash
# `make fuzz`: runs every cargo-fuzz target (or those named as arguments) for FUZZ_SECONDS each (default 300), one
# after the other with one libFuzzer process each (the machine is shared), starting from the committed seeds in
# fuzz/seeds/<target>/ plus the corpus grown by earlier runs in fuzz/corpus/<target>/ (git-ignored).
# Prints one line per target: seconds run, executions, corpus size, and CLEAN or the crash artifact.
# A crash, a timeout (an input taking longer than FUZZ_TIMEOUT seconds) or running out of memory stops the run
# with exit status 1; the reproducer is in fuzz/artifacts/<target>/. Turn each one into a test in tests/hostile.rs.
set -uo pipefail
cd "$(dirname "$0")"
FUZZ_SECONDS=${FUZZ_SECONDS:-300}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-65536}
say() { printf '[fuzz] %s\n' "$*"; }

# 1. The nightly toolchain: libFuzzer and the sanitizers need -Z flags that only nightly accepts.
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  cat >&2 <<'EOF'
[fuzz] cargo fuzz needs the nightly Rust toolchain (libFuzzer instrumentation and AddressSanitizer use -Z flags
[fuzz] that stable rustc refuses). Nothing else in the project needs nightly. Install it once with:
[fuzz]     rustup toolchain install nightly --profile minimal
[fuzz] then run `make fuzz` again.
EOF
  exit 2
fi

# 2. cargo-fuzz itself (a cargo subcommand from crates.io).
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (once, about a minute)"
  cargo install cargo-fuzz || { say "cargo install cargo-fuzz failed: install it by hand, then run make fuzz again" >&2; exit 2; }
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi

say "building the targets (nightly, AddressSanitizer, debug assertions and overflow checks on)"
cargo +nightly fuzz build -O --debug-assertions >logs-build.txt 2>&1 || { cat logs-build.txt >&2; exit 1; }
rm -f logs-build.txt

mkdir -p logs
status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log="logs/$t.log"
  say "$t: ${FUZZ_SECONDS}s, one worker, -timeout=${FUZZ_TIMEOUT}s, -max_len=${FUZZ_MAX_LEN}"
  cargo +nightly fuzz run -O --debug-assertions "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -max_len="$FUZZ_MAX_LEN" \
    -rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=1 >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  files=$(ls "corpus/$t" | wc -l)
  if [ $rc -eq 0 ]; then
    line="$t: CLEAN for ${secs:-?} s, ${execs:-?} executions, ${cov:-cov: ?}, corpus ${files} inputs"
  else
    artifact=$(grep -o 'artifacts/[^ ]*' "$log" | tail -1)
    line="$t: FAILED (exit $rc) after ${execs:-?} executions: ${artifact:-see fuzz/$log}"
    status=1
  fi
  say "$line"
  summary+=("$line")
done
echo
say "summary (logs in fuzz/logs/):"
for l in "${summary[@]}"; do say "  $l"; done
exit $status
