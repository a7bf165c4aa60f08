#!/usr/bin/env node
// Query-side search benchmark in headless Chromium: guidesmith's client vs Pagefind, same harness.
//
//   node bench/search_browser.js OUT_DIR [--reps 5] [--meta key=value ...] > result.json
//   node bench/search_browser.js --report result-1000.json result-5000.json   (markdown tables)
//   node bench/search_browser.js --sizes OUT_DIR      (stored sizes only, the G3 split; no browser)
//
// OUT_DIR is what bench/search_bench.sh leaves: OUT_DIR/html (the site `guidesmith build` wrote;
// OUT_DIR/html/pagefind when Pagefind ran over its pages) and OUT_DIR/search (its search/ folder;
// the entry is search/index.js). The query
// list is bench/search_queries.json, the same as bench/search_bench.js (Node vm).
//
// One local HTTP server (127.0.0.1, random port) serves OUT_DIR/html at /, OUT_DIR/search at
// /search/, our client (themes/default/static/search/, joined) at /_bench/search.js and two blank host
// pages. It records every request; each file counts its *wire size* = min(raw, gzip -9) bytes
// (Pagefind's binary files are already gzip streams and a server sends them as they are; text
// files count gzip -9). Both systems are sized by the same function.
//
// First query, per query and system, in a fresh browser context (empty cache, no state):
//   ours:     inject /_bench/search.js, GS.setEntry(manifest), GS.query(q, 10, cb) until cb.
//             GS.query itself loads the manifest, the term shards and the section shards with the
//             snippet text of the best hits (up to 4 shards), and the results carry the snippets.
//   Pagefind: import('/pagefind/pagefind.js'), init(), search(q), data() of the first 5 results
//             (their excerpts). Default options; it starts its web worker (pagefind-worker.js),
//             which fetches pagefind-entry.json, the pf_meta, the wasm and the index chunks.
//   Counted: every request from the start of the query to its end, code included (search.js;
//   pagefind.js + worker + wasm). The host page itself is not counted. cold ms is in-page
//   performance.now() over the same span (loopback, no network throttling).
// Ours only, after that span and not counted: GS.query shows only hits whose section shard it
// loaded (≤ 4); the harness then loads the rest and compares the first 5 result pages with the
// client's own full-information ranking (GS.search), and prices the shards that would take.
// Warm: one page per system that has run every query twice (the "next query" bytes come from the
// first pass, in list order), then --reps timed passes over the list, the two systems interleaved
// query by query; in-page performance.now() around GS.query..callback, resp. around
// search(q) + the 5 data() calls. p50/p95 use the same percentile as search_bench.js.
//
// Env: PLAYWRIGHT_CORE (module dir; default $WORK/pw/node_modules/playwright-core),
//      CHROMIUM (default /usr/bin/chromium), WORK (default $BENCH_WORK/search or
//      $TMPDIR/guidesmith-bench/search, as bench/search_bench.sh).
'use strict';
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const repo = path.resolve(__dirname, '..');
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(p * a.length))]; // as search_bench.js
const sorted = (a) => a.slice().sort((x, y) => x - y);
const r1 = (x) => Math.round(x * 10) / 10;
const r2 = (x) => Math.round(x * 100) / 100;

// ---------- sizing (one function for both systems) ----------
const sizeCache = new Map();
function wire(file) {
  let s = sizeCache.get(file);
  if (!s) {
    const b = fs.readFileSync(file);
    const gz = zlib.gzipSync(b, { level: 9 }).length;
    s = { raw: b.length, gz, wire: Math.min(b.length, gz) };
    sizeCache.set(file, s);
  }
  return s;
}
function sumDir(dir, pick) {
  let wireSum = 0, gzSum = 0, files = 0;
  if (!fs.existsSync(dir)) return { wire: 0, gz: 0, files: 0 };
  for (const f of fs.readdirSync(dir)) {
    const p = path.join(dir, f);
    if (!fs.statSync(p).isFile() || (pick && !pick(f))) continue;
    const s = wire(p);
    wireSum += s.wire; gzSum += s.gz; files++;
  }
  return { wire: wireSum, gz: gzSum, files };
}
const add = (...xs) => xs.reduce((a, x) => ({ wire: a.wire + x.wire, gz: a.gz + x.gz, files: a.files + x.files }), { wire: 0, gz: 0, files: 0 });

