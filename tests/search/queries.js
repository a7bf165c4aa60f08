// The labelled query set, tests/search/queries.yaml: one flow mapping per line,
// `- {q: …, cat: …, expect: [page, …]}`. Shared by tests/search/eval.js and bench/search_quality.js.
'use strict';
const fs = require('fs');
const path = require('path');

function parseQueries(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^- \{q: (.*), cat: ([a-z]+), expect: \[(.*)\]\}\s*$/);
    if (m) out.push({ q: m[1].trim(), cat: m[2], expect: m[3].split(',').map((s) => s.trim()).filter(Boolean) });
    else if (line.startsWith('- ')) throw new Error(`cannot parse: ${line}`);
  }
  return out;
}

// → [{q, cat, expect}] in file order.
function loadQueries() {
  return parseQueries(fs.readFileSync(path.join(__dirname, 'queries.yaml'), 'utf8'));
}

module.exports = { parseQueries, loadQueries };
