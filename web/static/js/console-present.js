// The console's presentation: choose a document of the manifest and a page,
// present it, turn its pages, stop. The snapshot names the presented document
// by id only; its title comes from the console's own manifest, fetched again
// when a `documents` event says it changed.

import { fetchDocuments } from "./meeting-documents.js";
import * as wire from "./live-contract.js";
import { el, messenger, t } from "./meeting-common.js";
import { act, switchOff, syncControls } from "./console-common.js";

export function setupPresentation(section, live) {
  const say = messenger(section);
  const shown = section.querySelector("[data-presenting]");
  const pager = section.querySelector("[data-pager]");
  const previous = section.querySelector("[data-previous]");
  const next = section.querySelector("[data-next]");
  const stop = section.querySelector("[data-stop]");
  const form = section.querySelector("[data-present-form]");
  const select = form.elements.document_id;
  const pageField = form.elements.page;
  const manifestUrl = `/api/v1/meetings/${live.meetingId}/manifest`;
  let documents = [];

  async function loadDocuments() {
    const answer = await fetchDocuments(manifestUrl);
    if (answer === null) {
      say.fail(t("meeting_pages.network_error"));
      return;
    }
    documents = answer;
    const chosen = select.value;
    select.replaceChildren(...(documents.length
      ? documents.map((doc) => el("option", { value: String(doc.id) },
        [doc.agenda_number, doc.title].filter(Boolean).join(". ")))
      : [el("option", { value: "", text: t("live.console.no_documents") })]));
    if (documents.some((doc) => String(doc.id) === chosen)) select.value = chosen;
    fitPage();
    if (live.state) render(live.state);
  }

  function fitPage() {
    const doc = documents.find((entry) => String(entry.id) === select.value);
    if (doc?.pages) pageField.max = String(doc.pages); else pageField.removeAttribute("max");
  }

  function turnTo(page, button) {
    return act(live, { button, say }, wire.TURN_PAGE, { page });
  }

  select.addEventListener("change", fitPage);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!select.value) return;
    act(live, { button: event.submitter, say }, wire.PRESENT,
      { document_id: Number(select.value), page: Number(pageField.value) || 1 });
  });
  previous.addEventListener("click", () => {
    const now = live.state?.presentation;
    if (now) turnTo(now.page - 1, previous);
  });
  next.addEventListener("click", () => {
    const now = live.state?.presentation;
    if (now) turnTo(now.page + 1, next);
  });
  stop.addEventListener("click", () => act(live, { button: stop, say }, wire.STOP_PRESENTING));

  function render(state) {
    const now = state.presentation;
    pager.hidden = !now;
    if (!now) {
      shown.textContent = t("live.console.not_presenting");
      syncControls(section, live);
      return;
    }
    const doc = documents.find((entry) => entry.id === now.document_id);
    const pages = now.pages ?? doc?.pages ?? "?";
    shown.textContent = doc
      ? t("live.console.presenting", { title: doc.title, page: now.page, pages })
      : t("live.console.presenting_unknown", { id: now.document_id, page: now.page, pages });
    switchOff(previous, now.page <= 1, live);
    switchOff(next, typeof pages === "number" && now.page >= pages, live);
    syncControls(section, live);
  }

  return { render, loadDocuments };
}
