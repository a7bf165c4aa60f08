// guidesmith search client (classic script; src/search/ builds its data). Owns tokenising (= tokenize.rs,
// tests/search/vectors.js), <script>-injection loading (file:// safe), ranking, snippets, UI, ?hl=.
// Never: innerHTML of data, fetch/XHR/modules/wasm, loading anything before the box is used.
// (Line comments only: the shipped form drops them, src/search/client.rs.)
((root) => {
  'use strict';
  var GS = {};
  var hasDom = typeof document !== 'undefined';

  // ---------- tokenizer (mirror of tokenize.rs) ----------
  var RE_CJK = /[\u3005\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\u{20000}-\u{323af}]/u;
  var RE_WORD = /[\p{Alphabetic}\p{N}]/u;
  var RE_WS = /\p{White_Space}/u;
  var RE_DIGIT = /[0-9]/;
  function isCjk(c) { return RE_CJK.test(c); }
  function isWord(c) { return !RE_CJK.test(c) && RE_WORD.test(c); }
  function normalize(s) { return String(s).normalize('NFKC').toLowerCase(); }
  // Character class: 2 CJK, 3 word, 1 whitespace, 0 other (punctuation). ASCII without regexes.
  function cls(c) {
    var x = c.charCodeAt(0);
    if (x < 128) return (x >= 97 && x <= 122) || (x >= 48 && x <= 57) || (x >= 65 && x <= 90) ? 3 : x === 32 || (x >= 9 && x <= 13) ? 1 : 0;
    return RE_CJK.test(c) ? 2 : RE_WORD.test(c) ? 3 : RE_WS.test(c) ? 1 : 0;
  }

  // Tokens of normalised text: {t: text, p: position, k: 'c'|'w', r: run id}.
  function tokenizeNorm(norm, start) {
    var ch = Array.from(norm), cl = ch.map(cls), n = ch.length, out = [], pos = start || 0, punct = false, i = 0, run = 0;
    while (i < n) {
      var c = ch[i], j;
      if (cl[i] === 2) {
        j = i + 1;
        while (j < n && cl[j] === 2) j++;
        if (punct && out.length) pos++;
        punct = false; run++;
        if (j - i === 1) out.push({ t: c, p: pos++, k: 'c', r: run });
        else for (var k = i; k < j - 1; k++) out.push({ t: ch[k] + ch[k + 1], p: pos++, k: 'c', r: run });
        i = j;
      } else if (cl[i] === 3) {
        j = i + 1;
        while (j < n) {
          if (cl[j] === 3) j++;
          else if (ch[j] === '.' && RE_DIGIT.test(ch[j - 1]) && j + 1 < n && RE_DIGIT.test(ch[j + 1])) j++;
          else break;
        }
        if (punct && out.length) pos++;
        punct = false; run++;
        out.push({ t: ch.slice(i, j).join(''), p: pos++, k: 'w', r: run });
        i = j;
      } else {
        if (cl[i] === 0) punct = true;
        i++;
      }
    }
    return { toks: out, end: pos };
  }
  function tokenize(s) { return tokenizeNorm(normalize(s), 0).toks; }

  function fnv32(s) {
    var b = unescape(encodeURIComponent(s)), h = 0x811c9dc5;
    for (var i = 0; i < b.length; i++) { h ^= b.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }
  function shardKey(t) {
    var a = Array.from(t);
    return a.length && isCjk(a[0]) ? a[0] : a.slice(0, 3).join('');
  }

  // ---------- pinyin (mirror of pinyin.rs readings) ----------
  // charReadings: {char: [r0, r1]}; ovr: ["调解 tiao jie", …] (longest first after parse).
  function parseOvr(lines) {
    var o = [];
    o.byFirst = {};
    (lines || []).forEach((l) => {
      var p = l.split(/\s+/), w = Array.from(p[0] || '');
      if (w.length && w.length === p.length - 1) o.push([w, p.slice(1)]);
    });
    o.sort((a, b) => b[0].length - a[0].length || (a[0].join('') < b[0].join('') ? -1 : 1));
    o.forEach((x) => { (o.byFirst[x[0][0]] = o.byFirst[x[0][0]] || []).push(x); });
    return o;
  }
  function readingsOf(term, cr, ovr) {
    var ch = Array.from(term), n = ch.length, opt = new Array(n), i = 0, k;
    if (!n) return [];
    while (i < n) {
      var hit = null, cands = (ovr.byFirst && ovr.byFirst[ch[i]]) || [];
      for (k = 0; k < cands.length && !hit; k++) {
        var w = cands[k][0], ok = i + w.length <= n;
        for (var x = 1; ok && x < w.length; x++) ok = ch[i + x] === w[x];
        if (ok) hit = cands[k];
      }
      if (hit) { for (k = 0; k < hit[0].length; k++) opt[i + k] = [hit[1][k]]; i += hit[0].length; } else i++;
    }
    var poly = 0;
    for (k = 0; k < n; k++) {
      if (!opt[k]) {
        var r = cr[ch[k]];
        if (!r || !r.length) return [];
        r = r.slice(0, 2);
        if (r.length > 1 && ++poly > 4) r = r.slice(0, 1);
        opt[k] = r;
      }
    }
    if (opt.every((o) => o.length === 1)) return [opt.map((o) => o[0])];
    var combos = [[]];
    opt.forEach((o) => {
      var next = [];
      combos.forEach((c) => { for (var j = 0; j < o.length; j++) next.push(c.concat([j])); });
      combos = next;
    });
    function nd(v) { return v.filter((j) => j > 0).length; }
    combos.sort((a, b) => {
      var d = nd(a) - nd(b);
      if (d) return d;
      for (var x = 0; x < a.length; x++) if (a[x] !== b[x]) return a[x] - b[x];
      return 0;
    });
    return combos.slice(0, 4).map((v) => v.map((j, x) => opt[x][j]));
  }
  function fuzzyKey(syls) { return syls.map((s) => s.replace(/^([zcs])h/, '$1').replace(/([eia])ng$/, '$1n')).join(''); }

  // ---------- data ----------
  // loaded index state
  var D = null;
  // file → [callbacks]
  var waiting = {};
  // file → true
  var loaded = {};
  // directory of the entry script, with trailing slash
  var base = '';
  // function(file, onDone) — injected script by default
  var loader = null;

  // Character varints (5 bits each, 32 = more follow), read from a cursor {s: text, i: index}.
  var B32 = {};
  Array.from('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_').forEach((c, i) => { B32[c] = i; });
  function rd(c) { var v = 0, m = 1, d; do { d = B32[c.s[c.i++]] | 0; v += (d & 31) * m; m *= 32; } while (d & 32 && c.i < c.s.length); return v; }

  function setupCommon(d) {
    D = {
      kind: d.k, n: d.n, pages: d.pages || [], secs: [], bm: d.bm, dict: new Map(),
      latin: [], py: [], pyBy: {}, pyFuzzy: new Map(), cr: {}, manifest: d, vocab: new Set()
    };
    if (d.py) setupPy(d);
    // Sharded layout: the page of every section (output.rs page_runs), so hits group by page
    // before their section shards load. Per run: 2 × length, +1 if its page follows explicitly.
    for (var k = 0, pg = -1, c = { s: d.pc || '', i: 0 }, pm = D.pm = d.pc && new Int32Array(d.n); pm && c.i < c.s.length;) {
      var v = rd(c);
      pg = v & 1 ? rd(c) : pg + 1;
      pm.fill(pg, k, k += v >> 1);
    }
  }
  // (A manifest without the map, e.g. a stale cached one, leaves unloaded sections' pages unknown.)
  function pageOf(s) { return D.pm ? D.pm[s] : (D.secs[s] || D).pg; }
  // Pinyin and Latin vocabulary (in the one file, or the sharded layout's p-*.js).
  function setupPy(d) {
    var cr = D.cr;
    D.pd = d;
    D.latin = d.latin || D.latin;
    Object.keys(d.chars || {}).forEach((syl) => {
      [0, 1].forEach((rank) => {
        Array.from(d.chars[syl][rank] || '').forEach((c) => { (cr[c] = cr[c] || [])[rank] = syl; });
      });
    });
    Object.keys(cr).forEach((c) => { cr[c] = cr[c].filter(Boolean); });
    D.sylChars = {};
    Object.keys(d.chars || {}).forEach((syl) => { D.sylChars[syl] = Array.from(d.chars[syl].join('')); });
    D.syls = Object.keys(D.sylChars);
    ((d.py && d.py.t) || []).forEach((w) => { D.vocab.add(w); });
  }
  // Whether the pinyin data is in; if not, the query loads it and plans again.
  function hasPy() { if (!D.pd) D.want.add(pFile()); return !!D.pd; }
  // Pinyin structures are built on first need (an ASCII word or a homophone check).
  function ensurePy() {
    if (D.pyReady) return;
    D.pyReady = true;
    var d = D.pd, ovr = parseOvr(d.py && d.py.ovr);
    var t = (d.py && d.py.t) || [], cnt = (d.py && d.py.c) || [];
    for (var i = 0; i < t.length; i++) {
      var rs = readingsOf(t[i], D.cr, ovr);
      for (var j = 0; j < rs.length; j++) {
        var full = rs[j].join(''), e = { t: t[i], c: cnt[i] || 1, full: full, ini: rs[j].map((s) => s[0]).join('') };
        D.py.push(e);
        (D.pyBy[full[0]] = D.pyBy[full[0]] || []).push(e);
        var key = Array.from(t[i]).length + ':' + fuzzyKey(rs[j]);
        if (!D.pyFuzzy.has(key)) D.pyFuzzy.set(key, []);
        D.pyFuzzy.get(key).push(e);
      }
    }
  }

  // Impact of a term in one section: BM25F tf saturation with fixed pivots (= index.rs `impact`).
  // Lengths keep their three leading bits (= index.rs coarse_len).
  function coarse(n) { var s = 29 - Math.clz32(n); return n < 8 ? n : (n >>> s) << s; }
  function impact(tf, L) {
    var tfw = 0, bm = D.bm;
    for (var x = 0; x < 5; x++) if (tf[x]) tfw += bm.w[x] * tf[x] / (1 - bm.b[x] + bm.b[x] * coarse(L[x]) / bm.piv[x]);
    return Math.min(Math.max(Math.round(tfw * (bm.k1 + 1) / (bm.k1 + tfw) * bm.scale), 1), bm.max);
  }
  // One-file layout: derive postings from the section text with the Rust formula.
  function buildFromText() {
    var acc = new Map(), latin = new Set();
    D.secs.forEach((s, id) => {
      var title = D.pages[s.pg][1], prev = D.secs[id - 1], rep = prev && prev.pg === s.pg && prev.h === s.h;
      var f = [title, rep ? '' : s.h, s.bc.filter((b) => b !== title).join(' \u203a '), s.text, s.code], next = 0, l = [], mine = [];
      for (var x = 0; x < 5; x++) {
        var r = tokenizeNorm(normalize(f[x] || ''), next);
        l.push(r.toks.length);
        r.toks.forEach((tk) => {
          var m = acc.get(tk.t);
          if (!m) { m = []; acc.set(tk.t, m); if (tk.k === 'w' && /\p{Alphabetic}/u.test(tk.t)) latin.add(tk.t); }
          var last = m[m.length - 1];
          if (!last || last.s !== id) { last = { s: id, tf: [0, 0, 0, 0, 0], p: [] }; m.push(last); mine.push(last); }
          last.tf[x]++; last.p.push(tk.p);
        });
        next = r.end + 1;
      }
      mine.forEach((a) => { a.w = impact(a.tf, l); });
    });
    acc.forEach((list, term) => { D.dict.set(term, list); });
    D.latin = Array.from(latin).sort();
  }

  function secRecord(a) { return { pg: a[0], a: a[1], h: a[2], bc: a[3] || [], text: a[4] || '', code: a[5] || '' }; }

  GS.load = (payload) => {
    var d = typeof payload === 'string' ? JSON.parse(payload) : payload, file;
    if (d.k === 'single') {
      setupCommon(d);
      D.secs = d.secs.map(secRecord);
      buildFromText();
      file = '@entry';
    } else if (d.k === 'manifest') {
      setupCommon(d);
      file = '@entry';
    } else if (d.k === 't' && D) {
      // One posting list per term (index.rs encode_postings): its length, then per section
      // the section delta, impact, position count and position deltas.
      d.terms.forEach((t, ti) => {
        var c = { s: d.p[ti], i: 0 }, out = [], sec = 0;
        for (var n = rd(c); n-- > 0 && c.i < c.s.length;) {
          sec += rd(c);
          var w = rd(c), pos = [], p = 0;
          for (var m = rd(c); m-- > 0 && c.i < c.s.length;) pos.push(p += rd(c));
          out.push({ s: sec, w: w, p: pos });
        }
        D.dict.set(t, out);
      });
      (d.v || []).forEach((w) => { D.vocab.add(w); });
      file = tFile(d.i);
    } else if (d.k === 'p' && D) {
      setupPy(d);
      file = pFile();
    } else if (d.k === 's' && D) {
      for (var j = 0; j < d.secs.length; j++) D.secs[d.start + j] = secRecord(d.secs[j]);
      Object.keys(d.pages || {}).forEach((k) => { D.pages[k] = d.pages[k]; });
      file = sFile(d.i);
    }
    if (file) done(file);
  };
  function hex3(i) { return i.toString(16).padStart(3, '0'); }
  function tFile(i) { return 't-' + hex3(i) + '-' + D.manifest.th[i] + '.js'; }
  function sFile(i) { return 's-' + hex3(i) + '-' + D.manifest.sh[i] + '.js'; }
  function pFile() { return 'p-' + D.manifest.ph + '.js'; }
  // Term shard of a term (sharded layout); terms of a split character are placed by the whole
  // term, its one-character list ("\u0001c") by the character.
  function tIdx(t) {
    var c = t.charAt(0) === '\u0001' ? t.slice(1) : '', m = D.manifest;
    return fnv32(c || ((m.split || '').indexOf(Array.from(t)[0]) >= 0 ? t : shardKey(t))) & (m.ts - 1);
  }
  // Known to be missing: in the one file, or its shard is loaded.
  function absent(t) { return !known(t) && (!D.manifest.th || loaded[tFile(tIdx(t))]); }
  function done(file) {
    loaded[file] = true;
    var cbs = waiting[file] || [];
    delete waiting[file];
    cbs.forEach((cb) => { cb(); });
  }
  // Load files (relative to base); cb once all are present.
  function need(files, cb) {
    var left = 0;
    files = files.filter((f, i) => !loaded[f] && files.indexOf(f) === i);
    if (!files.length) return cb();
    left = files.length;
    files.forEach((f) => {
      var first = !waiting[f];
      (waiting[f] = waiting[f] || []).push(() => { if (--left === 0) cb(); });
      if (first) loader(f === '@entry' ? GS.entry : base + f, () => { if (!loaded[f]) { GS.failed = true; done(f); } });
    });
  }
  function scriptLoader(url, onError) {
    var s = document.createElement('script');
    s.src = url;
    s.onerror = onError;
    document.head.appendChild(s);
  }
  loader = hasDom ? scriptLoader : null;
  GS.setLoader = (fn) => { loader = fn; };
  GS.setEntry = (url) => {
    GS.entry = url;
    base = url.replace(/[^/]*$/, '');
  };
  GS.ready = (cb) => { need(['@entry'], cb); };

  function postings(term) { return known(term) ? D.dict.get(term) : null; }
  // Sharded layout: the shard of every term looked up is wanted (the query loads those not yet in
  // and plans again, so the plan is the one a client holding every shard makes).
  function known(t) {
    if (D.manifest.th) D.want.add(tFile(tIdx(t)));
    return D.dict.has(t);
  }

  // ---------- query planning ----------
  function edit1(a, b) {
    var la = a.length, lb = b.length;
    if (Math.abs(la - lb) > 1 || a === b) return false;
    var i = 0;
    while (i < la && i < lb && a[i] === b[i]) i++;
    if (la === lb) return a.slice(i + 1) === b.slice(i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }
  function phraseTerms(s) {
    var t = tokenize(s);
    return { terms: t.map((x) => x.t), off: t.map((x) => x.p), span: t.length ? t[t.length - 1].p + 1 : 0 };
  }
  // Every known two-character term with its first readings: the fallback when the vocabulary has
  // no match (发票 occurs once, so it is not vocabulary, but fapiao and fapio should find it).
  // Sharded layout: only terms of shards this plan has looked up so far (not cached).
  function bigramPy() {
    var m = D.manifest.th;
    if (!D.bpy || m) {
      D.bpy = [];
      Array.from(D.dict.keys()).forEach((t) => {
        var a = Array.from(t), r0 = a.length === 2 && D.cr[a[0]], r1 = r0 && D.cr[a[1]];
        if (r1 && !D.vocab.has(t) && (!m || D.want.has(tFile(tIdx(t))))) D.bpy.push({ t: t, c: (postings(t) || []).length, full: r0[0] + r1[0], ini: '' });
      });
    }
    return D.bpy;
  }
  function pinyinCands(w, last) {
    ensurePy();
    var out = [], seen = {};
    (D.py.some((e) => e.full === w || e.ini === w || (last && e.full.startsWith(w))) ? D.py : D.py.concat(bigramPy())).forEach((e) => {
      var rank = 0;
      if (e.full === w) rank = 3;
      else if (w.length >= 2 && e.ini === w) rank = 2.5;
      else if (last && w.length >= 2 && e.full.indexOf(w) === 0) rank = 2;
      else if (last && w.length >= 3 && e.ini.indexOf(w) === 0) rank = 1.5;
      if (rank) out.push({ e: e, rank: rank });
    });
    out.sort((a, b) => b.rank - a.rank || b.e.c - a.e.c || a.e.t.length - b.e.t.length || (a.e.t < b.e.t ? -1 : 1));
    out = out.filter((x) => { if (seen[x.e.t]) return false; seen[x.e.t] = 1; return true; }).slice(0, 4);
    var maxc = 1;
    out.forEach((x) => { if (x.e.c > maxc) maxc = x.e.c; });
    out.forEach((x) => { x.f = (x.rank >= 3 ? 0.9 : x.rank >= 2.5 ? 0.8 : 0.7) * Math.sqrt(x.e.c / maxc); });
    return out;
  }
  // Pinyin over several vocabulary strings or single syllables forming known bigrams (txglj → 通信管理局).
  function segmentCands(w) {
    ensurePy();
    var best = [], steps = 0;
    function joins(text, c) { return !text || postings(Array.from(text).pop() + c); }
    function walk(i, text, score, depth, mode) {
      if (i === w.length) { if (Array.from(text).length > 1) best.push({ t: text, score: score }); return; }
      if (depth === 5 || ++steps > 2000) return;
      (D.pyBy[w[i]] || []).forEach((e) => {
        var first = Array.from(e.t)[0];
        if (mode !== 'i' && w.startsWith(e.full, i) && joins(text, first)) walk(i + e.full.length, text + e.t, score * e.c, depth + 1, 'f');
        else if (mode !== 'f' && e.ini.length >= 2 && w.startsWith(e.ini, i) && joins(text, first)) walk(i + e.ini.length, text + e.t, score * e.c, depth + 1, 'i');
      });
      D.syls.forEach((syl) => {
        var init = mode === 'i' || (mode === '' && w.length <= 5 && !/[aeiouv]/.test(w));
        if (init ? syl[0] !== w[i] : !w.startsWith(syl, i)) return;
        D.sylChars[syl].forEach((c) => {
          if (++steps > 20000) return;
          var p = text ? postings(Array.from(text).pop() + c) : true;
          if (p) walk(i + (init ? 1 : syl.length), text + c, score * (text ? p.length : 1), depth + 1, init ? 'i' : 'f');
        });
      });
    }
    walk(0, '', 1, 0, '');
    best.sort((a, b) => b.score - a.score || (a.t < b.t ? -1 : 1));
    var seen = {};
    return best.filter((x) => { if (seen[x.t]) return false; seen[x.t] = 1; return true; }).slice(0, 3)
      .map((x, i) => { return { e: { t: x.t, c: 1 }, f: 0.7 - 0.1 * i }; });
  }
  function one(t, f) { return { terms: [t], off: [0], span: 1, f: f, surface: t }; }
  function alt(s, f, surface) {
    var p = phraseTerms(s);
    return { terms: p.terms, off: p.off, span: p.span, f: f, surface: surface || s, n: p.terms.length };
  }

  function plan(q) {
    var norm = normalize(q), toks = tokenizeNorm(norm, 0).toks, units = [], labels = [];
    var trailingSpace = /\s$/.test(q);
    D.want = new Set();
    var runs = [];
    toks.forEach((t) => {
      var r = runs[runs.length - 1];
      if (r && r.id === t.r) r.toks.push(t); else runs.push({ id: t.r, k: t.k, toks: [t] });
    });
    runs.forEach((r, ri) => {
      var first = r.toks[0], qlen = r.toks.length, u = { q: first.p, qlen: qlen, alts: [] };
      if (r.k === 'c') {
        var text = first.t + r.toks.slice(1).map((t) => Array.from(t.t)[1]).join('');
        if (qlen === 1 && Array.from(first.t).length === 1) {
          u.alts.push({ terms: ['\u0001' + first.t], off: [0], span: 1, f: 1, surface: first.t, ch: first.t });
        } else {
          u.alts.push(alt(text, 1));
          homophones(text, u);
        }
      } else {
        var w = first.t, isLast = ri === runs.length - 1 && !trailingSpace, letters = /^[a-z]+$/.test(w);
        // sharded: false until the shard is in; the second plan decides
        var exact = known(w);
        u.alts.push(one(w, 1));
        if (/\p{Alphabetic}/u.test(w) && !hasPy()) { u.alts[0].skip = 1; units.push(u); return; }
        // A word not in the complete Latin list is not loaded.
        if (/\p{Alphabetic}/u.test(w) && D.latin.length < 2e4 && D.latin.indexOf(w) < 0) u.alts[0].skip = 1;
        if (isLast && w.length >= 3 && /\p{Alphabetic}/u.test(w)) {
          D.latin.filter((t) => t !== w && t.indexOf(w) === 0)
            .sort((a, b) => a.length - b.length || (a < b ? -1 : 1)).slice(0, 8)
            .forEach((t) => { u.alts.push(one(t, 0.7)); });
        }
        if (letters && !exact) {
          // Order: pinyin words, Latin typo, pinyin over several words, pinyin typo.
          var pc = pinyinCands(w, isLast), fz = [];
          if (!pc.length && w.length >= 5) D.latin.forEach((t) => { if (edit1(w, t)) fz.push(one(t, 0.6)); });
          if (!pc.length && !fz.length && w.length >= 4) pc = segmentCands(w);
          if (!pc.length && !fz.length && w.length >= 5) {
            var ty = D.py.filter((e) => edit1(w, e.full));
            (ty.length ? ty : bigramPy().filter((e) => edit1(w, e.full))).sort((a, b) => b.c - a.c)
              .forEach((e) => { if (!fz.some((x) => x.surface === e.t)) fz.push(alt(e.t, 0.6, e.t)); });
          }
          pc.forEach((x) => { u.alts.push(alt(x.e.t, x.f, x.e.t)); });
          if (pc.length) labels.push('按拼音匹配：' + pc.map((x) => x.e.t).join('、'));
          fz = fz.slice(0, 4);
          fz.forEach((x) => { u.alts.push(x); });
          if (fz.length) labels.push('您是不是要找：' + fz.map((x) => x.surface).join('、'));
        }
      }
      units.push(u);
    });
    var hl = [];
    units.forEach((u) => { u.alts.forEach((a) => { if (hl.indexOf(a.surface) < 0 && hl.length < 12) hl.push(a.surface); }); });
    return { units: D.manifest.th ? prune(units) : units, labels: labels, hl: hl };
  }
  // Sharded layout: the terms a query uses come from at most TB term shards (a fixed choice per
  // query, so cold and warm answers agree). Primary alternatives first; in a CJK run the first
  // and last bigrams outside stop words first (positions two apart still verify the phrase).
  var TB = 3;
  function prune(units) {
    var sel = [], out = [];
    function ok(t) {
      var i = tIdx(t);
      if (!D.manifest.th[i] || sel.indexOf(i) >= 0) return 1;
      if (sel.length < TB) return sel.push(i);
    }
    function order(a) {
      var ch = Array.from(a.surface), n = a.terms.length, st = [], k, j;
      if (n !== a.n || n !== ch.length - 1) return a.terms.map((t, i) => i);
      for (j = 0; j < n; j++) for (k = j + 2; k <= Math.min(j + 4, ch.length); k++) if (STOP.has(ch.slice(j, k).join(''))) for (var x = j; x < k - 1; x++) st[x] = 1;
      var c = a.terms.map((t, i) => i).filter((i) => !st[i]);
      if (!c.length) c = a.terms.map((t, i) => i);
      var o = [c[0], c[c.length - 1]].concat(c, a.terms.map((t, i) => i));
      return o.filter((i, x) => o.indexOf(i) === x);
    }
    units.forEach((u) => { u.alts.forEach((a, r) => { a.keep = {}; a.ord = order(a); a.rk = r; }); });
    var all = [];
    units.forEach((u) => { u.alts.forEach((a) => { all.push(a); }); });
    all.sort((a, b) => a.rk - b.rk);
    all.forEach((a) => { a.ord.forEach((i) => { if (!a.skip && ok(a.terms[i])) a.keep[i] = 1; }); });
    D.sel = sel;
    units.forEach((u) => {
      u.alts = u.alts.filter((a) => {
        var ks = a.terms.map((t, i) => i).filter((i) => a.keep[i] || a.skip);
        a.terms = ks.map((i) => a.terms[i]); a.off = ks.map((i) => a.off[i]);
        return a.terms.length;
      });
      if (u.alts.length) out.push(u);
    });
    return out;
  }
  // IME homophone typos: 套参 → 套餐 when some bigram of the run is unknown.
  function homophones(text, u) {
    var ch = Array.from(text);
    if (ch.length < 2 || ch.length > 4) return;
    // A one-character typo always breaks the first or the last bigram (套餐变更 lacks only 餐变).
    var t = u.alts[0].terms;
    if (!(absent(t[0]) || absent(t[t.length - 1])) || !hasPy()) return;
    ensurePy();
    var rs = readingsOf(text, D.cr, []), seen = {};
    rs.forEach((r) => {
      (D.pyFuzzy.get(ch.length + ':' + fuzzyKey(r)) || []).forEach((e) => {
        if (e.t !== text && !seen[e.t] && Object.keys(seen).length < 3) { seen[e.t] = 1; u.alts.push(alt(e.t, 0.8, e.t)); }
      });
    });
  }


  // ---------- scoring ----------
  var charCache = new Map();
  function charPostings(c) {
    if (charCache.has(c)) return charCache.get(c);
    // sharded layout, split character: precomputed list
    var pre = D.dict.get('\u0001' + c);
    if (pre) return pre;
    var m = new Map();
    var add = (list, shift) => {
      (list || []).forEach((x) => {
        var r = m.get(x.s);
        if (!r) { r = { s: x.s, w: 0, p: [] }; m.set(x.s, r); }
        r.w = Math.max(r.w, x.w);
        x.p.forEach((p) => { r.p.push(p + shift); });
      });
    };
    Array.from(D.dict.keys()).forEach((t) => {
      var a = Array.from(t);
      if (a.length === 1 && a[0] === c) add(postings(t), 0);
      else if (a.length === 2 && isCjk(a[0]) && a[0] === c) add(postings(t), 0);
      else if (a.length === 2 && isCjk(a[0]) && a[1] === c && !D.sel) add(postings(t), 1);
    });
    var out = [];
    m.forEach((r) => { r.p = Array.from(new Set(r.p)).sort((a, b) => a - b); out.push(r); });
    out.sort((a, b) => a.s - b.s);
    charCache.set(c, out);
    return out;
  }
  function plist(term) { return term.charAt(0) === '\u0001' ? charPostings(term.slice(1)) : postings(term); }
  function idf(df) { return Math.log(1 + (D.n - df + 0.5) / (df + 0.5)); }

  function has(arr, v) {
    var lo = 0, hi = arr.length - 1;
    while (lo <= hi) { var m = (lo + hi) >> 1; if (arr[m] === v) return true; if (arr[m] < v) lo = m + 1; else hi = m - 1; }
    return false;
  }

  var STOP = new Set('怎么 怎么办 怎样 如何 什么 为什么 哪里 哪些 哪个 可以 我的 我们 一下 是否 能不能 不能 是不是 有没有 没有 应该 需要 的话 办法 多少 多久 要什么 了吗'.split(' '));
  // Long runs: max-match the run into vocabulary words; bigrams inside content words count fully.
  function runWeights(a) {
    var ch = Array.from(a.surface), n = ch.length, bestS = [0], back = [0], i, j;
    for (i = 1; i <= n; i++) {
      bestS[i] = bestS[i - 1]; back[i] = i - 1;
      for (j = Math.max(0, i - 8); j < i - 1; j++) {
        var w = ch.slice(j, i).join('');
        if ((D.vocab.has(w) && (!D.sel || D.sel.includes(tIdx(ch[j] + ch[j + 1]))) || STOP.has(w)) && bestS[j] + (i - j) * (i - j) > bestS[i]) { bestS[i] = bestS[j] + (i - j) * (i - j); back[i] = j; }
      }
    }
    var tw = new Array(Math.max(n - 1, 0)).fill(0.15);
    for (i = n; i > 0; i = back[i]) {
      j = back[i];
      if (i - j < 2) continue;
      var seg = ch.slice(j, i).join(''), v = STOP.has(seg) ? 0.1 : 1;
      for (var k = j; k < i - 1; k++) tw[k] = v;
    }
    return tw;
  }
  function termWeight(a, t, ti) {
    if (!(a.n >= 3) || t.charAt(0) === '\u0001' || a.n !== Array.from(a.surface).length - 1) return 1;
    if (!a.tw) a.tw = runWeights(a);
    return a.tw[a.off[ti]];
  }
  function rank(pl) {
    var cand = new Map(), W = 0, slots = 0;
    pl.units.forEach((u) => {
      u.w = 0;
      u.alts.forEach((a) => {
        a.idf = []; a.ridf = []; a.idfSum = 0; a.slot = slots; slots += a.terms.length;
        a.terms.forEach((t, ti) => {
          var list = plist(t) || [], r = list.length ? idf(list.length) : 0;
          var v = r ? Math.sqrt(r) * termWeight(a, t, ti) : 0;
          a.idf.push(v); a.ridf.push(v ? r : 0); a.idfSum += v;
          list.forEach((x) => {
            var c = cand.get(x.s);
            if (!c) { c = { s: x.s, hit: [] }; cand.set(x.s, c); }
            c.hit[a.slot + ti] = x;
          });
        });
        u.w = Math.max(u.w, a.idfSum);
      });
      W += u.w;
    });
    if (!W) return [];
    var res = [];
    cand.forEach((c) => {
      var bm = 0, cov = 0, chain = 0, verbAll = true, starts = [];
      pl.units.forEach((u) => {
        var best = null;
        u.alts.forEach((a) => {
          var xs = a.terms.map((t, ti) => c.hit[a.slot + ti]);
          var sw = 0, idfp = 0;
          xs.forEach((x, ti) => { if (x) { sw += x.w * a.ridf[ti]; idfp += a.idf[ti]; } });
          if (!sw) return;
          // Longest run of query bigrams at consecutive positions; st = starts of verbatim matches.
          var frac = a.idfSum ? idfp / a.idfSum : 0, n = xs.length, st = n === 1 ? xs[0].p : [], longest = 1;
          for (var k = 0; k < n && n > 1; k++) {
            if (!xs[k]) continue;
            xs[k].p.forEach((p) => {
              var L = 1;
              while (k + L < n && xs[k + L] && has(xs[k + L].p, p + a.off[k + L] - a.off[k])) L++;
              if (L > longest) longest = L;
              if (L === n) st.push(p);
            });
          }
          var cf = n === 1 ? 1 : longest > 1 ? longest / n : 0;
          var val = { sw: sw * a.f, frac: frac, key: frac * a.f, cf: cf, st: st, a: a };
          if (!best || val.key > best.key + 1e-9 || (Math.abs(val.key - best.key) < 1e-9 && val.sw > best.sw)) best = val;
        });
        if (!best) { verbAll = false; starts.push(null); return; }
        bm += best.sw; cov += u.w * best.frac; chain += u.w * best.cf;
        if (!best.st.length) verbAll = false;
        starts.push(best);
      });
      if (!bm) return;
      cov /= W; chain /= W;
      var whole = false;
      if (verbAll && starts.length > 1) {
        var cur = starts[0].st.map((p) => p + starts[0].a.span - starts[0].a.off[0]);
        for (var ui = 1; ui < starts.length && cur.length; ui++) {
          var u = pl.units[ui], prev = pl.units[ui - 1], gap = u.q - (prev.q + prev.qlen), b = starts[ui];
          cur = b.st.filter((p) => cur.indexOf(p - gap) >= 0).map((p) => p + b.a.span);
        }
        whole = cur.length > 0;
      }
      var score = bm * cov * cov * (1 + 2 * chain) * (whole ? 2 : 1);
      res.push({ s: c.s, score: score, cov: cov, tier: verbAll ? 1 : 0 });
    });
    var maxCov = 0;
    res.forEach((r) => { if (r.cov > maxCov) maxCov = r.cov; });
    var thr = maxCov >= 0.6 ? 0.6 : maxCov * 0.5, pages = {}, np = 0;
    res.forEach((r) => { var pg = pageOf(r.s); if (r.cov >= thr - 1e-9 && !pages[pg]) { pages[pg] = 1; np++; } });
    if (np < 5) thr = Math.min(thr, 0.34);
    res = res.filter((r) => r.cov >= thr - 1e-9);
    res.sort((a, b) => b.tier - a.tier || b.score - a.score || a.s - b.s);
    return res;
  }

  // Pages score best section + shares of the next ones; short-term queries keep verbatim pages first.
  // Up to 3 hits per page.
  function group(pl, res, maxPages) {
    var pages = [], byPage = new Map(), strict = pl.units.every((u) => u.alts[0].terms.length <= 3);
    res.forEach((r) => {
      var key = pageOf(r.s), g = byPage.get(key);
      if (!g) { g = { pg: key, hits: [], tier: strict ? r.tier : 0, score: 0, n: 0 }; byPage.set(key, g); pages.push(g); }
      if ((!strict || r.tier === g.tier) && g.n < 4) { g.score += r.score * [1, 0.5, 0.3, 0.2][g.n]; g.n++; }
      if (g.hits.length < 3) g.hits.push(r);
    });
    pages.sort((a, b) => b.tier - a.tier || b.score - a.score || a.pg - b.pg);
    return pages.slice(0, maxPages || 10);
  }

  // ---------- snippets ----------
  // A word found whole in `hay` is one needle, otherwise its bigrams are (so 投诉部门 marks the
  // phrase where it occurs, and 投诉 … 部门 where only the pieces do).
  function needles(words, hay) {
    var out = [];
    words.forEach((w) => {
      var t = tokenize(w), n = normalize(w);
      if (t.length > 1 && t.every((x) => x.k === 'c') && hay.indexOf(n) >= 0) out.push({ g: w, t: n });
      else t.forEach((x) => { out.push({ g: w, t: x.t, w: x.k === 'w' }); });
    });
    return out;
  }
  // Normalised view of text with a map back to code point indexes.
  function normView(text) {
    var cps = Array.from(text), s = normalize(text), map = [], i;
    if (Array.from(s).length === cps.length) {
      // One code point per code point (the usual case): map code units of s back directly.
      for (i = 0; i < cps.length; i++) { map.push(i); if (s.charCodeAt(map.length - 1) >= 0xd800 && s.charCodeAt(map.length - 1) < 0xdc00) map.push(i); }
      map.push(cps.length);
      return { cps: cps, s: s, map: map };
    }
    s = '';
    for (i = 0; i < cps.length; i++) {
      var n = normalize(cps[i]);
      for (var j = 0; j < n.length; j++) map.push(i);
      s += n;
    }
    map.push(cps.length);
    return { cps: cps, s: s, map: map };
  }
  function spans(view, nd) {
    var out = [];
    nd.forEach((n) => {
      var from = 0, i;
      while ((i = view.s.indexOf(n.t, from)) >= 0) {
        from = i + 1;
        var e = i + n.t.length;
        if (n.w && ((i > 0 && isWord(view.s[i - 1])) || (e < view.s.length && (isWord(view.s[e]) || (view.s[e] === '.' && RE_DIGIT.test(view.s[e + 1] || '')))))) continue;
        out.push([view.map[i], view.map[e], n.g]);
      }
    });
    out.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    var m = [];
    out.forEach((x) => {
      var l = m[m.length - 1];
      if (l && x[0] <= l[1]) { l[1] = Math.max(l[1], x[1]); l[2].push(x[2]); } else m.push([x[0], x[1], [x[2]]]);
    });
    return m;
  }
  // → [[text, marked], …] for a window of ~80 code points covering most needle groups.
  function snippet(text, words, len) {
    len = len || 80;
    var v = normView(text || ''), sp = spans(v, needles(words, v.s)), n = v.cps.length, best = 0, bestScore = -1;
    sp.forEach((x) => {
      var st = Math.max(0, x[0] - 12), g = {}, cnt = 0, chars = 0;
      sp.forEach((y) => { if (y[0] >= st && y[1] <= st + len) { y[2].forEach((k) => { if (!g[k]) { g[k] = 1; cnt++; } }); chars += y[1] - y[0]; } });
      var sc = cnt * 1000 + chars;
      if (sc > bestScore) { bestScore = sc; best = st; }
    });
    var start = best, end = Math.min(n, start + len);
    if (end - start < len) start = Math.max(0, end - len);
    var segs = [], cur = start;
    if (start > 0) segs.push(['…', false]);
    sp.forEach((x) => {
      if (x[1] <= start || x[0] >= end) return;
      var a = Math.max(x[0], start), b = Math.min(x[1], end);
      if (a > cur) segs.push([v.cps.slice(cur, a).join(''), false]);
      segs.push([v.cps.slice(a, b).join(''), true]);
      cur = b;
    });
    if (cur < end) segs.push([v.cps.slice(cur, end).join(''), false]);
    if (end < n) segs.push(['…', false]);
    return segs;
  }

  // ---------- public query API ----------
  // Results of the grouped hits (`group`).
  function resultsFor(pl, gs) {
    var out = [];
    gs.forEach((g) => {
      g.hits.forEach((r) => {
        var s = D.secs[r.s] || secRecord([g.pg]), pg = D.pages[s.pg] || ['', ''];
        out.push({
          page: pg[0], pageTitle: pg[1], anchor: s.a, heading: s.h, breadcrumb: s.bc,
          score: r.score, tier: r.tier, section: r.s, snippet: snippet(s.text || s.code || s.h, pl.hl)
        });
      });
    });
    out.labels = pl.labels;
    out.terms = pl.hl;
    return out;
  }
  // Synchronous search (one-file layout, or shards already loaded).
  GS.search = (q, maxPages) => {
    if (!D) return null;
    var pl = plan(q);
    return resultsFor(pl, group(pl, rank(pl), maxPages));
  };
  // Asynchronous search: loads what the query needs first (sharded layout).
  GS.query = (q, maxPages, cb) => {
    GS.ready(() => {
      if (!D) return cb(null);
      if (!D.manifest.th) return cb(GS.search(q, maxPages));
      // Plan, load what the plan needs (term shards, pinyin data), plan again until nothing is new.
      var pl;
      (function step() {
        pl = plan(q);
        var files = D.sel.map(tFile).concat(...D.want);
        need(files, files.every((f) => loaded[f]) ? show : step);
      })();
      // Rank and group (pages are known from the manifest), then load exactly the section
      // shards holding the hits shown: the answer GS.search gives with every shard loaded.
      function show() {
        var gs = group(pl, rank(pl), maxPages), ss = D.manifest.ss, sf = [];
        gs.forEach((g) => {
          g.hits.forEach((r) => {
            for (var k = 0; ss[k + 1] <= r.s;) k++;
            sf.push(sFile(k));
          });
        });
        need(sf, () => { cb(resultsFor(pl, gs)); });
      }
    });
  };
  GS.sections = (q) => (D ? rank(plan(q)) : null);
  GS.tokenize = (s) => tokenize(s).map((t) => [t.t, t.p, t.k]);
  GS.normalize = normalize;
  GS.fnv32 = fnv32;
  GS.shardKey = shardKey;
  GS.readingsOf = (term, cr, ovr) => readingsOf(term, cr, parseOvr(ovr));
  GS._state = () => D;

  // ---------- UI ----------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function appendSnippet(parent, segs) {
    segs.forEach((s) => { parent.appendChild(s[1] ? el('mark', '', s[0]) : document.createTextNode(s[0])); });
  }
  function href(rootPath, r, terms) {
    var h = rootPath + r.page;
    if (terms.length) h += '?hl=' + encodeURIComponent(terms.join(' '));
    if (r.anchor) h += '#' + encodeURIComponent(r.anchor);
    return h;
  }

  function highlightIn(container, words) {
    var nd = needles(words, normalize(container.textContent));
    if (!nd.length || !container) return 0;
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => {
        var p = n.parentNode && n.parentNode.nodeName;
        return /^(SCRIPT|STYLE|MARK|TEXTAREA|NOSCRIPT)$/.test(p) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    }), nodes = [], n, count = 0;
    while ((n = walker.nextNode())) nodes.push(n);
    nodes.forEach((node) => {
      var v = normView(node.nodeValue), sp = spans(v, nd);
      if (!sp.length) return;
      var frag = document.createDocumentFragment(), cur = 0;
      sp.forEach((x) => {
        if (x[0] > cur) frag.appendChild(document.createTextNode(v.cps.slice(cur, x[0]).join('')));
        frag.appendChild(el('mark', 'gs-hl', v.cps.slice(x[0], x[1]).join('')));
        cur = x[1]; count++;
      });
      if (cur < v.cps.length) frag.appendChild(document.createTextNode(v.cps.slice(cur).join('')));
      node.parentNode.replaceChild(frag, node);
    });
    return count;
  }

  function initUi() {
    var input = document.getElementById('gs-q');
    var drop = document.getElementById('gs-results');
    var pageBox = document.getElementById('gs-search-page');
    var params = new URLSearchParams(location.search);
    var hl = params.get('hl');
    if (hl) highlightIn(document.querySelector('main') || document.body, hl.split(/\s+/).filter(Boolean).slice(0, 12));
    if (!input) return;
    GS.setEntry(input.getAttribute('data-index') || '');
    var rootPath = input.getAttribute('data-root') || '';
    var status = el('div', 'gs-status visually-hidden');
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    (input.form || input.parentNode).appendChild(status);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    if (drop) { drop.id = drop.id || 'gs-results'; input.setAttribute('aria-controls', drop.id); }
    var timer = 0, seq = 0, active = -1, links = [], started = false;

    function start() {
      if (started) return;
      started = true;
      GS.ready(() => { if (GS.failed) say('搜索索引加载失败'); });
    }
    function say(t) { status.textContent = t; }
    function close() {
      if (!drop) return;
      drop.hidden = true; active = -1;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    }
    function setActive(i) {
      links.forEach((a, k) => { a.parentNode.classList.toggle('gs-active', k === i); a.parentNode.setAttribute('aria-selected', k === i ? 'true' : 'false'); });
      active = i;
      if (i >= 0 && links[i]) { input.setAttribute('aria-activedescendant', links[i].parentNode.id); links[i].parentNode.scrollIntoView({ block: 'nearest' }); }
      else input.removeAttribute('aria-activedescendant');
    }
    function render(box, res, q, full) {
      while (box.firstChild) box.removeChild(box.firstChild);
      links = []; active = -1;
      var npages = 0, last = null;
      res.forEach((r) => { if (r.page !== last) { npages++; last = r.page; } });
      var msg = res.length ? '找到 ' + npages + ' 个结果' : '没有找到相关内容';
      say(msg);
      if (full) box.appendChild(el('p', 'gs-count', msg));
      (res.labels || []).forEach((l) => { box.appendChild(el('p', 'gs-label', l)); });
      if (!res.length) { if (!full) box.appendChild(el('p', 'gs-empty', '没有找到相关内容')); return; }
      var ul = el('ul', 'gs-list'), li = null, sub = null, page = null, n = 0;
      ul.setAttribute('role', 'listbox');
      ul.setAttribute('aria-label', '搜索结果');
      res.forEach((r) => {
        if (r.page !== page) {
          page = r.page;
          li = el('li', 'gs-page'); li.setAttribute('role', 'presentation');
          li.appendChild(el('div', 'gs-page-title', r.pageTitle));
          sub = el('ul', 'gs-hits'); sub.setAttribute('role', 'presentation');
          li.appendChild(sub); ul.appendChild(li);
        }
        var item = el('li', 'gs-hit'), a = el('a');
        item.id = 'gs-opt-' + (full ? 'p' : 'd') + n++;
        item.setAttribute('role', 'option');
        a.href = href(rootPath, r, res.terms || []);
        a.tabIndex = -1;
        a.appendChild(el('span', 'gs-heading', r.heading || r.pageTitle));
        if (r.breadcrumb && r.breadcrumb.length) a.appendChild(el('span', 'gs-crumb', r.breadcrumb.join(' › ')));
        var sn = el('span', 'gs-snippet'); appendSnippet(sn, r.snippet); a.appendChild(sn);
        item.appendChild(a); sub.appendChild(item); links.push(a);
      });
      box.appendChild(ul);
      if (!full) {
        var more = el('a', 'gs-more', '查看全部结果');
        more.href = rootPath + 'search.html?q=' + encodeURIComponent(q);
        box.appendChild(more);
      }
    }
    function run() {
      var q = input.value.trim(), my = ++seq;
      if (!q) { close(); say(''); if (pageBox) while (pageBox.firstChild) pageBox.removeChild(pageBox.firstChild); return; }
      GS.query(q, pageBox ? 50 : 8, (res) => {
        if (my !== seq || !res) return;
        if (pageBox) {
          render(pageBox, res, q, true);
          if (history.replaceState) history.replaceState(null, '', '?q=' + encodeURIComponent(q));
        } else if (drop) {
          render(drop, res, q, false);
          drop.hidden = false;
          input.setAttribute('aria-expanded', 'true');
        }
      });
    }
    input.addEventListener('focus', start);
    input.addEventListener('input', () => { start(); clearTimeout(timer); timer = setTimeout(run, 80); });
    input.addEventListener('keydown', (e) => {
      start();
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        if (!links.length) return;
        e.preventDefault();
        var i = active + (e.key === 'ArrowDown' ? 1 : -1);
        setActive(i < 0 ? links.length - 1 : i >= links.length ? 0 : i);
      } else if (e.key === 'Enter') {
        if (active >= 0 && links[active]) { e.preventDefault(); location.href = links[active].href; }
      } else if (e.key === 'Escape') {
        if (drop && !drop.hidden) { e.preventDefault(); close(); } else input.blur();
      }
    });
    document.addEventListener('keydown', (e) => {
      var t = e.target, tag = t && t.tagName;
      if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !/^(INPUT|TEXTAREA|SELECT)$/.test(tag) && !(t && t.isContentEditable)) {
        e.preventDefault(); input.focus(); input.select();
      }
    });
    document.addEventListener('click', (e) => {
      if (drop && !drop.contains(e.target) && e.target !== input) close();
    });
    if (pageBox) {
      var q = params.get('q') || '';
      if (q) { input.value = q; start(); run(); }
    }
  }

  root.GS = GS;
  if (typeof module === 'object' && module.exports) module.exports = GS;
  if (hasDom) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', initUi);
    else initUi();
  }
})(typeof window !== 'undefined' ? window : globalThis);
