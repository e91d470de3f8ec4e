// Documents of a meeting: the list from the manifest (what this reader may
// open, each with its file url), and, on the secretary's page, the upload.
// The upload goes through XMLHttpRequest because fetch() reports no upload
// progress; upload.onprogress drives a real <progress> element.

import { csrfToken } from "./app.js";
import { api, ApiError, confirmDialog, el, messenger, t } from "./meeting-common.js";
import { numbered } from "./meeting-agenda.js";

const ANNOUNCE_EVERY = 25; // percent: screen readers hear 25, 50, 75, 100, not every step

/** The manifest's documents, or null when the server has none to give. */
export async function fetchDocuments(url) {
  try {
    const answer = await api("GET", url);
    return answer.documents ?? [];
  } catch (error) {
    if (!(error instanceof ApiError)) console.error(error);
    return null;
  }
}

/** One document as a link to its file, marked as confidential when it is. */
export function documentEntry(doc, action = null) {
  const marks = [];
  if (doc.access === "confidential") {
    marks.push(el("span", { class: "tag tag--secret", title: t("meeting_pages.confidential_hint") },
      t("meeting_pages.confidential")));
  } else if (doc.access === "named") {
    marks.push(el("span", { class: "tag", text: t("meeting_pages.access.named") }));
  }
  if (doc.pages) marks.push(el("span", { class: "doc__pages", text: t("meeting_pages.pages", { count: doc.pages }) }));
  return el("li", { class: `doc doc--${doc.access ?? "meeting"}` },
    el("a", { class: "doc__link", href: doc.url, target: "_blank", rel: "noopener" },
      el("span", { class: "doc__icon", "aria-hidden": "true", text: "PDF" }),
      el("span", { class: "doc__title", text: doc.title })),
    ...marks, action);
}

/** Documents grouped by agenda item id ("" for the meeting as a whole). */
export function byItem(documents) {
  const groups = new Map();
  for (const doc of documents) {
    const key = doc.agenda_item_id == null ? "" : String(doc.agenda_item_id);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(doc);
  }
  return groups;
}

/** Send a file with progress: `onProgress(percent)` while sending; resolves the JSON answer. */
export function upload(url, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("X-CSRF-Token", csrfToken());
    request.setRequestHeader("Accept", "application/json");
    request.responseType = "json";
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.upload.onload = () => onProgress(100);
    request.onload = () => {
      const answer = request.response;
      if (request.status >= 200 && request.status < 300) {
        resolve(answer);
        return;
      }
      const error = answer?.error ?? {};
      reject(new ApiError(request.status, error.code ?? `http_${request.status}`,
        error.message ?? t("meeting_pages.network_error")));
    };
    request.onerror = () => reject(new ApiError(0, "network", t("meeting_pages.network_error")));
    request.send(formData);
  });
}

