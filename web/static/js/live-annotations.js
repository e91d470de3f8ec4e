// A reader's marks on the documents: highlights (from a text selection), ink
// (a pen on a layer over the page) and text notes.
//
// Everything is kept in PDF page coordinates (points, origin bottom left of the
// unrotated page: viewport.convertToPdfPoint), so a mark stays on its words at
// any zoom and rotation; each page's layer is drawn again whenever PDF.js
// renders that page. A new mark gets its uid here (crypto.randomUUID), goes to
// the IndexedDB outbox first and to the server afterwards: written offline, it
// is sent on the next connection. Marks are private unless the reader chooses
// to share them with the meeting or with named participants.

import { api, el, t } from "./meeting-common.js";
import * as outbox from "./live-outbox.js";

const SVG = "http://www.w3.org/2000/svg";
const COLORS = { highlight: "#ffd54f", ink: "#c62828", note: "#f9a825" };
const INK_WIDTH = 2; // PDF points
const INK_STEP = 0.75; // PDF points between kept pen positions: a stroke stays small
const TEXT_MAX = 4000; // the server's limit on a mark's text

export class Annotations extends EventTarget {
  constructor({ meetingId, userId, viewer, root }) {
    super();
    this.meetingId = meetingId;
    this.userId = userId;
    this.viewer = viewer;
    this.root = root;            // the part of the page with the tools, list and dialogs
    this.byUid = new Map();
    this.pendingUids = new Set();
    this.tool = "read";
    this.sharing = { visibility: "private", readers: [] };
    viewer.addEventListener("pagerendered", (event) => this.#drawPage(event.detail.view));
    viewer.addEventListener("opened", () => this.render());
  }

  get document() { return this.viewer.document; }

  /** What the server holds and what waits in the outbox (the outbox is newer). */
  async load() {
    try {
      const answer = await api("GET", `/api/v1/meetings/${this.meetingId}/annotations`);
      for (const annotation of answer.annotations ?? []) this.#store(annotation);
    } catch {
      // Offline without a cached copy: the outbox and live events still fill the list.
    }
    await this.#readOutbox();
    this.render();
  }

  async #readOutbox() {
    const records = await outbox.pending(this.meetingId, this.userId).catch(() => []);
    this.pendingUids = new Set(records.map((record) => record.uid));
    for (const { change } of records) {
      const known = this.byUid.get(change.uid);
      this.#store({ ...known, ...change, mine: true, pending: true });
    }
    this.#announcePending();
  }

  /** An annotation the server sent (live event or sync answer). */
  apply(annotation) {
    if (!annotation?.uid || this.pendingUids.has(annotation.uid)) return;
    this.#store(annotation);
    this.render();
  }

