// The door's service worker (rendered by eventreg/checkin/pwa.py): the door pages open and scan offline.
// Version {{ version }}: a hash of every file below and of this worker, so a deploy installs a new worker.
"use strict";

var VERSION = "{{ version }}";
var CACHE = "eventreg-door-" + VERSION;
var FILES = {{ files|safe }};
var SCOPE = "{{ scope }}";
var PAGE_TIMEOUT_MS = 4000;

self.addEventListener("install", function (event) {
  // All or nothing: a cache with half the files would open a page that cannot scan.
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("eventreg-door-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function pageKey(url) {
  var parsed = new URL(url);
  return parsed.origin + parsed.pathname; // a page is kept once, whatever its query
}

function rememberPage(url, response) {
  if (!response || !response.ok || response.redirected || response.type !== "basic") { return Promise.resolve(); }
  return caches.open(CACHE).then(function (cache) { return cache.put(pageKey(url), response); });
}

function fetchWithTimeout(request) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, PAGE_TIMEOUT_MS);
    fetch(request).then(function (response) { clearTimeout(timer); resolve(response); },
      function (error) { clearTimeout(timer); reject(error); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    // The network first (names and counts change), the last copy when there is none.
    event.respondWith(fetchWithTimeout(request).then(function (response) {
      event.waitUntil(rememberPage(request.url, response.clone()));
      return response;
    }, function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(pageKey(request.url)); })
        .then(function (cached) { return cached || Response.error(); });
    }));
    return;
  }
  if (FILES.indexOf(url.pathname + url.search) !== -1) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (cached) { return cached || fetch(request); });
    }));
  }
});

// A door page asks for itself to be kept: its first load came before this worker controlled it.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep-page" || !event.ports[0]) { return; }
  var reply = event.ports[0];
  var url = new URL(data.url, self.location.origin);
  if (url.origin !== self.location.origin || url.pathname.indexOf(SCOPE) !== 0) { reply.postMessage(false); return; }
  event.waitUntil(fetch(url.href, { credentials: "same-origin" }).then(function (response) {
    return rememberPage(url.href, response).then(function () { reply.postMessage(VERSION); });
  }, function () { reply.postMessage(false); }));
});