// G3 split. Ours: index = the entry (index.js, or manifest-*/index-*) + term shards t-*; snippet store = section
// shards s-*. Pagefind: index = pagefind-entry.json + *.pf_meta + index/* + filter/*; fragments =
// fragment/*; its code (pagefind.js, worker, wasm) and UI files are in neither (nor is our client).
function storeSizes(out) {
  const sd = path.join(out, 'search');
  const ours = {
    index: sumDir(sd, (f) => /^(manifest|index)[-.]|^t-/.test(f)),
    snippets: sumDir(sd, (f) => /^s-/.test(f)),
    other: sumDir(sd, (f) => !/^(manifest|index)[-.]|^[ts]-/.test(f)),
  };
  const pd = path.join(out, 'html', 'pagefind');
  const pf = fs.existsSync(pd) ? {
    index: add(sumDir(pd, (f) => f === 'pagefind-entry.json' || f.endsWith('.pf_meta')),
      sumDir(path.join(pd, 'index')), sumDir(path.join(pd, 'filter'))),
    fragments: sumDir(path.join(pd, 'fragment')),
    code: sumDir(pd, (f) => f === 'pagefind.js' || f === 'pagefind-worker.js' || /^wasm\./.test(f)),
  } : null;
  return { ours, pagefind: pf };
}

// ---------- server ----------
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json', '.css': 'text/css' };
const HOST = (title) => `<!DOCTYPE html><html lang="zh-cn"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head><body></body></html>`;
function startServer(out, log) {
  const roots = [['/search/', path.join(out, 'search')], ['/', path.join(out, 'html')]];
  // The client as a build ships it (src/search/client.rs: the theme's parts joined, blank and
  // whole-line `//` comment lines dropped, lines trimmed), so the code bytes are what readers
  // download.
  const shipped = path.join(out, 'shipped-search.js');
  fs.writeFileSync(shipped, require(path.join(repo, 'tests/search/client.js')).source());
  const virtual = { '/_bench/search.js': shipped };
  const pages = { '/_bench/gs.html': HOST('gs'), '/_bench/pf.html': HOST('pf') };
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url.split('?')[0]);
    if (pages[url]) { res.writeHead(200, { 'content-type': MIME['.html'] }); res.end(pages[url]); return; }
    let file = virtual[url];
    if (!file) {
      for (const [prefix, dir] of roots) {
        if (!url.startsWith(prefix)) continue;
        const p = path.join(dir, path.normalize(url.slice(prefix.length)));
        if (p.startsWith(dir + path.sep)) file = p;
        break;
      }
    }
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      log.push({ url, status: 404, raw: 0, gz: 0, wire: 0 });
      res.writeHead(404); res.end(); return;
    }
    log.push({ url, status: 200, ...wire(file) });
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream', 'cache-control': 'max-age=3600' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---------- in-page code (runs in Chromium) ----------
async function gsLoadClient(entry) {
  await new Promise((res, rej) => {
    const s = document.createElement('script');
    s.src = '/_bench/search.js'; s.onload = res; s.onerror = () => rej(new Error('search.js failed'));
    document.head.appendChild(s);
  });
  GS.setEntry('/search/' + entry);
}
// These functions are serialised into the page, so each carries its own helpers.
const inPage = {
  // First query from nothing: client load + everything GS.query loads, until its callback.
  gsFirst: async ({ q, entry }) => {
    const firstPages = (res, k) => Array.from(new Set((res || []).map((x) => x.page).filter(Boolean))).slice(0, k);
    const t0 = performance.now();
    await new Promise((res, rej) => {
      const s = document.createElement('script');
      s.src = '/_bench/search.js'; s.onload = res; s.onerror = () => rej(new Error('search.js failed'));
      document.head.appendChild(s);
    });
    GS.setEntry('/search/' + entry);
    const res = await new Promise((r) => GS.query(q, 10, r));
    const ms = performance.now() - t0;
    const top5 = firstPages(res, 5);
    // Of the first 5 result pages, how many show snippet text (from the section shards loaded).
    const snippets5 = top5.filter((pg) => res.some((x) => x.page === pg && x.snippet.some((t) => t[0].replace('…', '').trim()))).length;
    return { ms, pages: new Set((res || []).map((x) => x.page)).size, hits: (res || []).length, top5, snippets5, failed: !!GS.failed };
  },
  // Diagnostic, after the measured span (its requests are not counted): GS.query shows only hits
  // whose section record arrived with the ≤ 4 section shards it loads. Load the shards of the 60
  // best-ranked sections too and compare the first 5 result pages with what GS.query returned.
  gsIdeal: async ({ q, got }) => {
    const firstPages = (res, k) => Array.from(new Set((res || []).map((x) => x.page).filter(Boolean))).slice(0, k);
    const D = GS._state(), ss = D.manifest.ss, want = new Set();
    if (D.kind !== 'manifest') return { ideal: got, idealShards: [], displaced: 0 }; // one-file layout: all text present
    for (const r of (GS.sections(q) || []).slice(0, 60)) {
      let lo = 0, hi = ss.length - 1;
      while (lo < hi) { const m = (lo + hi + 1) >> 1; if (ss[m] <= r.section) lo = m; else hi = m - 1; }
      want.add(lo);
    }
    const hex3 = (i) => i.toString(16).padStart(3, '0');
    await Promise.all(Array.from(want).map((i) => new Promise((res) => {
      const s = document.createElement('script');
      s.src = `/search/s-${hex3(i)}-${D.manifest.sh[i]}.js`; s.onload = res; s.onerror = res;
      document.head.appendChild(s);
    })));
    const full = GS.search(q, 10), ideal = firstPages(full, 5);
    // The section shards holding the best hit of each of those 5 pages (= 5 snippets).
    const shardOf = (sec) => { let lo = 0, hi = ss.length - 1; while (lo < hi) { const m = (lo + hi + 1) >> 1; if (ss[m] <= sec) lo = m; else hi = m - 1; } return lo; };
    const idealShards = Array.from(new Set(ideal.map((pg) => shardOf(full.find((x) => x.page === pg).section))))
      .map((i) => `s-${hex3(i)}-${D.manifest.sh[i]}.js`);
    return { ideal, idealShards, displaced: ideal.filter((pg) => !got.includes(pg)).length };
  },
  gsWarm: ({ q }) => new Promise((resolve) => {
    const t0 = performance.now();
    GS.query(q, 10, (res) => resolve({ ms: performance.now() - t0, hits: (res || []).length }));
  }),
  pfFirst: async ({ q }) => {
    const t0 = performance.now();
    const pf = await import('/pagefind/pagefind.js');
    await pf.init();
    const r = await pf.search(q);
    const data = await Promise.all(r.results.slice(0, 5).map((x) => x.data()));
    const ms = performance.now() - t0;
    return { ms, pages: r.results.length, excerpts5: data.filter((d) => d && d.excerpt).length };
  },
  pfWarm: async ({ q }) => {
    const pf = await import('/pagefind/pagefind.js'); // cached module, outside the timed span
    const t0 = performance.now();
    const r = await pf.search(q);
    await Promise.all(r.results.slice(0, 5).map((x) => x.data()));
    return { ms: performance.now() - t0, hits: r.results.length };
  },
};

