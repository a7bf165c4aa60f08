/* guidesmith theme script: theme toggle, phone nav, checklist state, print helpers,
 * on-page TOC highlight, offline service worker registration and the web manifest (http/https
 * only), copying section links and phone phrases, images opened full size, and loading the
 * search engine when a reader searches.
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

  // The browser's bar follows the chosen theme too: each theme-color tag (one per system
  // preference) is given the chosen theme's colour.
  var bars = doc.querySelectorAll('meta[name="theme-color"]');
  var barColour = {};
  bars.forEach(function (m) { barColour[/dark/.test(m.media) ? "dark" : "light"] = m.content; });
  function paintBar(theme) {
    if (barColour[theme]) bars.forEach(function (m) { m.content = barColour[theme]; });
  }
  if (chosen) paintBar(chosen);

  ready(function () {
    var toggle = doc.querySelector(".theme-toggle");
    if (toggle) {
      toggle.setAttribute("aria-pressed", isDark() ? "true" : "false");
      toggle.addEventListener("click", function () {
        var next = isDark() ? "light" : "dark";
        root.setAttribute("data-theme", next);
        paintBar(next);
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
    showCurrent(nav);
    tocHighlight();
    addManifest();
    registerOffline();
    doc.querySelectorAll("article.checklist").forEach(setupChecklist);
    doc.querySelectorAll(".cl-print-all, .print-page").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
    sectionLinks();
    sayCopy();
    inlineToc();
    toTop();
    zoomImages();
  });

  // ------------------------------------------------------------------------------------------
  // Copying: the clipboard API where the page may use it; else the text is selected (and the
  // old copy command tried) so the reader can copy it by hand, e.g. from file:// on a phone.

  var toast = null;
  function say(msg, field) {
    if (!toast) {
      toast = doc.createElement("div");
      toast.className = "gs-toast";
      toast.setAttribute("role", "status");
      doc.body.appendChild(toast);
    }
    while (toast.firstChild) toast.removeChild(toast.firstChild);
    var p = doc.createElement("p");
    p.textContent = msg;
    toast.appendChild(p);
    if (field) toast.appendChild(field);
    toast.classList.add("show");
    clearTimeout(say.timer);
    say.timer = setTimeout(function () { toast.classList.remove("show"); }, field ? 12000 : 2500);
  }

  // `select()` selects the text on the page (the fallback); `done(copied)` reports.
  function copyText(text, select, done) {
    function fallback() {
      select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
    var cb = navigator.clipboard;
    if (cb && typeof cb.writeText === "function") {
      cb.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  function selectNodes(first, last) {
    var range = doc.createRange();
    range.setStartBefore(first);
    range.setEndAfter(last);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // Section permalinks (the `#` after each heading): following one puts the section's URL in
  // the address bar as any link would; the URL is also copied.
  function sectionLinks() {
    doc.querySelectorAll("a.h-anchor").forEach(function (a) {
      a.addEventListener("click", function () {
        var url = a.href; // absolute, with the section's id percent-encoded (safe to paste)
        var field = doc.createElement("input");
        field.type = "text";
        field.readOnly = true;
        field.value = url;
        field.setAttribute("aria-label", "本节链接");
        copyText(url, function () {
          say("请复制下面的本节链接：", field);
          field.focus();
          field.select();
          // Again after the link's own jump to the section, which takes the focus away.
          setTimeout(function () {
            if (field.isConnected) { field.focus(); field.select(); }
          }, 0);
        }, function (ok) {
          if (ok) say("已复制本节链接");
        });
      });
    });
  }

  // Phone phrases (话术): a copy button on each box, for pasting into a carrier's app chat.
  function sayCopy() {
    doc.querySelectorAll("aside.say").forEach(function (box) {
      var lines = Array.prototype.filter.call(box.children, function (el) {
        return el.tagName === "P" && !el.classList.contains("say-title");
      });
      if (!lines.length) return;
      var b = doc.createElement("button");
      b.type = "button";
      b.className = "say-copy no-print";
      b.textContent = "复制";
      b.addEventListener("click", function () {
        var text = lines.map(function (p) { return p.textContent; }).join("\n");
        copyText(text, function () { selectNodes(lines[0], lines[lines.length - 1]); }, function (ok) {
          b.textContent = ok ? "已复制" : "已选中";
          say(ok ? "已复制这段话，可以粘贴到聊天窗口" : "已选中这段话，请按 Ctrl+C 或长按选择“复制”");
          setTimeout(function () { b.textContent = "复制"; }, 2500);
        });
      });
      box.insertBefore(b, box.firstChild);
    });
  }

  // Narrow screens: "本页内容" at the top of the chapter closes once a section is chosen.
  function inlineToc() {
    doc.querySelectorAll("details.toc-inline").forEach(function (d) {
      d.addEventListener("click", function (e) {
        if (e.target.closest && e.target.closest("a")) d.open = false;
      });
    });
  }

  // "回到顶部" shows once the reader has scrolled a screen down.
  function toTop() {
    var link = doc.querySelector(".to-top");
    if (!link) return;
    var queued = false;
    function update() {
      queued = false;
      doc.body.classList.toggle("scrolled", window.scrollY > window.innerHeight);
    }
    window.addEventListener("scroll", function () {
      if (!queued) { queued = true; window.requestAnimationFrame(update); }
    }, { passive: true });
    update();
  }

  // Images: the link around each opens the file; with a <dialog>, it opens full size in place
  // (scrollable, so a phone shows the diagram's text at its real size).
  function zoomImages() {
    var links = doc.querySelectorAll("a.figure-zoom");
    if (!links.length || typeof HTMLDialogElement !== "function") return;
    var dlg = null;
    var img = null;
    function build() {
      dlg = doc.createElement("dialog");
      dlg.className = "gs-zoom";
      dlg.setAttribute("aria-label", "图片全尺寸");
      var close = doc.createElement("button");
      close.type = "button";
      close.className = "gs-zoom-close";
      close.textContent = "关闭";
      close.addEventListener("click", function () { dlg.close(); });
      var body = doc.createElement("div");
      body.className = "gs-zoom-body";
      // Scrolled on a phone: reachable from the keyboard too.
      body.tabIndex = 0;
      body.setAttribute("role", "region");
      body.setAttribute("aria-label", "全尺寸图片，可以滚动查看");
      img = doc.createElement("img");
      body.appendChild(img);
      dlg.appendChild(close);
      dlg.appendChild(body);
      dlg.addEventListener("click", function (e) { if (e.target === dlg) dlg.close(); });
      doc.body.appendChild(dlg);
    }
    links.forEach(function (a) {
      a.addEventListener("click", function (e) {
        var small = a.querySelector("img");
        if (!small || e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        if (!dlg) build();
        img.src = a.getAttribute("href");
        img.alt = small.alt;
        img.className = small.className;
        ["width", "height"].forEach(function (k) {
          var v = small.getAttribute(k);
          if (v) img.setAttribute(k, v); else img.removeAttribute(k);
        });
        dlg.showModal();
      });
    });
  }

  // The web manifest only over http(s): from file:// the browser refuses it (CORS).
  function addManifest() {
    var href = doc.body.getAttribute("data-manifest");
    if (!href || (location.protocol !== "http:" && location.protocol !== "https:")) return;
    var link = doc.createElement("link");
    link.rel = "manifest";
    link.href = (doc.body.getAttribute("data-root") || "") + href;
    doc.head.appendChild(link);
  }

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
    var open = phoneSearch(box);
    // "/" jumps to the search box (outside text fields).
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      var t = e.target;
      if (t && (/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable)) return;
      e.preventDefault();
      open();
      box.focus();
      box.select();
    });
    if (doc.getElementById("gs-search-page") || /[?&]hl=/.test(location.search)) load();
  }

  // Phones: the header's search button (a link to the search page when this script does not
  // run) opens the search box in the title's place and focuses it; pressed again, or Escape in
  // an empty dropdown-less box, closes it. Returns a function that opens it.
  function phoneSearch(box) {
    var btn = doc.querySelector(".search-toggle");
    var header = doc.querySelector(".site-header");
    if (!btn || !header) return function () {};
    var results = doc.getElementById("gs-results");
    btn.setAttribute("role", "button");
    btn.setAttribute("aria-controls", "gs-search-wrap");
    btn.setAttribute("aria-expanded", "false");
    function set(on) {
      header.classList.toggle("search-open", on);
      btn.setAttribute("aria-expanded", on ? "true" : "false");
    }
    btn.addEventListener("click", function (e) {
      e.preventDefault();
      var on = !header.classList.contains("search-open");
      set(on);
      if (on) box.focus();
    });
    // A link answers Enter only; a button also Space.
    btn.addEventListener("keydown", function (e) {
      if (e.key === " ") {
        e.preventDefault();
        btn.click();
      }
    });
    // Runs before the search engine's own handler: with the dropdown shown, that one closes it.
    box.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || !header.classList.contains("search-open")) return;
      if (results && !results.hidden) return;
      set(false);
      btn.focus();
    });
    return function () { set(true); };
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
      sec.appendChild(navList(part.chapters, base, here).ol);
      nav.insertBefore(sec, first);
    });
  }

  // On wide screens the sidebar scrolls by itself: bring the current chapter into it (a third
  // of the way down) when it is out of view, without moving the page.
  function showCurrent(nav) {
    var cur = nav && nav.querySelector("[aria-current=page]");
    if (!cur || nav.scrollHeight <= nav.clientHeight) return;
    var top = cur.getBoundingClientRect().top - nav.getBoundingClientRect().top;
    if (top < 0 || top > nav.clientHeight - 48) nav.scrollTop += top - nav.clientHeight / 3;
  }

  // One level of the large-guide nav, as partials/nav-sections.html draws it: nested sections
  // sit in a <details>, open only on the current page's branch. → the list, and whether the
  // current page is in it.
  function navList(chapters, base, here) {
    var ol = doc.createElement("ol");
    var current = false;
    chapters.forEach(function (ch) {
      var li = doc.createElement("li");
      var a = doc.createElement("a");
      a.href = base + ch.url;
      a.textContent = ch.title;
      a.setAttribute("data-gs-chapter", "");
      var mine = here.slice(-ch.url.length - 1) === "/" + ch.url;
      if (mine) a.setAttribute("aria-current", "page");
      li.appendChild(a);
      if (ch.children && ch.children.length) {
        var sub = navList(ch.children, base, here);
        var det = doc.createElement("details");
        det.className = "nav-sections";
        var sum = doc.createElement("summary");
        sum.textContent = "小节（" + ch.children.length + "）";
        det.appendChild(sum);
        det.appendChild(sub.ol);
        det.open = mine || sub.current;
        li.appendChild(det);
        mine = mine || sub.current;
      }
      current = current || mine;
      ol.appendChild(li);
    });
    return { ol: ol, current: current };
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

  // Narrow screens show a table's rows as labelled cards: the filled ones and one empty card,
  // with a button for the next (print always shows every row, as the ruled form).
  function cardRows(art) {
    art.querySelectorAll("table.cl-table").forEach(function (table) {
      var rows = table.tBodies[0] ? Array.prototype.slice.call(table.tBodies[0].rows) : [];
      if (rows.length < 3) return;
      var wrap = table.parentNode;
      var btn = wrap.nextElementSibling;
      function more() {
        return rows.filter(function (r) { return r.classList.contains("cl-row-more"); });
      }
      if (!btn || !btn.classList.contains("cl-add-row")) {
        btn = doc.createElement("button");
        btn.type = "button";
        btn.className = "cl-add-row no-print";
        btn.textContent = "再记一条";
        btn.addEventListener("click", function () {
          var next = more()[0];
          if (!next) return;
          next.classList.remove("cl-row-more");
          var field = next.querySelector("input");
          if (field) field.focus();
          btn.hidden = more().length === 0;
        });
        wrap.parentNode.insertBefore(btn, wrap.nextSibling);
      }
      var last = -1;
      rows.forEach(function (r, i) {
        var filled = Array.prototype.some.call(r.querySelectorAll("input"), function (x) { return x.value; });
        if (filled) last = i;
      });
      rows.forEach(function (r, i) { r.classList.toggle("cl-row-more", i > last + 1); });
      btn.hidden = more().length === 0;
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
      cardRows(art);
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
