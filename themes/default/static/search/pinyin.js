// Search client, part 2 of 5: pinyin. Readings of Chinese strings (the mirror of
// src/search/pinyin.rs `readings`, checked by tests/search/vectors.js), the pinyin vocabulary,
// and the Chinese words a Latin query may stand for: full pinyin or initials of a vocabulary
// word (tousu, xhzw), several words or syllables in a row (txglj → 通信管理局), and IME
// homophone typos (套参 → 套餐).
// Uses the loaded index `state` and its lookups (load.js).

// Readings considered per character, and characters that may vary (= pinyin.rs).
var MAX_READINGS_PER_CHAR = 2;
var MAX_POLYPHONIC_CHARS = 4;
// Readings kept per string (= pinyin.rs MAX_VARIANTS).
var MAX_READINGS = 4;

// How well a Latin word matches a vocabulary entry, and the weight each match gets.
var MATCH_FULL = 3;
var MATCH_INITIALS = 2.5;
var MATCH_FULL_PREFIX = 2;
var MATCH_INITIALS_PREFIX = 1.5;
var WEIGHT_FULL = 0.9;
var WEIGHT_INITIALS = 0.8;
var WEIGHT_PREFIX = 0.7;
// Initials match from two letters; while typing, a pinyin prefix from two, an initials prefix
// from three.
var MIN_INITIALS = 2;
var MIN_FULL_PREFIX = 2;
var MIN_INITIALS_PREFIX = 3;
var MAX_PINYIN_WORDS = 4;

// Pinyin spread over several words or syllables: search limits and the candidates kept.
var MAX_SEGMENTS = 5;
var MAX_SEGMENT_STEPS = 2000;
var MAX_SYLLABLE_STEPS = 20000;
// Continuations followed after each character of a syllable-by-syllable reading.
var MAX_SYLLABLE_BRANCHES = 3;
// Pure initials (no vowel) are read as one syllable per letter up to this length.
var MAX_INITIALS_RUN = 5;
var MAX_SEGMENTATIONS = 3;
var SEGMENTATION_WEIGHT = 0.7;
var SEGMENTATION_WEIGHT_STEP = 0.1;

// Homophone typos are looked for in CJK runs of this many characters.
var HOMOPHONE_MIN_CHARS = 2;
var HOMOPHONE_MAX_CHARS = 4;
var MAX_HOMOPHONES = 3;
var HOMOPHONE_WEIGHT = 0.8;

// Override lines ("调解 tiao jie") → {byFirst: {first character: [[characters], [syllables]]}},
// longest words first.
function parseOverrides(lines) {
  var words = [];
  (lines || []).forEach((line) => {
    var parts = line.split(/\s+/);
    var chars = Array.from(parts[0] || '');
    if (chars.length && chars.length === parts.length - 1) words.push([chars, parts.slice(1)]);
  });
  words.sort((a, b) => b[0].length - a[0].length || (a[0].join('') < b[0].join('') ? -1 : 1));
  var byFirst = {};
  words.forEach((w) => {
    (byFirst[w[0][0]] = byFirst[w[0][0]] || []).push(w);
  });
  return { byFirst: byFirst };
}
var NO_OVERRIDES = parseOverrides([]);

// Readings of a CJK string (= pinyin.rs readings): overrides pinned first, then combinations of
// the characters' readings, fewest non-default readings first. [] when a character has none.
// `charReadings`: {character: [first reading, second reading]}.
function readingsOf(term, charReadings, overrides) {
  var chars = Array.from(term);
  var count = chars.length;
  var options = new Array(count);
  if (!count) return [];
  var i = 0;
  var k;
  while (i < count) {
    var candidates = overrides.byFirst[chars[i]] || [];
    var hit = null;
    for (k = 0; k < candidates.length && !hit; k++) {
      var word = candidates[k][0];
      var matches = i + word.length <= count;
      for (var x = 1; matches && x < word.length; x++) matches = chars[i + x] === word[x];
      if (matches) hit = candidates[k];
    }
    if (hit) {
      for (k = 0; k < hit[0].length; k++) options[i + k] = [hit[1][k]];
      i += hit[0].length;
    } else {
      i++;
    }
  }
  var polyphonic = 0;
  for (k = 0; k < count; k++) {
    if (options[k]) continue;
    var readings = charReadings[chars[k]];
    if (!readings || !readings.length) return [];
    readings = readings.slice(0, MAX_READINGS_PER_CHAR);
    if (readings.length > 1 && ++polyphonic > MAX_POLYPHONIC_CHARS) readings = readings.slice(0, 1);
    options[k] = readings;
  }
  if (options.every((o) => o.length === 1)) return [options.map((o) => o[0])];
  // Every choice of one reading per character, as reading indexes.
  var combos = [[]];
  options.forEach((o) => {
    var next = [];
    combos.forEach((c) => {
      for (var j = 0; j < o.length; j++) next.push(c.concat([j]));
    });
    combos = next;
  });
  var nonDefault = (v) => v.filter((j) => j > 0).length;
  combos.sort((a, b) => {
    var d = nonDefault(a) - nonDefault(b);
    if (d) return d;
    for (var x = 0; x < a.length; x++) if (a[x] !== b[x]) return a[x] - b[x];
    return 0;
  });
  return combos.slice(0, MAX_READINGS).map((v) => v.map((j, x) => options[x][j]));
}