// ---------- measurement ----------
// A warm query that never answers (seen with Pagefind in its long-lived page) is named in the
// warnings and left out of that system's warm figures, instead of hanging the whole run.
const WARM_TIMEOUT_MS = 20000;
function answer(page, fn, arg, label, warnings) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => {
      warnings.add(`${label}: no answer within ${WARM_TIMEOUT_MS / 1000} s, left out of the warm figures`);
      resolve(null);
    }, WARM_TIMEOUT_MS);
  });
  return Promise.race([page.evaluate(fn, arg), late]).finally(() => clearTimeout(timer));
}
function classify(sys, url) { // 'code' or 'data'
  if (sys === 'gs') return url === '/_bench/search.js' ? 'code' : 'data';
  return /\/pagefind\/(pagefind\.js|pagefind-worker\.js|wasm\.[^/]*)$/.test(url) ? 'code' : 'data';
}
function tally(sys, reqs) {
  const t = { bytes: 0, code_bytes: 0, requests: reqs.length, data_requests: 0, not_found: 0 };
  for (const r of reqs) {
    t.bytes += r.wire;
    if (r.status !== 200) t.not_found++;
    if (classify(sys, r.url) === 'code') t.code_bytes += r.wire; else t.data_requests++;
  }
  return t;
}