export function setupDocuments(root, store) {
  const section = root.querySelector("#documents");
  const form = section.querySelector("[data-upload]");
  const say = messenger(form);
  const listing = section.querySelector("[data-document-list]");
  const state = section.querySelector("[data-documents-state]");
  const items = form.querySelector("[data-item-choices]");
  const progressBox = form.querySelector("[data-progress]");
  const progress = progressBox.querySelector("progress");
  const percentText = progressBox.querySelector("[data-progress-text]");
  const maxBytes = Number(section.dataset.maxMb) * 1024 * 1024;
  const readers = form.querySelector("[data-readers]");
  const readerChoices = readers.querySelector("[data-reader-choices]");
  let documents = [];

  function renderReaders() {
    const chosen = new Set([...readerChoices.querySelectorAll("input:checked")].map((box) => box.value));
    readerChoices.replaceChildren(...store.detail.participants.map((person) => {
      const id = `reader-${person.id}`;
      return el("div", { class: "check" },
        el("input", { id, type: "checkbox", name: "readers", value: String(person.id),
          checked: chosen.has(String(person.id)) }),
        el("label", { for: id, text: person.user.full_name }));
    }));
  }

  const named = () => form.elements.access.value !== "meeting";
  form.addEventListener("change", (event) => {
    if (event.target.name === "access") readers.hidden = !named();
  });

  async function remove(doc, button) {
    const yes = await confirmDialog({
      title: t("meeting_pages.delete_document", { title: doc.title }),
      text: t("meeting_pages.confirm_delete_document", { title: doc.title }),
      yes: t("meeting_pages.delete"),
    });
    if (!yes) { button.focus(); return; }
    try {
      await api("DELETE", `/api/v1/documents/${doc.id}`);
      say.ok(t("meeting_pages.document_deleted", { title: doc.title }));
      await refresh();
      form.elements.file.focus();
    } catch (error) {
      say.fail(error instanceof ApiError ? error.message : t("meeting_pages.network_error"));
    }
  }

  function renderChoices() {
    const chosen = items.value;
    items.replaceChildren(el("option", { value: "", text: t("meeting_pages.doc_no_item") }),
      ...numbered(store.detail.agenda).map(({ node, number }) => el("option", {
        value: String(node.id), selected: String(node.id) === chosen, text: `${number}. ${node.title}`,
      })));
  }

  function renderList() {
    const groups = byItem(documents);
    const sections = numbered(store.detail.agenda)
      .filter(({ node }) => groups.has(String(node.id)))
      .map(({ node, number }) => group(`${number}. ${node.title}`, groups.get(String(node.id))));
    if (groups.has("")) sections.push(group(t("meeting_pages.general_documents"), groups.get("")));
    listing.replaceChildren(...sections);
    state.textContent = documents.length ? "" : t("meeting_pages.no_documents");
    // The agenda builder shows how many documents each item has.
    for (const badge of root.querySelectorAll("[data-docs-for]")) {
      const count = groups.get(badge.dataset.docsFor)?.length ?? 0;
      badge.textContent = count ? t("meeting_pages.documents_count", { count }) : "";
    }
  }

  function group(title, docs) {
    return el("div", { class: "doc-group" },
      el("h3", { class: "doc-group__title", text: title }),
      el("ul", { class: "doc-list", role: "list" }, docs.map((doc) => documentEntry(doc, store.frozen
        ? null
        : el("button", {
          type: "button", class: "button button--danger button--small",
          "aria-label": t("meeting_pages.delete_document", { title: doc.title }),
          onclick: (event) => remove(doc, event.currentTarget),
        }, t("meeting_pages.delete"))))));
  }

  async function refresh() {
    const found = await fetchDocuments(section.dataset.manifestUrl);
    if (found === null) {
      state.textContent = t("meeting_pages.documents_unavailable");
      return;
    }
    documents = found;
    renderList();
  }

  let announced = -1;
  function showProgress(percent) {
    progress.value = percent;
    percentText.textContent = `${percent}%`;
    const step = Math.floor(percent / ANNOUNCE_EVERY) * ANNOUNCE_EVERY;
    if (step !== announced) {
      announced = step;
      say.ok(percent >= 100 ? t("meeting_pages.processing") : t("meeting_pages.uploading", { percent: step }));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) {
      say.fail(t("meeting_pages.file_missing"));
      form.elements.file.focus();
      return;
    }
    const readerIds = [...readerChoices.querySelectorAll("input:checked")].map((box) => Number(box.value));
    if (named() && readerIds.length === 0) {
      say.fail(t("meeting_pages.readers_missing"));
      readerChoices.querySelector("input")?.focus();
      return;
    }
    if (file.size > maxBytes) {
      say.fail(t("meeting_pages.file_too_large", { max_mb: section.dataset.maxMb }));
      form.elements.file.focus();
      return;
    }
    const data = new FormData();
    data.append("file", file, file.name);
    const title = form.elements.title.value.trim() || file.name.replace(/\.[^.]+$/, "");
    data.append("title", title);
    if (items.value) data.append("agenda_item_id", items.value);
    data.append("access", form.elements.access.value);

    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    announced = -1;
    progressBox.hidden = false;
    showProgress(0);
    try {
      const answer = await upload(section.dataset.uploadUrl, data, showProgress);
      if (named()) {
        await api("PUT", `/api/v1/documents/${answer.document.id}/readers`, { participant_ids: readerIds });
      }
      say.ok(t("meeting_pages.uploaded", { title }));
      form.elements.file.value = "";
      form.elements.title.value = "";
      await refresh();
    } catch (error) {
      progressBox.hidden = true;
      say.fail(error instanceof ApiError ? error.message : t("meeting_pages.network_error"));
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  });

  store.subscribe(() => { renderChoices(); renderReaders(); renderList(); });
  renderChoices();
  renderReaders();
  refresh();
}