// Syllables with the usual IME confusions folded (zh/ch/sh → z/c/s, -ng → -n), joined.
function fuzzyKey(syllables) {
  return syllables.map((s) => s.replace(/^([zcs])h/, '$1').replace(/([eia])ng$/, '$1n')).join('');
}

// Pinyin and Latin vocabulary, from the one file or the sharded layout's p-*.js:
// chars {syllable: [characters read so first, characters read so second]}, py {t: strings,
// c: counts, ovr: override lines}, latin (sharded: the Latin words).
function addPinyinData(data) {
  var charReadings = state.charReadings;
  var chars = data.chars || {};
  state.pinyinData = data;
  state.latin = data.latin || state.latin;
  Object.keys(chars).forEach((syllable) => {
    [0, 1].forEach((rank) => {
      Array.from(chars[syllable][rank] || '').forEach((c) => {
        (charReadings[c] = charReadings[c] || [])[rank] = syllable;
      });
    });
  });
  Object.keys(charReadings).forEach((c) => { charReadings[c] = charReadings[c].filter(Boolean); });
  state.syllableChars = {};
  Object.keys(chars).forEach((syllable) => { state.syllableChars[syllable] = Array.from(chars[syllable].join('')); });
  state.syllables = Object.keys(state.syllableChars);
  ((data.py && data.py.t) || []).forEach((w) => { state.vocabulary.add(w); });
}

// Whether the pinyin data is in; if not, the query loads it and plans again.
function hasPinyin() {
  if (!state.pinyinData) state.wanted.add(pinyinFile());
  return !!state.pinyinData;
}

// The readings of the vocabulary and the readers' words, made on first need (an ASCII word or
// a homophone check): entries {term, count, full: "tousu", initials: "ts"}.
function ensurePinyin() {
  if (state.pinyinReady) return;
  state.pinyinReady = true;
  var py = state.pinyinData.py || {};
  var overrides = parseOverrides(py.ovr);
  var terms = py.t || [];
  var counts = py.c || [];
  var known = new Set(terms);
  terms.forEach((term, i) => { addPinyinEntries(term, counts[i] || 1, overrides, MAX_READINGS); });
  // Readers' words (guide.yaml synonyms) are what readers type, so their pinyin finds them too
  // (luanshoufei → 乱收费, then the guide's word for it); they never occur in the text, so only
  // their first reading counts (能告 is not taigao).
  state.synonyms.forEach((group) => {
    group.forEach((word) => {
      if (known.has(word)) return;
      known.add(word);
      addPinyinEntries(word, 1, overrides, 1);
    });
  });
}

// Up to `max` readings of a string as entries {term, count, full, initials} (none when a
// character has no reading).
function addPinyinEntries(term, count, overrides, max) {
  readingsOf(term, state.charReadings, overrides).slice(0, max).forEach((reading) => {
    var full = reading.join('');
    var entry = { term: term, count: count, full: full, initials: reading.map((s) => s[0]).join('') };
    state.pinyinEntries.push(entry);
    (state.pinyinByInitial[full[0]] = state.pinyinByInitial[full[0]] || []).push(entry);
    var key = Array.from(term).length + ':' + fuzzyKey(reading);
    if (!state.pinyinFuzzy.has(key)) state.pinyinFuzzy.set(key, []);
    state.pinyinFuzzy.get(key).push(entry);
  });
}

