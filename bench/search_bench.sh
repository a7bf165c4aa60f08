#!/usr/bin/env bash
# Search benchmark: index size, first-query transfer, warm latency, build time and RSS on the
# synthetic corpus (N = 1000 and 5000 by default), with Pagefind 1.6 as the comparator when it
# installs from npm.
#   bench/search_bench.sh [N ...]         env: WORK=/tmp/gs-search-bench  PAGEFIND=path|skip
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="${SHARED:-$repo/../shared}"
[ -d "$shared/bench" ] || shared=/work/shared
work="${WORK:-/tmp/gs-search-bench}"
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000)
mkdir -p "$work"

echo "== building the search harness (bench/search, release)" >&2
CARGO_TARGET_DIR="$work/target" cargo build --release --quiet --manifest-path "$here/search/Cargo.toml"
harness="$work/target/release/guide2idx"

pagefind="${PAGEFIND:-}"
if [ -z "$pagefind" ]; then
  if [ ! -x "$work/pf/node_modules/.bin/pagefind" ]; then
    echo "== installing pagefind from npm (comparator only)" >&2
    (mkdir -p "$work/pf" && cd "$work/pf" && npm install --no-audit --no-fund --silent pagefind >/dev/null 2>&1) || true
  fi
  pagefind="$(ls "$work"/pf/node_modules/@pagefind/*/bin/pagefind_extended 2>/dev/null | head -1 || true)"
fi
[ "$pagefind" = skip ] && pagefind=""

gzdir() { # total gzip -9 bytes of every file under $1
  find "$1" -type f -print0 | sort -z | xargs -0 -I{} sh -c 'gzip -9c "{}" | wc -c' | awk '{s+=$1} END {print s+0}'
}
peak() { # run a command, print "wall_s rss_kb" (GNU time if present, else the harness's own)
  /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1
}

printf '\n| N | sections | text MB | ours index gz | ratio | files | build s | RSS MB | 1st-query KB p50/p95 | reqs max | warm ms p50/p95 |'
[ -n "$pagefind" ] && printf ' Pagefind gz | ratio | Pagefind s | RSS MB |'
printf '\n'
for n in "${sizes[@]}"; do
  corpus="$work/corpus-$n"
  if [ ! -d "$corpus/guide" ]; then
    python3 "$shared/bench/gen_corpus.py" --chapters "$n" --checklists 20 --seed 1 --out "$corpus" --format neutral >/dev/null
  fi
  out="$work/out-$n"
  rm -rf "$out"; mkdir -p "$out"
  json="$("$harness" "$corpus/guide" "$out" auto --html)"
  wt="$(peak "$harness" "$corpus/guide" "$out/again" auto)"
  text=$(echo "$json" | sed 's/.*"text_bytes":\([0-9]*\).*/\1/')
  secs=$(echo "$json" | sed 's/.*"sections":\([0-9]*\).*/\1/')
  q="$(node "$here/search_bench.js" "$out")"
  get() { echo "$q" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s)['$1']))"; }
  idx=$(get index_gz)
  printf '| %s | %s | %.2f | %s | %.0f %% | %s | %s | %.0f | %.0f / %.0f | %s | %s / %s |' "$n" "$secs" \
    "$(echo "$text/1000000" | bc -l)" "$idx" "$(echo "100*$idx/$text" | bc -l)" "$(get files)" \
    "$(echo "$wt" | cut -d' ' -f1)" "$(echo "$(echo "$wt" | cut -d' ' -f2)/1024" | bc -l)" \
    "$(echo "$(get first_query_bytes_p50)/1024" | bc -l)" "$(echo "$(get first_query_bytes_p95)/1024" | bc -l)" \
    "$(get first_query_requests_max)" "$(get warm_ms_p50)" "$(get warm_ms_p95)"
  if [ -n "$pagefind" ]; then
    rm -rf "$out/html/pagefind"
    pt="$(peak "$pagefind" --site "$out/html" --force-language zh-cn)"
    pgz=$(gzdir "$out/html/pagefind")
    printf ' %s | %.0f %% | %s | %.0f |' "$pgz" "$(echo "100*$pgz/$text" | bc -l)" \
      "$(echo "$pt" | cut -d' ' -f1)" "$(echo "$(echo "$pt" | cut -d' ' -f2)/1024" | bc -l)"
  fi
  printf '\n'
done
[ -n "$pagefind" ] || echo "(Pagefind not measured: npm install pagefind failed or PAGEFIND=skip)"
