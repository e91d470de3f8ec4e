// Reading without the network: the service worker (/sw.js, scope "/") and the
// prefetch of a meeting's documents, with its progress shown on the page.
//
// Prefetching starts as soon as a published meeting is opened (its page or its
// reader), not when it begins: a board pack sent to a hundred tablets over one
// access point takes minutes, and the Wi-Fi is quiet before the meeting.
// Confidential documents (view_only) are never prefetched: their copies are
// stamped per reader and per request and must not be stored.

/** The service worker's registration once it is active, or null where there is none. */
export async function serviceWorker() {
  if (!("serviceWorker" in navigator)) return null;
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    return await navigator.serviceWorker.ready;
  } catch (error) {
    console.error("service worker", error);
    return null;
  }
}

/** The files a tablet keeps for this manifest: every document it may store. */
export function storableFiles(documents) {
  return documents.filter((doc) => !doc.view_only && doc.url).map((doc) => doc.url);
}

/**
 * Ask the worker to keep `files` (and `pages`); `onProgress({done, total, failed,
 * finished})` follows each step. Resolves with the last progress, or null
 * without a service worker.
 */
export async function prefetch(files, { pages = [], meeting = null, onProgress = () => {} } = {}) {
  const registration = await serviceWorker();
  const worker = registration?.active;
  if (!worker) return null;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => {
      onProgress(event.data);
      if (event.data.finished) {
        channel.port1.close();
        resolve(event.data);
      }
    };
    worker.postMessage({ type: "prefetch", files, pages, meeting }, [channel.port2]);
  });
}

/**
 * Keep meeting `meetingId`'s `documents` (and `pages`) on this device, showing the
 * progress in `box` (live/_offline_progress.html). Resolves with the last progress, or
 * null where the browser has no service worker (which the box then says).
 */
export async function keepForOffline(box, meetingId, documents, pages, t) {
  const done = await prefetch(storableFiles(documents),
    { pages, meeting: meetingId, onProgress: progressView(box, t) });
  if (done === null) {
    box.hidden = false;
    box.querySelector("[data-offline-text]").textContent = t("live.offline.unsupported");
  }
  return done;
}

/**
 * The progress box: a <progress> and its text ("Đã tải 12/15 tài liệu").
 * `box` holds [data-offline-progress] and [data-offline-text]; `t` translates.
 */
export function progressView(box, t) {
  const bar = box.querySelector("[data-offline-progress]");
  const text = box.querySelector("[data-offline-text]");
  return ({ done, total, failed, finished }) => {
    box.hidden = false;
    bar.max = Math.max(total, 1);
    bar.value = done;
    box.dataset.state = finished ? (failed ? "failed" : "done") : "loading";
    if (total === 0) {
      text.textContent = t("live.offline.nothing");
    } else if (finished && failed) {
      text.textContent = t("live.offline.failed", { done, total, failed });
    } else if (finished) {
      text.textContent = t("live.offline.ready", { done, total });
    } else {
      text.textContent = t("live.offline.progress", { done, total });
    }
  };
}