// Every known two-character term with its first readings: the fallback when the vocabulary has
// no match (发票 occurs once, so it is not vocabulary, but fapiao and fapio should find it).
// Sharded layout: only terms of shards this plan has looked up so far (not cached).
function bigramPinyin() {
  var sharded = state.manifest.th;
  if (!state.bigramPinyin || sharded) {
    state.bigramPinyin = [];
    Array.from(state.postings.keys()).forEach((term) => {
      var chars = Array.from(term);
      var first = chars.length === 2 && state.charReadings[chars[0]];
      var second = first && state.charReadings[chars[1]];
      if (second && !state.vocabulary.has(term) && (!sharded || state.wanted.has(termFile(termShard(term))))) {
        state.bigramPinyin.push({ term: term, count: (postingsOf(term) || []).length, full: first[0] + second[0], initials: '' });
      }
    });
  }
  return state.bigramPinyin;
}

// Vocabulary words whose full pinyin or initials match `word` (a prefix, when it is the word
// being typed): [{entry, weight}], best first.
function pinyinCandidates(word, typing) {
  ensurePinyin();
  var entries = state.pinyinEntries;
  var vocabularyMatches = entries.some((e) => e.full === word || e.initials === word || (typing && e.full.startsWith(word)));
  var found = [];
  (vocabularyMatches ? entries : entries.concat(bigramPinyin())).forEach((e) => {
    var match = 0;
    if (e.full === word) match = MATCH_FULL;
    else if (word.length >= MIN_INITIALS && e.initials === word) match = MATCH_INITIALS;
    else if (typing && word.length >= MIN_FULL_PREFIX && e.full.indexOf(word) === 0) match = MATCH_FULL_PREFIX;
    else if (typing && word.length >= MIN_INITIALS_PREFIX && e.initials.indexOf(word) === 0) match = MATCH_INITIALS_PREFIX;
    if (match) found.push({ entry: e, match: match });
  });
  // Best match, then most frequent, then shortest, then in string order.
  found.sort((a, b) => b.match - a.match
    || b.entry.count - a.entry.count
    || a.entry.term.length - b.entry.term.length
    || (a.entry.term < b.entry.term ? -1 : 1));
  var seen = {};
  found = found.filter((x) => {
    if (seen[x.entry.term]) return false;
    seen[x.entry.term] = true;
    return true;
  }).slice(0, MAX_PINYIN_WORDS);
  var maxCount = 1;
  found.forEach((x) => { if (x.entry.count > maxCount) maxCount = x.entry.count; });
  found.forEach((x) => {
    var weight = x.match >= MATCH_FULL ? WEIGHT_FULL : x.match >= MATCH_INITIALS ? WEIGHT_INITIALS : WEIGHT_PREFIX;
    // A reading is as likely as its word is frequent in the guide (ts: 投诉 before 套餐).
    x.weight = weight * x.entry.count / maxCount;
  });
  return found;
}

// Pinyin over several vocabulary strings (txglj → 通信 + 管理局), or, only when no such
// reading exists, single syllables forming known bigrams: [{entry: {term, count}, weight}],
// best first. Words first: a syllable-by-syllable reading is a guess, and its many branches
// would spend the step budget before the words are tried.
function segmentCandidates(word) {
  ensurePinyin();
  var found = [];
  var steps = 0;
  var bySyllable = false;
  // Whether text + c continues a known bigram (always, for the first character).
  function joins(text, c) {
    return !text || postingsOf(Array.from(text).pop() + c);
  }
  // mode: '' at the start, then 'f' (full syllables) or 'i' (initials) for the rest.
  function walk(i, text, score, depth, mode) {
    if (i === word.length) {
      if (Array.from(text).length > 1) found.push({ text: text, score: score });
      return;
    }
    if (depth === MAX_SEGMENTS || ++steps > MAX_SEGMENT_STEPS) return;
    (state.pinyinByInitial[word[i]] || []).forEach((e) => {
      var first = Array.from(e.term)[0];
      if (mode !== 'i' && word.startsWith(e.full, i) && joins(text, first)) {
        walk(i + e.full.length, text + e.term, score * e.count, depth + 1, 'f');
      } else if (mode !== 'f' && e.initials.length >= MIN_INITIALS && word.startsWith(e.initials, i) && joins(text, first)) {
        walk(i + e.initials.length, text + e.term, score * e.count, depth + 1, 'i');
      }
    });
    if (!bySyllable) return;
    // The characters that can come next, the most frequent bigrams first; past the first
    // character only the best few are followed (a beam), so the budget reaches every start.
    var next = [];
    state.syllables.forEach((syllable) => {
      var initials = mode === 'i' || (mode === '' && word.length <= MAX_INITIALS_RUN && !/[aeiouv]/.test(word));
      if (initials ? syllable[0] !== word[i] : !word.startsWith(syllable, i)) return;
      state.syllableChars[syllable].forEach((c) => {
        var list = text ? postingsOf(Array.from(text).pop() + c) : true;
        if (!list) return;
        next.push({ c: c, at: i + (initials ? 1 : syllable.length), n: text ? list.length : 1, mode: initials ? 'i' : 'f' });
      });
    });
    if (text) next = next.sort((x, y) => y.n - x.n || (x.c < y.c ? -1 : 1)).slice(0, MAX_SYLLABLE_BRANCHES);
    next.forEach((x) => {
      if (++steps > MAX_SYLLABLE_STEPS) return;
      walk(x.at, text + x.c, score * x.n, depth + 1, x.mode);
    });
  }
  walk(0, '', 1, 0, '');
  if (!found.length) {
    bySyllable = true;
    steps = 0;
    walk(0, '', 1, 0, '');
  }
  found.sort((a, b) => b.score - a.score || (a.text < b.text ? -1 : 1));
  var seen = {};
  return found.filter((x) => {
    if (seen[x.text]) return false;
    seen[x.text] = true;
    return true;
  }).slice(0, MAX_SEGMENTATIONS).map((x, i) => ({
    entry: { term: x.text, count: 1 },
    weight: SEGMENTATION_WEIGHT - SEGMENTATION_WEIGHT_STEP * i
  }));
}

