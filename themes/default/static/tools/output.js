/* guidesmith tools: what the page shows from the reader's answers. Fills the printable
   document's slots and lists, computes the deadline rules (GSDates) and runs the pre-check.
   The words around the slots come from the guide's YAML (already in the page); the reader's
   values go in as text only. Starts the tool page once every part is loaded. */
(function () {
  "use strict";
  var doc = document;
  var T = window.GSTool;
  var D = window.GSDates;
  var BLANK = "＿＿＿＿＿＿";

  /* Field id → its kind (date fields print as 2026年3月5日) and label, from the form. */
  function fieldInfo(art) {
    var info = {};
    art.querySelectorAll(".tool-form [data-field]").forEach(function (el) {
      var wrap = el.closest(".tf");
      var label = wrap && wrap.querySelector("label, legend");
      info[el.dataset.field] = { date: el.type === "date", label: label ? label.firstChild.textContent.trim() : el.dataset.field };
    });
    art.querySelectorAll("template.tr-template").forEach(function (tpl) {
      tpl.content.querySelectorAll("[data-field]").forEach(function (el) {
        var wrap = el.closest(".tf");
        var label = wrap && wrap.querySelector("label, legend");
        info[el.dataset.field] = { date: el.type === "date", label: label ? label.firstChild.textContent.trim() : el.dataset.field };
      });
    });
    return info;
  }

  function shown(info, id, v) {
    if (!v) return "";
    return info[id] && info[id].date && D.parse(v) !== null ? D.cn(v) : v;
  }

  function fillSlots(root, values, info) {
    root.querySelectorAll("[data-slot]").forEach(function (slot) {
      var v = shown(info, slot.dataset.slot, values[slot.dataset.slot]);
      slot.textContent = v || BLANK;
      slot.classList.toggle("slot-empty", !v);
    });
  }

  function filled(row) {
    return Object.keys(row).some(function (k) { return row[k]; });
  }

  /* Kinds of a group's fields, from its form template: date, time, select or other. */
  function kinds(art, group) {
    var out = {};
    var rep = art.querySelector('.tool-repeat[data-repeat="' + group + '"] template');
    if (rep) rep.content.querySelectorAll("[data-field]").forEach(function (el) {
      out[el.dataset.field] = el.tagName === "SELECT" ? "select" : el.type;
    });
    return out;
  }

  /* A row with no text of its own: its date, time and category first, then "标签：值". */
  function autoItem(li, row, info, kind) {
    var keys = Object.keys(row).filter(function (k) { return row[k]; });
    var first = function (t) { return Object.keys(kind).filter(function (k) { return kind[k] === t; }).slice(0, 1); };
    var head = first("date").concat(first("time"), Object.keys(kind).filter(function (k) { return kind[k] === "select"; }))
      .filter(function (k) { return row[k]; });
    if (head.length) {
      var strong = doc.createElement("strong");
      strong.className = "doc-when";
      strong.textContent = head.map(function (k) { return shown(info, k, row[k]); }).join(" ");
      li.appendChild(strong);
    }
    keys.filter(function (k) { return head.indexOf(k) < 0; }).forEach(function (k, i) {
      var part = doc.createElement("span");
      part.className = "doc-pair";
      part.textContent = (i ? "；" : "") + (info[k] ? info[k].label : k) + "：" + shown(info, k, row[k]);
      li.appendChild(part);
    });
  }

  /* Rows in date (and time) order, for a timeline; rows without a date keep their place last. */
  function byDate(rows, kind) {
    var date = Object.keys(kind).filter(function (k) { return kind[k] === "date"; })[0];
    var time = Object.keys(kind).filter(function (k) { return kind[k] === "time"; })[0];
    if (!date) return rows;
    var at = function (r) { return (r[date] || "9999") + " " + (time && r[time] || ""); };
    return rows.map(function (r, i) { return [at(r), i, r]; })
      .sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]; })
      .map(function (x) { return x[2]; });
  }

  /* One list item per filled row: the block's own text, or the row's values as a timeline. */
  function fillList(art, ol, rows, info) {
    Array.prototype.slice.call(ol.children).forEach(function (c) { if (c.tagName !== "TEMPLATE") ol.removeChild(c); });
    var tpl = ol.querySelector("template");
    var kind = kinds(art, ol.dataset.each);
    rows = rows.filter(filled);
    if (!tpl) rows = byDate(rows, kind);
    if (!rows.length) {
      var blank = doc.createElement("li");
      blank.className = "slot-empty";
      blank.textContent = BLANK + BLANK;
      ol.appendChild(blank);
      return;
    }
    rows.forEach(function (row) {
      var li = doc.createElement("li");
      if (tpl) {
        li.appendChild(tpl.content.cloneNode(true));
        fillSlots(li, row, info);
      } else {
        autoItem(li, row, info, kind);
      }
      ol.appendChild(li);
    });
  }

  function drawDocument(art, state, info) {
    var d = art.querySelector(".tool-doc");
    if (!d) return;
    d.querySelectorAll("p.doc-b").forEach(function (p) { fillSlots(p, state.fields, info); });
    d.querySelectorAll("ol.doc-list").forEach(function (ol) {
      fillList(art, ol, state.groups[ol.dataset.each] || [], info);
    });
    d.querySelectorAll("[data-when]").forEach(function (b) {
      b.hidden = !state.fields[b.dataset.when];
    });
  }

  /* Each rule's date (or null), by rule id. */
  function drawRules(art, state) {
    var dates = {};
    var today = D.today();
    var note = art.querySelector(".rule-today");
    if (note) note.textContent = "“还有几天”按今天（" + D.cn(today) + "）计算。";
    art.querySelectorAll("li.rule").forEach(function (li) {
      var out = li.querySelector(".rule-out");
      var from = state.fields[li.dataset.from];
      var date = from ? D.add(from, li.dataset.unit, +li.dataset.n) : null;
      dates[li.dataset.rule] = date;
      li.dataset.date = date || "";
      li.querySelector(".rule-from").textContent = date ? "（" + D.cn(from) + "）" : "";
      if (!date) {
        out.textContent = out.dataset.wait;
        li.querySelector(".rule-weekend").hidden = true;
        li.classList.remove("rule-past");
        return;
      }
      var left = D.between(today, date);
      var when = left > 0 ? "（还有 " + left + " 天）" : left === 0 ? "（就是今天）" : "（已过去 " + (-left) + " 天）";
      out.textContent = D.words(date) + when;
      li.querySelector(".rule-weekend").hidden = !D.isWeekend(date);
      li.classList.toggle("rule-past", left < 0);
    });
    return dates;
  }

  function holds(cond, state, dates, today) {
    if (cond.is) return state.fields[cond.is.field] === cond.is.is;
    var r = cond.past || cond.before;
    var date = r ? dates[r.rule] : null;
    if (!date) return false;
    return cond.past ? today > date : today < date;
  }

  function answered(cond, state, dates) {
    if (cond.is) return !!state.fields[cond.is.field];
    return !!dates[(cond.past || cond.before).rule];
  }

  function drawChecks(art, state, dates) {
    var box = art.querySelector(".check-result");
    if (!box) return;
    var today = D.today();
    var list = box.querySelector(".check-refusals");
    while (list.firstChild) list.removeChild(list.firstChild);
    var open = 0, refused = 0;
    art.querySelectorAll("li.check").forEach(function (li) {
      var conds = JSON.parse(li.dataset.when);
      var known = conds.filter(function (c) { return answered(c, state, dates); });
      // One answered condition that does not hold clears the check; else it waits for answers.
      if (known.some(function (c) { return !holds(c, state, dates, today); })) return;
      if (known.length < conds.length) {
        open += 1;
        return;
      }
      refused += 1;
      var item = doc.createElement("li");
      Array.prototype.forEach.call(li.children, function (p) { item.appendChild(p.cloneNode(true)); });
      list.appendChild(item);
    });
    var summary = box.querySelector(".check-summary");
    box.classList.toggle("check-refused", refused > 0);
    box.classList.toggle("check-clear", !refused && !open);
    summary.textContent = refused
      ? "按您填写的情况，这次申诉很可能不会被受理。原因和可以怎么做："
      : open
        ? "还有问题没有回答（或日期没有填），回答完这里才能核对。"
        : "按您填写的情况，没有发现不予受理的情形。这只是粗略核对，是否受理以受理机构的决定为准。";
  }

  T.update = function (art) {
    var state = T.read(art);
    var info = fieldInfo(art);
    drawDocument(art, state, info);
    var dates = drawRules(art, state);
    drawChecks(art, state, dates);
  };

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", T.start);
  else T.start();
})();
