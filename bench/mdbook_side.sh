#!/usr/bin/env bash
# mdbook_side.sh - interleaved clean-build timing of guidesmith vs mdBook on the same books.
#
# Usage:
#   GUIDESMITH=path/to/guidesmith MDBOOK=path/to/mdbook \
#   BOOKS="name1=MDBOOK_DIR1:GUIDE_DIR1 name2=MDBOOK_DIR2:GUIDE_DIR2" \
#   [ROUNDS=5] [OUT_ROOT=tmpdir] bench/mdbook_side.sh
#
#   MDBOOK_DIR  an mdBook book folder (holds book.toml); built with `mdbook build -d OUT`
#   GUIDE_DIR   the guidesmith guide imported from it (holds guide.yaml); built with
#               `guidesmith build --guide GUIDE_DIR --out OUT`
#
# For each book, ROUNDS rounds are run; each round does one mdBook and one guidesmith
# clean build (the output folder is deleted first), alternating which goes first, so that
# both tools see the same machine state. Wall time and peak RSS come from /usr/bin/time.
# Prints a markdown table: median wall time, median peak RSS, ratio guidesmith/mdBook.
# Run it on an otherwise idle machine; it runs one build at a time.
set -euo pipefail

: "${GUIDESMITH:?set GUIDESMITH to the guidesmith binary}"
: "${MDBOOK:?set MDBOOK to the mdbook binary}"
: "${BOOKS:?set BOOKS to \"name=MDBOOK_DIR:GUIDE_DIR ...\"}"
ROUNDS="${ROUNDS:-5}"
OUT_ROOT="${OUT_ROOT:-$(mktemp -d)}"
TIME=/usr/bin/time
[[ -x "$TIME" ]] || { echo "needs GNU time at /usr/bin/time" >&2; exit 1; }

# abspath DIR: absolute path of an existing folder
abspath() { (cd "$1" && pwd); }

# run_timed LOG CMD...: run CMD, append "seconds kib" to LOG; fail loudly if CMD fails
run_timed() {
  local log="$1"; shift
  local err; err="$(mktemp)"
  if ! "$TIME" -f "%e %M" -o "$err.t" "$@" >"$err" 2>&1; then
    echo "build failed: $*" >&2; tail -20 "$err" >&2; exit 1
  fi
  cat "$err.t" >>"$log"
  rm -f "$err" "$err.t"
}

# median FILE COLUMN
median() {
  sort -n -k"$2","$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {
    if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'
}

GS="$(cd "$(dirname "$GUIDESMITH")" && pwd)/$(basename "$GUIDESMITH")"
MD="$(cd "$(dirname "$MDBOOK")" && pwd)/$(basename "$MDBOOK")"

echo "| book | mdBook median s | guidesmith median s | ratio gs/md | mdBook peak RSS MiB | guidesmith peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|"
for entry in $BOOKS; do
  name="${entry%%=*}"; dirs="${entry#*=}"
  md_dir="$(abspath "${dirs%%:*}")"; gs_dir="$(abspath "${dirs#*:}")"
  md_out="$OUT_ROOT/$name-mdbook"; gs_out="$OUT_ROOT/$name-guidesmith"
  md_log="$OUT_ROOT/$name-mdbook.times"; gs_log="$OUT_ROOT/$name-guidesmith.times"
  : >"$md_log"; : >"$gs_log"
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((r % 2)); then order="md gs"; else order="gs md"; fi
    for tool in $order; do
      if [[ $tool == md ]]; then
        rm -rf "$md_out"
        (cd "$md_dir" && run_timed "$md_log" "$MD" build -d "$md_out")
      else
        rm -rf "$gs_out"
        run_timed "$gs_log" "$GS" build --guide "$gs_dir" --out "$gs_out"
      fi
    done
  done
  md_t="$(median "$md_log" 1)"; gs_t="$(median "$gs_log" 1)"
  md_m="$(median "$md_log" 2)"; gs_m="$(median "$gs_log" 2)"
  awk -v n="$name" -v a="$md_t" -v b="$gs_t" -v c="$md_m" -v d="$gs_m" 'BEGIN {
    printf "| %s | %.2f | %.2f | %.2f | %.0f | %.0f |\n", n, a, b, b / a, c / 1024, d / 1024 }'
  echo "raw $name mdBook: $(tr '\n' ';' <"$md_log")  guidesmith: $(tr '\n' ';' <"$gs_log")" >&2
done
echo >&2 "outputs and raw times kept in $OUT_ROOT"
