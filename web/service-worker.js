// The playground's service worker: after one visit the page opens and works with no network.
//
// scripts/post-build.py writes this file into release builds only, with VERSION (a digest of
// every file of the build) and PRECACHE (those files) filled in. Installing stores every file
// of the build in a cache named after the version; the page is then served from that cache,
// network or not. A new build is a new version: the browser finds the changed worker when the
// page is next opened, installs it beside the old one, and it waits; the page says a new
// version is ready, and only when the reader chooses to reload does it take over (so a page
// never mixes files of two builds) and the old version's cache is deleted.
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const CACHE = "keyspace-playground-" + VERSION;
const PREFIX = "keyspace-playground-";

self.addEventListener("install", (event) => {
  // "reload": past the HTTP cache, so the version's files are the version's bytes.
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.map((file) => new Request(file, { cache: "reload" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) {
        await caches.delete(name);
      }
    }
    // The first visit's page is served from the cache from now on, without a reload.
    await self.clients.claim();
  })());
});

// The page's "Reload" under "a new version is ready".
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "keyspace:activate") {
    self.skipWaiting();
  } else if (event.data && event.data.type === "keyspace:version" && event.ports[0]) {
    event.ports[0].postMessage(VERSION);
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // The page itself, with whatever query it was opened with (?embed&…): the build's
    // index.html. Other pages beside it (a course page in docs/) are themselves.
    const scope = new URL("./", self.location).pathname;
    const page = request.mode === "navigate"
      && (url.pathname === scope || url.pathname === scope + "index.html");
    const hit = await cache.match(page ? "./index.html" : request,
      { ignoreSearch: request.mode === "navigate" });
    return hit || fetch(request);
  })());
});
