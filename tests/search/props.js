#!/usr/bin/env node
// Property checks (SEARCH.md G1) through the real client on a built site:
//   node tests/search/props.js SITE_DIR [SAMPLES]
// 1. every sampled CJK substring (2–8 chars) finds the section it was taken from, and every
//    section containing it verbatim ranks above every section that does not (unless the query
//    also searched other words: synonyms, numerals as digits);
// 2. a one-character query returns every section containing that character;
// 3. a number query returns exactly the sections holding that number as a whole token;
// 4. results never show the same section of two pages twice (repeats fold into `also`).
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const site = process.argv[2];
const samples = Number(process.argv[3] || 300);
if (!site) { console.error('usage: node tests/search/props.js SITE_DIR [SAMPLES]'); process.exit(2); }
const sd = path.join(site, 'search');
const entry = fs.readdirSync(sd).filter((f) => /^(manifest|index)(-[0-9a-f]+)?\.js$/.test(f)).sort()[0];
const GS = require('./client').load();
GS.setEntry(path.join(sd, entry));
GS.setLoader((f) => vm.runInThisContext(fs.readFileSync(f, 'utf8'), { filename: f }));
let seed = 12345;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
let pass = 0, fail = 0, rewritten = 0;
const bad = (m) => { fail++; if (fail <= 15) console.log('FAIL ' + m); };

GS.ready(() => {
  const D = GS._state();
  if (D.kind !== 'single') { console.log('props.js needs the one-file layout (all sections local)'); process.exit(2); }
  const fields = (s) => [D.pages[s.page][1], s.heading, s.breadcrumb.join(' \u203a '), s.text, s.code].map(GS.normalize);
  const norm = D.sections.map(fields);
  const cjkRun = /[\u3400-\u4dbf\u4e00-\u9fff]{2,}/gu;
  // 1. substring completeness + verbatim-first ordering
  for (let k = 0; k < samples; k++) {
    const id = rnd(D.sections.length);
    const runs = (norm[id][3].match(cjkRun) || []);
    if (!runs.length) { k--; continue; }
    const run = Array.from(runs[rnd(runs.length)]);
    const len = 2 + rnd(Math.min(7, run.length - 1));
    const start = rnd(run.length - len + 1);
    const q = run.slice(start, start + len).join('');
    const res = GS.sections(q);
    const pos = res.findIndex((r) => r.section === id);
    if (pos < 0) { bad(`${q}: section ${id} (${D.sections[id].anchor}) not returned`); continue; }
    // A query that also searched other words (a synonym's guide word, digits for numerals)
    // ranks their verbatim occurrences with the typed ones: the order is checked without it.
    const also = (GS.search(q, 1).labels || []).length > 0;
    if (also) { rewritten++; pass++; continue; }
    const verb = (r) => norm[r.section].some((f) => f.includes(q));
    let seenScattered = false, ok = true;
    for (const r of res) {
      if (verb(r)) { if (seenScattered) { ok = false; break; } } else seenScattered = true;
    }
    if (!ok) bad(`${q}: a scattered-pieces section ranks above a verbatim one`); else pass++;
  }
  // 2. single characters
  for (const c of ['费', '诉', '网', '号', '单']) {
    const want = new Set(norm.map((f, i) => (f.some((x) => x.includes(c)) ? i : -1)).filter((i) => i >= 0));
    const got = new Set(GS.sections(c).map((r) => r.section));
    const missing = [...want].filter((i) => !got.has(i));
    if (missing.length) bad(`${c}: ${missing.length} of ${want.size} sections missing`); else pass++;
  }
  // 3. whole-token numbers
  for (const n of ['12300', '12315', '10086', '15', '5', '120']) {
    const tok = (i) => norm[i].some((f) => GS.tokenize(f).some((t) => t[0] === n));
    const want = D.sections.map((_, i) => i).filter(tok);
    const got = GS.sections(n).map((r) => r.section).sort((a, b) => a - b);
    if (JSON.stringify(want) !== JSON.stringify(got)) bad(`${n}: want ${want.length} sections, got ${got.length}`); else pass++;
    const fw = GS.sections(n.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))).map((r) => r.section).sort((a, b) => a - b);
    if (JSON.stringify(fw) !== JSON.stringify(got)) bad(`full-width ${n} differs`); else pass++;
  }
  // 4. repeats fold: for every heading that several pages share, no two results shown start
  //    with the same heading and snippet (the later ones are in the first one's `also`).
  const pagesOf = new Map();
  D.sections.forEach((s) => { if (s.heading) pagesOf.set(s.heading, (pagesOf.get(s.heading) || new Set()).add(s.page)); });
  let folded = 0;
  for (const [heading, pages] of pagesOf) {
    if (pages.size < 3) continue;
    const res = GS.search(heading, 10);
    const keys = new Set();
    let ok = true;
    const firsts = res.filter((r, i) => i === 0 || res[i - 1].page !== r.page);
    for (const r of firsts) {
      const key = r.heading + '|' + Array.from(r.snippet.map((x) => x[0]).join('').replace(/\s+/g, ' ')).slice(0, 40).join('');
      if (keys.has(key)) ok = false;
      keys.add(key);
      folded += r.also.length;
    }
    if (ok) pass++; else bad(`${heading}: two results show the same section`);
  }
  if (!folded) bad('no repeated section was folded');
  console.log(`${pass} passed (${rewritten} sampled queries also searched other words), ${fail} failed`);
  process.exit(fail ? 1 : 0);
});
