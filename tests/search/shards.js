#!/usr/bin/env node
// The sharded layout answers a cold query exactly: node tests/search/shards.js SITE_DIR [ONE_FILE_SITE]
// SITE_DIR/search holds a manifest with term and section shards (tests/cli/search.rs writes one
// from the bundled guide). For a sample of tests/search/queries.yaml (SAMPLE) and every query of
// bench/search_queries.json, GS.query(q, 10) in a fresh client (loading only what it asks for)
// must return the same results (pages, sections, order, scores, snippets) as GS.search(q, 10) in
// that client once every section shard is loaded too, and the same as a client that loaded every
// file (term shards and pinyin included): an answer depends on the query alone, never on what
// earlier queries happened to load.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const repo = path.resolve(__dirname, '..', '..');
const site = process.argv[2];
if (!site) { console.error('usage: node tests/search/shards.js SITE_DIR'); process.exit(2); }
const sd = path.join(site, 'search');
const names = fs.readdirSync(sd).sort();
const entry = names.find((f) => /^manifest(-[0-9a-f]+)?\.js$/.test(f));
if (!entry) { console.error(`no search/manifest-*.js under ${site}`); process.exit(2); }
// The client as a build ships it (the theme's parts joined, tests/search/client.js).
const src = require('./client').source();

// A client in a context of its own; files load synchronously from disk.
function client(record) {
  const ctx = { console, Math, JSON, Map, Set, Array, Object, String, Number, RegExp, Int32Array, unescape, encodeURIComponent };
  ctx.globalThis = ctx;
  vm.createContext(ctx);
  vm.runInContext(src, ctx);
  const GS = ctx.GS;
  const run = (f) => { record.push(path.basename(f)); vm.runInContext(fs.readFileSync(f, 'utf8'), ctx); };
  GS.setEntry(path.join(sd, entry));
  GS.setLoader(run);
  return { GS, run };
}
// Each query starts a fresh client, so the labelled set is taken at an even stride (every
// category is in the sample; the property does not depend on the labels).
const SAMPLE = 200;
const yaml = fs.readFileSync(path.join(__dirname, 'queries.yaml'), 'utf8');
const labelled = yaml.split('\n').map((l) => l.match(/^- \{q: (.*), cat: /)).filter(Boolean).map((m) => m[1].trim());
const stride = Math.max(1, Math.ceil(labelled.length / SAMPLE));
const queries = [...new Set(labelled.filter((q, i) => i % stride === 0)
  .concat(JSON.parse(fs.readFileSync(path.join(repo, 'bench/search_queries.json'), 'utf8'))))];

// Every file loaded.
const all = client([]);
all.GS.ready(() => {});
names.filter((f) => f !== entry).forEach((f) => { all.run(path.join(sd, f)); });
const D = all.GS._state();
if (D.kind !== 'manifest') { console.error('shards.js needs the sharded layout'); process.exit(2); }
const nShards = D.manifest.ss.length;

// With ONE_FILE_SITE (the same sections in the one-file layout, whose client derives every
// posting list from the text): the lists decoded from the term shards are the same,
// member for member (section, impact, head flag, positions).
let listsDiffer = 0;
if (process.argv[3]) {
  const od = path.join(process.argv[3], 'search');
  const one = fs.readdirSync(od).find((f) => /^index-[0-9a-f]+\.js$/.test(f));
  const c1 = client([]);
  c1.GS.setEntry(path.join(od, one));
  c1.GS.ready(() => {});
  const D1 = c1.GS._state();
  const key = (l) => JSON.stringify((l || []).map((x) => [x.section, x.impact, x.head, x.positions]));
  const terms = [...D.postings.keys()].filter((t) => t[0] !== '\u0001');
  for (const t of new Set(terms.concat([...D1.postings.keys()]))) {
    if (key(D.postings.get(t)) !== key(D1.postings.get(t)) && ++listsDiffer <= 5) console.log(`LIST ${t}`);
  }
  console.log(`${terms.length} posting lists decoded, ${listsDiffer} differ from the one-file layout's`);
  if (!terms.length) listsDiffer++;
}

const view = (res) => JSON.stringify(res && res.map((r) => [r.page, r.pageTitle, r.section, r.anchor, r.heading, r.score, r.snippet]));
let pass = 0, fail = 0, pages = 0, maxS = 0, other = 0;
for (const q of queries) {
  const files = [];
  const c = client(files);
  let got = null;
  c.GS.query(q, 10, (res) => { got = res; });
  maxS = Math.max(maxS, files.filter((f) => f.startsWith('s-')).length);
  names.filter((f) => f.startsWith('s-')).forEach((f) => { c.run(path.join(sd, f)); });
  const want = c.GS.search(q, 10);
  if (view(all.GS.search(q, 10)) !== view(want) && ++other <= 10) console.log(`COLD/WARM ${q}`);
  const ps = new Set(want.map((r) => r.page)).size;
  pages += ps;
  if (view(got) === view(want)) { pass++; continue; }
  fail++;
  if (fail <= 10) {
    const pg = (res) => [...new Set((res || []).map((r) => r.page))].join(' ');
    console.log(`FAIL ${q}\n  want ${pg(want)}\n  got  ${pg(got)}`);
  }
}
console.log(`${queries.length} queries over ${nShards} section shards: ${pages} result pages in all, at most ${maxS} section shards per query`);
console.log(`${other} answers differ from a client holding every file`);
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail || other || listsDiffer || !pages ? 1 : 0);