async function measure(out, reps, meta) {
  const work = process.env.WORK || path.join(process.env.BENCH_WORK || path.join(os.tmpdir(), 'guidesmith-bench'), 'search');
  const pwDir = process.env.PLAYWRIGHT_CORE || path.join(work, 'pw/node_modules/playwright-core');
  const { chromium } = require(pwDir);
  const queries = JSON.parse(fs.readFileSync(path.join(__dirname, 'search_queries.json'), 'utf8'));
  const entry = fs.readdirSync(path.join(out, 'search')).filter((f) => /^(manifest|index)[-.]/.test(f))[0];
  const havePf = fs.existsSync(path.join(out, 'html/pagefind/pagefind.js'));
  const systems = havePf ? ['gs', 'pf'] : ['gs'];
  const log = [];
  const server = await startServer(out, log);
  const base = `http://127.0.0.1:${server.address().port}`;
  // Playwright starts Chromium with a fresh temporary --user-data-dir; each context is a clean profile.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const warnings = new Set();
  const watch = (page, sys) => page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.add(`${sys}: ${m.text().slice(0, 200)}`);
  });
  const result = { out, meta, queries: queries.length, entry, reps, sizes: storeSizes(out), per_query: [] };
  try {
    // First queries: a fresh context per query and system.
    for (const q of queries) {
      const row = { q };
      for (const sys of systems) {
        const ctx = await browser.newContext();
        const page = await ctx.newPage();
        watch(page, sys);
        await page.goto(`${base}/_bench/${sys}.html`);
        log.length = 0;
        const r = await page.evaluate(sys === 'gs' ? inPage.gsFirst : inPage.pfFirst, { q, entry });
        const reqs = log.splice(0);
        const files = reqs.map((x) => x.url.replace(/^.*\//, ''));
        if (sys === 'gs') {
          // Bytes the query would need to show the true top 5 pages' snippets as well.
          Object.assign(r, await page.evaluate(inPage.gsIdeal, { q, got: r.top5 }));
          r.idealExtra = r.idealShards.filter((f) => !files.includes(f));
          r.idealExtraBytes = r.idealExtra.reduce((a, f) => a + wire(path.join(out, 'search', f)).wire, 0);
        }
        await ctx.close();
        row[sys] = { ...tally(sys, reqs), ...r, ms: r1(r.ms), files };
      }
      result.per_query.push(row);
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    // Warm: one page per system. Pass 1 loads what each query needs (and gives next-query bytes);
    // pass 2 loads what changed since (Pagefind's top 5 for a query can change once other queries
    // have loaded more index chunks, so it fetches a few more fragments); then the timed passes.
    const warmPages = {}, next = {}, stuck = { gs: new Set(), pf: new Set() };
    const warm = (sys, page, q) => answer(page, sys === 'gs' ? inPage.gsWarm : inPage.pfWarm, { q },
      `${sys}: warm query "${q}"`, warnings).then((r) => { if (r === null) stuck[sys].add(q); return r; });
    for (const sys of systems) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      watch(page, sys);
      await page.goto(`${base}/_bench/${sys}.html`);
      if (sys === 'gs') await page.evaluate(gsLoadClient, entry);
      next[sys] = [];
      for (const q of queries) {
        log.length = 0;
        await warm(sys, page, q);
        next[sys].push(tally(sys, log.splice(0)).bytes);
      }
      for (const q of queries) if (!stuck[sys].has(q)) await warm(sys, page, q);
      warmPages[sys] = page;
    }
    const lat = { gs: [], pf: [] }, warmReqs = { gs: [], pf: [] };
    for (let rep = 0; rep < reps; rep++) {
      for (let i = 0; i < queries.length; i++) {
        const order = (rep + i) % 2 ? systems.slice().reverse() : systems;
        for (const sys of order) {
          if (stuck[sys].has(queries[i])) continue;
          log.length = 0;
          const r = await warm(sys, warmPages[sys], queries[i]);
          warmReqs[sys].push(...log.splice(0).map((x) => `${queries[i]} ${x.url}`));
          if (r !== null) lat[sys].push(r.ms);
        }
      }
    }
    for (const sys of systems) {
      const fq = result.per_query.map((r) => r[sys]);
      const b = sorted(fq.map((x) => x.bytes)), ms = sorted(fq.map((x) => x.ms)), rq = sorted(fq.map((x) => x.requests));
      const drq = sorted(fq.map((x) => x.data_requests)), nx = sorted(next[sys].slice(1)), w = sorted(lat[sys]);
      result[sys === 'gs' ? 'ours' : 'pagefind'] = {
        first_bytes_p50: pct(b, 0.5), first_bytes_p95: pct(b, 0.95), first_bytes_max: b[b.length - 1],
        code_bytes: fq[0].code_bytes,
        requests_max: rq[rq.length - 1], requests_p50: pct(rq, 0.5),
        data_requests_max: drq[drq.length - 1], data_requests_p50: pct(drq, 0.5),
        cold_ms_p50: r1(pct(ms, 0.5)), cold_ms_p95: r1(pct(ms, 0.95)),
        next_bytes_p50: pct(nx, 0.5), next_bytes_p95: pct(nx, 0.95),
        ...(sys === 'gs' ? (() => {
          const t = sorted(fq.map((x) => x.bytes + x.idealExtraBytes)), e = sorted(fq.map((x) => x.data_requests + x.idealExtra.length));
          return { top5_first_bytes_p50: pct(t, 0.5), top5_first_bytes_p95: pct(t, 0.95), top5_data_requests_max: e[e.length - 1] };
        })() : {}),
        warm_ms_p50: r2(pct(w, 0.5)), warm_ms_p95: r2(pct(w, 0.95)), warm_samples: w.length,
        warm_requests: warmReqs[sys].length, warm_request_urls: warmReqs[sys].slice(0, 20), not_found: fq.reduce((a, x) => a + x.not_found, 0),
      };
    }
    if (havePf) {
      const o = result.ours, p = result.pagefind;
      result.ratios = {
        first_bytes_p50: r2(o.first_bytes_p50 / p.first_bytes_p50),
        first_bytes_p95: r2(o.first_bytes_p95 / p.first_bytes_p95),
        warm_p95: r2(o.warm_ms_p95 / p.warm_ms_p95),
        warm_p50: r2(o.warm_ms_p50 / p.warm_ms_p50),
        cold_p50: r2(o.cold_ms_p50 / p.cold_ms_p50),
        top5_first_bytes_p50: r2(o.top5_first_bytes_p50 / p.first_bytes_p50),
        top5_first_bytes_p95: r2(o.top5_first_bytes_p95 / p.first_bytes_p95),
      };
    }
    result.browser = browser.version();
    result.warnings = Array.from(warnings);
  } finally {
    await browser.close();
    server.close();
  }
  return result;
}

// ---------- report ----------
function report(files) {
  const rs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
  const kb = (b) => (b / 1024).toFixed(1);
  const pc = (b, t) => (t ? (100 * b / t).toFixed(1) + ' %' : '?');
  const m = (r, k) => (r.meta && r.meta[k] !== undefined ? r.meta[k] : '?');
  const L = [];
  L.push('', 'Query side in headless Chromium (first query = fresh context, code included; warm = in-page, after two full passes):', '',
    '| N | system | 1st-query KB p50 / p95 / max | of which code KB | requests max / p50 (data only max / p50) | cold ms p50 / p95 | next-query KB p50 / p95 | warm ms p50 / p95 |',
    '|---|---|---|---|---|---|---|---|');
  for (const r of rs) {
    for (const [name, s] of [['ours', r.ours], ['Pagefind', r.pagefind]]) {
      if (!s) continue;
      L.push(`| ${m(r, 'n')} | ${name} | ${kb(s.first_bytes_p50)} / ${kb(s.first_bytes_p95)} / ${kb(s.first_bytes_max)} | ${kb(s.code_bytes)} | ` +
        `${s.requests_max} / ${s.requests_p50} (${s.data_requests_max} / ${s.data_requests_p50}) | ${s.cold_ms_p50} / ${s.cold_ms_p95} | ` +
        `${kb(s.next_bytes_p50)} / ${kb(s.next_bytes_p95)} | ${s.warm_ms_p50} / ${s.warm_ms_p95} |`);
    }
  }
  if (rs.some((r) => r.meta && r.meta.vm_first_p50 !== undefined)) {
    L.push('', 'Ours in Node vm (bench/search_bench.js; no browser, for continuity):', '',
      '| N | 1st-query KB p50 / p95 | data requests max (client not counted) | warm ms p50 / p95 |', '|---|---|---|---|');
    for (const r of rs) {
      L.push(`| ${m(r, 'n')} | ${kb(m(r, 'vm_first_p50'))} / ${kb(m(r, 'vm_first_p95'))} | ${m(r, 'vm_requests_max')} | ${m(r, 'vm_warm_p50')} / ${m(r, 'vm_warm_p95')} |`);
    }
  }
  if (rs.some((r) => r.ratios)) {
    L.push('', 'Ratios ours / Pagefind, same run (goals for N = 5000: 1st-query bytes ≤ 0.75, warm p95 ≤ 1.0; data requests ≤ 4):', '',
      '| N | 1st-query bytes p50 | 1st-query bytes p95 | warm p95 | warm p50 | cold p50 | our data requests max | bytes p50 / p95 with the true top-5 snippets | data requests max then |',
      '|---|---|---|---|---|---|---|---|---|');
    for (const r of rs) {
      if (!r.ratios) continue;
      const x = r.ratios;
      L.push(`| ${m(r, 'n')} | ${x.first_bytes_p50} | ${x.first_bytes_p95} | ${x.warm_p95} | ${x.warm_p50} | ${x.cold_p50} | ${r.ours.data_requests_max} | ` +
        `${x.top5_first_bytes_p50} / ${x.top5_first_bytes_p95} | ${r.ours.top5_data_requests_max} |`);
    }
  }
  const notes = [];
  for (const r of rs) {
    const gs = r.per_query.map((q) => q.gs);
    const disp = r.per_query.filter((q) => q.gs.displaced > 0);
    notes.push(`N=${m(r, 'n')}: ours, first 5 result pages vs the first 5 with every needed section record loaded: ` +
      `${disp.length} of ${gs.length} queries differ (${disp.map((q) => q.q + ':' + q.gs.displaced).join(', ') || 'none'}); ` +
      `first-5 pages with snippet text ${gs.reduce((a, g) => a + g.snippets5, 0)} of ${gs.reduce((a, g) => a + g.top5.length, 0)}`);
    if (r.pagefind) notes.push(`N=${m(r, 'n')}: Pagefind, first 5 results with an excerpt ${r.per_query.reduce((a, q) => a + q.pf.excerpts5, 0)} of ${r.per_query.reduce((a, q) => a + Math.min(5, q.pf.pages), 0)}`);
    for (const s of ['ours', 'pagefind']) {
      if (r[s] && r[s].not_found) notes.push(`N=${m(r, 'n')}: ${s} had ${r[s].not_found} 404 responses in first queries`);
      if (r[s] && r[s].warm_requests) notes.push(`N=${m(r, 'n')}: ${s} made ${r[s].warm_requests} requests during warm timing`);
    }
    const pfEmpty = r.pagefind ? r.per_query.filter((q) => q.pf.pages === 0).map((q) => q.q) : [];
    const gsEmpty = r.per_query.filter((q) => q.gs.hits === 0).map((q) => q.q);
    if (pfEmpty.length) notes.push(`N=${m(r, 'n')}: Pagefind returned nothing for ${pfEmpty.join(', ')}`);
    if (gsEmpty.length) notes.push(`N=${m(r, 'n')}: ours returned nothing for ${gsEmpty.join(', ')}`);
    for (const w of r.warnings || []) notes.push(`N=${m(r, 'n')}: console ${w}`);
    notes.push(`N=${m(r, 'n')}: ${r.browser}, ${r.queries} queries, warm ${r.ours.warm_samples} samples per system`);
  }
  L.push('', ...notes.map((n) => '- ' + n));
  console.log(L.join('\n'));
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--report') return report(args.slice(1));
  if (args[0] === '--sizes') return console.log(JSON.stringify(storeSizes(path.resolve(args[1]))));
  let out = null, reps = 5;
  const meta = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--reps') reps = +args[++i];
    else if (args[i] === '--meta') { const [k, ...v] = args[++i].split('='); const s = v.join('='); meta[k] = s !== '' && !isNaN(+s) ? +s : s; }
    else out = args[i];
  }
  if (!out) { console.error('usage: search_browser.js OUT_DIR [--reps 5] [--meta k=v ...] | --report FILE... | --sizes OUT_DIR'); process.exit(2); }
  console.log(JSON.stringify(await measure(path.resolve(out), reps, meta), null, 1));
}
main().catch((e) => { console.error(e); process.exit(1); });
