#!/usr/bin/env bash
# Search benchmark: index size, first-query transfer, warm latency, build time and RSS on the
# synthetic corpus (N = 1000 and 5000 by default), with Pagefind 1.6 as the comparator when it
# installs from npm.
#   bench/search_bench.sh [N ...]
#   env: GUIDESMITH (binary; default: cargo build --release, then
#        $CARGO_TARGET_DIR/release/guidesmith or target/release/guidesmith), SHARED (the shared
#        kit's bench folder, default ../shared/bench beside the repository), WORK (scratch,
#        default $BENCH_WORK/search or $TMPDIR/guidesmith-bench/search), PAGEFIND=path|skip,
#        BROWSER=skip, CHROMIUM=/usr/bin/chromium
# Each corpus (gen_corpus.py, adapted by bench/neutral_to_guidesmith.py) is built by the real
# `guidesmith build` into WORK/out-N/html; WORK/out-N/search is its search/ folder, and Pagefind
# indexes the same built pages, the ones our index covers (`bench/search_bench.js --pages`; not
# the print-all page), with `--root-selector main`: the page's content, as a theme would mark it
# with data-pagefind-body (Pagefind drops the <nav>s inside by default). "site build s" and
# "RSS MB" are the whole build (the search index is built beside the pages), not search alone.
# Prints, per N, the build/size table (the stored size split as SEARCH.md G3 defines it, and the
# Node-vm query numbers of bench/search_bench.js), then the query side of both systems measured in
# headless Chromium by bench/search_browser.js (npm playwright-core, installed into $WORK/pw) and
# the ratios ours / Pagefind. Per-N JSON with every per-query figure: $WORK/result-N.json.
#   bench/search_bench.sh quality
# Search quality instead: builds the bundled guide (guide/, from the repository root) into
# WORK/quality/html, runs Pagefind over the same pages as above (the pages our index covers, same
# options) and prints bench/search_quality.js's table: recall@5 and MRR@5 per category of
# tests/search/queries.yaml, guidesmith vs Pagefind, in headless Chromium for Pagefind (needs
# Pagefind and playwright-core). Per-query JSON: WORK/quality/result.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="${SHARED:-$repo/../shared/bench}"
work="${WORK:-${BENCH_WORK:-${TMPDIR:-/tmp}/guidesmith-bench}/search}"
mode=sizes
if [ "${1:-}" = quality ]; then mode=quality; shift; fi
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000)
mkdir -p "$work"
work="$(cd "$work" && pwd)"

if [ -n "${GUIDESMITH:-}" ]; then
  gs="$(realpath "$GUIDESMITH")"
else
  echo "== building guidesmith (release)" >&2
  (cd "$repo" && cargo build --release --quiet)
  gs="$(realpath "${CARGO_TARGET_DIR:-$repo/target}")/release/guidesmith"
fi

pagefind="${PAGEFIND:-}"
if [ -z "$pagefind" ]; then
  if [ ! -x "$work/pf/node_modules/.bin/pagefind" ]; then
    echo "== installing pagefind from npm (comparator only)" >&2
    (mkdir -p "$work/pf" && cd "$work/pf" && npm install --no-audit --no-fund --silent pagefind@~1.6.0 >/dev/null 2>&1) || true
  fi
  pagefind="$(ls "$work"/pf/node_modules/@pagefind/*/bin/pagefind_extended 2>/dev/null | head -1 || true)"
fi
[ "$pagefind" = skip ] && pagefind=""

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ "${BROWSER:-}" != skip ] && [ ! -d "$work/pw/node_modules/playwright-core" ]; then
  echo "== installing playwright-core from npm (drives $chromium)" >&2
  (mkdir -p "$work/pw" && cd "$work/pw" && npm install --no-audit --no-fund --silent playwright-core@1.65.1 >/dev/null 2>&1) || true
