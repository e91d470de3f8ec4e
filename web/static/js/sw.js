// The service worker of the meeting pages: the reader keeps working when the
// hall's Wi-Fi goes away.
//
// It owns two caches. "shell" holds what the reader page needs to start (the
// page itself, its scripts and styles, PDF.js and Socket.IO) and the last
// answers of the few API reads the page makes (manifest, meeting, annotations);
// those are fetched from the network first and from the cache when it fails,
// so a tablet online always sees the current state. "files" holds document
// versions by their immutable URL (/files/{doc}/{sha256}/{name}): read from the
// cache first, fetched once. Confidential copies (/files/{doc}/stamped/...) are
// stamped per reader and per request: this worker never touches them, so they
// are never stored.
//
// The Cache API refuses partial answers (206), and PDF.js asks for ranges: the
// whole file is cached and ranges are cut from it here.
//
// Signing out (POST /logout) empties both caches, so the next person to use the
// tablet finds nothing of the last one's.
//
// Pages ask for a prefetch with postMessage({type: "prefetch", files, pages, meeting})
// and a MessagePort; progress comes back on the port as {done, total, failed}.
// What each meeting kept is remembered; a file no meeting opened in the last 30 days
// names (an older version, a past meeting) is deleted, so a shared tablet's storage
// does not fill up over the year.
// A classic worker (not a module): Safari and Firefox on older tablets cannot
// register module service workers.

const VERSION = "2";
const SHELL = `phonghop-shell-v${VERSION}`;
const FILES = "phonghop-files";
// Which files each meeting kept, and when: {"<meeting id>": {files: [path, …], at: ms}}.
const INDEX = "phonghop-index";
const INDEX_KEY = "/phonghop/kept-files";
// A meeting not opened for this long no longer holds its files on the tablet.
const KEEP_DAYS = 30;
const NETWORK_TIMEOUT_MS = 4000;
const PREFETCH_PARALLEL = 2;

const SHELL_FILES = [
  "/static/css/app.css",
  "/static/css/meetings.css",
  "/static/css/live.css",
  "/static/css/vote.css",
  "/static/css/recording.css",
  "/static/js/app.js",
  "/static/js/meeting-common.js",
  "/static/js/live-contract.js",
  "/static/js/live-client.js",
  "/static/js/live-reader.js",
  "/static/js/live-status.js",
  "/static/js/live-pdf.js",
  "/static/js/live-annotations.js",
  "/static/js/live-notes.js",
  "/static/js/live-outbox.js",
  "/static/js/live-offline.js",
  "/static/js/live-ballot.js",
  "/static/js/live-recording.js",
  "/static/js/poll-result.js",
  "/vendor/pdfjs/pdf.mjs",
  "/vendor/pdfjs/pdf.worker.mjs",
  "/vendor/pdfjs-viewer/pdf_viewer.mjs",
  "/vendor/pdfjs-viewer/pdf_viewer.css",
  "/vendor/socket.io/socket.io.esm.min.js",
];

const FILE_URL = /^\/files\/\d+\/[0-9a-f]{64}\/[^/]+$/;
const PAGE_URL = /^\/meetings\/\d+\/live$/;
const API_READS = [
  /^\/api\/v1\/meetings\/\d+$/,
  /^\/api\/v1\/meetings\/\d+\/manifest$/,
  /^\/api\/v1\/meetings\/\d+\/annotations$/,
];

