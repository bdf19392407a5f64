// The door app's service worker: keeps the app (page, scripts, styles, libraries) on the
// device so that it opens without a network. Network first, so an update arrives as soon as
// there is one; the door API (/api/v1) is never cached: decisions are made by door.js.

const CACHE = "tp-door";
const SHELL = [
  "/door",
  "/door/manifest.webmanifest",
  "/door/static/door.js",
  "/door/static/door-camera.js",
  "/door/static/door-code.js",
  "/door/static/door-network.js",
  "/door/static/door-offline.js",
  "/door/static/door-signal.js",
  "/door/static/door-store.js",
  "/door/static/door.css",
  "/door/static/icon.svg",
  "/door/static/vendor/jsQR.js",
  "/door/static/vendor/noble-ed25519.js",
];

self.addEventListener("install", (event) => {
  // One missing file (a library npm did not install) must not leave the rest uncached.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => Promise.all(SHELL.map((url) => cache.add(url).catch(() => null))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith("/door")) return; // the door API and the rest: the network's
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        }
        return response;
      })
      .catch(() => caches.match(event.request, { ignoreSearch: true })),
  );
});