fi
browser=yes
if [ "${BROWSER:-}" = skip ] || [ ! -x "$chromium" ] || [ ! -d "$work/pw/node_modules/playwright-core" ]; then browser=""; fi

# Pagefind over the pages our index covers (not the print-all, search or 404 pages), copied from
# the built site OUT/html into OUT/pf-site; the bundle goes where the site serves it
# (OUT/html/pagefind). The theme's in-page contents and heading permalinks repeat text our index
# does not hold; a theme would mark them data-pagefind-ignore. Prints "wall_s rss_kb".
run_pagefind() {
  local out="$1"
  rm -rf "$out/html/pagefind" "$out/pf-site"
  node "$here/search_bench.js" --pages "$out/html" | while IFS= read -r page; do
    mkdir -p "$(dirname "$out/pf-site/$page")"
    cp "$out/html/$page" "$out/pf-site/$page"
  done
  peak "$pagefind" --site "$out/pf-site" --output-path "$out/html/pagefind" \
    --root-selector main --exclude-selectors .toc-inline --exclude-selectors .h-anchor \
    --force-language zh-cn
}

peak() { # run a command, print "wall_s rss_kb" (GNU time)
  /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1
}
jget() { node -e "const o=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log('$1'.split('.').reduce((a,k)=>a==null?a:a[k],o))"; }
kbpc() { printf '%.0f KB (%.1f %%)' "$(echo "$1/1024" | bc -l)" "$(echo "100*$1/$2" | bc -l)"; }

if [ "$mode" = quality ]; then
  [ -n "$pagefind" ] || { echo "quality: Pagefind is needed (npm install pagefind failed or PAGEFIND=skip)" >&2; exit 1; }
  [ -n "$browser" ] || { echo "quality: headless Chromium is needed (BROWSER=skip, no $chromium, or npm install playwright-core failed)" >&2; exit 1; }
  out="$work/quality"
  rm -rf "$out"; mkdir -p "$out"
  echo "== building the bundled guide into $out/html" >&2
  (cd "$repo" && "$gs" build --out "$out/html" >"$out/build.log" 2>&1) || { cat "$out/build.log" >&2; exit 1; }
  echo "== Pagefind over the same pages ($("$pagefind" --version 2>/dev/null || echo pagefind))" >&2
  run_pagefind "$out" >/dev/null
  echo "== queries: guidesmith in Node, Pagefind in headless Chromium" >&2
  CHROMIUM="$chromium" WORK="$work" node "$here/search_quality.js" "$out/html" --json "$out/result.json"
  echo "(per-query JSON: $out/result.json)"
  exit 0
fi

