// What the parts of the chair's console share: sending an action with its
// button busy and the server's refusal shown beside it, locking every action
// while the connection is down, and times of day in Vietnam time.

import { t } from "./meeting-common.js";

const VIETNAM_TIME = new Intl.DateTimeFormat("vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});

/** "08:05" in Vietnam time, from ISO 8601 text. */
export function timeOfDay(iso) {
  return iso ? VIETNAM_TIME.format(new Date(Date.parse(iso))) : "";
}

/**
 * Action buttons carry `data-act`. They are enabled only while the console is
 * online, not waiting for their own answer and not switched off by the state
 * they show (`data-off`, e.g. "previous page" on page 1).
 */
export function syncControls(root, live) {
  for (const control of root.querySelectorAll("[data-act]")) {
    control.disabled = !live.online || control.dataset.off === "true"
      || control.getAttribute("aria-busy") === "true";
  }
}

/** Mark a control switched off (or on) by the state, keeping the offline lock. */
export function switchOff(control, off, live) {
  control.dataset.off = String(Boolean(off));
  control.disabled = !live.online || Boolean(off) || control.getAttribute("aria-busy") === "true";
}

/**
 * Send `event` with `payload`; `say` (a messenger) shows `okText` or the
 * server's refusal. The button, if any, is busy until the answer. Resolves
 * true when the server accepted.
 */
export async function act(live, { button = null, say, okText = "" }, event, payload = {}) {
  if (button) {
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
  }
  try {
    await live.act(event, payload);
    if (okText) say.ok(okText); else say.clear();
    return true;
  } catch (error) {
    say.fail(error?.message || t("meeting_pages.network_error"));
    return false;
  } finally {
    if (button) {
      button.removeAttribute("aria-busy");
      button.disabled = !live.online || button.dataset.off === "true";
    }
  }
}
