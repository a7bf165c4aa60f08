#!/usr/bin/env bash
# Full clean build of the synthetic corpus: guidesmith vs the floor, in the same run.
#
#   bench/build_bench.sh                    # N = 100 1000 5000
#   SIZES=1000 RUNS=3 bench/build_bench.sh
#   GUIDESMITH=path/to/guidesmith bench/build_bench.sh   # that binary, no cargo build
#
# Env: SIZES, RUNS (5), BENCH_WORK (scratch, default $TMPDIR/guidesmith-bench), SHARED (the
# shared kit's bench folder, default ../shared/bench beside the repository), GUIDESMITH (default: cargo build
# --release, then $CARGO_TARGET_DIR/release/guidesmith, or target/release/guidesmith).
#
# The corpus comes from the shared generator (../shared/bench/gen_corpus.py, neutral
# layout) adapted by bench/neutral_to_guidesmith.py. The floor (../shared/bench/floor) renders the
# same chapter Markdown with pulldown-cmark, single-threaded, no templates, no index.
# "Full clean build" = delete the output, then build; the delete is inside the timed command
# for both. Prints median wall / user CPU / peak RSS and the guidesmith/floor wall ratio.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$REPO/../shared/bench}
SIZES=${SIZES:-"100 1000 5000"}
RUNS=${RUNS:-5}
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/guidesmith-bench}
mkdir -p "$WORK"

if [[ -n ${GUIDESMITH:-} ]]; then
  GS=$(realpath "$GUIDESMITH")
else
  (cd "$REPO" && cargo build --release --quiet)
  GS=$(realpath "${CARGO_TARGET_DIR:-$REPO/target}")/release/guidesmith
fi
FLOOR=$WORK/floor-target/release/floor
if [[ ! -x $FLOOR ]]; then
  (cd "$SHARED/floor" && CARGO_TARGET_DIR=$WORK/floor-target cargo build --release --quiet)
fi
timer() { python3 "$SHARED/timeit.py" -n "$RUNS" --warmup 1 -- "$@" || true; }
median() { awk -v k="$1" '$1==k {print $5}'; }

printf '%-6s %-10s %10s %10s %10s\n' N tool wall_s user_s peak_MiB
for n in $SIZES; do
  dir=$WORK/corpus-$n
  if [[ ! -f $dir/guide/guide.yaml ]]; then
    rm -rf "$dir"
    python3 "$SHARED/gen_corpus.py" --chapters "$n" --checklists 20 --seed 1 --out "$dir" --format neutral >/dev/null
    python3 "$HERE/neutral_to_guidesmith.py" "$dir"
  fi
  f=$(timer bash -c "rm -rf '$dir/floor-out' && '$FLOOR' '$dir/guide/chapters' '$dir/floor-out'" 2>&1)
  g=$(timer bash -c "cd '$dir' && rm -rf public && '$GS' build --out public" 2>&1)
  fw=$(echo "$f" | median wall); gw=$(echo "$g" | median wall)
  printf '%-6s %-10s %10s %10s %10s\n' "$n" floor "$fw" "$(echo "$f" | median user)" "$(echo "$f" | median peak_mib)"
  printf '%-6s %-10s %10s %10s %10s\n' "$n" guidesmith "$gw" "$(echo "$g" | median user)" "$(echo "$g" | median peak_mib)"
  python3 -c "print('%-6s ratio      %10.2fx  (guidesmith wall / floor wall)' % ('$n', $gw / $fw))"
done
