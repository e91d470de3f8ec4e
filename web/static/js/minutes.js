// The minutes page: the secretary starts the minutes from the record and edits
// its sections (autosaved a second after typing stops, and on leaving a field;
// typing waits in localStorage until the server has it), approves them into a
// PDF; the chair and the secretary sign with their key's PIN or passphrase, the
// secretary seals and publishes; participants download the signed file.
// What each person may do comes from the server (`may`, `next`), never guessed.

import { ApiError, api, busy, confirmDialog, el, messenger, t } from "./meeting-common.js";

const page = JSON.parse(document.getElementById("minutes-state").textContent);
const BASE = `/api/v1/meetings/${page.meeting_id}/minutes`;
const ROLES = ["chair", "secretary", "seal"];
const SAVE_DELAY_MS = 1000;

const root = document.querySelector("[data-minutes]");
const workflow = root.querySelector("[data-workflow]");
const editor = root.querySelector("[data-editor]");
const sayFlow = messenger(workflow);

let minutes = null;        // the last answer of the API
let unlocked = false;      // the secretary chose to edit approved or signed minutes
let stale = false;         // the minutes moved on elsewhere: nothing more is saved
let saving = Promise.resolve();   // saves run one after another (each needs the version)
const editors = new Map(); // section key -> its editor

// Times are shown in Vietnam time (UTC+7 all year), whatever the device's zone.
function vietnam(iso, seconds = false) {
  const shifted = new Date((iso ? Date.parse(iso) : Date.now()) + 7 * 3600 * 1000).toISOString();
  return {
    time: shifted.slice(11, seconds ? 19 : 16),
    date: `${shifted.slice(8, 10)}/${shifted.slice(5, 7)}/${shifted.slice(0, 4)}`,
  };
}

const roleName = (role) => t(`minutes.role.${role}`);
const may = () => minutes?.may ?? {};

// ---- unsaved text, kept on this device until the server has it ----

const storageKey = (key) => `phonghop:minutes:${page.meeting_id}:${key}`;

function keep(key, text) {
  try {
    localStorage.setItem(storageKey(key), JSON.stringify({ text, version: minutes.version }));
  } catch (error) {
    console.error("localStorage", error);
  }
}

function kept(key) {
  try {
    return JSON.parse(localStorage.getItem(storageKey(key)) ?? "null");
  } catch {
    return null;
  }
}

function forget(key) {
  try {
    localStorage.removeItem(storageKey(key));
  } catch { /* nothing was kept */ }
}

// ---- the sections ----

function sectionTitle(section) {
  const key = `minutes_page.section.${section.key}`;
  const text = t(key);
  return text === key ? section.title : text;
}

function setSaveState(ed, kind, text) {
  ed.state.dataset.state = kind;
  ed.state.textContent = text;
}

function isDirty(ed) {
  return ed.textarea.value.normalize("NFC") !== ed.saved;
}

/** Save one section now (after the saves already queued); never throws. */
function save(key) {
  const ed = editors.get(key);
  clearTimeout(ed.timer);
  ed.timer = null;
  saving = saving.then(() => saveNow(ed));
  return saving;
}

async function saveNow(ed) {
  if (stale || locked() || !isDirty(ed)) return;
  const text = ed.textarea.value;
  setSaveState(ed, "saving", t("minutes_page.saving"));
  try {
    const answer = await api("PUT", `${BASE}/sections/${encodeURIComponent(ed.key)}`,
      { text, version: minutes.version });
    ed.saved = text.normalize("NFC");
    if (!isDirty(ed)) forget(ed.key);
    setSaveState(ed, "saved", t("minutes_page.saved_at", vietnam()));
    show(answer.minutes);
  } catch (error) {
    failSave(ed, error);
  }
}

function failSave(ed, error) {
  const message = error instanceof ApiError ? error.message : t("meeting_pages.network_error");
  setSaveState(ed, "error", t("minutes_page.save_failed", { message }));
  if (error instanceof ApiError && error.code === "stale_version") showStale(message);
}

function showStale(message) {
  stale = true;
  const box = editor.querySelector("[data-stale]");
  box.querySelector("[data-stale-text]").textContent = message;
  box.hidden = false;
}

function scheduleSave(ed) {
  clearTimeout(ed.timer);
  ed.timer = setTimeout(() => save(ed.key), SAVE_DELAY_MS);
}

/** Everything typed is on the server (or the reason it is not is on screen). */
async function flushSaves() {
  for (const ed of editors.values()) if (isDirty(ed)) save(ed.key);
  await saving;
  return ![...editors.values()].some(isDirty);
}

