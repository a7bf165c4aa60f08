// Node checks of the tools' saved state (themes/default/static/tools/state.js): the canonical
// form round-trips byte for byte, and bad files are refused with a message and no state.
// Run: node tests/tools/state.test.js   (cargo test runs it through tests/cli/tools.rs)
"use strict";
const path = require("path");
const S = require(path.join(__dirname, "../../themes/default/static/tools/state.js"));

let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed += 1;
  else { failed += 1; console.log("FAIL " + what); }
}

const schema = {
  tool: "case-log", fields: ["carrier", "number"], groups: { entries: ["kind", "date", "what"] },
  kinds: { entries: { kind: ["", "联系记录", "证据"], date: "date" } }
};
const hostile = "</script><img src=x onerror=alert(1)>";
const state = {
  fields: { number: "13800000000", carrier: hostile },
  groups: { entries: [{ what: "说了\n两行", kind: "联系记录", date: "2026-12-01" }, { kind: "", date: "", what: "" }] }
};
const text = S.serialize(schema, state);
check(text.endsWith("\n") && text.indexOf('"carrier"') < text.indexOf('"number"'), "schema order, final newline");
check(!text.includes('"kind": ""'), "empty values and rows are left out");
const back = S.parse(schema, text);
check(back.state && S.serialize(schema, back.state) === text, "serialize → parse → serialize is byte-for-byte");
check(back.state.fields.carrier === hostile, "a hostile string survives as plain text");

const bad = {
  "not JSON": "{",
  "an array": "[]",
  "another version": JSON.stringify({ v: 2, tool: "case-log", fields: {}, groups: {} }),
  "another tool": JSON.stringify({ v: 1, tool: "letter", fields: {}, groups: {} }),
  "an unknown top-level key": JSON.stringify({ v: 1, tool: "case-log", fields: {}, groups: {}, x: 1 }),
  "an unknown field": JSON.stringify({ v: 1, tool: "case-log", fields: { nope: "a" }, groups: {} }),
  "a number value": JSON.stringify({ v: 1, tool: "case-log", fields: { number: 5 }, groups: {} }),
  "an unknown group": JSON.stringify({ v: 1, tool: "case-log", fields: {}, groups: { x: [] } }),
  "a row that is not an object": JSON.stringify({ v: 1, tool: "case-log", fields: {}, groups: { entries: ["a"] } }),
  "an unknown row field": JSON.stringify({ v: 1, tool: "case-log", fields: {}, groups: { entries: [{ x: "a" }] } }),
  "too many rows": JSON.stringify({ v: 1, tool: "case-log", fields: {}, groups: { entries: Array(S.MAX_ROWS + 1).fill({ what: "a" }) } }),
  "a value too long": JSON.stringify({ v: 1, tool: "case-log", fields: { carrier: "长".repeat(5001) }, groups: {} }),
  "a file too large": " ".repeat(S.MAX_BYTES + 1),
  "a value that is not an option": JSON.stringify({ v: 1, tool: "case-log", fields: {}, groups: { entries: [{ kind: "别的" }] } }),
  "a date that is not a date": JSON.stringify({ v: 1, tool: "case-log", fields: {}, groups: { entries: [{ date: "明天" }] } }),
  "__proto__ as a field": '{"v":1,"tool":"case-log","fields":{"__proto__":"a"},"groups":{}}'
};
for (const [what, t] of Object.entries(bad)) {
  const r = S.parse(schema, t);
  check(!r.state && typeof r.error === "string" && /[\u4e00-\u9fff]/.test(r.error), `${what} is refused with a Chinese message (${r.error})`);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
