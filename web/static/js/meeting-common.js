// What every meeting page script shares: the catalog strings the page was
// rendered with, calls to /api/v1 with the session's CSRF token, and the
// messages shown to the user (polite status, assertive errors).

import { csrfToken } from "./app.js";

let catalog = null;

/** The page's strings: a JSON block rendered from the server's catalog. */
function strings() {
  if (catalog === null) {
    const block = document.getElementById("meeting-strings");
    catalog = block ? JSON.parse(block.textContent) : {};
  }
  return catalog;
}

/** The text of a catalog key with {placeholders} filled, like the server's translate(). */
export function t(key, params = {}) {
  const all = strings();
  const singular = params.count === 1 && all[`${key}_one`];
  const text = singular || all[key] || key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** An answer of the API that is not a success: its message is already in the user's language. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** JSON in, JSON out; a refusal becomes an ApiError carrying the server's message. */
export async function api(method, path, body) {
  const headers = { Accept: "application/json", "X-CSRF-Token": csrfToken() };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", t("meeting_pages.network_error"));
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const error = answer?.error ?? {};
    throw new ApiError(response.status, error.code ?? "http_" + response.status,
      error.message ?? t("meeting_pages.network_error"));
  }
  return answer;
}

/**
 * Messages of one part of the page: `[data-status]` (role="status") for what
 * went well, `[data-error]` (role="alert") for what did not.
 */
export function messenger(root) {
  const status = root.querySelector("[data-status]");
  const error = root.querySelector("[data-error]");
  return {
    ok(text) {
      if (error) { error.hidden = true; error.textContent = ""; }
      if (status) status.textContent = text;
    },
    fail(text) {
      if (status) status.textContent = "";
      if (error) { error.textContent = text; error.hidden = false; }
    },
    clear() {
      if (status) status.textContent = "";
      if (error) { error.hidden = true; error.textContent = ""; }
    },
  };
}

/** Run `work` with the button disabled and showing `busyText`; errors go to `say.fail`. */
export async function busy(button, busyText, say, work) {
  const idle = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (busyText) button.textContent = busyText;
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ApiError)) console.error(error);
    say.fail(error instanceof ApiError ? error.message : t("meeting_pages.network_error"));
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = idle;
  }
}

/** "2026-11-30T08:00" typed in Vietnam time, as ISO 8601 with its offset. */
export function vietnamTime(localValue) {
  return localValue ? `${localValue}:00+07:00` : null;
}

/** The meeting fields of a form (shared by the create form and the edit page). */
export function meetingFields(form) {
  const value = (name) => form.elements[name].value.trim();
  const number = (name) => (value(name) ? Number(value(name)) : null);
  return {
    title: value("title"),
    code: value("code"),
    organiser_unit_id: number("organiser_unit_id"),
    hall_room_id: number("hall_room_id"),
    starts_at: vietnamTime(value("starts_at")),
    ends_at: vietnamTime(value("ends_at")),
    substitutes_may_vote: form.elements.substitutes_may_vote.checked,
    record_video: form.elements.record_video.checked,
  };
}

/** An ISO 8601 time as the value of a datetime-local field in Vietnam time (UTC+7, no DST). */
export function localInput(iso) {
  if (!iso) return "";
  const shifted = new Date(Date.parse(iso) + 7 * 3600 * 1000);
  return shifted.toISOString().slice(0, 16);
}

/** Minutes in words, from the catalog: 45 minutes, 2 hours, 1 hour 15 minutes. */
export function duration(minutes) {
  if (minutes >= 60 && minutes % 60 === 0) return t("meeting_pages.hours", { count: minutes / 60 });
  if (minutes >= 60) {
    return t("meeting_pages.hours_minutes", { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
  }
  return t("meeting_pages.minutes", { count: minutes });
}

/** document.createElement with properties, attributes and children in one call. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * Replace a container's children; if focus was inside, put it back on the new
 * element with the same data-key (the same control of the same row), so that
 * keyboard and screen reader users keep their place when a list is redrawn.
 */
export function rebuild(container, children) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.key : undefined;
  container.replaceChildren(...children);
  if (key) container.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

/** Ask a yes/no question in the page's <dialog id="confirm-dialog">; resolves true on yes. */
export function confirmDialog({ title, text, yes }) {
  const dialog = document.getElementById("confirm-dialog");
  dialog.querySelector("[data-title]").textContent = title;
  dialog.querySelector("[data-text]").textContent = text;
  dialog.querySelector("[data-yes]").textContent = yes;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}