/** `**bold**` or `*italic*` around the selection (or an empty pair at the caret). */
function wrapSelection(textarea, marker) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const chosen = value.slice(start, end);
  const marked = `${marker}${chosen}${marker}`;
  textarea.focus();
  textarea.setSelectionRange(start, end);
  // insertText keeps the browser's undo history; setRangeText is the fallback.
  if (!document.execCommand?.("insertText", false, marked)) {
    textarea.setRangeText(marked, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }
  textarea.setSelectionRange(start + marker.length, start + marker.length + chosen.length);
}

function toolbar(ed) {
  const tool = (mark, label, marker, tag) => el("button", {
    type: "button", class: "tool", title: label, "aria-label": label,
    onmousedown: (event) => event.preventDefault(),   // keep the selection and the focus
    onclick: () => wrapSelection(ed.textarea, marker),
  }, el(tag, { text: mark }));
  return el("div", { class: "toolbar", role: "toolbar", "aria-label": t("minutes_page.toolbar", { section: ed.title }),
    "aria-controls": ed.textarea.id },
  tool(t("minutes_page.bold_mark"), t("minutes_page.bold"), "**", "b"),
  tool(t("minutes_page.italic_mark"), t("minutes_page.italic"), "*", "i"),
  el("button", { type: "button", class: "button button--quiet-dark tool--text", dataset: { reset: ed.key },
    onclick: (event) => resetSection(ed, event.currentTarget) }, t("minutes_page.reset")));
}

function historyBox(ed) {
  const list = el("ol", { class: "history__list", role: "list" });
  const note = el("p", { class: "help", role: "status" });
  const box = el("details", { class: "history", dataset: { history: ed.key } },
    el("summary", { text: t("minutes_page.history") }), note, list);
  box.addEventListener("toggle", async () => {
    if (!box.open) return;
    note.textContent = t("minutes_page.history_loading");
    list.replaceChildren();
    let answer;
    try {
      answer = await api("GET", `${BASE}/history?section=${encodeURIComponent(ed.key)}`);
    } catch (error) {
      note.textContent = error.message;
      return;
    }
    const saves = answer.history ?? answer.edits ?? [];
    note.textContent = saves.length ? "" : t("minutes_page.history_empty");
    list.replaceChildren(...saves.map((entry) => historyEntry(ed, entry)));
  });
  return box;
}

function historyEntry(ed, entry) {
  const who = entry.saved_by_name ?? page.people?.[entry.saved_by_id] ?? "";
  const when = vietnam(entry.saved_at);
  return el("li", { class: "history__entry" },
    el("p", { class: "history__meta" },
      t("minutes_page.history_entry", { time: when.time, date: when.date, name: who || "—",
        version: entry.version ?? "" })),
    el("p", { class: "history__text", text: entry.text }),
    may().edit ? el("button", {
      type: "button", class: "button button--secondary",
      onclick: () => {
        if (locked()) return;
        ed.textarea.value = entry.text;
        ed.textarea.dispatchEvent(new Event("input", { bubbles: true }));
        ed.textarea.focus();
      },
    }, t("minutes_page.history_use")) : null);
}

function buildSection(section) {
  const id = `section-${section.key}`;
  const ed = { key: section.key, title: sectionTitle(section), saved: section.text, timer: null };
  ed.state = el("p", { class: "save-state", role: "status", dataset: { saveState: section.key } });
  const heading = el("h3", { id: `${id}-title`, class: "minutes-section__title", text: ed.title });
  if (!may().edit) {
    return el("section", { class: "card minutes-section", "aria-labelledby": heading.id },
      heading, el("div", { class: "minutes-text", text: section.text }));
  }
  ed.textarea = el("textarea", { id, class: "minutes-textarea", rows: Math.min(24, Math.max(4,
    section.text.split("\n").length + 2)), spellcheck: "true", lang: "vi", "aria-labelledby": heading.id,
  dataset: { section: section.key } });
  ed.textarea.value = section.text;
  ed.textarea.addEventListener("input", () => {
    if (locked()) return;
    keep(ed.key, ed.textarea.value);
    setSaveState(ed, "unsaved", t("minutes_page.unsaved"));
    scheduleSave(ed);
  });
  ed.textarea.addEventListener("blur", () => { if (ed.timer || isDirty(ed)) save(ed.key); });
  ed.textarea.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const marker = { b: "**", i: "*" }[event.key.toLowerCase()];
    if (!marker) return;
    event.preventDefault();
    wrapSelection(ed.textarea, marker);
  });
  editors.set(ed.key, ed);
  const restored = kept(ed.key);
  if (restored && restored.text !== section.text) {
    ed.textarea.value = restored.text;
    setSaveState(ed, "unsaved", t("minutes_page.restored"));
  } else if (restored) {
    forget(ed.key);
  }
  return el("section", { class: "card minutes-section", "aria-labelledby": heading.id },
    heading, toolbar(ed), ed.textarea, ed.state, historyBox(ed));
}

