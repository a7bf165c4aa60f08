// Search client, part 4 of 5: answering a query. Planning (the query's units and their
// alternatives: the words as typed, pinyin, completions, typos, homophones), scoring (BM25F
// impacts × idf, coverage of the query, adjacency of its bigrams), grouping by page, snippets,
// and the query API (GS.search, GS.query).
//
// A query is cut into units, one per run of CJK characters or per word. A unit has
// alternatives {terms, offsets, span, weight, surface}: the index terms to look up, their
// positions relative to the first, the positions the whole alternative covers, its weight
// (1 as typed, less for an expansion) and the text it stands for (shown and highlighted).

// ---- BM25F (= index.rs) ----
// A section's fields: page title, heading, breadcrumb, body, code.
var FIELDS = 5;
// Field lengths keep their three leading bits (= index.rs coarse_len).
var COARSE_BITS = 3;
var MIN_IMPACT = 1;

// ---- planning ----
// Query terms highlighted on result pages.
var MAX_HIGHLIGHT_TERMS = 12;
// The word being typed is completed from the Latin vocabulary from this many letters.
var MIN_COMPLETION_LETTERS = 3;
var MAX_COMPLETIONS = 8;
var COMPLETION_WEIGHT = 0.7;
// Latin words of this length or more are corrected by one edit (voltee → volte).
var MIN_TYPO_LETTERS = 5;
var MAX_TYPOS = 4;
var TYPO_WEIGHT = 0.6;
// Letters read as pinyin over several words from this length (txglj).
var MIN_SEGMENTED_LETTERS = 4;
// The shipped Latin vocabulary is complete below this size (= output.rs MAX_LATIN).
var MAX_LATIN = 20000;
// Sharded layout: a query ranks with the terms of at most this many term shards (a fixed
// choice per query, so cold and warm answers agree).
var MAX_TERM_SHARDS = 3;
var LABEL_PINYIN = '按拼音匹配：';
var LABEL_DID_YOU_MEAN = '您是不是要找：';
var LABEL_SEPARATOR = '、';
// A query word replaced by the guide's word for it (guide.yaml `synonyms`) weighs this much,
// and the results say so: 同时按“销户”查找.
var SYNONYM_WEIGHT = 0.9;
var LABEL_SYNONYM_BEFORE = '同时按“';
var LABEL_SYNONYM_AFTER = '”查找';
var LABEL_IGNORED_BEFORE = '没有找到“';
var LABEL_IGNORED_AFTER = '”，已按其余的词查找';

// Chinese numerals before a unit are also searched as digits (十五天 → 15天), the way the
// guide writes quantities.
var RE_NUMERAL_QUANTITY = /[零〇一二两三四五六七八九十百千]+(?=个月|个工作日|个小时|小时|天|日|年|倍|元|块|分钟|周|个星期)/g;
// 多 between a numeral and its unit (五个多月, 十多天) is dropped: the guide gives the number.
var RE_APPROXIMATE = /([零〇一二两三四五六七八九十百千0-9]个?)多(?=个月|月|个工作日|工作日|个小时|小时|天|日|年|倍|元|块|分钟|周|个星期)/g;
// Fractions in words (千分之三) are the number the guide writes with a sign (3‰), which the
// index does not keep.
var RE_FRACTION = /[千百]分之([零〇一二两三四五六七八九十百]+)/g;
var NUMERAL_DIGITS = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
var NUMERAL_UNITS = { 十: 10, 百: 100, 千: 1000 };

// Function words of questions: they count little, and are not needed to match.
var STOP_WORDS = new Set(('怎么 怎么办 怎样 如何 什么 为什么 哪里 哪些 哪个 可以 我的 我们 一下 是否 能不能 不能 是不是 有没有 没有 应该 需要 的话 办法 多少 多久 要什么 了吗'
  + ' 咋办 咋回事 怎么回事 什么情况 是啥 为啥 干嘛 凭什么 请问 求助 到底 正常吗 合理吗 合法吗 有用吗 行不行 可不可以 会不会 算不算 还能 找谁 一直 总是 老是 竟然 居然 然后 但是 可是 就是 这个 那个 这些 那些 自己 不知道 好几'
  + ' 咋整 咋弄 怎么弄 怎么搞 该怎么 能否 可否 有啥 怎么样 好不好 对不对 靠谱吗 管用吗 有效吗 能行吗 要不要 该不该 谁能 在线等 急急急 有人知道 麻烦问下 想问 问一下 问下 咨询一下 谢谢 各位 大家 好多 很多 许多 非常 特别').split(' '));
var MAX_STOP_WORD_CHARS = 4;

// ---- scoring ----
// Runs of at least this many bigrams weigh their bigrams by the words they belong to.
var MIN_WEIGHTED_BIGRAMS = 3;
var MAX_WORD_CHARS = 8;
var WORD_BIGRAM_WEIGHT = 1;
var STOP_BIGRAM_WEIGHT = 0.1;
// A bigram across two words, or in no known word.
var LOOSE_BIGRAM_WEIGHT = 0.15;
// Score = BM25F sum × coverage² × (1 + CHAIN_BONUS × adjacency) × (WHOLE_QUERY_BONUS when the
// whole query occurs verbatim) × (1 + HEADING_BONUS × share of the query verbatim in the
// section's title or heading).
var CHAIN_BONUS = 2;
var WHOLE_QUERY_BONUS = 2;
var HEADING_BONUS = 0.5;
// Sections covering less of the query than this are dropped when better ones exist…
var MIN_COVERAGE = 0.6;
// …or, when no section reaches it, less than this share of the best coverage…
var RELATIVE_COVERAGE = 0.5;
// …but with fewer than FEW_PAGES pages left, a third of the query is enough.
var FEW_PAGES = 5;
var FEW_PAGES_COVERAGE = 0.34;
// How much a query term found nowhere counts against its alternative's coverage.
var MISSING_TERM_SHARE = 0.25;
var EPSILON = 1e-9;

