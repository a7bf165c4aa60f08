// guidesmith service worker, generated at build time. Do not edit.
// Precaches every file of this build in one cache; serves from it, falling back to the network.
// A new build installs a new cache completely (waiting) and takes over on the next navigation,
// only when no other tab still shows the old build, so one page never mixes two builds.
'use strict';
var VERSION = '__VERSION__';
var FILES = __FILES__;
var SCOPE = self.registration.scope;
var PREFIX = 'gs:' + SCOPE + ':';
var CACHE = PREFIX + VERSION;

self.addEventListener('install', function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) {
    return c.addAll(FILES.map(function (f) { return new Request(f, { cache: 'reload' }); }));
  }).catch(function (err) {
    return caches.delete(CACHE).then(function () { throw err; });
  }));
});

self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf(PREFIX) === 0 && k !== CACHE;
    }).map(function (k) { return caches.delete(k); }));
  }));
});

self.addEventListener('message', function (e) {
  if (e.data === 'gs-skip-waiting') self.skipWaiting();
});

function answer(req) {
  var nav = req.mode === 'navigate';
  var url = new URL(req.url);
  url.hash = '';
  if (nav) {
    url.search = '';
    if (url.pathname.slice(-1) === '/') url.pathname += 'index.html';
  }
  return caches.open(CACHE).then(function (c) {
    return c.match(url.href).then(function (hit) {
      if (hit) return hit;
      return fetch(req).catch(function (err) {
        if (!nav) throw err;
        // Offline and not cached: show the guide's 404 page (at its own URL, so its
        // relative links work) instead of the browser's error page.
        var notFound = new URL('404.html', SCOPE).href;
        return c.match(notFound).then(function (r) {
          if (r) return Response.redirect(notFound, 302);
          throw err;
        });
      });
    });
  });
}

self.addEventListener('fetch', function (e) {
  var req = e.request;
  if (req.method !== 'GET' || req.url.indexOf(SCOPE) !== 0) return;
  var waiting = self.registration.waiting;
  if (req.mode === 'navigate' && waiting) {
    e.respondWith(self.clients.matchAll({ type: 'window' }).then(function (open) {
      if (open.length > 1) return answer(req);
      // The new build is fully cached: switch now and load this page again from it.
      waiting.postMessage('gs-skip-waiting');
      return new Response('', { headers: { 'Refresh': '0', 'Content-Type': 'text/html; charset=utf-8' } });
    }));
    return;
  }
  e.respondWith(answer(req));
});