async function resetSection(ed, button) {
  if (locked()) return;
  const yes = await confirmDialog({
    title: t("minutes_page.reset_title", { section: ed.title }),
    text: t("minutes_page.reset_text"), yes: t("minutes_page.reset_yes"),
  });
  if (!yes) return;
  clearTimeout(ed.timer);
  ed.timer = null;
  await saving;
  const answer = await busy(button, t("minutes_page.resetting"), {
    ok: () => {}, fail: (message) => setSaveState(ed, "error", message),
  }, () => api("POST", `${BASE}/sections/${encodeURIComponent(ed.key)}/reset`,
    { version: minutes.version }));
  if (!answer) return;
  const fresh = answer.minutes.sections?.find((s) => s.key === ed.key);
  if (fresh) {
    ed.textarea.value = fresh.text;
    ed.saved = fresh.text;
  }
  forget(ed.key);
  setSaveState(ed, "saved", t("minutes_page.reset_done", vietnam()));
  show(answer.minutes);
}

function locked() {
  return Boolean(minutes) && minutes.status !== "draft" && !unlocked;
}

function showEditor() {
  const sections = minutes.sections;
  editor.hidden = !sections;
  if (!sections) return;
  if (editors.size === 0 && !editor.querySelector(".minutes-section")) {
    editor.querySelector("[data-sections]").replaceChildren(...sections.map(buildSection));
    for (const ed of editors.values()) if (isDirty(ed) && !locked()) scheduleSave(ed);
  }
  editor.querySelector("[data-format-hint]").hidden = !may().edit;
  const isLocked = may().edit && locked();
  const box = editor.querySelector("[data-locked]");
  box.hidden = !isLocked || minutes.status === "published";
  box.querySelector("[data-locked-text]").textContent = t(
    minutes.status === "approved" ? "minutes_page.locked_approved" : "minutes_page.locked_signed");
  for (const ed of editors.values()) {
    ed.textarea.readOnly = isLocked || !may().edit;
    for (const button of ed.textarea.closest(".minutes-section").querySelectorAll(".toolbar button")) {
      button.disabled = isLocked || !may().edit;
    }
  }
}

// ---- approve, sign, seal, publish ----

function showSteps() {
  const done = new Map((minutes.signatures ?? []).map((s) => [s.role, s]));
  workflow.querySelector("[data-steps]").replaceChildren(...ROLES.map((role) => {
    const signature = done.get(role);
    const current = !signature && minutes.next === role;
    let text;
    if (signature?.name && signature.signed_at) {
      text = t("minutes_page.step_done", { name: signature.name, ...vietnam(signature.signed_at) });
    } else if (signature) {
      text = t("minutes_page.signed", { role: roleName(role) });
    } else {
      text = current ? t("minutes_page.step_current") : t("minutes_page.step_waiting");
    }
    return el("li", { class: `step step--${signature ? "done" : current ? "current" : "waiting"}`,
      dataset: { step: role }, "aria-current": current ? "step" : null },
    el("span", { class: "step__role", text: roleName(role) }),
    el("span", { class: "step__state", text }));
  }));
}

function nextText() {
  switch (minutes.status) {
    case "draft": return t("minutes_page.next_draft");
    case "sealed": return t("minutes_page.next_publish");
    case "published": return t("minutes_page.next_published");
    default: return minutes.next ? t("minutes_page.next_signer", { role: roleName(minutes.next) }) : "";
  }
}

function showWorkflow() {
  const open = minutes.status !== "published" && "sections" in minutes;
  workflow.hidden = !open;
  if (!open) return;
  showSteps();
  workflow.querySelector("[data-next]").textContent = nextText();
  const preview = workflow.querySelector("[data-preview]");
  preview.hidden = !minutes.pdf_url;
  if (minutes.pdf_url) {
    // A fresh address per version, so the browser never shows an older file.
    workflow.querySelector("[data-preview-link]").href = `${minutes.pdf_url}?v=${minutes.version}-${minutes.status}`;
    workflow.querySelector("[data-pages]").textContent =
      minutes.pages ? t("minutes_page.pages", { count: minutes.pages }) : "";
  }
  workflow.querySelector("[data-approve-box]").hidden = !may().approve;
  const form = workflow.querySelector("[data-sign-form]");
  const role = may().sign;
  form.hidden = !role;
  if (role) {
    const seal = role === "seal";
    form.querySelector("[data-sign-title]").textContent =
      seal ? t("minutes_page.seal_title") : t("minutes_page.sign_title", { role: roleName(role) });
    form.querySelector("[data-sign-hint]").textContent = t("minutes_page.secret_hint");
    form.querySelector("[data-sign-button]").textContent =
      seal ? t("minutes_page.seal") : t("minutes_page.sign");
  }
  workflow.querySelector("[data-publish-box]").hidden = !may().publish;
}

