// Search client, part 1 of 5: normalising and tokenising text, the mirror of
// src/search/tokenize.rs (tests/search/vectors.js checks both give the same tokens).
// A CJK run becomes overlapping bigrams (a lone CJK character stays one token), a run of letters
// and digits one word; punctuation between two tokens leaves one position free, so no phrase
// matches across it.
// The five parts are joined in order into one classic script inside one function
// (src/search/client.rs): their top-level names are shared. Line comments only, on lines of
// their own: the shipped form drops them.

// Han ideographs, kana and Hangul syllables (= tokenize.rs is_cjk).
var RE_CJK = /[\u3005\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\u{20000}-\u{323af}]/u;
// Letters and digits of the other scripts (= tokenize.rs is_word).
var RE_WORD = /[\p{Alphabetic}\p{N}]/u;
var RE_WHITESPACE = /\p{White_Space}/u;
var RE_LETTER = /\p{Alphabetic}/u;
var RE_DIGIT = /[0-9]/;

// What a character is, for tokenising.
var CHAR_PUNCTUATION = 0;
var CHAR_SPACE = 1;
var CHAR_CJK = 2;
var CHAR_WORD = 3;

// Token kinds (= tokenize.rs Kind).
var KIND_CJK = 'c';
var KIND_WORD = 'w';

// A word term's shard is chosen by its first characters (= output.rs shard_key).
var SHARD_KEY_WORD_CHARS = 3;

// 32-bit FNV-1a over UTF-8 (= output.rs fnv1a32).
var FNV_OFFSET = 0x811c9dc5;
var FNV_PRIME = 0x01000193;

function isCjk(c) {
  return RE_CJK.test(c);
}

function isWord(c) {
  return !RE_CJK.test(c) && RE_WORD.test(c);
}

// NFKC, then lowercase: ＶｏＬＴＥ → volte, １２３００ → 12300.
function normalize(text) {
  return String(text).normalize('NFKC').toLowerCase();
}

function charClass(c) {
  // ASCII (most of the Latin text) without regular expressions.
  if (c.charCodeAt(0) < 128) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) return CHAR_WORD;
    if (c === ' ' || (c >= '\t' && c <= '\r')) return CHAR_SPACE;
    return CHAR_PUNCTUATION;
  }
  if (RE_CJK.test(c)) return CHAR_CJK;
  if (RE_WORD.test(c)) return CHAR_WORD;
  if (RE_WHITESPACE.test(c)) return CHAR_SPACE;
  return CHAR_PUNCTUATION;
}

// Digits (and the point inside a number) against letters, for splitWord.
function isDigitPart(c) {
  return RE_DIGIT.test(c) || c === '.';
}

// The pieces of a word (= tokenize.rs split_word): it splits between a run of digits and a run
// of letters when both runs have at least two characters (12315app → 12315 · app; 5g, ipv6
// and v2 stay whole). chars: the word's characters.
function splitWord(chars) {
  var runs = [];
  chars.forEach((c, j) => {
    var last = runs[runs.length - 1];
    var digit = isDigitPart(c);
    if (last && last.digit === digit) last.length++;
    else runs.push({ start: j, length: 1, digit: digit });
  });
  var pieces = [];
  var start = 0;
  for (var k = 1; k < runs.length; k++) {
    if (runs[k - 1].length >= 2 && runs[k].length >= 2) {
      pieces.push(chars.slice(start, runs[k].start).join(''));
      start = runs[k].start;
    }
  }
  pieces.push(chars.slice(start).join(''));
  return pieces;
}

// Tokens of normalised text, positions numbered from `start`:
// {tokens: [{text, pos, kind, run}], end: the next free position}. `run` numbers the runs of
// CJK characters and of word characters, so a query knows which bigrams belong together.
function tokenizeNormalized(norm, start) {
  var chars = Array.from(norm);
  var classes = chars.map(charClass);
  var count = chars.length;
  var tokens = [];
  var pos = start || 0;
  var afterPunctuation = false;
  var run = 0;
  var i = 0;
  while (i < count) {
    var end = i + 1;
    if (classes[i] === CHAR_CJK) {
      while (end < count && classes[end] === CHAR_CJK) end++;
      if (afterPunctuation && tokens.length) pos++;
      afterPunctuation = false;
      run++;
      if (end - i === 1) {
        tokens.push({ text: chars[i], pos: pos++, kind: KIND_CJK, run: run });
      } else {
        for (var k = i; k < end - 1; k++) {
          tokens.push({ text: chars[k] + chars[k + 1], pos: pos++, kind: KIND_CJK, run: run });
        }
      }
      i = end;
    } else if (classes[i] === CHAR_WORD) {
      while (end < count) {
        if (classes[end] === CHAR_WORD) {
          end++;
        } else if (chars[end] === '.' && RE_DIGIT.test(chars[end - 1]) && end + 1 < count && RE_DIGIT.test(chars[end + 1])) {
          // 123.91 stays one token, so 123 never matches it.
          end++;
        } else {
          break;
        }
      }
      if (afterPunctuation && tokens.length) pos++;
      afterPunctuation = false;
      splitWord(chars.slice(i, end)).forEach((piece) => {
        run++;
        tokens.push({ text: piece, pos: pos++, kind: KIND_WORD, run: run });
      });
      i = end;
    } else {
      if (classes[i] === CHAR_PUNCTUATION) afterPunctuation = true;
      i++;
    }
  }
  return { tokens: tokens, end: pos };
}

function tokenize(text) {
  return tokenizeNormalized(normalize(text), 0).tokens;
}

function fnv32(text) {
  var bytes = unescape(encodeURIComponent(text));
  var hash = FNV_OFFSET;
  for (var i = 0; i < bytes.length; i++) {
    hash ^= bytes.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

// The part of a term that decides its shard: the first character of a CJK term, the first
// three characters of a word.
function shardKey(term) {
  var chars = Array.from(term);
  return chars.length && isCjk(chars[0]) ? chars[0] : chars.slice(0, SHARD_KEY_WORD_CHARS).join('');
}

GS.tokenize = function (text) {
  return tokenize(text).map(function (t) { return [t.text, t.pos, t.kind]; });
};
GS.normalize = normalize;
GS.fnv32 = fnv32;
GS.shardKey = shardKey;
