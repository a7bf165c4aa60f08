/* guidesmith: the 404 page's helper. A static host (or `guidesmith serve`) answers a mistyped
 * URL in any folder with 404.html, whose URLs are written for the site root; each folder of the
 * site holds a copy of this script that knows the way from that folder back to the root
 * (__ROOT__), and the 404 page loads it by a relative URL, so the copy of the folder the reader
 * mistyped in is the one that runs. It prefixes the page's relative URLs with that way back, then
 * loads the stylesheet and the page script named on its own <script> element.
 * Classic script, no dependencies, no innerHTML. */
(function () {
  "use strict";
  var root = "__ROOT__";
  var doc = document;
  var me = doc.currentScript;
  function relative(v) {
    return v !== null && v !== "" && !/^([a-z][a-z0-9+.-]*:|\/|#|\?)/i.test(v);
  }
  function fix(el, attr) {
    var v = el.getAttribute(attr);
    if (relative(v)) el.setAttribute(attr, root + v);
  }
  function fixAll(scope) {
    var rules = [["a[href]", "href"], ["link[href]", "href"], ["form[action]", "action"],
      ["img[src]", "src"], ["[data-engine]", "data-engine"], ["[data-index]", "data-index"]];
    rules.forEach(function (r) {
      scope.querySelectorAll(r[0]).forEach(function (el) { fix(el, r[1]); });
    });
    scope.querySelectorAll("[data-root]").forEach(function (el) {
      el.setAttribute("data-root", root + (el.getAttribute("data-root") || ""));
    });
  }
  function add(tag, attrs) {
    var el = doc.createElement(tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    // Added scripts run in the order they were added only when not async.
    if (tag === "script") el.async = false;
    doc.head.appendChild(el);
  }
  if (!me) return;
  fixAll(doc.head);
  // Render-blocking although added by script (this runs while the head is parsed), so the page
  // is never drawn unstyled and then shifted.
  add("link", { rel: "stylesheet", href: root + me.getAttribute("data-css"), blocking: "render" });
  add("link", { rel: "icon", href: root + me.getAttribute("data-icon"), type: "image/svg+xml" });
  var touch = me.getAttribute("data-touch-icon");
  if (touch) add("link", { rel: "apple-touch-icon", href: root + touch });
  function body() {
    fixAll(doc.body);
    // The nav payload first: the page script draws the nav from it.
    ["data-nav", "data-js"].forEach(function (a) {
      var src = me.getAttribute(a);
      if (src) add("script", { src: root + src });
    });
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", body);
  else body();
})();
