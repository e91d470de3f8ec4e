// The delegate's tablet during a meeting: the agenda beside the document, the
// chair's presented page followed by default, annotations, the request to
// speak, and reading on when the network goes.
//
// Follow mode: while it is on, every presentation the chair sends opens that
// document at that page. Turning a page or opening a document by hand leaves
// it (the status bar says so), and one tap on "Theo chủ tọa" comes back. A
// presented document that is not in this reader's manifest is never fetched:
// the reader is told they may not read it.
//
// The page starts from the last state it saw (kept in localStorage) so that a
// reload with the Wi-Fi gone still shows the agenda; LiveMeeting replaces it
// with a fresh snapshot on every connection.

import { LiveMeeting } from "./live-client.js";
import { followRecording } from "./live-recording.js";
import { Annotations } from "./live-annotations.js";
import { setupNotes } from "./live-notes.js";
import { keepForOffline } from "./live-offline.js";
import { DocumentViewer } from "./live-pdf.js";
import { setupSpeak, setupStatus } from "./live-status.js";
import { setupBallot } from "./live-ballot.js";
import { api, el, t } from "./meeting-common.js";

const root = document.querySelector("[data-reader]");
const meetingId = Number(root.dataset.meetingId);
const SNAPSHOT_KEY = `phonghop.snapshot.${meetingId}`;
const MANIFEST_URL = `/api/v1/meetings/${meetingId}/manifest`;

const live = new LiveMeeting(meetingId);
followRecording(live);
live.offlineMessage = t("live.speak.offline");
const viewer = new DocumentViewer(root.querySelector("[data-document]"));
const annotations = new Annotations({ meetingId, userId: Number(root.dataset.userId), viewer, root });
const status = setupStatus(root.querySelector("[data-status-bar]"), live);
const speak = setupSpeak(root.querySelector("[data-speak-box]"), live);
let votingRight = null;  // from the participant list, until the snapshot says more
const ballot = setupBallot(root, live, { votingRight: () => votingRight });

const agendaList = root.querySelector("[data-agenda]");
const docState = root.querySelector("[data-documents-state]");
const docTitle = root.querySelector("[data-doc-title]");
const docMessage = root.querySelector("[data-doc-message]");
const followBox = root.querySelector("[data-follow-box]");
const followButton = root.querySelector("[data-follow]");
const followState = root.querySelector("[data-follow-state]");
const pageInput = root.querySelector("[data-page-input]");
const pageCount = root.querySelector("[data-page-count]");
const zoomValue = root.querySelector("[data-zoom-value]");

let documents = [];
let manifestLoaded = false;
let following = true;
let state = savedSnapshot();

// --- state ------------------------------------------------------------------------------

function savedSnapshot() {
  try {
    return JSON.parse(localStorage.getItem(SNAPSHOT_KEY) ?? "null");
  } catch {
    return null;
  }
}

function keep(snapshot) {
  try {
    localStorage.setItem(SNAPSHOT_KEY, JSON.stringify(snapshot));
  } catch {
    // A full storage only costs the offline start.
  }
}

live.addEventListener("change", (event) => {
  const { type } = event.detail;
  state = event.detail.state;
  keep(state);
  status.render(state);
  speak.render();
  ballot.render();
  if (type === "documents") loadManifest();
  if (type === "snapshot" || type === "item" || type === "status") renderAgenda();
  if (type === "snapshot" || type === "presentation") {
    markPresented();
    follow();
  }
});

live.addEventListener("online", (event) => {
  const { online } = event.detail;
  status.showConnection(online);
  speak.render();
  ballot.render();
  if (online) {
    annotations.flush();
    if (!manifestLoaded) loadManifest();
  }
});
window.addEventListener("online", () => annotations.flush());
window.addEventListener("offline", () => status.showConnection(false));
live.addEventListener("annotation", (event) => annotations.apply(event.detail?.annotation));
live.addEventListener("refused", (event) => {
  docMessage.textContent = t("live.refused", { message: event.detail?.message ?? "" });
  docMessage.hidden = false;
});
live.addEventListener("session-ended", () => {
  docMessage.textContent = t("live.session_ended");
  docMessage.hidden = false;
});

// --- agenda and documents -------------------------------------------------------------

async function loadManifest() {
  try {
    const answer = await api("GET", MANIFEST_URL);
    documents = answer.documents ?? [];
    manifestLoaded = true;
  } catch {
    if (!manifestLoaded) docState.textContent = t("live.reader.documents_unavailable");
    return;
  }
  renderAgenda();
  follow();
  startPrefetch();
}

