// Search client, part 3 of 5: loading the index written by src/search/output.rs (payload
// version 2). Every file is a classic script calling GS.load(payload), loaded by injecting a
// <script> element, so search works from file:// (no fetch, no XHR, no modules).
// A guide-sized site is one entry file holding the section texts; the postings are derived
// from them here with the build's tokenizer and BM25F formula. A large site's entry is a
// manifest naming term shards (t-*.js), section shards (s-*.js) and the pinyin file (p-*.js),
// which a query loads as it needs them (rank.js GS.query).

var HAS_DOM = typeof document !== 'undefined';

// The loaded index, null until the entry file has run. Its fields:
//   kind         'single' or 'manifest'; manifest: the entry payload (file hashes, shard starts)
//   sectionCount, pages ([url, title] per page), sections (records, see sectionRecord)
//   bm25         the ranking constants {w, b, piv, k1, scale, max} (index.rs)
//   postings     Map term → posting list [{section, impact, positions}]
//   pageOfSection the page of every section (sharded layout), before its record is loaded
//   latin, vocabulary, charReadings, pinyin…  the pinyin and Latin vocabulary (pinyin.js)
//   wanted       files the current query plan looked into (sharded layout)
//   selectedShards the term shards the current plan ranks with (sharded layout)
var state = null;

// The entry file's name inside the loader (its URL is set by GS.setEntry).
var ENTRY = '@entry';
// Terms of a one-character list: "\u0001" + the character (output.rs char_lists).
var CHAR_LIST_PREFIX = '\u0001';
// The fields a posting's head flag covers (= index.rs TITLE, HEADING).
var FIELD_TITLE = 0;
var FIELD_HEADING = 1;
// One position is left free between the fields of a section (= index.rs).
var FIELD_GAP = 1;
var BREADCRUMB_SEPARATOR = ' \u203a ';

// Character varints (= index.rs push_b32): 5 data bits per character, low bits first; 32 means
// another character follows.
var VARINT_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
var VARINT_DATA_BITS = 31;
var VARINT_MORE = 32;
var VARINT_BASE = 32;
var VARINT_DIGITS = {};
Array.from(VARINT_ALPHABET).forEach((c, i) => { VARINT_DIGITS[c] = i; });

// file → callbacks waiting for it; file → true once loaded (or failed).
var waiting = {};
var loaded = {};
// The entry file's URL, and its folder (with a trailing slash): the other files' base.
var entryUrl = '';
var baseUrl = '';
// function (url, onError): runs one file. A <script> element in a page; tests set their own.
var loader = HAS_DOM ? scriptLoader : null;

// Reads one varint at cursor {text, at}, moving the cursor.
function readVarint(cursor) {
  var value = 0;
  var scale = 1;
  var digit;
  do {
    digit = VARINT_DIGITS[cursor.text[cursor.at++]] | 0;
    value += (digit & VARINT_DATA_BITS) * scale;
    scale *= VARINT_BASE;
  } while (digit & VARINT_MORE && cursor.at < cursor.text.length);
  return value;
}

// One posting list (= index.rs encode_postings): its length, then per section the delta from
// the previous section, the impact, the position count × 2 (+ 1 when the term is in the title
// or heading field: head) and the position deltas.
function decodePostings(text) {
  var cursor = { text: text, at: 0 };
  var list = [];
  var section = 0;
  for (var left = readVarint(cursor); left-- > 0 && cursor.at < text.length;) {
    section += readVarint(cursor);
    var weight = readVarint(cursor);
    var countHead = readVarint(cursor);
    var positions = [];
    var pos = 0;
    for (var count = countHead >> 1; count-- > 0 && cursor.at < text.length;) {
      pos += readVarint(cursor);
      positions.push(pos);
    }
    list.push({ section: section, impact: weight, head: (countHead & 1) === 1, positions: positions });
  }
  return list;
}

