#!/usr/bin/env bash
# The W3C Nu HTML checker over every page of the built guide (errors only), from the npm package
# vnu-jar (Java 17+). The package is installed into a scratch folder ($BENCH_WORK, default
# $TMPDIR/guidesmith-bench), never into the repository.
#
# Usage: bench/nu_validate.sh [SITE_DIR]   (default: builds the guide into the scratch folder)
# Prints each error and the error count; exit status 1 when there is any error.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_WORK:-${TMPDIR:-/tmp}/guidesmith-bench}
mkdir -p "$work"
work=$(realpath "$work")
jar="$work/node_modules/vnu-jar/build/dist/vnu.jar"
if [[ ! -f "$jar" ]]; then
  # --ignore-scripts: the package's postinstall only fetches a Java runtime; we use the system's.
  (cd "$work" && { [[ -f package.json ]] || npm init -y >/dev/null; } &&
    npm install --no-fund --no-audit --ignore-scripts vnu-jar >/dev/null)
fi

site=${1:-}
if [[ -z "$site" ]]; then
  site="$work/public"
  cargo run --quiet --release -- build --out "$site" >/dev/null
fi
site=$(realpath "$site")

log=$(mktemp)
trap 'rm -f "$log"' EXIT
pages=$(find "$site" -name '*.html' | wc -l)
set +e
java -jar "$jar" --skip-non-html --errors-only "$site" 2>"$log"
set -e
sed "s|file:$site/||" "$log"
errors=$(grep -c ': error: ' "$log" || true)
echo "Nu HTML checker: $errors error(s) in $pages page(s)"
[[ "$errors" -eq 0 ]]