function documentButton(doc) {
  const marks = [];
  if (doc.view_only) {
    marks.push(el("span", { class: "tag tag--secret", title: t("live.reader.confidential_hint"),
      text: t("live.reader.confidential") }));
  }
  marks.push(el("span", { class: "doc__presented", text: t("live.reader.presented_mark") }));
  return el("li", { class: "reader-doc", dataset: { docId: String(doc.id) } },
    el("button", { type: "button", class: "reader-doc__open",
      "aria-label": t("live.reader.open_document", { title: doc.title }),
      onclick: () => openByHand(doc) },
      el("span", { class: "doc__icon", "aria-hidden": "true", text: "PDF" }),
      el("span", { class: "reader-doc__title", text: doc.title })),
    ...marks);
}

function renderAgenda() {
  const byItem = new Map();
  for (const doc of documents) {
    const key = doc.agenda_item_id ?? "";
    if (!byItem.has(key)) byItem.set(key, []);
    byItem.get(key).push(doc);
  }
  const items = (state?.agenda ?? []).map((item) => {
    const current = item.id === state.current_item_id;
    const docs = byItem.get(item.id) ?? [];
    byItem.delete(item.id);
    const status = current ? t("live.reader.item_current")
      : item.status === "done" ? t("live.reader.item_done") : "";
    return el("li", {
      class: `reader-item reader-item--${item.status}${current ? " reader-item--current" : ""}`,
      "aria-current": current ? "step" : null,
      style: `--depth: ${item.depth ?? 0}`,
      dataset: { itemId: String(item.id) },
    },
    el("div", { class: "reader-item__head" },
      el("span", { class: "reader-item__number", text: item.number }),
      el("span", { class: "reader-item__title", text: item.title }),
      status ? el("span", { class: "reader-item__status", text: status }) : null),
    item.presenter ? el("p", { class: "reader-item__meta",
      text: t("live.reader.presenter", { name: item.presenter }) }) : null,
    item.status === "done" && item.conclusion ? el("p", { class: "reader-item__conclusion",
      text: t("live.reader.conclusion", { text: item.conclusion }) }) : null,
    docs.length ? el("ul", { class: "reader-docs", role: "list" }, docs.map(documentButton)) : null);
  });
  // Documents of the meeting as a whole, and any whose item the snapshot does not know (yet).
  const rest = [...byItem.values()].flat();
  if (rest.length) {
    items.push(el("li", { class: "reader-item reader-item--general" },
      el("div", { class: "reader-item__head" },
        el("span", { class: "reader-item__title", text: t("live.reader.general_documents") })),
      el("ul", { class: "reader-docs", role: "list" }, rest.map(documentButton))));
  }
  agendaList.replaceChildren(...items);
  docState.hidden = manifestLoaded && (documents.length > 0 || items.length > 0);
  if (manifestLoaded && !documents.length) {
    docState.hidden = false;
    docState.textContent = t("live.reader.no_documents");
  }
  markPresented();
  markOpen();
}

function markPresented() {
  const presented = state?.presentation?.document_id;
  for (const entry of agendaList.querySelectorAll("[data-doc-id]")) {
    entry.dataset.presented = String(Number(entry.dataset.docId) === presented);
  }
}

function markOpen() {
  for (const entry of agendaList.querySelectorAll("[data-doc-id]")) {
    const open = Number(entry.dataset.docId) === viewer.document?.id;
    entry.querySelector("button").setAttribute("aria-pressed", String(open));
  }
}

// --- follow mode --------------------------------------------------------------------------

function setFollowing(on) {
  following = on;
  renderFollow();
  if (on) follow();
}

function renderFollow() {
  const presentation = state?.presentation;
  followBox.dataset.following = following ? "yes" : "no";
  followButton.hidden = following;
  let text;
  if (!presentation) text = t("live.reader.not_presenting");
  else if (following) text = t("live.reader.following", { page: presentation.page });
  else text = t("live.reader.not_following");
  followState.textContent = text;
}

function follow() {
  renderFollow();
  const presentation = state?.presentation;
  if (!following || !presentation || !manifestLoaded) return;
  const doc = documents.find((entry) => entry.id === presentation.document_id);
  if (!doc) {
    showMessage(t("live.reader.not_readable"));
    return;
  }
  hideMessage();
  show(doc, presentation.page);
}

async function show(doc, page) {
  docTitle.textContent = doc.title;
  markOpen();
  try {
    await viewer.open(doc, page);
  } catch (error) {
    console.error("open document", doc.id, error);
    if (viewer.document?.id === doc.id) showMessage(t("live.reader.document_failed", { title: doc.title }));
  }
}

function openByHand(doc) {
  setFollowing(false);
  hideMessage();
  show(doc, 1);
  root.querySelector("[data-viewer]").focus({ preventScroll: true });
  root.dataset.side = "closed";
}

function showMessage(text) {
  docMessage.textContent = text;
  docMessage.hidden = false;
}

function hideMessage() {
  docMessage.hidden = true;
  docMessage.textContent = "";
}

