#!/usr/bin/env bash
# Edit → output latency of `guidesmith serve` and `guidesmith build --watch` at N chapters,
# with the method of ../shared/bench/run_incremental.sh + poll_rebuild.py (append one line
# to the middle chapter, poll the output every 5 ms), plus bench/wait_latency.py for the
# moment the live-reload long poll answers (when a browser would be told to reload).
#
#   bench/edit_latency.sh
#   N=1000 REPEATS=20 GUIDESMITH=target/release/guidesmith bench/edit_latency.sh
#
# Env: GUIDESMITH (binary, default target/debug/guidesmith), N (1000), CHECKLISTS (20),
# SEED (1), REPEATS (20), SETTLE (1 s between edits), PORT (38112), BENCH_WORK (scratch),
# RESULTS ($BENCH_WORK/edit-N/results), SHARED (default: ../shared/bench beside the repository).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
GS=$(realpath "${GUIDESMITH:-$ROOT/target/debug/guidesmith}")
SHARED=${SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared/bench}
N=${N:-1000}
CHECKLISTS=${CHECKLISTS:-20}
SEED=${SEED:-1}
REPEATS=${REPEATS:-20}
SETTLE=${SETTLE:-1}
PORT=${PORT:-38112}
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/guidesmith-bench}/edit-$N
RESULTS=${RESULTS:-$WORK/results}

mkdir -p "$WORK" "$RESULTS"
python3 "$SHARED/gen_corpus.py" --chapters "$N" --checklists "$CHECKLISTS" --seed "$SEED" \
  --format neutral --out "$WORK/site" --force >/dev/null
python3 "$HERE/neutral_to_guidesmith.py" "$WORK/site"
MID=$(printf '%04d' $(( N / 2 )))
CH=$(ls "$WORK/site/guide/chapters/$MID"-*.md)
STEM=$(basename "$CH" .md)
echo "corpus: $N chapters in $WORK/site; editing $STEM.md; binary $GS"

echo "== serve: edit -> page served (poll_rebuild.py --watch-url)"
python3 "$SHARED/poll_rebuild.py" --cwd "$WORK/site" --edit "$CH" \
  --watch-url "http://127.0.0.1:$PORT/$STEM.html" --repeats "$REPEATS" --settle "$SETTLE" \
  --initial-settle 2 --log "$RESULTS/edit-$N-serve.log" -- "$GS" serve --port "$PORT" \
  | tee "$RESULTS/edit-$N-serve.txt" || true

echo "== build --watch: edit -> file written (poll_rebuild.py --watch-file)"
rm -rf "$WORK/site/public"
python3 "$SHARED/poll_rebuild.py" --cwd "$WORK/site" --edit "$CH" \
  --watch-file "$WORK/site/public/$STEM.html" --repeats "$REPEATS" --settle "$SETTLE" \
  --initial-settle 2 --log "$RESULTS/edit-$N-watch.log" -- "$GS" build --watch --out public \
  | tee "$RESULTS/edit-$N-watch.txt" || true

echo "== serve: edit -> served and edit -> browser told (/__gs/wait answer)"
python3 "$HERE/wait_latency.py" --cwd "$WORK/site" --edit "$CH" --page "/$STEM.html" \
  --repeats "$REPEATS" --settle "$SETTLE" -- "$GS" serve --port 0 \
  | tee "$RESULTS/edit-$N-wait.txt" || true
