#!/usr/bin/env bash
# Page weight of the built guide, as a reader on a slow phone connection pays for it.
#
# Reports, for one chapter page: its own HTML, plus the CSS and JS it loads up front, each
# gzipped (-9), against a budget of 25 KB in total (SEARCH.md G4). The search engine (the search
# box's data-engine) and index are not part of it: the page script loads them only when a reader
# searches. The engine is measured on its own, against 24 KB gzipped. Also asserts that no
# script blocks rendering (every <script src> has defer or async) and that no page downloads a
# font.
#
# Usage: bench/page_weight.sh [SITE_DIR] [CHAPTER]   (defaults: public, prepare/evidence.html)
# Builds the guide first when SITE_DIR does not exist. Exit status 1 when over budget or a
# check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
site=${1:-public}
page=${2:-prepare/evidence.html}
budget=$((25 * 1024))
engine_budget=$((24 * 1024))

if [[ ! -f "$site/$page" ]]; then
  cargo run --quiet -- build --out "$site" >/dev/null
fi

gz() { gzip -9 -c "$1" | wc -c; }
dir=$(dirname "$site/$page")
fail=0

html=$(gz "$site/$page")
printf '%-44s %8s %8s\n' "file" "raw" "gzip"
printf '%-44s %8d %8d\n' "$page" "$(wc -c <"$site/$page")" "$html"
total=$html

# Stylesheets and scripts the page references (relative URLs, resolved against the page).
mapfile -t refs < <(grep -oE '<(link rel="stylesheet"|script)[^>]*(href|src)="[^"]+"' "$site/$page" \
  | sed -E 's/.*(href|src)="([^"]+)"/\2/')
for ref in "${refs[@]}"; do
  f=$(realpath -m "$dir/$ref")
  if [[ ! -f "$f" ]]; then
    echo "missing: $ref" >&2
    fail=1
    continue
  fi
  g=$(gz "$f")
  total=$((total + g))
  printf '%-44s %8d %8d\n' "${f#"$(realpath "$site")/"}" "$(wc -c <"$f")" "$g"
done
printf '%-44s %8s %8d  (budget %d)\n' "total (HTML + CSS + JS, gzip)" "" "$total" "$budget"
if ((total > budget)); then
  echo "FAIL: $page weighs $total bytes gzipped, over the $budget budget" >&2
  fail=1
fi

# The search engine, loaded on demand (the search box's data-engine attribute).
engine=$(grep -oE 'data-engine="[^"]+"' "$site/$page" | head -n 1 | sed -E 's/data-engine="([^"]+)"/\1/' || true)
if [[ -z "$engine" ]]; then
  echo "FAIL: $page names no search engine (data-engine)" >&2
  fail=1
elif [[ ! -f "$(realpath -m "$dir/$engine")" ]]; then
  echo "missing: $engine" >&2
  fail=1
else
  f=$(realpath -m "$dir/$engine")
  g=$(gz "$f")
  printf '%-44s %8d %8d  (budget %d, on demand)\n' "${f#"$(realpath "$site")/"}" "$(wc -c <"$f")" "$g" "$engine_budget"
  if ((g > engine_budget)); then
    echo "FAIL: the search engine weighs $g bytes gzipped, over the $engine_budget budget" >&2
    fail=1
  fi
  if grep -qF "$engine" <(grep -oE '<script[^>]*src="[^"]+"' "$site/$page"); then
    echo "FAIL: $page loads the search engine up front" >&2
    fail=1
  fi
fi

# Every script on every page is deferred (or async): nothing blocks the first paint. Except the
# 404 page's helper (404.js, built without a base URL): it must run while the head is parsed, to
# add the stylesheet as render-blocking from the root it finds, so the page is never drawn
# unstyled and then shifted.
blocking=$(grep -rhoE '<script[^>]*>' "$site" --include='*.html' | grep -vE '\b(defer|async)\b' \
  | grep -vE '^<script src="404\.js" ' || true)
if [[ -n "$blocking" ]]; then
  echo "FAIL: render-blocking scripts:" >&2
  echo "$blocking" | sort | uniq -c >&2
  fail=1
else
  echo "ok: every <script> is deferred"
fi

# No font downloads: no @font-face, no font files, no font preloads.
fonts=$( (grep -rlE '@font-face' "$site" --include='*.css' || true
          find "$site" -type f \( -name '*.woff' -o -name '*.woff2' -o -name '*.ttf' -o -name '*.otf' -o -name '*.eot' \)
          grep -rlE 'rel="preload"[^>]*as="font"|fonts\.googleapis|fonts\.gstatic' "$site" --include='*.html' || true) | sort -u)
if [[ -n "$fonts" ]]; then
  echo "FAIL: font downloads in:" >&2
  echo "$fonts" >&2
  fail=1
else
  echo "ok: no web fonts (system Chinese fonts only)"
fi
exit $fail