// ---- grouping and snippets ----
var DEFAULT_MAX_PAGES = 10;
var MAX_HITS_PER_PAGE = 3;
// A page scores its best section plus shares of its next ones.
var PAGE_SECTION_SHARES = [1, 0.5, 0.3, 0.2];
// With alternatives of at most this many terms, pages with every unit verbatim come first.
var STRICT_MAX_TERMS = 3;
var SNIPPET_LENGTH = 80;
// Characters shown before the first mark of a snippet.
var SNIPPET_LEAD = 12;
// A snippet window scores distinct query words first, then marked characters.
var SNIPPET_WORD_SCORE = 1000;
var ELLIPSIS = '…';
// Two results whose snippets start with this many equal characters under the same heading
// show the same thing: the second is folded into the first.
var REPEAT_CHARS = 40;
var RE_SPACES = /\s+/g;

// ---- BM25F ----

function coarseLength(n) {
  if (n < 1 << COARSE_BITS) return n;
  var shift = 32 - COARSE_BITS - Math.clz32(n);
  return (n >>> shift) << shift;
}

// Impact of a term in one section (= index.rs impact): BM25F term-frequency saturation with
// fixed per-field pivot lengths. tf and lengths: per field.
function impact(tf, lengths) {
  var bm = state.bm25;
  var weighted = 0;
  for (var f = 0; f < FIELDS; f++) {
    if (tf[f]) weighted += bm.w[f] * tf[f] / (1 - bm.b[f] + bm.b[f] * coarseLength(lengths[f]) / bm.piv[f]);
  }
  var saturated = weighted * (bm.k1 + 1) / (bm.k1 + weighted);
  return Math.min(Math.max(Math.round(saturated * bm.scale), MIN_IMPACT), bm.max);
}

function idf(listLength) {
  return Math.log(1 + (state.sectionCount - listLength + 0.5) / (listLength + 0.5));
}

// ---- planning ----

