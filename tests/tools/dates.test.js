// Node checks of the tools' date arithmetic (themes/default/static/tools/dates.js) against the
// vectors in dates.json. Prints "N passed, M failed"; exits 1 on any failure.
// Run: node tests/tools/dates.test.js   (cargo test runs it through tests/cli/tools.rs)
"use strict";
const path = require("path");
const D = require(path.join(__dirname, "../../themes/default/static/tools/dates.js"));
const data = require("./dates.json");

let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed += 1;
  else { failed += 1; console.log("FAIL " + what); }
}

for (const v of data.vectors) {
  const got = D.add(v.from, v.unit, v.n);
  check(got === v.want, `${v.rule} [facts.md ${v.facts}]: ${v.from} + ${v.n} ${v.unit} = ${got}, want ${v.want}`);
}
for (const w of data.weekends) {
  check(D.isWeekend(w.date) === w.weekend, `${w.rule} [facts.md ${w.facts}]: isWeekend(${w.date})`);
  check(D.words(w.date) === w.words, `${w.rule}: words(${w.date}) = ${D.words(w.date)}`);
}
for (const s of data.invalid) {
  check(D.parse(s) === null && D.add(s, "days", 1) === null, `invalid date ${JSON.stringify(s)} is refused`);
}
// Properties: adding days then counting them back gives N; months never overshoot a month.
for (let i = 0; i < 800; i++) {
  const from = D.addDays("2024-01-01", i * 3);
  const n = i % 40;
  check(D.between(from, D.addDays(from, n)) === n, `between(${from}, +${n} days)`);
  const m = D.addMonths(from, i % 25);
  const [fy, fm] = from.split("-").map(Number);
  const [my, mm] = m.split("-").map(Number);
  check((my * 12 + mm) - (fy * 12 + fm) === i % 25, `addMonths(${from}, ${i % 25}) lands in the right month: ${m}`);
  const wd = D.addWorkdays(from, 1 + (i % 7));
  check(!D.isWeekend(wd), `addWorkdays(${from}) = ${wd} is a weekday`);
}
check(D.cn("2026-03-05") === "2026年3月5日", "cn() prints a letter's date");
check(D.today(new Date(2026, 0, 9)) === "2026-01-09", "today() uses the reader's calendar");

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
