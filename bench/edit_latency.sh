#!/usr/bin/env bash
# Edit → output latency of `guidesmith serve` and `guidesmith build --watch`, with the method of
# ../shared/bench/run_incremental.sh + poll_rebuild.py (append one line to one chapter, poll the
# output every 5 ms), plus bench/wait_latency.py for the moment the live-reload socket tells the page
# (when a browser would be told to reload). On the N-chapter synthetic corpus, or on a copy of a
# real guide (GUIDE_DIR, e.g. the bundled guide/).
#
#   bench/edit_latency.sh
#   N=1000 REPEATS=20 GUIDESMITH=target/release/guidesmith bench/edit_latency.sh
#   GUIDE_DIR=guide bench/edit_latency.sh                       # the bundled guide
#   BEFORE=old/guidesmith ROUNDS=4 REPEATS=5 bench/edit_latency.sh   # old vs new, interleaved
#
# With BEFORE, each round runs every mode with BEFORE and with GUIDESMITH (REPEATS edits each;
# the two swap places every other round), so a noisy machine hits both alike; the summary pools
# each binary's edits and gives median, p90 and the after/before ratio of the medians.
#
# Env: GUIDESMITH (binary; default $CARGO_TARGET_DIR/release/guidesmith, or target/release/),
# BEFORE (an older binary to interleave with), ROUNDS (1, or 4 with BEFORE), N (1000),
# CHECKLISTS (20), SEED (1), GUIDE_DIR (copy this guide folder instead of generating a corpus),
# EDIT (guide-relative chapter to edit; default the middle one of chapters/**/*.md, sorted),
# MODES ("serve watch wait"), REPEATS (20), SETTLE (1 s between edits), PORT (default: a free
# port picked before each run; the machine is shared),
# BENCH_WORK (scratch), RESULTS ($BENCH_WORK/edit-N/results), SHARED (the shared kit's bench
# folder; default ../shared/bench beside the repository).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
GS=$(realpath "${GUIDESMITH:-${CARGO_TARGET_DIR:-$ROOT/target}/release/guidesmith}")
BEFORE=${BEFORE:+$(realpath "$BEFORE")}
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared/bench}
N=${N:-1000}
CHECKLISTS=${CHECKLISTS:-20}
SEED=${SEED:-1}
REPEATS=${REPEATS:-20}
SETTLE=${SETTLE:-1}
PORT=${PORT:-}
MODES=${MODES:-"serve watch wait"}
if [[ -n $BEFORE ]]; then ROUNDS=${ROUNDS:-4}; else ROUNDS=${ROUNDS:-1}; fi
if [[ -n ${GUIDE_DIR:-} ]]; then
  GUIDE_DIR=$(realpath "$GUIDE_DIR")
  LABEL=guide
else
  LABEL=$N
fi
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/guidesmith-bench}/edit-$LABEL
RESULTS=${RESULTS:-$WORK/results}

mkdir -p "$WORK" "$RESULTS"
if [[ -n ${GUIDE_DIR:-} ]]; then
  rm -rf "$WORK/site"
  mkdir -p "$WORK/site"
  cp -r "$GUIDE_DIR" "$WORK/site/guide"
else
  python3 "$SHARED/gen_corpus.py" --chapters "$N" --checklists "$CHECKLISTS" --seed "$SEED" \
    --format neutral --out "$WORK/site" --force >/dev/null
  python3 "$HERE/neutral_to_guidesmith.py" "$WORK/site"
fi
if [[ -n ${EDIT:-} ]]; then
  REL=$EDIT
