#!/usr/bin/env node
// Query-side search benchmark: node bench/search_bench.js SITE_DIR [QUERIES...]
//                              node bench/search_bench.js --pages SITE_DIR   (the indexed pages)
// Prints JSON: client gz bytes; per-query first-query transfer (client + every search file the
// query loads, gzipped, fresh state per query) and request count; warm latency p50/p95; the
// number of sections and their text bytes (page titles once per page, headings, text, code).
// SITE_DIR/search is a built site's search/ folder: the entry is search/index.js (a build's
// stable name for the manifest or one-file index); a manifest-*/index-* file also counts.
// --pages prints the site-relative URL of every page the index covers, one per line
// (bench/search_bench.sh gives Pagefind the same pages).
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const zlib = require('zlib');
const repo = path.resolve(__dirname, '..');
const pagesOnly = process.argv[2] === '--pages';
const site = process.argv[pagesOnly ? 3 : 2];
// The fixed query list is shared with search_browser.js (bench/search_queries.json).
const queries = !pagesOnly && process.argv.slice(3).length ? process.argv.slice(3)
  : JSON.parse(fs.readFileSync(path.join(__dirname, 'search_queries.json'), 'utf8'));
// The client as a build ships it (the theme's parts joined: tests/search/client.js).
const clientSrc = require(path.join(repo, 'tests/search/client.js')).source();
const gz = new Map();
function gzSize(file) {
  if (!gz.has(file)) gz.set(file, zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length);
  return gz.get(file);
}
const sd = path.join(site, 'search');
const entry = fs.readdirSync(sd).filter((f) => /^(manifest|index)[-.]/.test(f))[0];
// Sections, their text bytes and the pages, from the payloads themselves (a one-file index, or
// the section shards).
const payloads = [];
const grab = { GS: { load: (p) => payloads.push(typeof p === 'string' ? JSON.parse(p) : p) } };
vm.createContext(grab);
for (const f of fs.readdirSync(sd).filter((f) => f === entry || /^s-/.test(f))) {
  vm.runInContext(fs.readFileSync(path.join(sd, f), 'utf8'), grab);
}
let sections = 0, textBytes = 0;
const seen = new Set(); // page indices whose title is counted
const pageUrls = new Set();
const utf8 = (x) => Buffer.byteLength(x || '', 'utf8');
for (const p of payloads) {
  if (!Array.isArray(p.secs)) continue;
  // One file: pages = [[url, title], ...]; a section shard: pages = {index: [url, title]}.
  const pageOf = (i) => (Array.isArray(p.pages) ? p.pages[i] : p.pages[i]) || [];
  for (const r of p.secs) { // [page, anchor, heading, breadcrumb, text(, code)]
    sections++;
    if (!seen.has(r[0])) {
      seen.add(r[0]);
      textBytes += utf8(pageOf(r[0])[1]);
      pageUrls.add(pageOf(r[0])[0]);
    }
    textBytes += utf8(r[2]) + utf8(r[4]) + utf8(r[5]);
  }
}
if (pagesOnly) {
  process.stdout.write(Array.from(pageUrls).filter(Boolean).sort().map((u) => u + '\n').join(''));
  process.exit(0);
}
function fresh(record) {
  const ctx = { console, Math, JSON, Map, Set, Array, Object, String, Number, Date, RegExp, unescape, encodeURIComponent };
  ctx.globalThis = ctx;
  vm.createContext(ctx);
  vm.runInContext(clientSrc, ctx);
  const GS = ctx.GS;
  GS.setEntry(path.join(sd, entry));
  GS.setLoader((f) => { record.push(f); vm.runInContext(fs.readFileSync(f, 'utf8'), ctx); });
  return GS;
}
const clientGz = zlib.gzipSync(clientSrc, { level: 9 }).length;
const first = [];
for (const q of queries) {
  const files = [];
  const GS = fresh(files);
  const t0 = process.hrtime.bigint();
  let ms = 0;
  GS.query(q, 10, () => { ms = Number(process.hrtime.bigint() - t0) / 1e6; });
  const bytes = files.reduce((a, f) => a + gzSize(f), 0);
  first.push({ q, requests: files.length, bytes: bytes + clientGz, cold_ms: +ms.toFixed(1) });
}
// Warm: one state, every file the queries need already loaded.
const warm = fresh([]);
for (const q of queries) warm.query(q, 10, () => {});
const lat = [];
for (let rep = 0; rep < 5; rep++) {
  for (const q of queries) {
    const t0 = process.hrtime.bigint();
    warm.query(q, 10, () => {});
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
lat.sort((a, b) => a - b);
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(p * a.length))];
const fb = first.map((x) => x.bytes).sort((a, b) => a - b);
let total = 0, files = 0;
for (const f of fs.readdirSync(sd)) { total += gzSize(path.join(sd, f)); files++; }
console.log(JSON.stringify({
  entry, files, sections, text_bytes: textBytes, index_gz: total, client_gz: clientGz,
  first_query_bytes_p50: pct(fb, 0.5), first_query_bytes_p95: pct(fb, 0.95),
  first_query_requests_max: Math.max(...first.map((x) => x.requests)),
  warm_ms_p50: +pct(lat, 0.5).toFixed(2), warm_ms_p95: +pct(lat, 0.95).toFixed(2),
  per_query: first,
}, null, 1));
