#!/usr/bin/env bash
# Regenerates docs/screenshots/{home,chapter,checklist,search}-{320,390,820,1366}-{light,dark}.png:
# the home page, a chapter, a checklist and search results (search.html?q=…), at two phone
# widths (320×640, 390×844), a tablet (820×1180) and a desktop (1366×800), in light and dark —
# 32 PNGs, taken with headless Chromium from file:// (no server). The tools' screenshots come
# from the ignored browser test `screenshots_of_the_tools`.
#
# Dark mode is the reader's system preference (Blink's preferredColorScheme setting: 0 = dark,
# 1 = light), so the theme's prefers-color-scheme styles are what is pictured. A virtual time
# budget lets the deferred scripts (search results, checklist state) finish before the shot.
#
# Usage: scripts/screenshots.sh [SITE_DIR]   (default: builds the guide into a temp folder)
# Env: CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=${CHROMIUM:-/usr/bin/chromium}
out=docs/screenshots
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

site=${1:-}
if [[ -z "$site" ]]; then
  site="$tmp/public"
  cargo run --quiet -- build --out "$site" >/dev/null
fi
site=$(realpath "$site")
mkdir -p "$out"

# 携号转网 ("keep the number, switch carrier"), URL-encoded.
query=%E6%90%BA%E5%8F%B7%E8%BD%AC%E7%BD%91
pages=("home:index.html" "chapter:prepare/evidence.html" "checklist:checklists/call-log.html"
  "search:search.html?q=$query")
sizes=("320:320,640" "390:390,844" "820:820,1180" "1366:1366,800")
schemes=("light:1" "dark:0")

for p in "${pages[@]}"; do
  for s in "${sizes[@]}"; do
    for c in "${schemes[@]}"; do
      name="${p%%:*}-${s%%:*}-${c%%:*}.png"
      # A fresh profile each time: no remembered theme choice, no cache, no saved answers.
      timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --force-device-scale-factor=1 --user-data-dir="$tmp/profile-$name" \
        --virtual-time-budget=3000 \
        --window-size="${s#*:}" --blink-settings="preferredColorScheme=${c#*:}" \
        --screenshot="$out/$name" "file://$site/${p#*:}" >/dev/null 2>&1
      echo "$out/$name"
    done
  done
done
