#!/usr/bin/env node
// Search quality, guidesmith vs Pagefind, on the labelled query set tests/search/queries.yaml.
//
//   node bench/search_quality.js SITE_DIR [--json FILE] [--verbose]
//
// SITE_DIR is a site `guidesmith build` wrote (SITE_DIR/search/ is its index) with a Pagefind
// bundle in SITE_DIR/pagefind/, made by Pagefind (extended build, which segments Chinese) over
// the same pages our index covers (bench/search_bench.sh quality does both).
//
// Method, the same for both systems and the same as tests/search/eval.js:
//   a query's result pages = the result list in rank order, deduplicated to pages (first
//   occurrence kept); top 5 = the first 5 of them.
//   recall@5 = share of the query's expected pages in its top 5;
//   MRR@5 = 1 / rank of the first expected page in the top 5 (0 if none);
//   zero results = the system returned no result at all.
//   Each figure is the mean over the queries of a category, and over all 527 ("overall").
// guidesmith: the site's own client in Node, loaded and queried exactly as eval.js does
//   (GS.query(q, 10, cb); its results are sections, r.page is the page). eval.js itself is run
//   too and its table compared with ours, so the two stay the same computation.
// Pagefind: in headless Chromium (playwright-core driving CHROMIUM), a fresh browser context per
//   query (a reader's first query: empty cache): import('/pagefind/pagefind.js'), init(),
//   search(q) with default options, then data() of results until 5 distinct pages. Each
//   result's url is mapped to a site-relative page path (leading '/', '?query' and '#fragment'
//   dropped, a directory url gets index.html) to compare with the `expect` values. A second pass
//   runs every query again in one long-lived page and counts the queries whose top 5 differs.
// The site is served by a local HTTP server (127.0.0.1, random port) at /, with a blank host
// page (lang zh-cn) at /_bench/pf.html, as bench/search_browser.js does.
//
// Prints one markdown table (category, n, recall@5 and MRR@5 of each system), the zero-result
// rates and whether guidesmith is ahead in every category on both metrics (ahead = higher, or
// equal at 1.000). --json FILE: every query with both systems' top 5 pages and figures.
// Env: PLAYWRIGHT_CORE (module dir; default $WORK/pw/node_modules/playwright-core),
//      CHROMIUM (default /usr/bin/chromium), WORK (default $BENCH_WORK/search or
//      $TMPDIR/guidesmith-bench/search, as bench/search_bench.sh).
'use strict';
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const vm = require('vm');
const { spawnSync } = require('child_process');

const repo = path.resolve(__dirname, '..');
const evalJs = path.join(repo, 'tests/search/eval.js');

// ---------- scoring (eval.js's definitions) ----------
function top5Of(pages) {
  const order = [];
  for (const p of pages) if (p && !order.includes(p)) order.push(p);
  return order.slice(0, 5);
}
function score(expect, top) {
  const hit = expect.filter((e) => top.includes(e)).length;
  const first = top.findIndex((p) => expect.includes(p));
  return { recall: hit / expect.length, rr: first >= 0 ? 1 / (first + 1) : 0 };
}
function tableOf(rows, sys) {
  const stats = {};
  const add = (cat, s) => {
    const t = (stats[cat] = stats[cat] || { n: 0, recall: 0, mrr: 0, zero: 0 });
    t.n++; t.recall += s.recall; t.mrr += s.rr; t.zero += s.zero ? 1 : 0;
  };
  for (const r of rows) { add(r.cat, r[sys]); add('overall', r[sys]); }
  for (const t of Object.values(stats)) { t.recall /= t.n; t.mrr /= t.n; }
  return stats;
}

// ---------- guidesmith: the site's client in Node, as eval.js loads it ----------
function runGuidesmith(site, queries) {
  const sd = path.join(site, 'search');
  const entry = fs.existsSync(sd) && fs.readdirSync(sd).filter((f) => /^(manifest|index)(-[0-9a-f]+)?\.js$/.test(f)).sort()[0];
  if (!entry) throw new Error(`no search/index-*.js or search/manifest-*.js under ${site}`);
  const sdir = path.join(site, 'static');
  const shipped = fs.existsSync(sdir) && fs.readdirSync(sdir).find((f) => /^search(\.[0-9a-f]+)?\.js$/.test(f));
  const GS = shipped ? require(path.resolve(sdir, shipped)) : require(path.join(repo, 'tests/search/client.js')).load();
  GS.setEntry(path.join(sd, entry));
  GS.setLoader((f) => vm.runInThisContext(fs.readFileSync(f, 'utf8'), { filename: f }));
  return new Promise((resolve) => GS.ready(() => {
    const out = new Array(queries.length);
    let pending = queries.length;
    queries.forEach((item, i) => GS.query(item.q, 10, (res) => {
      const top = top5Of((res || []).map((r) => r.page));
      out[i] = { top5: top, zero: !res || !res.length, ...score(item.expect, top) };
      if (--pending === 0) resolve(out);
    }));
  }));
}

