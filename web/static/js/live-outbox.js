// The annotation outbox: every change a reader makes is written to IndexedDB
// first and sent afterwards, so that a note taken with the Wi-Fi gone survives
// a reload, a closed tab or a flat battery, and reaches the server on the next
// connection.
//
// One record per annotation uid (the last change wins, as on the server, whose
// sync upserts by uid). A record leaves the outbox only when the server has
// answered for that very change: a newer edit made while the request was in
// flight stays and goes with the next flush.

import { csrfToken } from "./app.js";

const DB_NAME = "phonghop";
const DB_VERSION = 1;
const STORE = "outbox";
const BATCH = 500; // the server's limit per sync request

let opened = null;

function database() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "uid" });
      store.createIndex("meeting", "meetingId");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

async function transact(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result.result ?? result.value);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/**
 * Keep one change (ANNOTATION_IN of docs/realtime.md) until the server has it.
 * Records carry their author: on a tablet shared by two delegates, one's notes are
 * never sent under the other's session.
 */
export function enqueue(meetingId, userId, change) {
  const record = { uid: change.uid, meetingId: Number(meetingId), userId: Number(userId), change,
                   stamp: Date.now() + Math.random() };
  return transact("readwrite", (store) => store.put(record));
}

/** This user's changes still waiting for this meeting, oldest first. */
export async function pending(meetingId, userId) {
  const records = await transact("readonly",
    (store) => store.index("meeting").getAll(Number(meetingId)));
  return (records ?? []).filter((record) => record.userId === Number(userId))
    .sort((a, b) => a.stamp - b.stamp);
}

async function removeSent(records) {
  await transact("readwrite", (store) => {
    const box = { value: undefined };
    for (const record of records) {
      const read = store.get(record.uid);
      read.onsuccess = () => {
        if (read.result && read.result.stamp === record.stamp) store.delete(record.uid);
      };
    }
    return box;
  });
}

/**
 * Send what waits. Resolves with {sent: [annotation], refused: [{uid, error}]};
 * rejects when the network or the server did not answer (everything stays).
 * One flush at a time per page.
 */
let running = null;
export function flush(meetingId, userId) {
  running ??= send(meetingId, userId).finally(() => { running = null; });
  return running;
}

async function send(meetingId, userId) {
  const sent = [];
  const refused = [];
  const records = await pending(meetingId, userId);
  for (let i = 0; i < records.length; i += BATCH) {
    const batch = records.slice(i, i + BATCH);
    const response = await fetch(`/api/v1/meetings/${meetingId}/annotations/sync`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json",
                 "X-CSRF-Token": csrfToken() },
      body: JSON.stringify({ changes: batch.map((record) => record.change) }),
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => null);
      // A refusal of the whole request (signed out, meeting gone) keeps everything for later.
      throw Object.assign(new Error(answer?.error?.message ?? `HTTP ${response.status}`),
        { status: response.status, code: answer?.error?.code });
    }
    const { results = [] } = await response.json();
    for (const result of results) {
      if (result.annotation) sent.push(result.annotation);
      else refused.push(result);
    }
    // Refused changes are dropped too: sent again they would be refused again.
    await removeSent(batch);
  }
  return { sent, refused };
}
