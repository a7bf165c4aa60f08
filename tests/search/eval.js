#!/usr/bin/env node
// Search quality on the labelled query set: node tests/search/eval.js SITE_DIR [--verbose] [--half odd|even]
// Loads SITE_DIR/search/{index,manifest}-*.js and the site's search client in Node, runs
// every query in tests/search/queries.yaml, prints recall@5 and MRR@5 per category and overall
// and the zero-result rate, and exits non-zero when a figure falls below its floor (FLOORS).
// --half odd|even keeps the queries at odd (1st, 3rd, …) or even positions of the file only: look
// for failure patterns on one half, check a change on the other (held out); floors are not applied.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const site = process.argv[2];
const verbose = process.argv.includes('--verbose');
const halfAt = process.argv.indexOf('--half');
const half = halfAt > 0 ? process.argv[halfAt + 1] : null;
if (half !== null && half !== 'odd' && half !== 'even') { console.error('--half takes odd or even'); process.exit(2); }
if (!site) { console.error('usage: node tests/search/eval.js SITE_DIR [--verbose] [--half odd|even]'); process.exit(2); }
const sd = path.join(site, 'search');
const entry = fs.existsSync(sd) && fs.readdirSync(sd).filter((f) => /^(manifest|index)(-[0-9a-f]+)?\.js$/.test(f)).sort()[0];
if (!entry) { console.error(`no search/index-*.js or search/manifest-*.js under ${site}`); process.exit(2); }

// The site's own client if it ships one (static/search.*.js), else the theme's parts joined.
const sdir = path.join(site, 'static');
const shipped = fs.existsSync(sdir) && fs.readdirSync(sdir).find((f) => /^search(\.[0-9a-f]+)?\.js$/.test(f));
const GS = shipped ? require(path.resolve(sdir, shipped)) : require('./client').load();
GS.setEntry(path.join(sd, entry));
GS.setLoader((f) => vm.runInThisContext(fs.readFileSync(f, 'utf8'), { filename: f }));

// Floors [recall@5, MRR@5] the gate holds: the whole set, and any category not listed.
// The readers' own wording (colloquial, slang) has floors of its own. The overall floor and
// every category's floor are issue #20's goal.
const FLOORS = { overall: [0.95, 0.9], colloquial: [0.9, 0.855], slang: [0.94, 0.9], category: [0.85, 0.85] };
// At most this share of the queries may find nothing (issue #20's goal, like the overall floor).
const MAX_ZERO_SHARE = 0.01;
const queries = require('./queries').loadQueries()
  .filter((item, i) => !half || (i % 2 === 0) === (half === 'odd'));

GS.ready(() => {
  const D = GS._state();
  // The one-file layout lists every page up front (shards carry only their own pages).
  const known = D.kind === 'single' ? new Set(D.pages.map((p) => p[0])) : null;
  const stats = {};
  const add = (cat, r, rr) => {
    const s = (stats[cat] = stats[cat] || { n: 0, recall: 0, mrr: 0 });
    s.n++; s.recall += r; s.mrr += rr;
  };
  let pending = queries.length, missing = 0, zero = 0;
  const lat = [];
  for (const item of queries) {
    for (const e of item.expect) if (known && !known.has(e)) { missing++; console.log(`WARN expected page not in index: ${e} (${item.q})`); }
    const t0 = process.hrtime.bigint();
    GS.query(item.q, 10, (res) => {
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (!res || !res.length) zero++;
      const order = [];
      for (const r of res || []) if (!order.includes(r.page)) order.push(r.page);
      const top = order.slice(0, 5);
      const hit = item.expect.filter((e) => top.includes(e)).length;
      const first = top.findIndex((p) => item.expect.includes(p));
      const recall = hit / item.expect.length, rr = first >= 0 ? 1 / (first + 1) : 0;
      add(item.cat, recall, rr); add('overall', recall, rr);
      if (verbose && (recall < 1 || rr < 1)) {
        console.log(`MISS [${item.cat}] ${item.q} expect ${item.expect.join(',')} got ${top.join(',')}${res && res.labels.length ? ' (' + res.labels.join('; ') + ')' : ''}`);
      }
      if (--pending === 0) report();
    });
  }
  function report() {
    const cats = Object.keys(stats).filter((c) => c !== 'overall').sort().concat(['overall']);
    console.log('category     n   recall@5  MRR@5');
    for (const c of cats) {
      const s = stats[c];
      console.log(`${c.padEnd(10)} ${String(s.n).padStart(3)}   ${(s.recall / s.n).toFixed(3)}     ${(s.mrr / s.n).toFixed(3)}`);
    }
    lat.sort((a, b) => a - b);
    const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
    console.log(`query latency (Node, includes snippets): p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${pct(1)} ms`);
    console.log(`zero results: ${zero} of ${queries.length} (${(100 * zero / queries.length).toFixed(1)} %)`);
    // Gates: no category and not the whole set below what the current release measures
    // (FLOORS), so a change that loses ground fails. The goal of issue #20 is printed beside it.
    const failed = [];
    for (const c of cats) {
      const floor = FLOORS[c] || FLOORS.category;
      const s = stats[c];
      if (s.recall / s.n < floor[0] - 1e-9 || s.mrr / s.n < floor[1] - 1e-9) failed.push(`${c} < ${floor.join(' / ')}`);
    }
    if (missing) failed.push('an expected page is not indexed');
    if (zero > queries.length * MAX_ZERO_SHARE) failed.push(`zero results for more than ${100 * MAX_ZERO_SHARE} % of the queries`);
    const o = stats.overall;
    const goal = o.recall / o.n >= 0.95 && o.mrr / o.n >= 0.9 && cats.every((c) => stats[c].recall / stats[c].n >= 0.85 && stats[c].mrr / stats[c].n >= 0.85) && zero <= queries.length * MAX_ZERO_SHARE;
    console.log(`goal (recall@5 >= 0.95, MRR@5 >= 0.90, every category >= 0.85 on both, zero results <= 1 %): ${goal ? 'met' : 'not met yet'}`);
    if (half) {
      console.log(`${half} half only: floors not applied`);
      process.exit(0);
    }
    const ok = !failed.length;
    console.log(ok ? 'PASS' : `FAIL (${failed.join('; ')})`);
    process.exit(ok ? 0 : 1);
  }
});