// Whether a and b differ by exactly one edit (substitution, insertion, deletion, or swap of two
// neighbours).
function withinOneEdit(a, b) {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  var i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    return a.slice(i + 1) === b.slice(i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

// An alternative made of one term.
function termAlternative(term, weight) {
  return { terms: [term], offsets: [0], span: 1, weight: weight, surface: term };
}

// An alternative made of the tokens of a text (a phrase). A lone CJK character (15天) is
// looked up in its character's list, as a one-character query is.
function phraseAlternative(text, weight, surface) {
  var tokens = tokenize(text);
  return {
    terms: tokens.map((t) => (t.kind === KIND_CJK && Array.from(t.text).length === 1 ? CHAR_LIST_PREFIX + t.text : t.text)),
    offsets: tokens.map((t) => t.pos),
    span: tokens.length ? tokens[tokens.length - 1].pos + 1 : 0,
    weight: weight,
    surface: surface || text,
    bigramCount: tokens.length
  };
}

// The text of a run of tokens (a CJK run's bigrams overlap by one character).
function runText(tokens) {
  if (tokens[0].kind !== KIND_CJK) return tokens[0].text;
  return tokens[0].text + tokens.slice(1).map((t) => Array.from(t.text)[1]).join('');
}

// A run of CJK characters: the phrase, or one character's list, and homophone typos.
function planCjkRun(tokens, unit, labels) {
  var first = tokens[0];
  if (tokens.length === 1 && Array.from(first.text).length === 1) {
    unit.alts.push({ terms: [CHAR_LIST_PREFIX + first.text], offsets: [0], span: 1, weight: 1, surface: first.text });
    return;
  }
  var text = runText(tokens);
  unit.alts.push(phraseAlternative(text, 1));
  homophones(text, unit, labels);
}

// A word (Latin or digits): itself, completions while typing, and for letters not in the index,
// pinyin words, typo corrections, pinyin over several words, pinyin typos (in that order).
function planWord(word, typing, unit, labels) {
  var hasLetters = RE_LETTER.test(word);
  var onlyLetters = /^[a-z]+$/.test(word);
  // Sharded layout: false until the word's shard is in; the next plan decides.
  var exact = isKnown(word);
  unit.alts.push(termAlternative(word, 1));
  if (hasLetters && !hasPinyin()) {
    unit.alts[0].skip = true;
    return;
  }
  // A word missing from the complete Latin list is not in the index: no shard to load.
  if (hasLetters && state.latin.length < MAX_LATIN && state.latin.indexOf(word) < 0) unit.alts[0].skip = true;
  if (typing && word.length >= MIN_COMPLETION_LETTERS && hasLetters) {
    state.latin.filter((t) => t !== word && t.indexOf(word) === 0)
      .sort((a, b) => a.length - b.length || (a < b ? -1 : 1))
      .slice(0, MAX_COMPLETIONS)
      .forEach((t) => { unit.alts.push(termAlternative(t, COMPLETION_WEIGHT)); });
  }
  if (!onlyLetters || exact) return;
  var pinyin = pinyinCandidates(word, typing);
  var typos = [];
  if (!pinyin.length && word.length >= MIN_TYPO_LETTERS) {
    state.latin.forEach((t) => {
      if (withinOneEdit(word, t)) typos.push(termAlternative(t, TYPO_WEIGHT));
    });
  }
  if (!pinyin.length && !typos.length && word.length >= MIN_SEGMENTED_LETTERS) pinyin = segmentCandidates(word);
  if (!pinyin.length && !typos.length && word.length >= MIN_TYPO_LETTERS) {
    var close = state.pinyinEntries.filter((e) => withinOneEdit(word, e.full));
    if (!close.length) close = bigramPinyin().filter((e) => withinOneEdit(word, e.full));
    close.sort((a, b) => b.count - a.count).forEach((e) => {
      if (!typos.some((x) => x.surface === e.term)) typos.push(phraseAlternative(e.term, TYPO_WEIGHT, e.term));
    });
  }
  if (!pinyin.length && !typos.length && word.length >= MIN_SEGMENTED_LETTERS) pinyin = looseReading(word);
  pinyin.forEach((x) => { unit.alts.push(phraseAlternative(x.entry.term, x.weight, x.entry.term)); });
  if (pinyin.length) labels.push(LABEL_PINYIN + pinyin.map((x) => x.entry.term).join(LABEL_SEPARATOR));
  // The best reading stands for what the reader meant: readers' words in it count as in Chinese.
  if (pinyin.length) planSynonyms(pinyin[0].entry.term, unit, labels);
  typos = typos.slice(0, MAX_TYPOS);
  typos.forEach((x) => { unit.alts.push(x); });
  if (typos.length) labels.push(LABEL_DID_YOU_MEAN + typos.map((x) => x.surface).join(LABEL_SEPARATOR));
}

// The value of a Chinese numeral below ten thousand (四十八 → 48, 十五 → 15, 一百二十 → 120).
function numeralValue(text) {
  var total = 0;
  var digit = 0;
  Array.from(text).forEach((c) => {
    if (c in NUMERAL_DIGITS) {
      digit = NUMERAL_DIGITS[c];
    } else {
      total += (digit || 1) * NUMERAL_UNITS[c];
      digit = 0;
    }
  });
  return total + digit;
}

// The run with its numeral quantities in digits, and that text again with each one-character
// unit replaced by the guide's word for it (天 → 日): alternatives, announced like synonyms.
function planNumerals(text, unit, labels) {
  var digits = text.replace(RE_APPROXIMATE, '$1')
    .replace(RE_FRACTION, (fraction, numeral) => String(numeralValue(numeral)))
    .replace(RE_NUMERAL_QUANTITY, (numeral) => String(numeralValue(numeral)));
  if (digits === text) return;
  var variants = [digits];
  state.synonyms.forEach((group) => {
    group.slice(1).forEach((w) => {
      if (Array.from(w).length !== 1) return;
      var replaced = digits.replace(new RegExp('([0-9])' + w, 'g'), '$1' + group[0]);
      if (replaced !== digits) variants.push(replaced);
    });
  });
  variants.forEach((v) => {
    unit.alts.push(phraseAlternative(v, 1, v));
    labels.push(LABEL_SYNONYM_BEFORE + v + LABEL_SYNONYM_AFTER);
  });
}

// Alternatives with readers' words replaced by the guide's (guide.yaml `synonyms`). A
// one-character reader's word (天 for 日) stands only for a whole unit, longer ones also
// inside a run (转网被拦 → 转网受阻).
// A run with two or more readers' words (扣了钱能全退吗) also gets one alternative with all of
// them replaced.
function planSynonyms(text, unit, labels) {
  var all = text;
  var count = 0;
  state.synonyms.forEach((group) => {
    var guideWord = group[0];
    if (text.indexOf(guideWord) >= 0) return;
    var replaced = replaceReadersWords(text, group);
    if (replaced === text) return;
    unit.alts.push(synonymAlternative(replaced));
    labels.push(LABEL_SYNONYM_BEFORE + guideWord + LABEL_SYNONYM_AFTER);
    var inAll = replaceReadersWords(all, group);
    if (inAll !== all) {
      all = inAll;
      count++;
    }
  });
  if (count > 1) unit.alts.push(synonymAlternative(all));
}

// The text with the readers' words of a synonym group replaced by the guide's word: the
// characters any of them covers (偷扣 and 扣话费 in 偷扣话费) make one stretch, replaced once
// (扣费). A one-character reader's word stands only for the whole text.
function replaceReadersWords(text, group) {
  var chars = Array.from(text);
  var covered = [];
  group.slice(1).forEach((w) => {
    var length = Array.from(w).length;
    if (length === 1) {
      if (text === w) covered[0] = true;
      return;
    }
    for (var i = 0; i + length <= chars.length; i++) {
      if (chars.slice(i, i + length).join('') !== w) continue;
      for (var k = i; k < i + length; k++) covered[k] = true;
    }
  });
  var out = '';
  chars.forEach((c, i) => {
    if (!covered[i]) out += c;
    else if (!covered[i - 1]) out += group[0];
  });
  return out;
}

function synonymAlternative(text) {
  return Array.from(text).length === 1
    ? { terms: [CHAR_LIST_PREFIX + text], offsets: [0], span: 1, weight: SYNONYM_WEIGHT, surface: text }
    : phraseAlternative(text, SYNONYM_WEIGHT, text);
}

// A word of letters the index does not know (pinyin, when it is anything).
function isPinyinWord(run) {
  var text = run.tokens[0].text;
  if (run.kind !== KIND_WORD || !/^[a-z]+$/.test(text)) return false;
  return state.latin.length < MAX_LATIN ? state.latin.indexOf(text) < 0 : !isKnown(text);
}

// Pinyin typed as several words (tousu gongxinbu, huafei tai gao) is planned as the same
// letters typed as one word, as a reader using a Chinese IME would have typed one string: two
// or more words the index does not know join when `looseReading` reads their letters.
function joinPinyinWords(runs) {
  var out = [];
  var i = 0;
  while (i < runs.length) {
    var j = i;
    while (j < runs.length && isPinyinWord(runs[j])) j++;
    var joined = runs.slice(i, j).map((r) => r.tokens[0].text).join('');
    if (j - i >= 2 && hasPinyin() && looseReading(joined).length) {
      var first = runs[i].tokens[0];
      out.push({ id: runs[i].id, kind: KIND_WORD, words: j - i, tokens: [{ text: joined, pos: first.pos, kind: KIND_WORD, run: first.run }] });
    } else {
      out = out.concat(runs.slice(i, Math.max(j, i + 1)));
    }
    i = Math.max(j, i + 1);
  }
  return out;
}

// The plan of a query: {units: [{queryPos, queryLength, alts}], labels (shown above the
// results), highlight (terms to mark)}.
function plan(query) {
  var tokens = tokenizeNormalized(normalize(query), 0).tokens;
  var typingLast = !/\s$/.test(query);
  var units = [];
  var labels = [];
  state.wanted = new Set();
  var runs = [];
  tokens.forEach((t) => {
    var last = runs[runs.length - 1];
    if (last && last.id === t.run) last.tokens.push(t);
    else runs.push({ id: t.run, kind: t.kind, tokens: [t] });
  });
  runs = joinPinyinWords(runs);
  runs.forEach((run, i) => {
    var unit = { queryPos: run.tokens[0].pos, queryLength: run.words || run.tokens.length, alts: [] };
    if (run.kind === KIND_CJK) planCjkRun(run.tokens, unit, labels);
    else planWord(run.tokens[0].text, typingLast && i === runs.length - 1, unit, labels);
    planSynonyms(runText(run.tokens), unit, labels);
    if (run.kind === KIND_CJK) planNumerals(runText(run.tokens), unit, labels);
    units.push(unit);
  });
  var highlight = [];
  units.forEach((u) => {
    u.alts.forEach((a) => {
      if (highlight.indexOf(a.surface) < 0 && highlight.length < MAX_HIGHLIGHT_TERMS) highlight.push(a.surface);
    });
  });
  return { units: state.manifest.th ? prune(units) : units, labels: labels, highlight: highlight };
}

function indexes(list) {
  return list.map((x, i) => i);
}

// The order in which an alternative's terms claim shards: in a CJK run the first and last
// bigrams outside stop words first (positions two apart still verify the phrase), then the
// other bigrams outside stop words, then the rest.
function shardClaimOrder(alt) {
  var chars = Array.from(alt.surface);
  var count = alt.terms.length;
  var all = indexes(alt.terms);
  if (count !== alt.bigramCount || count !== chars.length - 1) return all;
  var inStopWord = [];
  for (var j = 0; j < count; j++) {
    for (var k = j + 2; k <= Math.min(j + MAX_STOP_WORD_CHARS, chars.length); k++) {
      if (STOP_WORDS.has(chars.slice(j, k).join(''))) {
        for (var x = j; x < k - 1; x++) inStopWord[x] = true;
      }
    }
  }
  var content = all.filter((i) => !inStopWord[i]);
  if (!content.length) content = all;
  var order = [content[0], content[content.length - 1]].concat(content, all);
  return order.filter((i, x) => order.indexOf(i) === x);
}

// Sharded layout: keeps the terms of at most MAX_TERM_SHARDS term shards, claimed by the
// first alternatives of all units, then the second ones, and so on; drops alternatives left
// without terms, and units left without alternatives.
function prune(units) {
  var selected = [];
  function claim(term) {
    var shard = termShard(term);
    if (!state.manifest.th[shard] || selected.indexOf(shard) >= 0) return true;
    if (selected.length < MAX_TERM_SHARDS) {
      selected.push(shard);
      return true;
    }
    return false;
  }
  var all = [];
  units.forEach((u) => {
    u.alts.forEach((a, rank) => {
      a.kept = {};
      a.claimOrder = shardClaimOrder(a);
      a.rank = rank;
      all.push(a);
    });
  });
  all.sort((a, b) => a.rank - b.rank);
  all.forEach((a) => {
    a.claimOrder.forEach((i) => {
      if (!a.skip && claim(a.terms[i])) a.kept[i] = true;
    });
  });
  state.selectedShards = selected;
  var out = [];
  units.forEach((u) => {
    u.alts = u.alts.filter((a) => {
      var keep = indexes(a.terms).filter((i) => a.kept[i] || a.skip);
      a.terms = keep.map((i) => a.terms[i]);
      a.offsets = keep.map((i) => a.offsets[i]);
      return a.terms.length;
    });
    if (u.alts.length) out.push(u);
  });
  return out;
}

// ---- scoring ----

// Posting lists of one character, merged from the terms that contain it (cached per
// character); a split character has its list precomputed (sharded layout).
var charListCache = new Map();
function charPostings(c) {
  if (charListCache.has(c)) return charListCache.get(c);
  var precomputed = state.postings.get(CHAR_LIST_PREFIX + c);
  if (precomputed) return precomputed;
  var bySection = new Map();
  function add(list, shift) {
    (list || []).forEach((x) => {
      var merged = bySection.get(x.section);
      if (!merged) {
        merged = { section: x.section, impact: 0, positions: [] };
        bySection.set(x.section, merged);
      }
      merged.impact = Math.max(merged.impact, x.impact);
      x.positions.forEach((p) => { merged.positions.push(p + shift); });
    });
  }
  Array.from(state.postings.keys()).forEach((term) => {
    var chars = Array.from(term);
    if (chars.length === 1 && chars[0] === c) add(postingsOf(term), 0);
    else if (chars.length === 2 && isCjk(chars[0]) && chars[0] === c) add(postingsOf(term), 0);
    // (Sharded layout: the second characters' bigrams are in other shards.)
    else if (chars.length === 2 && isCjk(chars[0]) && chars[1] === c && !state.selectedShards) add(postingsOf(term), 1);
  });
  var out = [];
  bySection.forEach((merged) => {
    merged.positions = Array.from(new Set(merged.positions)).sort((a, b) => a - b);
    out.push(merged);
  });
  out.sort((a, b) => a.section - b.section);
  charListCache.set(c, out);
  return out;
}

function listOf(term) {
  return term.charAt(0) === CHAR_LIST_PREFIX ? charPostings(term.slice(1)) : postingsOf(term);
}

// Binary search in sorted numbers.
function contains(sorted, value) {
  var lo = 0;
  var hi = sorted.length - 1;
  while (lo <= hi) {
    var mid = (lo + hi) >> 1;
    if (sorted[mid] === value) return true;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

// Whether a text holds a stop word (of two characters or more) inside it.
function hasStopWord(text) {
  var chars = Array.from(text);
  for (var j = 0; j < chars.length - 1; j++) {
    for (var k = j + 2; k <= Math.min(j + MAX_STOP_WORD_CHARS, chars.length); k++) {
      if (STOP_WORDS.has(chars.slice(j, k).join(''))) return true;
    }
  }
  return false;
}

// Long runs: max-match the run into vocabulary words (longest words win: the sum of squared
// lengths is maximised); bigrams inside content words count fully, inside stop words little,
// across words barely. → weight per bigram.
function runWeights(alt) {
  var chars = Array.from(alt.surface);
  var count = chars.length;
  var bestScore = [0];
  var wordStart = [0];
  var i;
  var j;
  for (i = 1; i <= count; i++) {
    bestScore[i] = bestScore[i - 1];
    wordStart[i] = i - 1;
    for (j = Math.max(0, i - MAX_WORD_CHARS); j < i - 1; j++) {
      var word = chars.slice(j, i).join('');
      // A vocabulary word counts only if its shard is ranked with (sharded layout).
      // The vocabulary is counted from the guide's text, so it holds question frames glued to
      // a word (多久能, 怎么办理): such a string is not a content word.
      var known = (state.vocabulary.has(word) && !hasStopWord(word)
        && (!state.selectedShards || state.selectedShards.includes(termShard(chars[j] + chars[j + 1]))))
        // The guide's words of the synonym groups are content words even where the vocabulary
        // misses them (离线阅读 put in for 没网的时候).
        || state.guideWords.has(word);
      var usable = known || STOP_WORDS.has(word);
      var score = bestScore[j] + (i - j) * (i - j);
      if (usable && score > bestScore[i]) {
        bestScore[i] = score;
        wordStart[i] = j;
      }
    }
  }
  var weights = new Array(Math.max(count - 1, 0)).fill(LOOSE_BIGRAM_WEIGHT);
  for (i = count; i > 0; i = wordStart[i]) {
    j = wordStart[i];
    if (i - j < 2) continue;
    var weight = STOP_WORDS.has(chars.slice(j, i).join('')) ? STOP_BIGRAM_WEIGHT : WORD_BIGRAM_WEIGHT;
    for (var k = j; k < i - 1; k++) weights[k] = weight;
  }
  return weights;
}

function termWeight(alt, term, i) {
  var wholeRun = alt.bigramCount >= MIN_WEIGHTED_BIGRAMS && alt.bigramCount === Array.from(alt.surface).length - 1;
  if (!wholeRun || term.charAt(0) === CHAR_LIST_PREFIX) return 1;
  if (!alt.bigramWeights) alt.bigramWeights = runWeights(alt);
  return alt.bigramWeights[alt.offsets[i]];
}

// How one alternative matches one section (null when it does not):
// {sum: weighted BM25F, coverage: share of the alternative's idf found, key: coverage × weight,
// chain: longest run of its terms at consecutive positions / term count, starts: positions
// where all of it occurs verbatim, alt}.
function matchAlternative(alt, hits) {
  var found = alt.terms.map((t, i) => hits[alt.slot + i]);
  var sum = 0;
  var idfFound = 0;
  found.forEach((x, i) => {
    if (x) {
      sum += x.impact * alt.rawIdf[i];
      idfFound += alt.termIdf[i];
    }
  });
  if (!sum) return null;
  var count = found.length;
  var starts = count === 1 ? found[0].positions : [];
  var longest = 1;
  for (var k = 0; k < count && count > 1; k++) {
    if (!found[k]) continue;
    found[k].positions.forEach((p) => {
      var length = 1;
      while (k + length < count && found[k + length]
        && contains(found[k + length].positions, p + alt.offsets[k + length] - alt.offsets[k])) length++;
      if (length > longest) longest = length;
      if (length === count) starts.push(p);
    });
  }
  var coverage = alt.idfSum ? idfFound / alt.idfSum : 0;
  return {
    sum: sum * alt.weight,
    coverage: coverage,
    key: coverage * alt.weight,
    chain: count === 1 ? 1 : longest > 1 ? longest / count : 0,
    starts: starts,
    alt: alt
  };
}

// Whether the units' verbatim matches follow each other as the units do in the query.
// From the start: only where the first unit begins the section's first field, the page title.
function wholeQueryVerbatim(units, best, fromStart) {
  var first = best[0];
  var starts = fromStart ? first.starts.filter((p) => p === first.alt.offsets[0]) : first.starts;
  var ends = starts.map((p) => p + first.alt.span - first.alt.offsets[0]);
  for (var i = 1; i < best.length && ends.length; i++) {
    var previous = units[i - 1];
    var gap = units[i].queryPos - (previous.queryPos + previous.queryLength);
    var match = best[i];
    var previousEnds = ends;
    ends = match.starts.filter((p) => previousEnds.indexOf(p - gap) >= 0).map((p) => p + match.alt.span);
  }
  return ends.length > 0;
}

// The weight of the units whose best alternative occurs verbatim with every term of it in the
// title or heading field: the section is about what they name, not a passing mention.
function headingShare(units, best, hits) {
  var share = 0;
  best.forEach((m, i) => {
    if (m && m.starts.length && m.alt.terms.every((t, k) => hits[m.alt.slot + k] && hits[m.alt.slot + k].head)) share += units[i].weight;
  });
  return share;
}

// The sections matching a plan, best first: [{section, score, coverage, tier}], tier 1 when
// every unit occurs verbatim.
function rank(queryPlan) {
  var candidates = new Map();
  var totalWeight = 0;
  var slots = 0;
  queryPlan.units.forEach((u) => {
    u.weight = 0;
    u.alts.forEach((a) => {
      a.termIdf = [];
      a.rawIdf = [];
      a.idfSum = 0;
      a.slot = slots;
      slots += a.terms.length;
      var missingSum = 0;
      a.terms.forEach((term, i) => {
        var list = listOf(term) || [];
        var raw = list.length ? idf(list.length) : 0;
        // Bigrams across words or inside question frames weigh little in both the coverage
        // and the sum.
        var weight = termWeight(a, term, i);
        var value = Math.sqrt(raw) * weight;
        a.termIdf.push(value);
        a.rawIdf.push(raw * weight);
        a.idfSum += value;
        // A term found nowhere (营业听's 业听) still counts against the alternative's
        // coverage, by the idf of the rarest term, so the reading as typed does not look
        // complete without it.
        if (!list.length) missingSum += Math.sqrt(idf(0)) * weight * MISSING_TERM_SHARE;
        list.forEach((x) => {
          var c = candidates.get(x.section);
          if (!c) {
            c = { section: x.section, hits: [] };
            candidates.set(x.section, c);
          }
          c.hits[a.slot + i] = x;
        });
      });
      if (a.idfSum) a.idfSum += missingSum;
      u.weight = Math.max(u.weight, a.idfSum);
    });
    totalWeight += u.weight;
    // A word found nowhere (in none of its alternatives) is left out of the ranking: say so.
    if (!u.weight && !u.alts.every((a) => a.skip)) {
      queryPlan.labels.push(LABEL_IGNORED_BEFORE + u.alts[0].surface + LABEL_IGNORED_AFTER);
    }
  });
  if (!totalWeight) return [];
  var results = [];
  candidates.forEach((c) => {
    var sum = 0;
    var coverage = 0;
    var chain = 0;
    var allVerbatim = true;
    var best = [];
    queryPlan.units.forEach((u) => {
      var top = null;
      u.alts.forEach((a) => {
        var m = matchAlternative(a, c.hits);
        if (m && (!top || m.key > top.key + EPSILON || (Math.abs(m.key - top.key) < EPSILON && m.sum > top.sum))) top = m;
      });
      if (!top) {
        allVerbatim = false;
        best.push(null);
        return;
      }
      sum += top.sum;
      coverage += u.weight * top.coverage;
      chain += u.weight * top.chain;
      if (!top.starts.length) allVerbatim = false;
      best.push(top);
    });
    if (!sum) return;
    coverage /= totalWeight;
    chain /= totalWeight;
    var whole = allVerbatim && best.length > 1 && wholeQueryVerbatim(queryPlan.units, best);
    var heading = headingShare(queryPlan.units, best, c.hits) / totalWeight;
    var score = sum * coverage * coverage * (1 + CHAIN_BONUS * chain) * (whole ? WHOLE_QUERY_BONUS : 1)
      * (1 + HEADING_BONUS * heading);
    // The page title starts with the whole query as typed: such pages come first.
    var asTyped = best.every((m, i) => m && m.alt === queryPlan.units[i].alts[0]);
    var titleStart = allVerbatim && asTyped && wholeQueryVerbatim(queryPlan.units, best, true);
    results.push({ section: c.section, score: score, coverage: coverage, tier: allVerbatim ? 1 : 0, titleStart: titleStart });
  });
  var maxCoverage = 0;
  results.forEach((r) => { if (r.coverage > maxCoverage) maxCoverage = r.coverage; });
  var threshold = maxCoverage >= MIN_COVERAGE ? MIN_COVERAGE : maxCoverage * RELATIVE_COVERAGE;
  var pages = new Set();
  results.forEach((r) => { if (r.coverage >= threshold - EPSILON) pages.add(pageOf(r.section)); });
  if (pages.size < FEW_PAGES) threshold = Math.min(threshold, FEW_PAGES_COVERAGE);
  results = results.filter((r) => r.coverage >= threshold - EPSILON);
  results.sort((a, b) => b.tier - a.tier || b.score - a.score || a.section - b.section);
  return results;
}

// Pages of the ranked sections, best first: {page, hits (up to MAX_HITS_PER_PAGE), tier,
// score}, every one of them. A page scores its best section plus shares of the next ones, times
// its boost; for queries of short alternatives, pages where every unit occurs verbatim come
// first and score only such sections.
function rankPages(queryPlan, ranked) {
  var pages = [];
  var byPage = new Map();
  var strict = queryPlan.units.every((u) => u.alts[0].terms.length <= STRICT_MAX_TERMS);
  ranked.forEach((r) => {
    var page = pageOf(r.section);
    var g = byPage.get(page);
    if (!g) {
      g = { page: page, hits: [], tier: strict ? r.tier : 0, score: 0, scored: 0, titleStart: 0 };
      byPage.set(page, g);
      pages.push(g);
    }
    if ((!strict || r.tier === g.tier) && g.scored < PAGE_SECTION_SHARES.length) {
      g.score += r.score * PAGE_SECTION_SHARES[g.scored];
      g.scored++;
    }
    if (r.titleStart) g.titleStart = 1;
    if (g.hits.length < MAX_HITS_PER_PAGE) g.hits.push(r);
  });
  pages.forEach((g) => { g.score *= state.pageBoost[g.page] || 1; });
  pages.sort((a, b) => b.titleStart - a.titleStart || b.tier - a.tier || b.score - a.score || a.page - b.page);
  return pages;
}

// The first maxPages pages shown, repeats folded (the best sections of the pages looked at
// must be loaded).
function group(queryPlan, pages, maxPages) {
  return collapseRepeats(queryPlan, pages, maxPages || DEFAULT_MAX_PAGES);
}

// Pages whose best section would show the same heading and snippet start (REPEAT_CHARS) as a
// better page's (the scenario pages share boilerplate paragraphs) join that page's `also` list instead of filling
// the results. Needs the sections' texts, so the sharded layout collapses only loaded ones.
function collapseRepeats(queryPlan, pages, limit) {
  var byKey = new Map();
  var kept = [];
  for (var i = 0; i < pages.length && kept.length < limit; i++) {
    if (isRepeat(queryPlan, pages[i], byKey)) continue;
    kept.push(pages[i]);
  }
  return kept;
}

// Whether page g's best section repeats an earlier page's (recorded in byKey); if so it joins
// that page's `also` list.
function isRepeat(queryPlan, g, byKey) {
  var s = state.sections[g.hits[0].section];
  if (!s) return false;
  var shown = snippet(s.text || s.code || s.heading, queryPlan.highlight);
  if (!shown.some((segment) => segment[1])) return false;
  var start = shown.map((segment) => segment[0]).join('').replace(RE_SPACES, ' ');
  var key = s.heading + '\u0000' + Array.from(start).slice(0, REPEAT_CHARS).join('');
  var first = byKey.get(key);
  if (!first) {
    byKey.set(key, g);
    g.also = [];
    return false;
  }
  first.also.push(s);
  return true;
}

// ---- snippets and highlighting ----

// What to mark for the query words in a text: a word found whole in `haystack` is one needle,
// otherwise its tokens are (so 投诉部门 marks the phrase where it occurs, and 投诉 … 部门
// where only the pieces do). → [{group: the word, text, wholeWord}].
function needles(words, haystack) {
  var out = [];
  words.forEach((w) => {
    var tokens = tokenize(w);
    var norm = normalize(w);
    if (tokens.length > 1 && tokens.every((t) => t.kind === KIND_CJK) && haystack.indexOf(norm) >= 0) {
      out.push({ group: w, text: norm });
    } else {
      tokens.forEach((t) => { out.push({ group: w, text: t.text, wholeWord: t.kind === KIND_WORD }); });
    }
  });
  return out;
}

function isHighSurrogate(code) {
  return code >= 0xd800 && code < 0xdc00;
}

// The normalised view of a text, with a map from its code units back to the text's code
// points: {chars: code points of the text, text: normalised, map}.
function normalizedView(text) {
  var chars = Array.from(text);
  var norm = normalize(text);
  var map = [];
  var i;
  if (Array.from(norm).length === chars.length) {
    // One code point per code point (the usual case): map the code units directly.
    for (i = 0; i < chars.length; i++) {
      map.push(i);
      if (isHighSurrogate(norm.charCodeAt(map.length - 1))) map.push(i);
    }
    map.push(chars.length);
    return { chars: chars, text: norm, map: map };
  }
  norm = '';
  for (i = 0; i < chars.length; i++) {
    var one = normalize(chars[i]);
    for (var j = 0; j < one.length; j++) map.push(i);
    norm += one;
  }
  map.push(chars.length);
  return { chars: chars, text: norm, map: map };
}

// Where the needles occur in a view: merged spans [start, end, [groups]] in code points of the
// original text. A whole word does not match inside a longer word or number.
function spans(view, needleList) {
  var text = view.text;
  var found = [];
  needleList.forEach((n) => {
    var from = 0;
    var i;
    while ((i = text.indexOf(n.text, from)) >= 0) {
      from = i + 1;
      var end = i + n.text.length;
      if (n.wholeWord) {
        var wordBefore = i > 0 && isWord(text[i - 1]);
        var wordAfter = end < text.length && (isWord(text[end]) || (text[end] === '.' && RE_DIGIT.test(text[end + 1] || '')));
        if (wordBefore || wordAfter) continue;
      }
      found.push([view.map[i], view.map[end], n.group]);
    }
  });
  found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  var merged = [];
  found.forEach((x) => {
    var last = merged[merged.length - 1];
    if (last && x[0] <= last[1]) {
      last[1] = Math.max(last[1], x[1]);
      last[2].push(x[2]);
    } else {
      merged.push([x[0], x[1], [x[2]]]);
    }
  });
  return merged;
}

// A window of about SNIPPET_LENGTH code points covering the most query words:
// [[text, marked], …].
function snippet(text, words, length) {
  length = length || SNIPPET_LENGTH;
  var view = normalizedView(text || '');
  var marks = spans(view, needles(words, view.text));
  var total = view.chars.length;
  var best = 0;
  var bestScore = -1;
  marks.forEach((x) => {
    var start = Math.max(0, x[0] - SNIPPET_LEAD);
    var groups = {};
    var groupCount = 0;
    var marked = 0;
    marks.forEach((y) => {
      if (y[0] >= start && y[1] <= start + length) {
        y[2].forEach((g) => {
          if (!groups[g]) {
            groups[g] = true;
            groupCount++;
          }
        });
        marked += y[1] - y[0];
      }
    });
    var score = groupCount * SNIPPET_WORD_SCORE + marked;
    if (score > bestScore) {
      bestScore = score;
      best = start;
    }
  });
  var start = best;
  var end = Math.min(total, start + length);
  if (end - start < length) start = Math.max(0, end - length);
  var segments = [];
  var at = start;
  if (start > 0) segments.push([ELLIPSIS, false]);
  marks.forEach((x) => {
    if (x[1] <= start || x[0] >= end) return;
    var from = Math.max(x[0], start);
    var to = Math.min(x[1], end);
    if (from > at) segments.push([view.chars.slice(at, from).join(''), false]);
    segments.push([view.chars.slice(from, to).join(''), true]);
    at = to;
  });
  if (at < end) segments.push([view.chars.slice(at, end).join(''), false]);
  if (end < total) segments.push([ELLIPSIS, false]);
  return segments;
}

// ---- query API ----

// The results of grouped pages: one per hit, with .labels and .terms (to highlight).
function resultsFor(queryPlan, pages) {
  var out = [];
  pages.forEach((g) => {
    g.hits.forEach((r, k) => {
      var s = state.sections[r.section] || sectionRecord([g.page]);
      var page = state.pages[s.page] || ['', ''];
      var also = k === 0 && g.also ? g.also : [];
      out.push({
        // The same section of other pages, folded into this result: [{page, pageTitle, anchor}].
        also: also.map((other) => {
          var otherPage = state.pages[other.page] || ['', ''];
          return { page: otherPage[0], pageTitle: otherPage[1], anchor: other.anchor };
        }),
        page: page[0],
        pageTitle: page[1],
        anchor: s.anchor,
        heading: s.heading,
        breadcrumb: s.breadcrumb,
        score: r.score,
        tier: r.tier,
        section: r.section,
        snippet: snippet(s.text || s.code || s.heading, queryPlan.highlight)
      });
    });
  });
  out.labels = queryPlan.labels;
  out.terms = queryPlan.highlight;
  return out;
}

// Synchronous search (one-file layout, or shards already loaded); null before the index is in.
GS.search = (query, maxPages) => {
  if (!state) return null;
  var queryPlan = plan(query);
  return resultsFor(queryPlan, group(queryPlan, rankPages(queryPlan, rank(queryPlan)), maxPages));
};

// Asynchronous search: loads what the query needs first, then calls cb(results or null).
GS.query = (query, maxPages, cb) => {
  GS.ready(() => {
    if (!state) return cb(null);
    if (!state.manifest.th) return cb(GS.search(query, maxPages));
    // Sharded layout: plan, load what the plan needs (term shards, pinyin data), plan again
    // until nothing is new.
    var queryPlan;
    function step() {
      queryPlan = plan(query);
      var files = state.selectedShards.map(termFile).concat(Array.from(state.wanted));
      need(files, files.every((f) => loaded[f]) ? show : step);
    }
    // Rank (pages are known from the manifest); load the best sections of as many pages as
    // folding repeats needs to fill maxPages, then the section shards holding the hits shown:
    // the answer GS.search gives with every shard loaded.
    function show() {
      var all = rankPages(queryPlan, rank(queryPlan));
      var limit = maxPages || DEFAULT_MAX_PAGES;
      var looked = 0;
      function fold() {
        var shown = group(queryPlan, all.slice(0, looked), limit);
        if (shown.length < limit && looked < all.length) {
          var more = all.slice(looked, looked + limit - shown.length);
          looked += more.length;
          return need(more.map((g) => sectionFile(sectionShard(g.hits[0].section))), fold);
        }
        var files = [];
        shown.forEach((g) => {
          g.hits.forEach((r) => { files.push(sectionFile(sectionShard(r.section))); });
        });
        need(files, () => { cb(resultsFor(queryPlan, shown)); });
      }
      fold();
    }
    step();
  });
};

// The ranked sections of a query (tests).
GS.sections = (query) => (state ? rank(plan(query)) : null);
