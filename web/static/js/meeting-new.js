// The create form: POST /api/v1/meetings, then on to the new meeting's edit page.

import { api, busy, meetingFields, messenger, t } from "./meeting-common.js";

const form = document.getElementById("meeting-new");
if (form) {
  const say = messenger(form.closest("section"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const button = form.querySelector('button[type="submit"]');
    const created = await busy(button, t("meeting_pages.creating"), say,
      () => api("POST", "/api/v1/meetings", meetingFields(form)));
    if (created) window.location.assign(`/meetings/${created.meeting.id}/edit`);
  });
}