function showPublished() {
  const box = root.querySelector("[data-published]");
  const published = minutes.status === "published";
  box.hidden = !published;
  if (!published) return;
  const when = minutes.published_at ? vietnam(minutes.published_at) : null;
  box.querySelector("[data-published-at]").textContent =
    when ? t("minutes_page.published_at", when) : "";
  const download = box.querySelector("[data-download]");
  download.href = minutes.pdf_url ?? `${BASE.replace(/\/minutes$/, "")}/minutes.pdf`;
  const edxml = box.querySelector("[data-edxml]");
  if (edxml) {
    edxml.href = `${BASE}.edxml`;
    edxml.hidden = false;
  }
}

function show(answer) {
  const before = minutes?.status;
  minutes = answer;
  if (before && before !== "draft" && minutes.status === "draft") unlocked = false;
  root.querySelector("[data-loading]").hidden = true;
  root.querySelector("[data-none]").hidden = true;
  const badge = document.querySelector("[data-minutes-badge]");
  badge.hidden = false;
  badge.className = `badge minutes-badge minutes-badge--${minutes.status}`;
  badge.textContent = t(`minutes_status.${minutes.status}`);
  showPublished();
  showWorkflow();
  showEditor();
}

function setupWorkflow() {
  workflow.querySelector("[data-approve]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    if (!(await flushSaves())) {
      sayFlow.fail(t("minutes_page.unsaved_first"));
      return;
    }
    const answer = await busy(button, t("minutes_page.approving"), sayFlow,
      () => api("POST", `${BASE}/approve`, { version: minutes.version }));
    if (!answer) return;
    unlocked = false;
    show(answer.minutes);
    sayFlow.ok(t("minutes_page.approved"));
    workflow.querySelector("[data-preview-link]").focus();
  });

  const form = workflow.querySelector("[data-sign-form]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = form.elements.secret;
    const secret = input.value;
    input.value = "";   // the secret is used once and never kept, on screen either
    const role = may().sign;
    if (!role) return;
    const button = form.querySelector("[data-sign-button]");
    const answer = await busy(button, t(role === "seal" ? "minutes_page.sealing" : "minutes_page.signing"),
      sayFlow, () => api("POST", `${BASE}/sign`, { role, secret, version: minutes.version }));
    if (!answer) {
      input.focus();
      return;
    }
    show(answer.minutes);
    sayFlow.ok(role === "seal" ? t("minutes_page.sealed") : t("minutes_page.signed", { role: roleName(role) }));
  });

  workflow.querySelector("[data-publish]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const yes = await confirmDialog({ title: t("minutes_page.publish_title"),
      text: t("minutes_page.publish_text"), yes: t("minutes_page.publish") });
    if (!yes) return;
    const answer = await busy(button, t("minutes_page.publishing"), sayFlow,
      () => api("POST", `${BASE}/publish`, {}));
    if (!answer) return;
    show(answer.minutes);
    const box = root.querySelector("[data-published]");
    box.setAttribute("tabindex", "-1");
    box.focus();
  });

  editor.querySelector("[data-unlock]").addEventListener("click", async () => {
    const yes = await confirmDialog({ title: t("minutes_page.unlock_title"),
      text: t(minutes.status === "approved" ? "minutes_page.locked_approved" : "minutes_page.locked_signed"),
      yes: t("minutes_page.unlock") });
    if (!yes) return;
    unlocked = true;
    showEditor();
    for (const ed of editors.values()) if (isDirty(ed)) scheduleSave(ed);
    editors.values().next().value?.textarea.focus();
  });
  editor.querySelector("[data-reload]").addEventListener("click", () => window.location.reload());
  window.addEventListener("online", () => {
    for (const ed of editors.values()) if (isDirty(ed)) save(ed.key);
  });
}

function showNone() {
  root.querySelector("[data-loading]").hidden = true;
  const box = root.querySelector("[data-none]");
  box.hidden = false;
  const start = box.querySelector("[data-start]");
  if (!start) return;
  const say = messenger(box);
  start.addEventListener("click", async () => {
    const answer = await busy(start, t("minutes_page.starting"), say, () => api("POST", BASE));
    if (!answer) return;
    show(answer.minutes);
    editor.querySelector("textarea")?.focus();
  });
}

async function load() {
  let answer;
  try {
    answer = await api("GET", BASE);
  } catch (error) {
    if (error.status === 404) {
      showNone();
      return;
    }
    const loading = root.querySelector("[data-loading]");
    loading.textContent = error.message;
    return;
  }
  show(answer.minutes);
}

setupWorkflow();
load();
