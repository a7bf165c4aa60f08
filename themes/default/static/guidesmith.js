/* guidesmith theme script: theme toggle, phone nav, checklist state, print helpers,
 * on-page TOC highlight, offline service worker registration (http/https only), and loading
 * the search engine when a reader searches.
 * Classic script, no dependencies, no innerHTML: everything from data is set as text. */
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;

  function store(fn) {
    try { return fn(window.localStorage); } catch (e) { return null; }
  }

  // Light/dark: follows the system unless the reader chose; the choice is remembered locally.
  var chosen = store(function (s) { return s.getItem("gs-theme"); });
  if (chosen === "dark" || chosen === "light") root.setAttribute("data-theme", chosen);

  function isDark() {
    var t = root.getAttribute("data-theme");
    if (t) return t === "dark";
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function ready(fn) {
    if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  ready(function () {
    var toggle = doc.querySelector(".theme-toggle");
    if (toggle) {
      toggle.setAttribute("aria-pressed", isDark() ? "true" : "false");
      toggle.addEventListener("click", function () {
        var next = isDark() ? "light" : "dark";
        root.setAttribute("data-theme", next);
        store(function (s) { s.setItem("gs-theme", next); });
        toggle.setAttribute("aria-pressed", next === "dark" ? "true" : "false");
      });
    }

    // Phone nav.
    var navBtn = doc.querySelector(".nav-toggle");
    var nav = doc.getElementById("gs-nav");
    if (navBtn && nav) {
      navBtn.addEventListener("click", function () {
        var open = !doc.body.classList.contains("nav-open");
        doc.body.classList.toggle("nav-open", open);
        navBtn.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) {
          var cur = nav.querySelector("[aria-current=page]") || nav.querySelector("a");
          if (cur) cur.focus();
        }
      });
      doc.addEventListener("keydown", function (e) {
        if (e.key === "Escape" && doc.body.classList.contains("nav-open")) {
          doc.body.classList.remove("nav-open");
          navBtn.setAttribute("aria-expanded", "false");
          navBtn.focus();
        }
      });
    }

    searchOnDemand();
    drawLargeNav(nav);
    fillPrintUrls();
    tocHighlight();
    registerOffline();
    doc.querySelectorAll("article.checklist").forEach(setupChecklist);
    doc.querySelectorAll(".cl-print-all").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  });

  // Search: the engine (the search box's data-engine, static/search.*.js) loads only when a
  // reader searches: on focusing or typing in the box, on "/", on the search page, and on a page
  // reached from a result (?hl= marks the terms). It then runs the box; this script keeps "/".
  function searchOnDemand() {
    var box = doc.getElementById("gs-q");
    var url = box && box.getAttribute("data-engine");
    if (!url) return;
    var requested = false;
    function load() {
      if (requested) return;
      requested = true;
      var s = doc.createElement("script");
      s.src = url;
      doc.head.appendChild(s);
    }
    box.addEventListener("focus", load);
    box.addEventListener("input", load);
    // "/" jumps to the search box (outside text fields).
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      var t = e.target;
      if (t && (/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable)) return;
      e.preventDefault();
      box.focus();
      box.select();
    });
    if (doc.getElementById("gs-search-page") || /[?&]hl=/.test(location.search)) load();
  }

  // Large guides ship the nav once, as static/nav.*.js (window.GSNav); draw it with DOM nodes.
  function drawLargeNav(nav) {
    if (!nav || !window.GSNav || nav.querySelector(".nav-part ol li a[data-gs-chapter]")) return;
    if (nav.querySelectorAll(".nav-part").length > 1) return;
    var base = doc.body.getAttribute("data-root") || "";
    var here = location.pathname;
    var first = nav.querySelector(".nav-part");
    window.GSNav.forEach(function (part) {
      var sec = doc.createElement("section");
      sec.className = "nav-part";
      var h = doc.createElement("h2");
      h.className = "nav-part-title";
      h.textContent = part.title;
      sec.appendChild(h);
      var ol = doc.createElement("ol");
      part.chapters.forEach(function (ch) {
        var li = doc.createElement("li");
        var a = doc.createElement("a");
        a.href = base + ch.url;
        a.textContent = ch.title;
        a.setAttribute("data-gs-chapter", "");
        if (here.slice(-ch.url.length - 1) === "/" + ch.url) a.setAttribute("aria-current", "page");
        li.appendChild(a);
        ol.appendChild(li);
      });
      sec.appendChild(ol);
      nav.insertBefore(sec, first);
    });
  }

  // Wide screens: mark the on-page TOC entry of the section being read.
  function tocHighlight() {
    var links = doc.querySelectorAll(".toc a[href^='#']");
    if (!links.length || !("IntersectionObserver" in window)) return;
    var byId = {};
    var heads = [];
    links.forEach(function (a) {
      var id = decodeURIComponent(a.getAttribute("href").slice(1));
      var h = doc.getElementById(id);
      if (h) { byId[id] = a; heads.push(h); }
    });
    var current = null;
    function mark(id) {
      if (current) current.removeAttribute("aria-current");
      current = byId[id] || null;
      if (current) current.setAttribute("aria-current", "location");
    }
    var io = new IntersectionObserver(function () {
      // The last heading above the top fifth of the viewport is the section being read.
      var line = window.innerHeight * 0.2;
      var best = heads[0];
      for (var i = 0; i < heads.length; i++) {
        if (heads[i].getBoundingClientRect().top <= line) best = heads[i]; else break;
      }
      if (best) mark(best.id);
    }, { rootMargin: "0px 0px -80% 0px" });
    heads.forEach(function (h) { io.observe(h); });
  }

  // Offline: a service worker caches the whole guide, but only over http(s). Under file://
  // everything already works without it; under `guidesmith serve` it would fight live reload.
  function registerOffline() {
    var sw = navigator.serviceWorker;
    if (!sw || (location.protocol !== "http:" && location.protocol !== "https:")) return;
    var base = doc.body.getAttribute("data-root") || "";
    if (doc.querySelector('meta[name="gs-build"]')) {
      sw.getRegistrations().then(function (regs) {
        regs.forEach(function (r) { r.unregister(); });
      }).catch(function () {});
      return;
    }
    sw.register(base + "sw.js").catch(function () { /* offline support is optional */ });
  }

  function fillPrintUrls() {
    var here = location.href.split("#")[0].split("?")[0];
    doc.querySelectorAll(".print-url").forEach(function (el) {
      var path = el.getAttribute("data-path") || "";
      var page = doc.body.getAttribute("data-root") || "";
      // On a checklist's own page the URL is the page itself; elsewhere resolve its path.
      try { el.textContent = new URL(page + path, here).href; } catch (e) { el.textContent = path; }
    });
  }

  // Checklists: ticks and write-ins saved per checklist id in localStorage.
  function setupChecklist(art) {
    var id = art.getAttribute("data-checklist");
    var key = "gs-checklist:" + id;
    var inputs = art.querySelectorAll("input[data-key], textarea[data-key]");
    var boxes = art.querySelectorAll("input[type=checkbox][data-key]");
    var progress = art.querySelector(".cl-progress");

    function load() {
      var raw = store(function (s) { return s.getItem(key); });
      var data = {};
      try { data = raw ? JSON.parse(raw) : {}; } catch (e) { data = {}; }
      return data && typeof data === "object" ? data : {};
    }
    function save() {
      var data = {};
      inputs.forEach(function (el) {
        var k = el.getAttribute("data-key");
        if (el.type === "checkbox") { if (el.checked) data[k] = true; }
        else if (el.value) data[k] = el.value;
      });
      store(function (s) {
        if (Object.keys(data).length) s.setItem(key, JSON.stringify(data));
        else s.removeItem(key);
      });
      // Other copies of the same checklist on this page follow along.
      doc.querySelectorAll('article.checklist[data-checklist="' + id + '"]').forEach(function (other) {
        if (other !== art && other.gsRestore) other.gsRestore();
      });
      count();
    }
    function restore() {
      var data = load();
      inputs.forEach(function (el) {
        var v = data[el.getAttribute("data-key")];
        if (el.type === "checkbox") el.checked = v === true;
        else el.value = typeof v === "string" ? v : "";
      });
      count();
    }
    function count() {
      if (!progress) return;
      var done = 0;
      boxes.forEach(function (b) { if (b.checked) done++; });
      progress.textContent = "已勾选 " + done + " / " + boxes.length + " 项";
    }
    art.gsRestore = restore;
    inputs.forEach(function (el) {
      el.addEventListener(el.type === "checkbox" ? "change" : "input", save);
    });
    var reset = art.querySelector(".cl-reset");
    if (reset) reset.addEventListener("click", function () {
      if (!window.confirm("确定要清空这份清单里的勾选和填写内容吗？此操作无法撤销。")) return;
      store(function (s) { s.removeItem(key); });
      restore();
      doc.querySelectorAll('article.checklist[data-checklist="' + id + '"]').forEach(function (other) {
        if (other !== art && other.gsRestore) other.gsRestore();
      });
    });
    var printBtn = art.querySelector(".cl-print");
    if (printBtn) printBtn.addEventListener("click", function () {
      var own = art.closest(".checklist-page");
      if (own) { window.print(); return; }
      // Embedded in a chapter: print the checklist's own page, which prints as one form.
      var open = art.querySelector(".cl-open");
      if (open) location.href = open.href + "#print";
    });
    var blank = art.querySelector(".cl-blank");
    if (blank) blank.addEventListener("change", function () {
      doc.body.classList.toggle("print-blank", blank.checked);
    });
    window.addEventListener("storage", function (e) { if (e.key === key) restore(); });
    restore();
    if (location.hash === "#print" && art.closest(".checklist-page")) {
      setTimeout(function () { window.print(); }, 300);
    }
  }
})();
