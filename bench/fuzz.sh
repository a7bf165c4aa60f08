#!/usr/bin/env bash
# Runs every cargo-fuzz target for a fixed time (RELIABILITY I13). Not part of .ci/run: run by
# hand or on a schedule. Only a stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets cargo-fuzz
# pass its nightly-only sanitizer flags.
#
#   bench/fuzz.sh                 # every target, 600 s each, one after the other
#   FUZZ_SECONDS=60 bench/fuzz.sh slug request_path
#
# Results: bench/results/fuzz-<target>.log (libFuzzer's own log) and one summary line per
# target in bench/results/fuzz-summary.txt. A crash leaves its input in
# fuzz/artifacts/<target>/; copy it to tests/fixtures/fuzz/<target>/ as a regression fixture.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-600}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(frontmatter checklist markdown slug request_path)
fi
command -v cargo-fuzz >/dev/null || { echo "cargo install cargo-fuzz first" >&2; exit 2; }
mkdir -p bench/results
export RUSTC_BOOTSTRAP=1
# Build once, then run the binaries directly: `cargo fuzz run` would rebuild (and block on the
# build lock) whenever a source file changes during a long run. FUZZ_NO_BUILD=1 reuses binaries.
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  (cd fuzz && nice -n 10 cargo fuzz build -O 2>&1 | tail -n 3) || true
fi
triple="$(rustc -vV | sed -n 's/^host: //p')"
bindir="fuzz/target/$triple/release"
for t in "${targets[@]}"; do
  [ -x "$bindir/$t" ] || { echo "$bindir/$t missing: build failed?" >&2; exit 1; }
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  # Seed with the committed regression inputs and, for the parsers, the bundled guide.
  if [ -d "tests/fixtures/fuzz/$t" ]; then cp -n tests/fixtures/fuzz/"$t"/* "fuzz/corpus/$t/" 2>/dev/null || true; fi
  case "$t" in
    frontmatter|markdown) cp -n guide/chapters/*/*.md guide/index.md "fuzz/corpus/$t/" 2>/dev/null || true ;;
    checklist) cp -n guide/checklists/*.yaml "fuzz/corpus/$t/" 2>/dev/null || true ;;
  esac
  log="bench/results/fuzz-$t.log"
  status=0
  nice -n 10 "$bindir/$t" "fuzz/corpus/$t" -artifact_prefix="fuzz/artifacts/$t/" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  crashes=$(find "fuzz/artifacts/$t" -type f 2>/dev/null | wc -l)
  # Keep the end of libFuzzer's log (final stats, and the crash report if any).
  # (machine paths made relative: the repository's and the home folder's)
  tail -n 300 "$log" | sed -e "s#$PWD/##g" -e "s#$HOME#~#g" > "$log.tmp" && mv "$log.tmp" "$log"
  echo "$(date -u +%FT%TZ) target=$t seconds=$seconds execs=${execs:-?} exit=$status artifacts=$crashes" | tee -a bench/results/fuzz-summary.txt
done
