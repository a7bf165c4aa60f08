/* guidesmith tools: calendar arithmetic for deadline rules. Pure functions over "YYYY-MM-DD"
   strings (no time zones: dates are counted as calendar days in UTC), shared by the tool pages
   and the Node tests (tests/tools/dates.test.js).

   The rules are deliberately plain and the pages say the results are approximate:
   - days:     the start date plus N calendar days;
   - months:   the same day N months later, or the last day of that month when it is shorter;
   - years:    the same, N years later (29 February falls to 28 February);
   - workdays: N days later counting Monday to Friday only (public holidays are not known). */
(function (root) {
  "use strict";
  var DAY = 86400000;
  var WEEK = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"];

  /* "2026-03-05" → milliseconds at UTC midnight, or null when not a real date. */
  function parse(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s || ""));
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3];
    if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return null;
    return Date.UTC(y, mo - 1, d);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function format(t) {
    var d = new Date(t);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
  }

  function daysIn(y, mo) {
    return new Date(Date.UTC(y, mo, 0)).getUTCDate();
  }

  function addDays(s, n) {
    var t = parse(s);
    return t === null ? null : format(t + n * DAY);
  }

  function addMonths(s, n) {
    var t = parse(s);
    if (t === null) return null;
    var d = new Date(t);
    var total = d.getUTCFullYear() * 12 + d.getUTCMonth() + n;
    var y = Math.floor(total / 12), mo = total % 12 + 1;
    var day = Math.min(d.getUTCDate(), daysIn(y, mo));
    return format(Date.UTC(y, mo - 1, day));
  }

  function addYears(s, n) { return addMonths(s, 12 * n); }

  /* N working days after s: each Monday-to-Friday counts one, weekends are skipped. */
  function addWorkdays(s, n) {
    var t = parse(s);
    if (t === null) return null;
    var left = n;
    while (left > 0) {
      t += DAY;
      var wd = new Date(t).getUTCDay();
      if (wd !== 0 && wd !== 6) left -= 1;
    }
    return format(t);
  }

  function add(s, unit, n) {
    if (unit === "days") return addDays(s, n);
    if (unit === "months") return addMonths(s, n);
    if (unit === "years") return addYears(s, n);
    if (unit === "workdays") return addWorkdays(s, n);
    return null;
  }

  /* 0 (Sunday) … 6 (Saturday). */
  function weekday(s) {
    var t = parse(s);
    return t === null ? null : new Date(t).getUTCDay();
  }

  function isWeekend(s) {
    var w = weekday(s);
    return w === 0 || w === 6;
  }

  /* "2026年3月5日（星期四）" */
  function words(s) {
    var t = parse(s);
    if (t === null) return "";
    var d = new Date(t);
    return d.getUTCFullYear() + "年" + (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日（" +
      WEEK[d.getUTCDay()] + "）";
  }

  /* "2026年3月5日" (a printed letter's date). */
  function cn(s) {
    var t = parse(s);
    if (t === null) return "";
    var d = new Date(t);
    return d.getUTCFullYear() + "年" + (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日";
  }

  /* Whole days from a to b (negative when b is earlier). */
  function between(a, b) {
    var x = parse(a), y = parse(b);
    return x === null || y === null ? null : Math.round((y - x) / DAY);
  }

  /* Today on the reader's own calendar. */
  function today(now) {
    var d = now || new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  var api = {
    parse: parse, format: format, add: add, addDays: addDays, addMonths: addMonths,
    addYears: addYears, addWorkdays: addWorkdays, weekday: weekday, isWeekend: isWeekend,
    words: words, cn: cn, between: between, today: today
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.GSDates = api;
})(this);