followButton.addEventListener("click", () => setFollowing(true));

viewer.addEventListener("loading", (event) => {
  docTitle.textContent = event.detail.document.title;
  root.dataset.loading = "yes";
  markOpen();
});
viewer.addEventListener("opened", (event) => {
  root.dataset.loading = "no";
  root.dataset.openDocument = String(event.detail.document.id);
  pageCount.textContent = t("live.reader.page_of", { pages: event.detail.pages });
  pageInput.max = String(event.detail.pages);
  hideMessage();
});
viewer.addEventListener("failed", (event) => {
  root.dataset.loading = "no";
  showMessage(t("live.reader.document_failed", { title: event.detail.document.title }));
});
viewer.addEventListener("pagechange", (event) => {
  const { page, user } = event.detail;
  pageInput.value = String(page);
  root.dataset.page = String(page);
  const presented = state?.presentation;
  if (user && following && presented
      && (viewer.document?.id !== presented.document_id || page !== presented.page)) {
    setFollowing(false);
  }
});
viewer.addEventListener("scale", (event) => {
  zoomValue.textContent = t("live.reader.zoom_value", { percent: Math.round(event.detail.scale * 100) });
});

// --- toolbar -----------------------------------------------------------------------------

function setupToolbar() {
  const bar = root.querySelector("[data-toolbar]");
  bar.querySelector("[data-previous]").addEventListener("click", () => viewer.turnTo(viewer.page - 1));
  bar.querySelector("[data-next]").addEventListener("click", () => viewer.turnTo(viewer.page + 1));
  bar.querySelector("[data-zoom-in]").addEventListener("click", () => viewer.zoomIn());
  bar.querySelector("[data-zoom-out]").addEventListener("click", () => viewer.zoomOut());
  bar.querySelector("[data-fit]").addEventListener("click", () => viewer.fitWidth());
  pageInput.addEventListener("change", () => viewer.turnTo(pageInput.value));
  const thumbs = bar.querySelector("[data-thumbs-toggle]");
  thumbs.addEventListener("click", () => {
    const open = root.dataset.thumbs !== "open";
    root.dataset.thumbs = open ? "open" : "closed";
    thumbs.setAttribute("aria-expanded", String(open));
  });
  const toolsToggle = bar.querySelector("[data-tools-toggle]");
  const tools = bar.querySelector("[data-notes-tools]");
  toolsToggle.addEventListener("click", () => {
    tools.hidden = !tools.hidden;
    toolsToggle.setAttribute("aria-expanded", String(!tools.hidden));
  });
  const side = root.querySelector("[data-side-toggle]");
  side.addEventListener("click", () => {
    const open = root.dataset.side !== "open";
    root.dataset.side = open ? "open" : "closed";
    side.setAttribute("aria-expanded", String(open));
  });

  const search = root.querySelector("[data-search]");
  const query = search.querySelector("input");
  const result = search.querySelector("[data-search-result]");
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    if (query.value.trim()) viewer.find(query.value.trim(), { again: query.dataset.last === query.value });
    query.dataset.last = query.value;
  });
  search.querySelector("[data-search-previous]").addEventListener("click", () => {
    if (query.value.trim()) viewer.find(query.value.trim(), { again: true, previous: true });
  });
  viewer.addEventListener("found", (event) => {
    const { current = 0, total = 0, state: found } = event.detail ?? {};
    if (found === 1) result.textContent = t("live.reader.search_none");           // FindState.NOT_FOUND
    else if (total) result.textContent = t("live.reader.search_count", { current, total });
  });
}

// --- offline ------------------------------------------------------------------------------

let prefetching = false;
async function startPrefetch() {
  if (prefetching || root.dataset.meetingStatus === "draft") return;
  prefetching = true;
  try {
    await keepForOffline(root.querySelector("[data-offline]"), meetingId, documents,
      [location.pathname, MANIFEST_URL, `/api/v1/meetings/${meetingId}`], t);
  } finally {
    prefetching = false;
  }
}

// --- start --------------------------------------------------------------------------------

async function start() {
  setupToolbar();
  status.showConnection(false);
  if (state) {
    status.render(state);
    renderAgenda();
  }
  speak.render();
  renderFollow();
  let participants = [];
  try {
    const detail = await api("GET", `/api/v1/meetings/${meetingId}`);
    participants = detail.participants ?? [];
    const mine = participants.find((entry) => entry.id === Number(root.dataset.participantId));
    if (mine) votingRight = mine.voting_right || mine.substitute_for_id !== null;
    ballot.render();
  } catch {
    // Offline without a cached copy: sharing with named people waits for the list.
  }
  setupNotes(root, annotations, { participants, meId: Number(root.dataset.participantId) || null });
  await loadManifest();
  await annotations.load();
  if (navigator.onLine) annotations.flush();
}

start();
