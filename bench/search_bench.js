#!/usr/bin/env node
// Query-side search benchmark: node bench/search_bench.js SITE_DIR [QUERIES...]
// Prints JSON: client gz bytes; per-query first-query transfer (client + every search file the
// query loads, gzipped, fresh state per query) and request count; warm latency p50/p95.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const zlib = require('zlib');
const repo = path.resolve(__dirname, '..');
const site = process.argv[2];
// The fixed query list is shared with search_browser.js (bench/search_queries.json).
const queries = process.argv.slice(3).length ? process.argv.slice(3)
  : JSON.parse(fs.readFileSync(path.join(__dirname, 'search_queries.json'), 'utf8'));
// The client as a build ships it (the theme's parts joined: tests/search/client.js).
const clientSrc = require(path.join(repo, 'tests/search/client.js')).source();
const gz = new Map();
function gzSize(file) {
  if (!gz.has(file)) gz.set(file, zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length);
  return gz.get(file);
}
const sd = path.join(site, 'search');
const entry = fs.readdirSync(sd).filter((f) => /^(manifest|index)-/.test(f))[0];
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
  entry, files, index_gz: total, client_gz: clientGz,
  first_query_bytes_p50: pct(fb, 0.5), first_query_bytes_p95: pct(fb, 0.95),
  first_query_requests_max: Math.max(...first.map((x) => x.requests)),
  warm_ms_p50: +pct(lat, 0.5).toFixed(2), warm_ms_p95: +pct(lat, 0.95).toFixed(2),
  per_query: first,
}, null, 1));
