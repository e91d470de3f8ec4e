// The meeting page: the documents of each agenda item (from the manifest:
// only what this reader may open) and the delegate's own check-in.

import { api, busy, messenger, t } from "./meeting-common.js";
import { byItem, documentEntry, fetchDocuments } from "./meeting-documents.js";
import { keepForOffline } from "./live-offline.js";

async function showDocuments(section) {
  const state = section.querySelector("[data-documents-state]");
  const documents = await fetchDocuments(section.dataset.manifestUrl);
  if (documents === null) {
    state.textContent = t("meeting_pages.documents_unavailable");
    return null;
  }
  const groups = byItem(documents);
  for (const list of section.querySelectorAll("[data-documents-for]")) {
    const docs = groups.get(list.dataset.documentsFor) ?? [];
    list.replaceChildren(...docs.map((doc) => documentEntry(doc)));
    list.hidden = docs.length === 0;
  }
  section.querySelector("[data-general-documents]").hidden = !groups.has("");
  state.textContent = documents.length ? "" : t("meeting_pages.no_documents");
  state.hidden = documents.length > 0;
  return documents;
}

/**
 * Once a meeting is published its documents are kept for offline reading, from
 * this page too, with the same progress bar as the reader: a delegate who opens it
 * the day before has the board pack on the tablet before the hall's Wi-Fi is busy.
 * The box is there for participants of a published meeting only.
 */
function keepMeeting(meetingId, documents) {
  const box = document.querySelector("[data-offline]");
  if (!box || !documents?.length) return;
  keepForOffline(box, meetingId, documents, [`/meetings/${meetingId}/live`,
    `/api/v1/meetings/${meetingId}/manifest`, `/api/v1/meetings/${meetingId}`], t)
    .catch((error) => console.error("prefetch", error));
}

function setupCheckIn(box, meetingId) {
  const button = box.querySelector("[data-check-in-button]");
  if (!button) return;
  const say = messenger(box);
  button.addEventListener("click", async () => {
    const answer = await busy(button, t("meeting_pages.checking_in"), say,
      () => api("POST", `/api/v1/meetings/${meetingId}/check-in`));
    if (!answer) return;
    const { present, members } = answer.quorum;
    box.querySelector("[data-quorum]").textContent = t("meeting_pages.quorum", { present, members });
    const meter = box.querySelector("[data-quorum-meter]");
    meter.max = members || 1;
    meter.value = present;
    for (const person of answer.participants) {
      const cell = document.querySelector(`[data-attendance-for="${person.id}"] .attendance`);
      if (!cell) continue;
      cell.className = `attendance attendance--${person.attendance}`;
      cell.textContent = t(`meeting_pages.attendance.${person.attendance}`);
    }
    const status = box.querySelector("[data-status]");
    status.hidden = false;
    say.ok(t("meeting_pages.checked_in"));
    button.remove();
    status.setAttribute("tabindex", "-1");
    status.focus();
  });
}

const meeting = document.querySelector("[data-meeting-id]");
showDocuments(document.querySelector("[data-documents]"))
  .then((documents) => keepMeeting(meeting.dataset.meetingId, documents));
setupCheckIn(document.querySelector("[data-check-in]"), meeting.dataset.meetingId);
