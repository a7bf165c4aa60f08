// guidesmith serve: live-reload client (injected by the dev server only, never in `build`).
//
// Opens a WebSocket to /__gs/live?build=N (not one of the browser's six HTTP connections per
// host, so any number of tabs leaves page loads alone); the server sends a message once a newer
// build is fully published or the build diagnostics change. Reloads only when this page (or a
// file it uses) changed, keeping the scroll position; otherwise just remembers the new build
// number. When the server goes away it reconnects with backoff (up to 5 s). Build errors are
// shown in an overlay made of text nodes only (never innerHTML), so a message containing markup
// is shown literally (S9). External file, so pages keep a strict `script-src 'self'` CSP.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="gs-build"]');
  var build = meta ? parseInt(meta.getAttribute('content'), 10) || 0 : 0;
  var digest = '0';
  var scrollKey = 'gs-scroll:' + location.pathname;
  var overlay = null;

  try {
    var saved = sessionStorage.getItem(scrollKey);
    if (saved) {
      sessionStorage.removeItem(scrollKey);
      var xy = JSON.parse(saved);
      var restore = function () { window.scrollTo(xy[0], xy[1]); };
      if (document.readyState === 'complete') { restore(); } else { window.addEventListener('load', restore); }
    }
  } catch (e) { /* storage may be disabled */ }

  function reload() {
    try {
      sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    } catch (e) { /* ignore */ }
    location.reload();
  }

  function el(tag, text) {
    var n = document.createElement(tag);
    if (text) { n.appendChild(document.createTextNode(text)); }
    return n;
  }

  function showOverlay(diags) {
    hideOverlay();
    overlay = el('div');
    overlay.id = 'gs-overlay';
    overlay.setAttribute('role', 'alert');
    var s = overlay.style;
    s.position = 'fixed'; s.left = '0'; s.right = '0'; s.top = '0'; s.maxHeight = '70vh';
    s.overflow = 'auto'; s.zIndex = '2147483647'; s.background = '#fff8f6';
    s.borderBottom = '3px solid #b3261e'; s.padding = '12px 16px'; s.color = '#1d1b1a';
    s.font = '14px/1.5 system-ui, sans-serif'; s.boxShadow = '0 4px 16px rgba(0,0,0,.2)';
    var title = el('strong', '构建失败：仍在显示上次成功的版本 (build failed; showing the last good build)');
    title.style.display = 'block';
    overlay.appendChild(title);
    for (var i = 0; i < diags.length; i++) {
      var pre = el('pre', diags[i].text);
      pre.style.whiteSpace = 'pre-wrap';
      pre.style.font = '13px/1.45 ui-monospace, monospace';
      pre.style.margin = '8px 0 0';
      overlay.appendChild(pre);
    }
    var close = el('button', '×');
    close.setAttribute('type', 'button');
    close.setAttribute('aria-label', '关闭');
    close.style.position = 'absolute'; close.style.top = '6px'; close.style.right = '10px';
    close.addEventListener('click', hideOverlay);
    overlay.appendChild(close);
    (document.body || document.documentElement).appendChild(overlay);
  }

  function hideOverlay() {
    if (overlay && overlay.parentNode) { overlay.parentNode.removeChild(overlay); }
    overlay = null;
  }

  function told(a) {
    if (a.page_changed) { reload(); return; }
    build = a.build;
    if (a.digest !== digest) {
      digest = a.digest;
      if (a.diagnostics && a.diagnostics.length) { showOverlay(a.diagnostics); } else { hideOverlay(); }
    }
  }

  function connect(delay) {
    var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    var url = scheme + location.host + '/__gs/live?build=' + build + '&diag=' +
      encodeURIComponent(digest) + '&page=' + encodeURIComponent(location.pathname);
    var opened = false;
    var retry = function () {
      // Server restarting or gone: back off, up to 5 s (from 250 ms again once it answered).
      var next = opened ? 250 : Math.min(5000, (delay || 125) * 2);
      setTimeout(function () { connect(next); }, next);
    };
    var ws;
    try { ws = new WebSocket(url); } catch (e) { retry(); return; }
    ws.addEventListener('open', function () { opened = true; });
    ws.addEventListener('message', function (ev) {
      var a;
      try { a = JSON.parse(ev.data); } catch (e) { return; }
      told(a);
    });
    ws.addEventListener('close', retry);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { connect(0); });
  } else {
    connect(0);
  }
})();