else
  mapfile -t ALL < <(cd "$WORK/site/guide" && find chapters -name '*.md' | LC_ALL=C sort)
  REL=${ALL[$(( ${#ALL[@]} / 2 ))]}
fi
CH=$WORK/site/guide/$REL
PAGE=${REL#chapters/}
PAGE=${PAGE%.md}.html
echo "guide: $WORK/site/guide ($LABEL); editing $REL (page /$PAGE)"
echo "binary: $GS${BEFORE:+; before: $BEFORE}; $ROUNDS round(s) of $REPEATS edits per mode and binary"

# Every binary must build this guide (an older one may not know a newer guide.yaml's keys; the
# pollers would then wait minutes for output that never comes).
for bin in "$GS" ${BEFORE:+"$BEFORE"}; do
  if ! (cd "$WORK/site" && "$bin" build --out "$WORK/check" >"$WORK/check.log" 2>&1); then
    echo "$bin does not build $WORK/site/guide:" >&2
    head -n 20 "$WORK/check.log" >&2
    exit 1
  fi
  rm -rf "$WORK/check"
done

# One mode, one binary, REPEATS edits; appends poll_rebuild/wait_latency output to $2's file.
run() { # run MODE WHICH(before|after) BINARY PORT
  local mode=$1 which=$2 bin=$3 port=$4 out=$RESULTS/edit-$LABEL-$1-$2.txt
  case $mode in
    serve) # edit -> page served
      python3 "$SHARED/poll_rebuild.py" --cwd "$WORK/site" --edit "$CH" \
        --watch-url "http://127.0.0.1:$port/$PAGE" --repeats "$REPEATS" --settle "$SETTLE" \
        --initial-settle 2 --log "$RESULTS/edit-$LABEL-serve-$which.log" -- "$bin" serve --port "$port" \
        | tee -a "$out" || true ;;
    watch) # edit -> file written
      rm -rf "$WORK/site/public"
      python3 "$SHARED/poll_rebuild.py" --cwd "$WORK/site" --edit "$CH" \
        --watch-file "$WORK/site/public/$PAGE" --repeats "$REPEATS" --settle "$SETTLE" \
        --initial-settle 2 --log "$RESULTS/edit-$LABEL-watch-$which.log" -- "$bin" build --watch --out public \
        | tee -a "$out" || true ;;
    wait) # edit -> served and edit -> browser told (live-reload socket message)
      python3 "$HERE/wait_latency.py" --cwd "$WORK/site" --edit "$CH" --page "/$PAGE" \
        --repeats "$REPEATS" --settle "$SETTLE" -- "$bin" serve --port 0 \
        | tee -a "$out" || true ;;
  esac
}

for mode in $MODES; do
  rm -f "$RESULTS/edit-$LABEL-$mode-"{after,before}.txt
done
for ((r = 0; r < ROUNDS; r++)); do
  if [[ -z $BEFORE ]]; then order=(after); elif ((r % 2)); then order=(before after); else order=(after before); fi
  for mode in $MODES; do
    for which in "${order[@]}"; do
      bin=$GS; [[ $which == before ]] && bin=$BEFORE
      echo "== round $((r + 1))/$ROUNDS, $mode, $which ($bin)"
      port=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
      run "$mode" "$which" "$bin" "$port"
    done
  done
done

# Pooled per binary: median, p90 (the value at rank round(0.9 (n - 1)) of the sorted list, as
# benches/rebuild.rs), min, max; with BEFORE, after/before of the medians.
python3 - "$RESULTS" "$LABEL" "$MODES" <<'EOF'
import re, statistics, sys, os
results, label, modes = sys.argv[1], sys.argv[2], sys.argv[3].split()
def p90(v):
    v = sorted(v)
    return v[round(0.9 * (len(v) - 1))]
print("\n== summary (%s), ms" % label)
for mode in modes:
    series = {"serve": [("edit->served", r"^run \d+: (\d+) ms")],
              "watch": [("edit->file written", r"^run \d+: (\d+) ms")],
              "wait": [("edit->served", r"served (\d+) ms"),
                       ("edit->browser told", r"browser told (\d+) ms")]}[mode]
    for name, pat in series:
        med = {}
        for which in ("before", "after"):
            path = os.path.join(results, "edit-%s-%s-%s.txt" % (label, mode, which))
            if not os.path.exists(path):
                continue
            v = [float(m.group(1)) for line in open(path) for m in [re.search(pat, line)] if m]
            if not v:
                print("%-6s %-20s %-6s no runs seen" % (mode, name, which))
                continue
            med[which] = statistics.median(v)
            print("%-6s %-20s %-6s median %5.0f  p90 %5.0f  min %5.0f  max %5.0f  (n=%d)"
                  % (mode, name, which, med[which], p90(v), min(v), max(v), len(v)))
        if len(med) == 2:
            print("%-6s %-20s after/before median %.2f" % (mode, name, med["after"] / med["before"]))
EOF
