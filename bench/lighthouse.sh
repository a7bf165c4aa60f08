#!/usr/bin/env bash
# Lighthouse (mobile) over the bundled guide: home, a chapter, a checklist, the search page and
# the 404 page, served over http on 127.0.0.1. Prints the four category scores per page
# (performance, accessibility, best practices, SEO) and, for any score under 100, the audits
# that cost points.
#
# Lighthouse is an npm package; it is installed into a scratch folder ($BENCH_WORK, default
# $TMPDIR/guidesmith-bench), never into the repository. Chromium: $CHROMIUM (/usr/bin/chromium).
#
# Usage: bench/lighthouse.sh [SITE_DIR]   (default: builds the guide with --release into the
# scratch folder). Env: PORT (default 8765), KEEP=1 keeps the JSON reports (path printed).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_WORK:-${TMPDIR:-/tmp}/guidesmith-bench}
chromium=${CHROMIUM:-/usr/bin/chromium}
port=${PORT:-8765}
mkdir -p "$work"
work=$(realpath "$work")

if [[ ! -x "$work/node_modules/.bin/lighthouse" ]]; then
  (cd "$work" && { [[ -f package.json ]] || npm init -y >/dev/null; } && npm install --no-fund --no-audit lighthouse >/dev/null)
fi

site=${1:-}
if [[ -z "$site" ]]; then
  site="$work/public"
  cargo run --quiet --release -- build --out "$site" >/dev/null
fi
site=$(realpath "$site")

reports=$(mktemp -d "$work/lh.XXXXXX")
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$port" >"$reports/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$reports"
}
trap cleanup EXIT
for _ in $(seq 50); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/index.html" && break
  sleep 0.1
done

pages=(
  "home:index.html"
  "chapter:prepare/evidence.html"
  "checklist:checklists/call-log.html"
  "search:search.html"
  "404:404.html"
)
printf '%-10s %-32s %5s %5s %5s %5s\n' page url perf a11y bp seo
status=0
for p in "${pages[@]}"; do
  name=${p%%:*}
  url="http://127.0.0.1:$port/${p#*:}"
  json="$reports/$name.json"
  CHROME_PATH=$chromium "$work/node_modules/.bin/lighthouse" "$url" --quiet \
    --form-factor=mobile --output=json --output-path="$json" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>"$reports/$name.err" ||
    { echo "lighthouse failed on $url:" >&2; cat "$reports/$name.err" >&2; status=1; continue; }
  node -e '
    const r = require(process.argv[1]);
    const c = r.categories, s = k => c[k].score === null ? "n/a" : Math.round(c[k].score * 100);
    const line = [process.argv[2].padEnd(10), process.argv[3].padEnd(32),
      ...["performance", "accessibility", "best-practices", "seo"].map(k => String(s(k)).padStart(5))];
    console.log(line.join(" "));
    for (const k of Object.keys(c)) {
      for (const ref of c[k].auditRefs) {
        const a = r.audits[ref.id];
        if (ref.weight > 0 && a.score !== null && a.score < 1)
          console.log(`    ${k}: ${a.id} (${a.score}) ${a.displayValue || ""}`);
      }
    }
    const lcp = r.audits["largest-contentful-paint"], cls = r.audits["cumulative-layout-shift"];
    console.log(`    LCP ${lcp.displayValue}, CLS ${cls.displayValue}`);
  ' "$json" "$name" "${p#*:}"
done
[[ -n "${KEEP:-}" ]] && echo "reports: $reports"
exit $status