  #store(annotation) {
    if (annotation.deleted) {
      this.byUid.delete(annotation.uid);
      return;
    }
    // The server names the owner; "mine" is whether that is the one reading.
    const mine = annotation.mine ?? annotation.owner?.user_id === this.userId;
    this.byUid.set(annotation.uid, { ...annotation, mine });
  }

  /** Send the outbox; quiet when offline (it stays for the next time). */
  async flush() {
    try {
      const { sent, refused } = await outbox.flush(this.meetingId, this.userId);
      await this.#readOutbox();
      for (const annotation of sent) this.apply(annotation);
      // A mark made while that request was in flight waits in the outbox: send it too.
      if (this.pendingUids.size && (sent.length || refused.length)) setTimeout(() => this.flush(), 0);
      if (refused.length) this.#say(t("live.annotations.refused", { count: refused.length }), true);
      else if (sent.length) this.#say(t("live.annotations.synced", { count: sent.length }));
    } catch {
      this.#announcePending();
    }
  }

  /** Keep a change: shown at once, written to the outbox, sent when possible. */
  async save(fields) {
    const change = {
      uid: fields.uid ?? crypto.randomUUID(),
      document_id: this.document.id,
      version: this.document.version,
      visibility: this.sharing.visibility,
      readers: this.sharing.visibility === "named" ? [...this.sharing.readers] : [],
      deleted: false,
      ...fields,
    };
    await outbox.enqueue(this.meetingId, this.userId, change);
    this.pendingUids.add(change.uid);
    this.#store({ ...this.byUid.get(change.uid), ...change, mine: true, pending: true });
    this.render();
    this.#announcePending();
    if (navigator.onLine) this.flush();
    return change;
  }

  remove(annotation) {
    return this.save({ ...changeOf(annotation), deleted: true });
  }

  share(annotation, visibility, readers = []) {
    return this.save({ ...changeOf(annotation), visibility, readers });
  }

  setTool(tool) {
    this.tool = tool;
    for (const layer of this.viewer.container.querySelectorAll(".note-layer")) {
      layer.dataset.tool = tool;
    }
    this.viewer.container.dataset.tool = tool;
  }

  /** Marks of the document shown, on its version. */
  current() {
    const doc = this.document;
    if (!doc) return [];
    return [...this.byUid.values()]
      .filter((a) => a.document_id === doc.id && a.version === doc.version)
      .sort((a, b) => a.page - b.page);
  }

  render() {
    const doc = this.document;
    if (!doc || !this.viewer.pdf) return;
    for (let number = 1; number <= this.viewer.pages; number += 1) {
      const view = this.viewer.pageView(number);
      if (view?.div?.querySelector(".note-layer")) this.#drawPage(view);
    }
    this.dispatchEvent(new CustomEvent("change", { detail: { annotations: this.current() } }));
  }

  /** Highlight the text selected in the viewer; one mark per page it covers. */
  async highlightSelection() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !this.viewer.pdf) return 0;
    const range = selection.getRangeAt(0);
    if (!this.viewer.container.contains(range.commonAncestorContainer)) return 0;
    const text = selection.toString().normalize("NFC").replace(/\s+/g, " ").trim().slice(0, TEXT_MAX);
    const byPage = new Map();
    for (const rect of range.getClientRects()) {
      if (rect.width < 1 || rect.height < 1) continue;
      const view = this.#viewAt(rect.left + rect.width / 2, rect.top + rect.height / 2);
      if (!view) continue;
      const [x1, y1] = toPdf(view, rect.left, rect.bottom);
      const [x2, y2] = toPdf(view, rect.right, rect.top);
      const rects = byPage.get(view.id) ?? [];
      rects.push([Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)].map(round));
      byPage.set(view.id, rects);
    }
    for (const [page, rects] of byPage) {
      await this.save({ page, kind: "highlight", data: { rects, color: COLORS.highlight, text } });
    }
    selection.removeAllRanges();
    return byPage.size;
  }

  #viewAt(x, y) {
    for (let number = 1; number <= this.viewer.pages; number += 1) {
      const view = this.viewer.pageView(number);
      const box = view?.div?.getBoundingClientRect();
      if (box && x >= box.left && x <= box.right && y >= box.top && y <= box.bottom) return view;
    }
    return null;
  }

  #drawPage(view) {
    if (!view?.div || !this.document) return;
    let layer = view.div.querySelector(":scope > .note-layer");
    if (!layer) {
      layer = el("div", { class: "note-layer" });
      layer.append(document.createElementNS(SVG, "svg"));
      view.div.append(layer);
      this.#drawing(layer, view);
    }
    layer.dataset.tool = this.tool;
    const { width, height } = view.viewport;
    const svg = layer.querySelector("svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("aria-hidden", "true");
    svg.replaceChildren();
    for (const marker of layer.querySelectorAll(".note-marker")) marker.remove();
    const marks = this.current().filter((a) => a.page === view.id);
    for (const mark of marks) {
      if (mark.kind === "highlight") {
        for (const rect of mark.data.rects ?? []) {
          const [ax, ay] = view.viewport.convertToViewportPoint(rect[0], rect[1]);
          const [bx, by] = view.viewport.convertToViewportPoint(rect[2], rect[3]);
          svg.append(svgNode("rect", {
            x: Math.min(ax, bx), y: Math.min(ay, by), width: Math.abs(bx - ax), height: Math.abs(by - ay),
            fill: mark.data.color ?? COLORS.highlight, "fill-opacity": 0.4, class: "mark mark--highlight",
            "data-uid": mark.uid,
          }));
        }
      } else if (mark.kind === "ink") {
        const scale = view.viewport.scale;
        for (const stroke of mark.data.strokes ?? []) {
          const points = stroke.map(([x, y]) => view.viewport.convertToViewportPoint(x, y).join(","));
          svg.append(svgNode("polyline", {
            points: points.join(" "), fill: "none", stroke: mark.data.color ?? COLORS.ink,
            "stroke-width": (mark.data.width ?? INK_WIDTH) * scale, "stroke-linecap": "round",
            "stroke-linejoin": "round", class: "mark mark--ink", "data-uid": mark.uid,
          }));
        }
      } else if (mark.kind === "note") {
        const [x, y] = view.viewport.convertToViewportPoint(mark.data.x, mark.data.y);
        const owner = mark.mine ? "" : ` (${mark.owner?.name ?? ""})`;
        const marker = el("button", {
          type: "button", class: "note-marker", dataset: { uid: mark.uid },
          title: mark.data.text + owner,
          "aria-label": t("live.annotations.note_label", { page: mark.page, text: mark.data.text }) + owner,
          onclick: () => this.dispatchEvent(new CustomEvent("open-note", { detail: mark })),
        }, "✎");
        marker.style.left = `${(x / width) * 100}%`;
        marker.style.top = `${(y / height) * 100}%`;
        marker.style.background = mark.data.color ?? COLORS.note;
        layer.append(marker);
      }
    }
  }

  /** The pen and the note pin: pointer events on the layer of one page. */
  #drawing(layer, view) {
    let stroke = null;
    let line = null;
    const pageView = () => this.viewer.pageView(view.id) ?? view;
    layer.addEventListener("pointerdown", (event) => {
      if (event.target.closest(".note-marker")) return;
      if (this.tool === "note") {
        event.preventDefault();
        const [x, y] = toPdf(pageView(), event.clientX, event.clientY).map(round);
        this.dispatchEvent(new CustomEvent("new-note", { detail: { page: view.id, x, y } }));
        return;
      }
      if (this.tool !== "ink") return;
      event.preventDefault();
      layer.setPointerCapture(event.pointerId);
      stroke = [toPdf(pageView(), event.clientX, event.clientY).map(round)];
      line = svgNode("polyline", { fill: "none", stroke: COLORS.ink, "stroke-linecap": "round",
        "stroke-width": INK_WIDTH * pageView().viewport.scale, class: "mark mark--ink" });
      layer.querySelector("svg").append(line);
      extend(line, pageView(), stroke);
    });
    layer.addEventListener("pointermove", (event) => {
      if (!stroke) return;
      for (const moved of event.getCoalescedEvents?.() ?? [event]) {
        const point = toPdf(pageView(), moved.clientX, moved.clientY).map(round);
        const last = stroke[stroke.length - 1];
        if (Math.hypot(point[0] - last[0], point[1] - last[1]) >= INK_STEP) stroke.push(point);
      }
      extend(line, pageView(), stroke);
    });
    const finish = () => {
      if (!stroke) return;
      const points = stroke;
      stroke = null;
      line = null;
      if (points.length < 2) points.push([points[0][0] + 0.5, points[0][1]]);
      this.save({ page: view.id, kind: "ink", data: { strokes: [points], color: COLORS.ink, width: INK_WIDTH } });
    };
    layer.addEventListener("pointerup", finish);
    layer.addEventListener("pointercancel", finish);
  }

  #announcePending() {
    const count = this.pendingUids.size;
    this.dispatchEvent(new CustomEvent("pending", { detail: { count } }));
  }

  #say(text, error = false) {
    this.dispatchEvent(new CustomEvent("message", { detail: { text, error } }));
  }
}

/** The fields the server takes (ANNOTATION_IN), from an annotation as shown. */
function changeOf(annotation) {
  const { uid, document_id, version, page, kind, data, visibility, readers = [] } = annotation;
  return { uid, document_id, version, page, kind, data, visibility, readers, deleted: false };
}

/** Client (screen) coordinates over a page to PDF points of that page. */
function toPdf(view, clientX, clientY) {
  const box = view.div.getBoundingClientRect();
  const { width, height } = view.viewport;
  const x = ((clientX - box.left) * width) / box.width;
  const y = ((clientY - box.top) * height) / box.height;
  return view.viewport.convertToPdfPoint(x, y);
}

function extend(line, view, stroke) {
  line.setAttribute("points", stroke
    .map(([x, y]) => view.viewport.convertToViewportPoint(x, y).join(",")).join(" "));
}

function svgNode(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function round(value) {
  return Math.round(value * 100) / 100;
}

export const DEFAULT_COLORS = COLORS;