// The page of every section (= output.rs page_runs): per run of consecutive sections on one
// page, 2 × the run's length, plus 1 when the page follows explicitly (else it is the previous
// run's page + 1).
function decodePageRuns(text, sectionCount) {
  var pages = new Int32Array(sectionCount);
  var cursor = { text: text, at: 0 };
  var section = 0;
  var page = -1;
  while (cursor.at < text.length) {
    var head = readVarint(cursor);
    page = head & 1 ? readVarint(cursor) : page + 1;
    var length = head >> 1;
    pages.fill(page, section, section + length);
    section += length;
  }
  return pages;
}

// The state shared by both layouts, from the entry payload.
function startIndex(data) {
  state = {
    kind: data.k,
    manifest: data,
    sectionCount: data.n,
    pages: data.pages || [],
    sections: [],
    bm25: data.bm,
    // guide.yaml's synonym groups: the guide's word first, then readers' words (normalised).
    synonyms: data.syn || [],
    // The first word of each group: the guide's own.
    guideWords: new Set((data.syn || []).map((group) => group[0])),
    // Front matter `search: {boost}`: {page index: factor on the page's score}.
    pageBoost: data.pb || {},
    postings: new Map(),
    pageOfSection: null,
    latin: [],
    vocabulary: new Set(),
    charReadings: {},
    pinyinData: null,
    pinyinReady: false,
    pinyinEntries: [],
    pinyinByInitial: {},
    pinyinFuzzy: new Map(),
    syllables: [],
    syllableChars: {},
    bigramPinyin: null,
    wanted: new Set(),
    selectedShards: null
  };
  if (data.py) addPinyinData(data);
  // (A manifest without the map, e.g. a stale cached one, leaves unloaded sections' pages unknown.)
  if (data.pc) state.pageOfSection = decodePageRuns(data.pc, data.n);
}

function pageOf(section) {
  if (state.pageOfSection) return state.pageOfSection[section];
  var record = state.sections[section];
  return record ? record.page : undefined;
}

// A section as shipped: [page, anchor, heading, breadcrumb, text(, code)].
function sectionRecord(row) {
  return { page: row[0], anchor: row[1], heading: row[2], breadcrumb: row[3] || [], text: row[4] || '', code: row[5] || '' };
}

// One-file layout: the posting lists of the section texts, made as index.rs makes them (fields
// title, heading, breadcrumb, body, code; a heading repeated by the next section of the same
// page is indexed once).
function indexSectionTexts() {
  var lists = new Map();
  var latin = new Set();
  state.sections.forEach((s, id) => {
    var title = state.pages[s.page][1];
    var previous = state.sections[id - 1];
    var repeatedHeading = previous && previous.page === s.page && previous.heading === s.heading;
    var breadcrumb = s.breadcrumb.filter((b) => b !== title).join(BREADCRUMB_SEPARATOR);
    var fields = [title, repeatedHeading ? '' : s.heading, breadcrumb, s.text, s.code];
    var next = 0;
    var lengths = [];
    var ownPostings = [];
    for (var field = 0; field < FIELDS; field++) {
      var tokenized = tokenizeNormalized(normalize(fields[field] || ''), next);
      lengths.push(tokenized.tokens.length);
      tokenized.tokens.forEach((token) => {
        var list = lists.get(token.text);
        if (!list) {
          list = [];
          lists.set(token.text, list);
          if (token.kind === KIND_WORD && RE_LETTER.test(token.text)) latin.add(token.text);
        }
        var last = list[list.length - 1];
        if (!last || last.section !== id) {
          last = { section: id, tf: [0, 0, 0, 0, 0], head: false, positions: [] };
          list.push(last);
          ownPostings.push(last);
        }
        last.tf[field]++;
        if (field === FIELD_TITLE || field === FIELD_HEADING) last.head = true;
        last.positions.push(token.pos);
      });
      next = tokenized.end + FIELD_GAP;
    }
    ownPostings.forEach((p) => { p.impact = impact(p.tf, lengths); });
  });
  lists.forEach((list, term) => { state.postings.set(term, list); });
  state.latin = Array.from(latin).sort();
}