// Pinyin no word-by-word reading covers (wangsutaiman: the guide never writes 网速太慢): the
// reading with the most letters read as vocabulary strings, joined anywhere
// (as a Chinese query may join words the guide never writes together: 工信部投诉), syllables
// it cannot read left out; then the fewest strings, then the most frequent. Letters read must
// be at least half of the word. [{entry: {term, count}, weight}] or [].
function looseReading(word) {
  ensurePinyin();
  // best[i]: the best reading of word.slice(i): {read (letters), strings, gain, parts}.
  var best = [];
  best[word.length] = { read: 0, strings: 0, gain: 0, parts: [] };
  for (var i = word.length - 1; i >= 0; i--) {
    var options = [];
    (state.pinyinByInitial[word[i]] || []).forEach((e) => {
      var rest = best[i + e.full.length];
      if (rest && word.startsWith(e.full, i)) {
        options.push({ read: rest.read + e.full.length, strings: rest.strings + 1, gain: rest.gain + Math.log(1 + e.count), parts: [e.term].concat(rest.parts) });
      }
    });
    state.syllables.forEach((syllable) => {
      var rest = best[i + syllable.length];
      if (rest && word.startsWith(syllable, i)) options.push({ read: rest.read, strings: rest.strings, gain: rest.gain, parts: [''].concat(rest.parts) });
    });
    options.sort((a, b) => b.read - a.read || a.strings - b.strings || b.gain - a.gain
      || (a.parts.join() < b.parts.join() ? -1 : 1));
    best[i] = options[0];
  }
  var reading = best[0];
  if (!reading || !reading.strings || reading.read * 2 < word.length) return [];
  // Strings read one after another join up; a left-out syllable leaves a space.
  var text = reading.parts.map((p) => p || ' ').join('').replace(/ +/g, ' ').trim();
  return [{ entry: { term: text, count: 1 }, weight: SEGMENTATION_WEIGHT }];
}

// IME homophone typos: 套参 → 套餐, when the first or last bigram of the run is unknown.
// Adds the alternatives to the query unit.
function homophones(text, unit, labels) {
  var chars = Array.from(text);
  if (chars.length < HOMOPHONE_MIN_CHARS || chars.length > HOMOPHONE_MAX_CHARS) return;
  // A one-character typo always breaks the first or the last bigram (套餐变更 lacks only 餐变).
  var terms = unit.alts[0].terms;
  if (!(absent(terms[0]) || absent(terms[terms.length - 1])) || !hasPinyin()) return;
  ensurePinyin();
  var seen = {};
  var added = [];
  readingsOf(text, state.charReadings, NO_OVERRIDES).forEach((r) => {
    (state.pinyinFuzzy.get(chars.length + ':' + fuzzyKey(r)) || []).forEach((e) => {
      if (e.term !== text && !seen[e.term] && added.length < MAX_HOMOPHONES) {
        seen[e.term] = true;
        added.push(e.term);
        unit.alts.push(phraseAlternative(e.term, HOMOPHONE_WEIGHT, e.term));
      }
    });
  });
  // Never a silent rewrite: the results say which words were also searched.
  if (added.length) labels.push(LABEL_DID_YOU_MEAN + added.join(LABEL_SEPARATOR));
}

GS.readingsOf = (term, charReadings, overrideLines) => readingsOf(term, charReadings, parseOverrides(overrideLines));