self.addEventListener("install", (event) => {
  // One failed file must not stop the others: each is added on its own.
  event.waitUntil(caches.open(SHELL)
    .then((cache) => Promise.allSettled(SHELL_FILES.map((url) => cache.add(url))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names
      .filter((name) => name.startsWith("phonghop-shell-") && name !== SHELL)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (request.method === "POST" && path === "/logout") {
    // Signing out forgets what this account kept: the next person on the tablet starts empty.
    event.waitUntil(forget());
    return;
  }
  if (request.method !== "GET") return;
  if (FILE_URL.test(path)) {
    event.respondWith(documentFile(request));
  } else if (path.startsWith("/vendor/")) {
    event.respondWith(staleWhileRevalidate(request));
  } else if (path.startsWith("/static/") || PAGE_URL.test(path)
             || API_READS.some((pattern) => pattern.test(path))) {
    event.respondWith(networkFirst(request));
  }
  // Everything else, the stamped confidential copies included, goes to the network untouched.
});

self.addEventListener("message", (event) => {
  const message = event.data ?? {};
  const port = event.ports[0];
  if (message.type === "prefetch" && port) {
    event.waitUntil(prefetch(message, port));
  }
});

function forget() {
  return caches.keys().then((names) => Promise.all(names
    .filter((name) => name.startsWith("phonghop-"))
    .map((name) => caches.delete(name))));
}

/** The cached whole file, or the range asked for cut from it; fetched and kept when missing. */
async function documentFile(request) {
  const cache = await caches.open(FILES);
  const key = request.url;
  let whole = await cache.match(key);
  if (!whole) {
    if (request.headers.has("range")) return fetch(request);
    const response = await fetch(request);
    if (response.status === 200) await cache.put(key, response.clone());
    return response;
  }
  const range = request.headers.get("range");
  return range ? slice(whole, range) : whole;
}

/** A 206 answer for "bytes=a-b" (one range, as PDF.js asks) from a whole cached response. */
async function slice(whole, range) {
  const body = await whole.arrayBuffer();
  const size = body.byteLength;
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  let start = 0;
  let end = size - 1;
  if (match && match[1] !== "") {
    start = Number(match[1]);
    if (match[2] !== "") end = Math.min(Number(match[2]), size - 1);
  } else if (match && match[2] !== "") {
    start = Math.max(0, size - Number(match[2]));
  }
  if (!match || start > end || start >= size) {
    return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${size}` } });
  }
  const headers = new Headers(whole.headers);
  headers.set("Content-Range", `bytes ${start}-${end}/${size}`);
  headers.set("Content-Length", String(end - start + 1));
  headers.set("Accept-Ranges", "bytes");
  return new Response(body.slice(start, end + 1), { status: 206, statusText: "Partial Content", headers });
}

/** From the network when it answers in time (and remembered); else the last copy kept. */
async function networkFirst(request) {
  const cache = await caches.open(SHELL);
  const fromNetwork = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS, null));
  try {
    const response = await Promise.race([fromNetwork, timeout]);
    if (response) return response;
  } catch {
    // Offline: fall through to the cache.
  }
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  return fromNetwork.catch(() => Response.error());
}

/** Vendor files change only with an npm upgrade: answer from the cache, refresh behind. */
async function staleWhileRevalidate(request) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request);
  const fresh = fetch(request).then((response) => {
    if (response.status === 200) cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    fresh.catch(() => {});
    return cached;
  }
  return fresh;
}

/** Keep every file (and page) the page names; report each step on the port. Afterwards,
 * files no meeting kept in the last KEEP_DAYS names (older versions, old meetings) go. */
async function prefetch({ files = [], pages = [], meeting = null }, port) {
  const shell = await caches.open(SHELL);
  await Promise.allSettled(pages.map(async (url) => {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.ok) await shell.put(url, response);
  }));
  const cache = await caches.open(FILES);
  const total = files.length;
  let done = 0;
  let failed = 0;
  const queue = [...files];
  port.postMessage({ done, total, failed });
  async function worker() {
    while (queue.length) {
      const url = queue.shift();
      try {
        if (!(await cache.match(url))) {
          const response = await fetch(url, { credentials: "same-origin" });
          if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
          await cache.put(url, response);
        }
        done += 1;
      } catch {
        failed += 1;
      }
      port.postMessage({ done, total, failed });
    }
  }
  await Promise.all(Array.from({ length: PREFETCH_PARALLEL }, worker));
  port.postMessage({ done, total, failed, finished: true });
  if (meeting !== null) await prune(String(meeting), files);
}

/** Record what `meeting` keeps now; delete every kept file that no recent meeting names. */
async function prune(meeting, files) {
  const index = await caches.open(INDEX);
  const stored = await index.match(INDEX_KEY);
  const kept = stored ? await stored.json() : {};
  const now = Date.now();
  kept[meeting] = { files: files.map((url) => new URL(url, self.location.origin).pathname), at: now };
  for (const [id, entry] of Object.entries(kept)) {
    if (now - entry.at > KEEP_DAYS * 24 * 3600 * 1000) delete kept[id];
  }
  await index.put(INDEX_KEY, new Response(JSON.stringify(kept),
    { headers: { "Content-Type": "application/json" } }));
  const wanted = new Set(Object.values(kept).flatMap((entry) => entry.files));
  const cache = await caches.open(FILES);
  for (const request of await cache.keys()) {
    if (!wanted.has(new URL(request.url).pathname)) await cache.delete(request);
  }
}