// Entry point of every index file.
GS.load = (payload) => {
  var data = typeof payload === 'string' ? JSON.parse(payload) : payload;
  var file = null;
  if (data.k === 'single') {
    startIndex(data);
    state.sections = data.secs.map(sectionRecord);
    indexSectionTexts();
    file = ENTRY;
  } else if (data.k === 'manifest') {
    startIndex(data);
    file = ENTRY;
  } else if (data.k === 't' && state) {
    data.terms.forEach((term, i) => { state.postings.set(term, decodePostings(data.p[i])); });
    // The vocabulary strings starting in this shard (output.rs vocab_buckets).
    (data.v || []).forEach((w) => { state.vocabulary.add(w); });
    file = termFile(data.i);
  } else if (data.k === 'p' && state) {
    addPinyinData(data);
    file = pinyinFile();
  } else if (data.k === 's' && state) {
    for (var j = 0; j < data.secs.length; j++) state.sections[data.start + j] = sectionRecord(data.secs[j]);
    Object.keys(data.pages || {}).forEach((k) => { state.pages[k] = data.pages[k]; });
    file = sectionFile(data.i);
  }
  if (file) done(file);
};

// File names of the sharded layout (output.rs): number in three hex digits, content hash.
function shardNumber(i) {
  return i.toString(16).padStart(3, '0');
}
function termFile(i) {
  return 't-' + shardNumber(i) + '-' + state.manifest.th[i] + '.js';
}
function sectionFile(i) {
  return 's-' + shardNumber(i) + '-' + state.manifest.sh[i] + '.js';
}
function pinyinFile() {
  return 'p-' + state.manifest.ph + '.js';
}

// The term shard of a term (= output.rs term_shards): by its shard key, except that terms
// starting with a split character are placed by the whole term, and a one-character list
// ("\u0001c") by its character.
function termShard(term) {
  var manifest = state.manifest;
  var listChar = term.charAt(0) === CHAR_LIST_PREFIX ? term.slice(1) : '';
  var key = listChar || ((manifest.split || '').indexOf(Array.from(term)[0]) >= 0 ? term : shardKey(term));
  return fnv32(key) & (manifest.ts - 1);
}

// The section shard holding a section (the manifest's ss lists each shard's first section).
function sectionShard(section) {
  var starts = state.manifest.ss;
  var k = 0;
  while (starts[k + 1] <= section) k++;
  return k;
}

// Whether a term is in the index. Sharded layout: its shard is wanted (the query loads the
// shards not yet in and plans again, so the plan is the one a client holding every shard makes).
function isKnown(term) {
  if (state.manifest.th) state.wanted.add(termFile(termShard(term)));
  return state.postings.has(term);
}

function postingsOf(term) {
  return isKnown(term) ? state.postings.get(term) : null;
}

// Known to be missing: not in the one file, or not in its loaded shard.
function absent(term) {
  return !isKnown(term) && (!state.manifest.th || loaded[termFile(termShard(term))]);
}

function done(file) {
  loaded[file] = true;
  var callbacks = waiting[file] || [];
  delete waiting[file];
  callbacks.forEach((cb) => { cb(); });
}

// Loads files (names relative to the entry's folder); calls cb once all are present. A file
// that fails to load counts as loaded (GS.failed is set), so a query still answers.
function need(files, cb) {
  files = files.filter((f, i) => !loaded[f] && files.indexOf(f) === i);
  if (!files.length) return cb();
  var left = files.length;
  files.forEach((f) => {
    var first = !waiting[f];
    (waiting[f] = waiting[f] || []).push(() => {
      if (--left === 0) cb();
    });
    if (first) {
      loader(f === ENTRY ? entryUrl : baseUrl + f, () => {
        if (!loaded[f]) {
          GS.failed = true;
          done(f);
        }
      });
    }
  });
}

function scriptLoader(url, onError) {
  var script = document.createElement('script');
  script.src = url;
  script.onerror = onError;
  document.head.appendChild(script);
}

GS.setLoader = (fn) => { loader = fn; };
GS.setEntry = (url) => {
  entryUrl = url;
  baseUrl = url.replace(/[^/]*$/, '');
};
GS.ready = (cb) => { need([ENTRY], cb); };
GS._state = () => state;
