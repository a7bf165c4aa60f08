/* guidesmith tools: a tool's saved state, as text. Pure functions (no DOM, no storage), shared
   by the tool pages and the Node tests.

   State: { v: 1, tool: ID, fields: { id: "text" }, groups: { gid: [ { id: "text" } ] } }.
   Schema: { tool, fields: [id], groups: { gid: [id] }, kinds: { id: [options] | "date" |
   "time", gid: { id: … } } } (kinds optional: what a field accepts besides any text).
   `serialize` writes it in one canonical form (schema order, empty values left out, two-space
   JSON, final newline), so what is exported, stored and imported again is byte-for-byte the
   same. `parse` accepts only that shape, for this tool, within size limits; anything else gets
   a plain Chinese message and no state. */
(function (root) {
  "use strict";
  var MAX_BYTES = 512 * 1024;
  var MAX_VALUE = 5000;
  var MAX_ROWS = 200;

  function own(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  function isObj(o) { return o !== null && typeof o === "object" && !Array.isArray(o); }

  /* Values of `src` for the ids in `ids`, in that order, empty ones left out. */
  function pick(ids, src) {
    var out = {};
    ids.forEach(function (id) {
      if (src && typeof src[id] === "string" && src[id] !== "") out[id] = src[id];
    });
    return out;
  }

  function serialize(schema, state) {
    var groups = {};
    Object.keys(schema.groups).forEach(function (g) {
      var rows = ((state.groups || {})[g] || []).map(function (r) { return pick(schema.groups[g], r); })
        .filter(function (r) { return Object.keys(r).length > 0; });
      if (rows.length) groups[g] = rows;
    });
    var out = { v: 1, tool: schema.tool, fields: pick(schema.fields, state.fields), groups: groups };
    return JSON.stringify(out, null, 2) + "\n";
  }

  function fail(msg) { return { error: msg }; }

  /* What a field accepts beyond text: its options, or the shape of a date or a time. */
  function fits(rule, v) {
    if (!rule || v === "") return true;
    if (Array.isArray(rule)) return rule.indexOf(v) >= 0;
    if (rule === "date") return /^\d{4}-\d{2}-\d{2}$/.test(v);
    if (rule === "time") return /^\d{2}:\d{2}$/.test(v);
    return true;
  }

  function checkValues(obj, ids, where, kinds) {
    if (!isObj(obj)) return where + "的格式不对。";
    var keys = Object.keys(obj);
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i];
      if (ids.indexOf(k) < 0) return where + "里有本页没有的项目（" + k.slice(0, 40) + "）。";
      if (typeof obj[k] !== "string") return where + "里“" + k + "”的内容不是文字。";
      if (obj[k].length > MAX_VALUE) return where + "里“" + k + "”太长（超过 " + MAX_VALUE + " 字）。";
      if (!fits(kinds && own(kinds, k) ? kinds[k] : null, obj[k])) {
        return where + "里“" + k + "”的内容不是本页可以填的值。";
      }
    }
    return null;
  }

  /* Reads a state written by `serialize` (a stored one or an imported file). */
  function parse(schema, text) {
    if (typeof text !== "string") return fail("读不出这个文件。");
    if (text.length > MAX_BYTES) return fail("文件太大（超过 512 KB），不像是本页导出的备份。");
    var data;
    try { data = JSON.parse(text); } catch (e) { return fail("这个文件不是本页导出的备份（不是 JSON 格式）。"); }
    if (!isObj(data) || data.v !== 1 || !isObj(data.fields) || !isObj(data.groups)) {
      return fail("认不出这个文件的格式，它不是本页导出的备份。");
    }
    var extra = Object.keys(data).filter(function (k) { return ["v", "tool", "fields", "groups"].indexOf(k) < 0; });
    if (extra.length) return fail("文件里有本页不认识的内容（" + extra[0].slice(0, 40) + "）。");
    if (data.tool !== schema.tool) {
      return fail("这个备份来自另一个工具（" + String(data.tool).slice(0, 40) + "），不能在本页恢复。");
    }
    var kinds = schema.kinds || {};
    var bad = checkValues(data.fields, schema.fields, "填写内容", kinds);
    if (bad) return fail(bad);
    var gids = Object.keys(data.groups);
    for (var i = 0; i < gids.length; i++) {
      var g = gids[i];
      if (!own(schema.groups, g)) return fail("文件里有本页没有的一组内容（" + g.slice(0, 40) + "）。");
      var rows = data.groups[g];
      if (!Array.isArray(rows)) return fail("“" + g + "”的格式不对。");
      if (rows.length > MAX_ROWS) return fail("“" + g + "”超过 " + MAX_ROWS + " 条。");
      for (var j = 0; j < rows.length; j++) {
        bad = checkValues(rows[j], schema.groups[g], "第 " + (j + 1) + " 条记录", kinds[g]);
        if (bad) return fail(bad);
      }
    }
    return { state: { v: 1, tool: schema.tool, fields: data.fields, groups: data.groups } };
  }

  var api = { serialize: serialize, parse: parse, MAX_BYTES: MAX_BYTES, MAX_ROWS: MAX_ROWS, MAX_VALUE: MAX_VALUE };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.GSToolState = api;
})(this);
