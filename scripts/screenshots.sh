#!/usr/bin/env bash
# Regenerates docs/screenshots/: a chapter and a checklist, on a phone (390×844) and a desktop
# (1366×800), in light and dark — 8 PNGs, taken with headless Chromium from file:// (no server).
#
# Dark mode is the reader's system preference (Blink's preferredColorScheme setting: 0 = dark,
# 1 = light), so the theme's prefers-color-scheme styles are what is pictured.
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

pages=("chapter:prepare/evidence.html" "checklist:checklists/call-log.html")
sizes=("phone:390,844" "desktop:1366,800")
schemes=("light:1" "dark:0")

for p in "${pages[@]}"; do
  for s in "${sizes[@]}"; do
    for c in "${schemes[@]}"; do
      name="${p%%:*}-${s%%:*}-${c%%:*}.png"
      # A fresh profile each time: no remembered theme choice, no cache.
      timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$tmp/profile-$name" \
        --window-size="${s#*:}" --blink-settings="preferredColorScheme=${c#*:}" \
        --screenshot="$out/$name" "file://$site/${p#*:}" >/dev/null 2>&1
      echo "$out/$name"
    done
  done
done