// eval.js's own table, to check that the figures above are its figures.
function evalTable(site) {
  const r = spawnSync(process.execPath, [evalJs, site], { encoding: 'utf8' });
  const t = {};
  for (const line of (r.stdout || '').split('\n')) {
    const m = line.match(/^([a-z]+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s*$/);
    if (m) t[m[1]] = { n: +m[2], recall: +m[3], mrr: +m[4] };
    const z = line.match(/^zero results: (\d+) of/);
    if (z) t.zero = +z[1];
  }
  return t;
}

// ---------- Pagefind in headless Chromium ----------
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json', '.css': 'text/css' };
const HOST = '<!DOCTYPE html><html lang="zh-cn"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>pf</title></head><body></body></html>';
function startServer(root) {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url.split('?')[0]);
    if (url === '/_bench/pf.html') { res.writeHead(200, { 'content-type': MIME['.html'] }); res.end(HOST); return; }
    const file = path.join(root, path.normalize(url));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
// Runs in the page: the urls of results, in rank order, until 5 distinct ones (or the end).
async function pfQuery({ q, init }) {
  const pf = await import('/pagefind/pagefind.js');
  if (init) await pf.init();
  const r = await pf.search(q);
  const urls = [], seen = new Set();
  for (const x of r.results) {
    if (seen.size >= 5) break;
    const d = await x.data();
    urls.push(d.url);
    seen.add(d.url);
  }
  return { count: r.results.length, urls };
}
// A Pagefind url to the site-relative page path `expect` uses.
function pageOf(url) {
  let p = String(url).replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/[?#].*$/, '');
  try { p = decodeURI(p); } catch (e) { /* keep as is */ }
  p = p.replace(/^\/+/, '');
  if (p === '' || p.endsWith('/')) p += 'index.html';
  return p;
}
async function runPagefind(site, queries) {
  const work = process.env.WORK || path.join(process.env.BENCH_WORK || path.join(os.tmpdir(), 'guidesmith-bench'), 'search');
  const { chromium } = require(process.env.PLAYWRIGHT_CORE || path.join(work, 'pw/node_modules/playwright-core'));
  const server = await startServer(site);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const warnings = new Set();
  const watch = (page) => page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.add(m.text().slice(0, 200));
  });
  const out = [];
  let differ = [];
  try {
    for (const item of queries) { // fresh context per query
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      watch(page);
      await page.goto(`${base}/_bench/pf.html`);
      const r = await page.evaluate(pfQuery, { q: item.q, init: true });
      await ctx.close();
      const top = top5Of(r.urls.map(pageOf));
      out.push({ top5: top, zero: r.count === 0, results: r.count, urls: r.urls, ...score(item.expect, top) });
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    // Second pass: one long-lived page, every query in list order.
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    watch(page);
    await page.goto(`${base}/_bench/pf.html`);
    await page.evaluate(async () => { const pf = await import('/pagefind/pagefind.js'); await pf.init(); });
    for (let i = 0; i < queries.length; i++) {
      const r = await page.evaluate(pfQuery, { q: queries[i].q, init: false });
      const top = top5Of(r.urls.map(pageOf));
      if (top.join(' ') !== out[i].top5.join(' ')) differ.push({ q: queries[i].q, fresh: out[i].top5, reused: top });
    }
    await ctx.close();
    return { rows: out, differ, warnings: Array.from(warnings), browser: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

// ---------- main ----------
async function main() {
  const args = process.argv.slice(2);
  let site = null, json = null;
  const verbose = args.includes('--verbose');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--json') json = args[++i];
    else if (args[i] !== '--verbose') site = args[i];
  }
  if (!site) { console.error('usage: node bench/search_quality.js SITE_DIR [--json FILE] [--verbose]'); process.exit(2); }
  site = path.resolve(site);
  if (!fs.existsSync(path.join(site, 'pagefind/pagefind.js'))) {
    console.error(`no pagefind/pagefind.js under ${site} (run Pagefind over the site first)`); process.exit(2);
  }
  const queries = require(path.join(repo, 'tests/search/queries.js')).loadQueries();
  const gs = await runGuidesmith(site, queries);
  const pf = await runPagefind(site, queries);
  const rows = queries.map((item, i) => ({ ...item, gs: gs[i], pf: pf.rows[i] }));
  const G = tableOf(rows, 'gs'), P = tableOf(rows, 'pf');

  // eval.js's table must be ours, to the 3 decimals it prints.
  const E = evalTable(site), mismatch = [];
  for (const [c, g] of Object.entries(G)) {
    const e = E[c];
    if (!e || e.n !== g.n || e.recall !== +g.recall.toFixed(3) || e.mrr !== +g.mrr.toFixed(3)) mismatch.push(c);
  }
  if (E.zero !== G.overall.zero) mismatch.push('zero results');

  const f = (x) => x.toFixed(3);
  const cats = Object.keys(G).filter((c) => c !== 'overall').sort().concat(['overall']);
  const ahead = (c) => ['recall', 'mrr'].every((k) => G[c][k] > P[c][k] + 1e-9 || (G[c][k] >= 1 - 1e-9 && P[c][k] >= 1 - 1e-9));
  const L = ['', `Search quality on tests/search/queries.yaml (${queries.length} queries), same site, first 5 result pages:`, '',
    '| category | n | guidesmith recall@5 | guidesmith MRR@5 | Pagefind recall@5 | Pagefind MRR@5 |', '|---|---|---|---|---|---|'];
  for (const c of cats) {
    const b = (s) => (c === 'overall' ? `**${s}**` : s);
    L.push(`| ${b(c)} | ${G[c].n} | ${b(f(G[c].recall))} | ${b(f(G[c].mrr))} | ${b(f(P[c].recall))} | ${b(f(P[c].mrr))} |`);
  }
  const pc = (z) => `${z} of ${queries.length} (${(100 * z / queries.length).toFixed(1)} %)`;
  L.push('', `zero results: guidesmith ${pc(G.overall.zero)}, Pagefind ${pc(P.overall.zero)}`);
  const behind = cats.filter((c) => !ahead(c));
  L.push(behind.length
    ? `guidesmith ahead in every category on both metrics: NO (not ahead in: ${behind.map((c) => `${c} ${f(G[c].recall)}/${f(G[c].mrr)} vs ${f(P[c].recall)}/${f(P[c].mrr)}`).join('; ')})`
    : 'guidesmith ahead in every category on both metrics: YES');
  const wins = rows.filter((r) => r.pf.rr > r.gs.rr || (r.pf.rr === r.gs.rr && r.pf.recall > r.gs.recall));
  const losses = rows.filter((r) => r.gs.rr > r.pf.rr || (r.gs.rr === r.pf.rr && r.gs.recall > r.pf.recall));
  L.push(`per query (MRR@5, then recall@5): Pagefind better on ${wins.length}, guidesmith better on ${losses.length}, equal on ${rows.length - wins.length - losses.length}`);
  L.push(`Pagefind, fresh context per query vs one long-lived page: ${pf.differ.length} queries with a different top 5${pf.differ.length ? ' (' + pf.differ.slice(0, 10).map((d) => d.q).join(', ') + ')' : ''}`);
  L.push(mismatch.length ? `WARNING: tests/search/eval.js prints other figures for: ${mismatch.join(', ')}` : 'guidesmith figures = tests/search/eval.js figures (checked)');
  L.push(`${pf.browser}; Pagefind console warnings/errors: ${pf.warnings.length ? pf.warnings.join(' | ') : 'none'}`);
  if (verbose) {
    L.push('', 'Queries where Pagefind ranks better:');
    for (const r of wins) L.push(`- [${r.cat}] ${r.q} expect ${r.expect.join(',')}; ours ${r.gs.top5.join(',') || '(none)'}; Pagefind ${r.pf.top5.join(',') || '(none)'}`);
  }
  console.log(L.join('\n'));
  if (json) {
    fs.writeFileSync(json, JSON.stringify({
      site, queries: queries.length, browser: pf.browser, guidesmith: G, pagefind: P, eval_js: E, eval_mismatch: mismatch,
      pagefind_reuse_differs: pf.differ, warnings: pf.warnings, per_query: rows,
    }, null, 1));
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
