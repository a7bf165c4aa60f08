// The search client as a build ships it, for the Node checks: themes/default/static/search/*.js
// joined in the order and form of src/search/client.rs (tests/cli/search.rs checks that both
// give the same bytes).
//   node tests/search/client.js           prints the joined script
//   require('./client').source()          the joined script
//   require('./client').load()            a fresh client (GS), also set as the global GS for
//                                         the index files it loads
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const repo = path.resolve(__dirname, '..', '..');
// = client.rs PARTS, OPEN, CLOSE.
const PARTS = ['tokenize', 'pinyin', 'load', 'rank', 'ui'].map((p) => `static/search/${p}.js`);
const OPEN = "(function (root) {\n'use strict';\nvar GS = {};\nroot.GS = GS;\n"
  + "if (typeof module === 'object' && module.exports) module.exports = GS;\n";
const CLOSE = "})(typeof window !== 'undefined' ? window : globalThis);\n";

function source(theme = path.join(repo, 'themes/default')) {
  let out = OPEN;
  for (const part of PARTS) {
    for (const line of fs.readFileSync(path.join(theme, part), 'utf8').split('\n')) {
      const t = line.trim();
      if (t && !t.startsWith('//')) out += t + '\n';
    }
  }
  return out + CLOSE;
}

function load() {
  const module = { exports: {} };
  vm.runInThisContext(`(function (module) {\n${source()}})`, { filename: 'search-client.js' })(module);
  return module.exports;
}

module.exports = { source, load };
if (require.main === module) process.stdout.write(source());
