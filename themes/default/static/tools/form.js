/* guidesmith tools: the form. Reads and fills fields and repeatable rows, saves the state in
   localStorage (`gs-tool:<id>`) on every change, clears it, exports and imports it, and copies
   rows from another tool's saved state. Every value is set as a form value or as text
   (textContent), never as markup. The page's output (document, dates, pre-check) is drawn by
   output.js through GSTool.update. */
(function () {
  "use strict";
  var doc = document;
  var T = window.GSTool = window.GSTool || {};
  var S = window.GSToolState;

  function store(fn) {
    try { return fn(window.localStorage); } catch (e) { return null; }
  }
  T.store = store;

  function value(el) {
    if (el.tagName === "FIELDSET") {
      var c = el.querySelector("input:checked");
      return c ? c.value : "";
    }
    return el.value;
  }

  function setValue(el, v) {
    if (el.tagName === "FIELDSET") {
      el.querySelectorAll("input").forEach(function (i) { i.checked = i.value === v; });
    } else {
      el.value = v || "";
    }
  }

  function topFields(art) {
    return Array.prototype.filter.call(art.querySelectorAll(".tool-form [data-field]"), function (el) {
      return !el.closest(".tool-repeat");
    });
  }

  function templateOf(rep) { return rep.querySelector("template.tr-template"); }

  /* What a field accepts besides any text: its options, or "date" / "time". */
  function kindOf(el) {
    if (el.tagName === "SELECT") return Array.prototype.map.call(el.options, function (o) { return o.value; });
    if (el.tagName === "FIELDSET") return Array.prototype.map.call(el.querySelectorAll("input"), function (i) { return i.value; });
    return el.type === "date" || el.type === "time" ? el.type : null;
  }

  function kindsOf(els) {
    var out = {};
    els.forEach(function (el) { var k = kindOf(el); if (k) out[el.dataset.field] = k; });
    return out;
  }

  /* Field ids (top-level, and per group) and what each accepts (see state.js). */
  T.schema = function (art) {
    var groups = {};
    var kinds = kindsOf(topFields(art));
    art.querySelectorAll(".tool-repeat").forEach(function (rep) {
      var els = Array.prototype.slice.call(templateOf(rep).content.querySelectorAll("[data-field]"));
      groups[rep.dataset.repeat] = els.map(function (el) { return el.dataset.field; });
      kinds[rep.dataset.repeat] = kindsOf(els);
    });
    return {
      tool: art.dataset.tool,
      fields: topFields(art).map(function (el) { return el.dataset.field; }),
      groups: groups,
      kinds: kinds
    };
  };

  T.read = function (art) {
    var fields = {}, groups = {};
    topFields(art).forEach(function (el) { fields[el.dataset.field] = value(el); });
    art.querySelectorAll(".tool-repeat").forEach(function (rep) {
      groups[rep.dataset.repeat] = Array.prototype.map.call(rep.querySelectorAll(".tr-rows > .tr-row"), function (li) {
        var row = {};
        li.querySelectorAll("[data-field]").forEach(function (el) { row[el.dataset.field] = value(el); });
        return row;
      });
    });
    return { v: 1, tool: art.dataset.tool, fields: fields, groups: groups };
  };

  function renumber(rep) {
    var item = rep.dataset.item;
    var rows = rep.querySelectorAll(".tr-rows > .tr-row");
    rows.forEach(function (li, i) {
      li.querySelector(".tr-no").textContent = item + " " + (i + 1);
      li.querySelector(".tr-remove").textContent = "删除" + item + " " + (i + 1);
    });
    rep.querySelector(".tr-empty").hidden = rows.length > 0;
  }

  function addRow(rep, values) {
    if (rep.querySelectorAll(".tr-rows > .tr-row").length >= S.MAX_ROWS) {
      say(rep.closest("article.tool"), "最多只能添加 " + S.MAX_ROWS + " 条。");
      return null;
    }
    rep.gsCount = (rep.gsCount || 0) + 1;
    var li = templateOf(rep).content.firstElementChild.cloneNode(true);
    li.querySelectorAll("[id], [for], [name], [aria-describedby]").forEach(function (el) {
      ["id", "for", "name", "aria-describedby"].forEach(function (a) {
        var v = el.getAttribute(a);
        if (v) el.setAttribute(a, v.split("__n__").join(String(rep.gsCount)));
      });
    });
    li.querySelectorAll("[data-field]").forEach(function (el) {
      setValue(el, values ? values[el.dataset.field] : "");
    });
    rep.querySelector(".tr-rows").appendChild(li);
    renumber(rep);
    return li;
  }

  T.fill = function (art, state) {
    topFields(art).forEach(function (el) { setValue(el, state.fields[el.dataset.field]); });
    art.querySelectorAll(".tool-repeat").forEach(function (rep) {
      var list = rep.querySelector(".tr-rows");
      while (list.firstChild) list.removeChild(list.firstChild);
      (state.groups[rep.dataset.repeat] || []).forEach(function (row) { addRow(rep, row); });
      renumber(rep);
    });
  };

  function say(art, msg) {
    art.querySelector(".tool-message").textContent = msg;
  }
  T.say = say;

  function key(art) { return art.dataset.store; }

  function save(art) {
    var schema = T.schema(art);
    var text = S.serialize(schema, T.read(art));
    var empty = S.serialize(schema, { fields: {}, groups: {} });
    store(function (s) {
      if (text === empty) s.removeItem(key(art)); else s.setItem(key(art), text);
    });
    var saved = art.querySelector(".tool-saved");
    if (!saved.textContent) saved.textContent = "已自动保存在这台设备上。";
    T.update(art);
  }
  T.save = save;

  /* The saved state. One that cannot be read (the page changed since) is kept aside, never
     overwritten by the next save. */
  function load(art) {
    var raw = store(function (s) { return s.getItem(key(art)); });
    var got = raw ? S.parse(T.schema(art), raw) : null;
    if (got && got.state) return T.fill(art, got.state);
    if (got && got.error) {
      store(function (s) { s.setItem(key(art) + ":unreadable", raw); s.removeItem(key(art)); });
      say(art, "这台设备上保存的内容读不出来（" + got.error + "）它已另存，没有删除。");
    }
  }

  function clearAll(art) {
    if (!window.confirm("确定清除本页填写的全部内容吗？清除后无法恢复。")) return;
    store(function (s) { s.removeItem(key(art)); });
    T.fill(art, { fields: {}, groups: {} });
    art.querySelector(".tool-saved").textContent = "";
    T.update(art);
    say(art, "已清除本页的全部内容。");
  }

  /* Rows of another tool's saved group, mapped onto this group's fields. */
  function importRows(art, rep, btn) {
    var raw = store(function (s) { return s.getItem(btn.dataset.from); });
    var data = null;
    try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
    var rows = data && data.groups && Array.isArray(data.groups[btn.dataset.group]) ? data.groups[btn.dataset.group] : [];
    var ids = T.schema(art).groups[rep.dataset.repeat];
    var have = T.read(art).groups[rep.dataset.repeat].map(function (r) { return JSON.stringify(r); });
    var added = 0;
    rows.forEach(function (r) {
      if (!r || typeof r !== "object") return;
      if (btn.dataset.where && r[btn.dataset.where] !== btn.dataset.is) return;
      var row = {}, any = false;
      ids.forEach(function (id) {
        row[id] = typeof r[id] === "string" ? r[id].slice(0, 5000) : "";
        if (row[id]) any = true;
      });
      if (!any || have.indexOf(JSON.stringify(row)) >= 0) return;
      addRow(rep, row);
      added += 1;
    });
    save(art);
    say(art, added ? "已导入 " + added + " 条。" : "没有可以导入的新内容。");
  }

  /* The computed dates as rows of another tool's group (e.g. deadlines into the case log). */
  function sendDates(art, btn) {
    var raw = store(function (s) { return s.getItem(btn.dataset.to); });
    var data;
    try { data = raw ? JSON.parse(raw) : { v: 1, tool: btn.dataset.tool, fields: {}, groups: {} }; } catch (e) { data = null; }
    if (!data || typeof data !== "object" || !data.groups || typeof data.groups !== "object") {
      return say(art, "“维权记录”里保存的内容读不出来，没有做任何改动。");
    }
    var rows = Array.isArray(data.groups[btn.dataset.group]) ? data.groups[btn.dataset.group] : [];
    var have = rows.map(function (r) { return JSON.stringify(r); });
    var added = 0;
    art.querySelectorAll("li.rule").forEach(function (li) {
      if (!li.dataset.date) return;
      var row = {};
      if (btn.dataset.set) row[btn.dataset.set] = btn.dataset.is;
      row[btn.dataset.date] = li.dataset.date;
      row[btn.dataset.text] = li.querySelector(".rule-label").textContent;
      if (have.indexOf(JSON.stringify(row)) >= 0) return;
      rows.push(row);
      added += 1;
    });
    if (rows.length > S.MAX_ROWS) return say(art, "记录已经太多，没有再添加。");
    data.groups[btn.dataset.group] = rows;
    store(function (s) { s.setItem(btn.dataset.to, JSON.stringify(data, null, 2) + "\n"); });
    say(art, added ? "已记入 " + added + " 个日期。" : "没有新的日期可以记入（先填写日期，或者已经记过了）。");
  }

  function exportFile(art) {
    var text = S.serialize(T.schema(art), T.read(art));
    var blob = new Blob([text], { type: "application/json" });
    var a = doc.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = art.dataset.tool + "-" + window.GSDates.today() + ".json";
    doc.body.appendChild(a);
    a.click();
    doc.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
    say(art, "已导出。请把文件存好；换设备时用“从备份文件恢复”。");
  }

  function importFile(art, input) {
    var file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    if (file.size > S.MAX_BYTES) return say(art, "文件太大（超过 512 KB），不像是本页导出的备份。没有做任何改动。");
    var reader = new FileReader();
    reader.onload = function () {
      var got = S.parse(T.schema(art), String(reader.result));
      if (got.error) return say(art, got.error + "没有做任何改动。");
      var current = store(function (s) { return s.getItem(key(art)); });
      if (current && !window.confirm("恢复备份会替换本页现在的内容，确定吗？")) return;
      T.fill(art, got.state);
      save(art);
      say(art, "已从备份文件恢复。");
    };
    reader.onerror = function () { say(art, "读不出这个文件。没有做任何改动。"); };
    reader.readAsText(file);
  }

  function wire(art) {
    var form = art.querySelector(".tool-form");
    form.addEventListener("input", function () { save(art); });
    form.addEventListener("change", function () { save(art); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("click", function (e) {
      var b = e.target.closest("button");
      if (!b) return;
      var rep = b.closest(".tool-repeat");
      if (b.classList.contains("tr-add")) {
        var li = addRow(rep, null);
        var first = li && li.querySelector("input, textarea, select");
        if (first) first.focus();
      } else if (b.classList.contains("tr-remove")) {
        var row = b.closest(".tr-row");
        row.parentNode.removeChild(row);
        renumber(rep);
        rep.querySelector(".tr-add").focus();
        save(art);
      } else if (b.classList.contains("tr-import")) {
        importRows(art, rep, b);
      }
    });
    var on = function (sel, fn) {
      var el = art.querySelector(sel);
      if (el) el.addEventListener(el.type === "file" ? "change" : "click", function () { fn(art, el); });
    };
    on(".tool-clear", clearAll);
    on(".tool-export", exportFile);
    on(".tool-import", importFile);
    on(".tool-print", function () { window.print(); });
    on(".tool-send", sendDates);
  }

  /* Called by output.js, the last part, once GSTool.update exists. */
  T.start = function () {
    var art = doc.querySelector("article.tool[data-tool]");
    if (!art) return;
    wire(art);
    load(art);
    T.update(art);
  };
})();
