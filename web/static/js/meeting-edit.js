// The secretary's page: meeting details, remote rooms, publish and copy here;
// participants, agenda and documents in their own modules. Every part reads
// and updates one shared copy of the meeting (the API's detail shape), so a
// change in one part (a new agenda item, a remote room) shows in the others.

import { setupAgenda } from "./meeting-agenda.js";
import {
  api, busy, confirmDialog, localInput, meetingFields, messenger, t, vietnamTime,
} from "./meeting-common.js";
import { setupDocuments } from "./meeting-documents.js";
import { setupParticipants } from "./meeting-participants.js";

/** The meeting as the API last described it, and who wants to hear of changes. */
export function createStore(initial) {
  const listeners = new Set();
  const store = {
    ...initial,
    update(changes) {
      Object.assign(store.detail, changes);
      for (const listener of listeners) listener(store.detail);
    },
    subscribe(listener) {
      listeners.add(listener);
    },
  };
  return store;
}

function setupDetails(root, store) {
  const form = root.querySelector("[data-details]");
  const say = messenger(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const button = form.querySelector('button[type="submit"]');
    const answer = await busy(button, t("meeting_pages.saving"), say,
      () => api("PATCH", `/api/v1/meetings/${store.meetingId}`, meetingFields(form)));
    if (!answer) return;
    store.update(answer);
    for (const node of document.querySelectorAll("[data-meeting-title]")) {
      node.textContent = answer.meeting.title;
    }
    form.elements.starts_at.value = localInput(answer.meeting.starts_at);
    form.elements.ends_at.value = localInput(answer.meeting.ends_at);
    say.ok(t("meeting_pages.saved"));
  });
}

function setupRooms(root, store) {
  const form = root.querySelector("[data-rooms]");
  if (!form) return;
  const say = messenger(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const roomIds = [...form.querySelectorAll('input[name="room_ids"]:checked')]
      .map((box) => Number(box.value));
    const button = form.querySelector('button[type="submit"]');
    const answer = await busy(button, t("meeting_pages.saving"), say,
      () => api("PUT", `/api/v1/meetings/${store.meetingId}/rooms`, { room_ids: roomIds }));
    if (!answer) return;
    store.update({ remote_rooms: answer.remote_rooms });
    say.ok(t("meeting_pages.saved"));
  });
}

function showStatus(meeting) {
  for (const badge of document.querySelectorAll("[data-status-badge]")) {
    badge.className = `badge badge--${meeting.status}`;
    badge.querySelector("[data-status-text]").textContent = t(`meeting_status.${meeting.status}`);
  }
}

function setupPublish(root, store) {
  const button = root.querySelector("[data-publish]");
  if (!button) return;
  const box = root.querySelector("[data-publish-box]");
  const say = messenger(box);
  button.addEventListener("click", async () => {
    const yes = await confirmDialog({
      title: t("meeting_pages.confirm_publish_title"),
      text: t("meeting_pages.confirm_publish"),
      yes: t("meeting_pages.publish"),
    });
    if (!yes) {
      button.focus();
      return;
    }
    const answer = await busy(button, t("meeting_pages.working"), say,
      () => api("POST", `/api/v1/meetings/${store.meetingId}/status`, { status: "scheduled" }));
    if (!answer) return;
    // A published meeting opens the roll call; the participants' controls follow.
    store.roll_call_open = true;
    document.querySelector("[data-roll-call-closed]")?.remove();
    document.querySelector("[data-draft-notice]")?.remove();
    box.querySelector("[data-publish-action]").hidden = true;
    store.update({ meeting: answer.meeting });
    showStatus(answer.meeting);
    say.ok(t("meeting_pages.published"));
    box.querySelector("[data-status]").focus();
  });
}

function setupCopy(root, store) {
  const form = root.querySelector("[data-copy]");
  const say = messenger(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const body = {
      starts_at: vietnamTime(form.elements.starts_at.value),
      ends_at: vietnamTime(form.elements.ends_at.value),
    };
    const button = form.querySelector('button[type="submit"]');
    const answer = await busy(button, t("meeting_pages.copying"), say,
      () => api("POST", `/api/v1/meetings/${store.meetingId}/copy`, body));
    if (answer) window.location.assign(`/meetings/${answer.meeting.id}/edit`);
  });
}

const root = document.querySelector("[data-meeting-id]");
const state = JSON.parse(document.getElementById("meeting-state").textContent);
const store = createStore({ ...state, meetingId: Number(root.dataset.meetingId) });

setupDetails(root, store);
setupRooms(root, store);
setupParticipants(root, store);
setupAgenda(root, store);
setupDocuments(root, store);
setupPublish(root, store);
setupCopy(root, store);
