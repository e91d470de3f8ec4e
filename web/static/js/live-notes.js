// The controls of the reader's annotations: the tools (read and select, pen,
// note), highlighting the selection, who new marks are shared with, the note
// dialog, the list of marks on the document, and the annotated copy.
// The marks themselves (drawing, coordinates, outbox) live in live-annotations.js.

import { el, t } from "./meeting-common.js";

export function setupNotes(root, annotations, { participants, meId }) {
  const tools = root.querySelector("[data-tools]");
  const highlight = root.querySelector("[data-highlight]");
  const sharing = root.querySelector("[data-sharing]");
  const peopleButton = root.querySelector("[data-choose-people]");
  const peopleDialog = root.querySelector("[data-people-dialog]");
  const noteDialog = root.querySelector("[data-note-dialog]");
  const panel = root.querySelector("[data-notes-panel]");
  const list = panel.querySelector("[data-notes-list]");
  const listToggle = root.querySelector("[data-notes-toggle]");
  const pendingText = root.querySelector("[data-notes-pending]");
  const message = root.querySelector("[data-notes-message]");
  const download = root.querySelector("[data-download]");
  const others = participants.filter((person) => person.id !== meId);

  // Messages stay a few seconds: the line under the toolbar is not worth a row for long.
  const SHOWN_MS = 8000;
  let sayTimer = null;
  function say(text, error = false) {
    message.textContent = text;
    message.dataset.error = error ? "yes" : "no";
    clearTimeout(sayTimer);
    sayTimer = setTimeout(() => { message.textContent = ""; }, SHOWN_MS);
  }

  // Tools: a group of toggle buttons, one pressed.
  tools.addEventListener("click", (event) => {
    const button = event.target.closest("[data-tool]");
    if (!button) return;
    for (const other of tools.querySelectorAll("[data-tool]")) {
      other.setAttribute("aria-pressed", String(other === button));
    }
    annotations.setTool(button.dataset.tool);
  });

  // Keep the selection when the button is touched: on a tablet a tap would clear it first.
  highlight.addEventListener("pointerdown", (event) => event.preventDefault());
  highlight.addEventListener("mousedown", (event) => event.preventDefault());
  highlight.addEventListener("click", async () => {
    const count = await annotations.highlightSelection();
    say(count ? t("live.annotations.highlighted") : t("live.annotations.highlight_none"), !count);
  });

  // Sharing of new marks.
  function peopleChosen() {
    return [...peopleDialog.querySelectorAll("input:checked")].map((box) => Number(box.value));
  }
  function showSharing() {
    const visibility = sharing.value;
    annotations.sharing = { visibility, readers: visibility === "named" ? peopleChosen() : [] };
    peopleButton.hidden = visibility !== "named";
    const count = annotations.sharing.readers.length;
    peopleButton.textContent = visibility === "named" && count
      ? t("live.annotations.people_count", { count }) : t("live.annotations.choose_people");
  }
  peopleDialog.querySelector("[data-people]").replaceChildren(...others.map((person) => {
    const id = `share-${person.id}`;
    return el("div", { class: "check" },
      el("input", { id, type: "checkbox", value: String(person.id) }),
      el("label", { for: id, text: person.user.full_name }));
  }));
  sharing.addEventListener("change", () => {
    showSharing();
    if (sharing.value === "named" && peopleChosen().length === 0) peopleDialog.showModal();
  });
  peopleButton.addEventListener("click", () => peopleDialog.showModal());
  peopleDialog.addEventListener("close", showSharing);
  showSharing();

  // A note: the dialog opens where the reader tapped with the note tool, or on a marker.
  let editing = null;
  annotations.addEventListener("new-note", (event) => {
    editing = { ...event.detail, kind: "note" };
    openNote(t("live.annotations.note_title", { page: event.detail.page }), "", true);
  });
  annotations.addEventListener("open-note", (event) => {
    const mark = event.detail;
    editing = mark;
    openNote(t("live.annotations.note_title", { page: mark.page }), mark.data.text, mark.mine);
  });
  function openNote(title, text, editable) {
    noteDialog.querySelector("[data-note-title]").textContent = title;
    const area = noteDialog.querySelector("textarea");
    area.value = text;
    area.readOnly = !editable;
    noteDialog.querySelector("[data-note-save]").hidden = !editable;
    noteDialog.querySelector("[data-note-error]").hidden = true;
    noteDialog.returnValue = "";
    noteDialog.showModal();
  }
  noteDialog.querySelector("form").addEventListener("submit", async (event) => {
    if (event.submitter?.value !== "save") return;
    const text = noteDialog.querySelector("textarea").value.normalize("NFC").trim();
    if (!text) {
      event.preventDefault();
      const error = noteDialog.querySelector("[data-note-error]");
      error.textContent = t("live.annotations.note_empty");
      error.hidden = false;
      return;
    }
    const mark = editing;
    editing = null;
    if (mark.uid) {
      await annotations.save({ ...changeFields(mark), data: { ...mark.data, text } });
    } else {
      await annotations.save({ page: mark.page, kind: "note",
        data: { x: mark.x, y: mark.y, text, color: "#f9a825" } });
    }
    say(t("live.annotations.saved"));
  });

  // The list of marks on the document shown.
  listToggle.addEventListener("click", () => {
    const open = panel.hidden;
    panel.hidden = !open;
    listToggle.setAttribute("aria-expanded", String(open));
  });

  function entry(mark) {
    const kind = t(`live.annotations.kind_${mark.kind}`);
    const words = mark.kind === "note" ? mark.data.text : mark.data.text ?? "";
    const owner = mark.mine ? null : el("span", { class: "note-entry__owner",
      text: t("live.annotations.by", { name: mark.owner?.name ?? "" }) });
    const controls = mark.mine ? el("div", { class: "note-entry__controls" },
      el("label", { class: "visually-hidden", for: `vis-${mark.uid}`,
        text: t("live.annotations.shared_with") }),
      el("select", { id: `vis-${mark.uid}`, dataset: { key: `vis-${mark.uid}` },
        onchange: (event) => annotations.share(mark, event.target.value,
          event.target.value === "named" ? (mark.readers?.length ? mark.readers : annotations.sharing.readers) : []) },
        ["private", "meeting", "named"].map((value) => el("option", {
          value, selected: mark.visibility === value, text: t(`live.annotations.${value}`) }))),
      el("button", { type: "button", class: "button button--small button--quiet",
        dataset: { key: `del-${mark.uid}` },
        "aria-label": `${t("live.annotations.delete")}: ${kind}, ${t("live.annotations.on_page", { page: mark.page })}`,
        onclick: async () => { await annotations.remove(mark); say(t("live.annotations.deleted")); } },
      t("live.annotations.delete"))) : null;
    return el("li", { class: "note-entry", dataset: { uid: mark.uid, kind: mark.kind } },
      el("button", { type: "button", class: "note-entry__go",
        onclick: () => annotations.viewer.turnTo(mark.page) },
        el("span", { class: "note-entry__kind", text: kind }),
        el("span", { class: "note-entry__page", text: t("live.annotations.on_page", { page: mark.page }) }),
        words ? el("span", { class: "note-entry__text", text: words }) : null),
      owner, mark.pending ? el("span", { class: "tag", text: t("live.annotations.unsent") }) : null,
      controls);
  }

  annotations.addEventListener("change", (event) => {
    const marks = event.detail.annotations;
    list.replaceChildren(...(marks.length ? marks.map(entry)
      : [el("li", { class: "help", text: t("live.annotations.list_empty") })]));
  });
  let pendingTimer = null;
  annotations.addEventListener("pending", (event) => {
    const { count } = event.detail;
    const before = Number(pendingText.dataset.pending);
    clearTimeout(pendingTimer);
    if (count) {
      pendingText.textContent = t("live.annotations.pending", { count });
    } else if (before) {
      pendingText.textContent = t("live.annotations.all_sent");
      pendingTimer = setTimeout(() => { pendingText.textContent = ""; }, SHOWN_MS);
    }
    pendingText.dataset.pending = String(count);
  });
  annotations.addEventListener("message", (event) => say(event.detail.text, event.detail.error));

  // The annotated copy: only for documents that may be kept (never for confidential ones).
  annotations.viewer.addEventListener("loading", (event) => {
    const doc = event.detail.document;
    download.hidden = Boolean(doc.view_only);
    download.href = `/api/v1/documents/${doc.id}/annotated.pdf`;
  });
}

function changeFields(mark) {
  const { uid, document_id, version, page, kind, data, visibility, readers = [] } = mark;
  return { uid, document_id, version, page, kind, data, visibility, readers };
}