# G3: ours index = the entry search/index.js (manifest or one-file index) + term shards t-*, snippet
# store = section shards s-* (the pinyin file p-* is in neither);
# Pagefind index = pagefind-entry.json + pf_meta + index/ (+ filter/), fragments = fragment/. Code
# (our search.js; pagefind.js, worker, wasm) and Pagefind's UI files are in neither. Each file
# counts min(raw, gzip -9) bytes (Pagefind's binary files are gzip streams already).
printf '\n| N | sections | text MB | files | site build s | RSS MB | ours index | ours snippet store | vm 1st-query KB p50/p95 | vm data reqs max | vm warm ms p50/p95 |'
[ -n "$pagefind" ] && printf ' Pagefind index | Pagefind fragments | stored ratio | Pagefind s | RSS MB |'
printf '\n|---|---|---|---|---|---|---|---|---|---|---|'
[ -n "$pagefind" ] && printf -- '---|---|---|---|---|'
printf '\n'
results=()
for n in "${sizes[@]}"; do
  corpus="$work/corpus-$n"
  if [ ! -f "$corpus/guide/guide.yaml" ]; then
    rm -rf "$corpus"
    python3 "$shared/gen_corpus.py" --chapters "$n" --checklists 20 --seed 1 --out "$corpus" --format neutral >/dev/null
    python3 "$here/neutral_to_guidesmith.py" "$corpus"
  fi
  out="$work/out-$n"
  rm -rf "$out"; mkdir -p "$out"
  # The site (pages + search/) the queries run against; then a timed clean build of the same.
  (cd "$corpus" && "$gs" build --out "$out/html" >"$out/build.log" 2>&1) || { cat "$out/build.log" >&2; exit 1; }
  ln -s html/search "$out/search"
  wt="$(cd "$corpus" && peak "$gs" build --out "$out/again")"
  rm -rf "$out/again"
  q="$(node "$here/search_bench.js" "$out")"
  get() { echo "$q" | jget "$1"; }
  text=$(get text_bytes)
  secs=$(get sections)
  meta=(--meta n="$n" --meta sections="$secs" --meta text_bytes="$text"
        --meta build_s="$(echo "$wt" | cut -d' ' -f1)" --meta rss_mb="$(( $(echo "$wt" | cut -d' ' -f2) / 1024 ))"
        --meta vm_first_p50="$(get first_query_bytes_p50)" --meta vm_first_p95="$(get first_query_bytes_p95)"
        --meta vm_requests_max="$(get first_query_requests_max)"
        --meta vm_warm_p50="$(get warm_ms_p50)" --meta vm_warm_p95="$(get warm_ms_p95)")
  if [ -n "$pagefind" ]; then
    pt="$(run_pagefind "$out")"
    meta+=(--meta pf_build_s="$(echo "$pt" | cut -d' ' -f1)" --meta pf_rss_mb="$(( $(echo "$pt" | cut -d' ' -f2) / 1024 ))")
  fi
  sz="$(node "$here/search_browser.js" --sizes "$out")"
  oi=$(echo "$sz" | jget ours.index.wire); os=$(echo "$sz" | jget ours.snippets.wire)
  printf '| %s | %s | %.2f | %s | %s | %.0f | %s | %s | %.0f / %.0f | %s | %s / %s |' "$n" "$secs" \
    "$(echo "$text/1000000" | bc -l)" "$(get files)" \
    "$(echo "$wt" | cut -d' ' -f1)" "$(echo "$(echo "$wt" | cut -d' ' -f2)/1024" | bc -l)" \
    "$(kbpc "$oi" "$text")" "$(kbpc "$os" "$text")" \
    "$(echo "$(get first_query_bytes_p50)/1024" | bc -l)" "$(echo "$(get first_query_bytes_p95)/1024" | bc -l)" \
    "$(get first_query_requests_max)" "$(get warm_ms_p50)" "$(get warm_ms_p95)"
  if [ -n "$pagefind" ]; then
    pi=$(echo "$sz" | jget pagefind.index.wire); pfr=$(echo "$sz" | jget pagefind.fragments.wire)
    printf ' %s | %s | %.2f | %s | %.0f |' "$(kbpc "$pi" "$text")" "$(kbpc "$pfr" "$text")" \
      "$(echo "($oi+$os)/($pi+$pfr)" | bc -l)" \
      "$(echo "$pt" | cut -d' ' -f1)" "$(echo "$(echo "$pt" | cut -d' ' -f2)/1024" | bc -l)"
  fi
  printf '\n'
  if [ -n "$browser" ]; then
    echo "== N=$n: queries in headless Chromium" >&2
    CHROMIUM="$chromium" WORK="$work" node "$here/search_browser.js" "$out" "${meta[@]}" > "$work/result-$n.json"
    results+=("$work/result-$n.json")
  fi
done
[ -n "$pagefind" ] || echo "(Pagefind not measured: npm install pagefind failed or PAGEFIND=skip)"
if [ ${#results[@]} -gt 0 ]; then
  node "$here/search_browser.js" --report "${results[@]}"
else
  echo "(Chromium query benchmark skipped: BROWSER=skip, no $chromium, or npm install playwright-core failed)"
fi
