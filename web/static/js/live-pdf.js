// The document viewer of the reader: PDF.js's PDFViewer (pages with a text
// layer, so Vietnamese text can be selected and searched), page thumbnails,
// zoom by buttons and by pinching, and search.
//
// It tells apart the pages the reader turns from those the program turns
// (following the chair): a "pagechange" event carries `user: true` only after
// a gesture of the reader's own (scrolling, a key, a tap on a thumbnail).

import * as pdfjsLib from "/vendor/pdfjs/pdf.mjs";
// pdf_viewer.mjs reads globalThis.pdfjsLib, which pdf.mjs (imported above, so evaluated first) sets.
import { EventBus, PDFFindController, PDFLinkService, PDFViewer } from "/vendor/pdfjs-viewer/pdf_viewer.mjs";

pdfjsLib.GlobalWorkerOptions.workerSrc = "/vendor/pdfjs/pdf.worker.mjs";

const GESTURE_MS = 1500;      // a page change this soon after a gesture is the reader's own
const THUMB_WIDTH = 96;       // CSS pixels
const MIN_SCALE = 0.25;
const MAX_SCALE = 6;

export class DocumentViewer extends EventTarget {
  /** `root` holds [data-viewer] (the scrolling container) and [data-thumbnails]. */
  constructor(root) {
    super();
    this.root = root;
    this.container = root.querySelector("[data-viewer]");
    this.thumbnails = root.querySelector("[data-thumbnails]");
    this.eventBus = new EventBus();
    this.linkService = new PDFLinkService({ eventBus: this.eventBus });
    this.findController = new PDFFindController({ eventBus: this.eventBus, linkService: this.linkService });
    this.viewer = new PDFViewer({
      container: this.container,
      eventBus: this.eventBus,
      linkService: this.linkService,
      findController: this.findController,
      annotationEditorMode: pdfjsLib.AnnotationEditorType.DISABLE,
      removePageBorders: false,
    });
    this.linkService.setViewer(this.viewer);
    this.document = null;   // the manifest entry shown
    this.pdf = null;
    this.task = null;     // the loading task of the document shown: destroying it frees the document
    this.loading = null;
    this.lastGesture = 0;
    this.#listen();
  }

  get page() { return this.viewer.currentPageNumber; }
  get pages() { return this.pdf?.numPages ?? 0; }

  /** Open a document of the manifest at `page`; resolves once its pages are laid out. */
  async open(doc, page = 1) {
    if (this.document?.id === doc.id && this.document?.url === doc.url && this.pdf) {
      this.goTo(page);
      return;
    }
    this.loading?.destroy();
    this.document = doc;
    this.dispatchEvent(new CustomEvent("loading", { detail: { document: doc } }));
    const task = pdfjsLib.getDocument({
      url: doc.url,
      cMapUrl: "/vendor/pdfjs-cmaps/",
      cMapPacked: true,
      standardFontDataUrl: "/vendor/pdfjs-fonts/",
      // Confidential copies are stamped per request and sent whole, without ranges.
      disableRange: Boolean(doc.view_only),
      disableStream: Boolean(doc.view_only),
    });
    this.loading = task;
    let pdf;
    try {
      pdf = await task.promise;
    } catch (error) {
      if (this.loading === task) {
        this.loading = null;
        this.dispatchEvent(new CustomEvent("failed", { detail: { document: doc, error } }));
      }
      throw error;
    }
    if (this.loading !== task) return; // another document was asked for meanwhile
    this.loading = null;
    const previous = this.task;
    this.task = task;
    this.pdf = pdf;
    const laidOut = new Promise((resolve) => this.eventBus.on("pagesinit", resolve, { once: true }));
    this.viewer.setDocument(pdf);
    this.linkService.setDocument(pdf, null);
    await laidOut;
    previous?.destroy().catch(() => {});
    this.viewer.currentScaleValue = "page-width";
    this.goTo(page);
    this.#renderThumbnails(pdf);
    this.dispatchEvent(new CustomEvent("opened", { detail: { document: doc, pages: pdf.numPages } }));
  }

  /** Show `page` (clamped), without counting it as the reader's own turn. */
  goTo(page) {
    if (!this.pdf) return;
    const target = Math.min(Math.max(1, Number(page) || 1), this.pdf.numPages);
    this.lastGesture = 0;
    if (this.viewer.currentPageNumber !== target) this.viewer.currentPageNumber = target;
  }

  /** The reader's own turn of page (buttons, thumbnails, the page field). */
  turnTo(page) {
    if (!this.pdf) return;
    const target = Math.min(Math.max(1, Number(page) || 1), this.pdf.numPages);
    this.lastGesture = Date.now();
    if (this.viewer.currentPageNumber === target) {
      this.#pageChanged(target);
    } else {
      this.viewer.currentPageNumber = target;
    }
  }

  zoomIn() { this.#zoom(1.25); }
  zoomOut() { this.#zoom(0.8); }
  fitWidth() { if (this.pdf) this.viewer.currentScaleValue = "page-width"; }
  get scale() { return this.viewer.currentScale; }

  #zoom(factor) {
    if (!this.pdf) return;
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.viewer.currentScale * factor));
    this.viewer.currentScale = scale;
  }

  /** Search the text; `again` for the next (or, with `previous`, the one before) match. */
  find(query, { again = false, previous = false } = {}) {
    this.lastGesture = Date.now();
    this.eventBus.dispatch("find", {
      source: this, type: again ? "again" : "", query,
      caseSensitive: false, entireWord: false, highlightAll: true,
      findPrevious: previous, matchDiacritics: false,
    });
  }

  /** The PDFPageView of a page (its div and viewport), or null. */
  pageView(pageNumber) {
    return this.viewer.getPageView(pageNumber - 1) ?? null;
  }

  #listen() {
    const gesture = () => { this.lastGesture = Date.now(); };
    for (const name of ["wheel", "touchstart", "pointerdown", "keydown"]) {
      this.container.addEventListener(name, gesture, { passive: true });
    }
    this.eventBus.on("pagechanging", ({ pageNumber }) => this.#pageChanged(pageNumber));
    this.eventBus.on("pagerendered", ({ pageNumber, source }) => {
      this.dispatchEvent(new CustomEvent("pagerendered", { detail: { pageNumber, view: source } }));
    });
    this.eventBus.on("scalechanging", ({ scale }) => {
      this.dispatchEvent(new CustomEvent("scale", { detail: { scale } }));
    });
    this.eventBus.on("updatefindmatchescount", ({ matchesCount }) => {
      this.dispatchEvent(new CustomEvent("found", { detail: matchesCount }));
    });
    this.eventBus.on("updatefindcontrolstate", ({ state, matchesCount }) => {
      this.dispatchEvent(new CustomEvent("found", { detail: { ...matchesCount, state } }));
    });
    this.#pinchZoom();
    // "Fit width" stays true when the thumbnails open or the tablet turns.
    new ResizeObserver(() => {
      const preset = this.viewer.currentScaleValue;
      if (this.pdf && (preset === "page-width" || preset === "page-fit")) {
        this.viewer.currentScaleValue = preset;
      }
    }).observe(this.container);
  }

  #pageChanged(pageNumber) {
    const user = Date.now() - this.lastGesture < GESTURE_MS;
    for (const thumb of this.thumbnails?.querySelectorAll("[data-page]") ?? []) {
      const current = Number(thumb.dataset.page) === pageNumber;
      if (current) thumb.setAttribute("aria-current", "page");
      else thumb.removeAttribute("aria-current");
    }
    this.thumbnails?.querySelector(`[data-page="${pageNumber}"]`)?.scrollIntoView({ block: "nearest" });
    this.dispatchEvent(new CustomEvent("pagechange", { detail: { page: pageNumber, user } }));
  }

  /** Two fingers zoom around their middle, as PDF.js's own viewer does. */
  #pinchZoom() {
    if (!pdfjsLib.TouchManager) return;
    const controller = new AbortController();
    let startScale = 1;
    new pdfjsLib.TouchManager({
      container: this.container,
      isPinchingDisabled: () => !this.pdf,
      onPinchStart: () => { startScale = this.viewer.currentScale; this.lastGesture = Date.now(); },
      onPinching: (origin, previousDistance, distance) => {
        const factor = distance / previousDistance;
        this.viewer.updateScale({ drawingDelay: 400, scaleFactor: factor, origin });
      },
      onPinchEnd: () => {
        if (this.viewer.currentScale !== startScale) this.viewer.refresh?.();
      },
      signal: controller.signal,
    });
    this.stopPinch = () => controller.abort();
  }

  #renderThumbnails(pdf) {
    const list = this.thumbnails;
    if (!list) return;
    const label = list.dataset.pageLabel ?? "{page}";
    const items = [];
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const canvas = document.createElement("canvas");
      canvas.className = "thumb__canvas";
      canvas.setAttribute("aria-hidden", "true");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "thumb";
      button.dataset.page = String(number);
      button.setAttribute("aria-label", label.replace("{page}", String(number)));
      const caption = document.createElement("span");
      caption.className = "thumb__number";
      caption.textContent = String(number);
      button.append(canvas, caption);
      button.addEventListener("click", () => this.turnTo(number));
      const item = document.createElement("li");
      item.append(button);
      items.push(item);
    }
    list.replaceChildren(...items);
    this.thumbObserver?.disconnect();
    // Drawn when scrolled into view: a 300-page board pack must not render 300 canvases at once.
    this.thumbObserver = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        this.thumbObserver.unobserve(entry.target);
        drawThumbnail(pdf, Number(entry.target.dataset.page), entry.target.querySelector("canvas"))
          .catch(() => {});
      }
    }, { root: list, rootMargin: "200px" });
    for (const button of list.querySelectorAll(".thumb")) this.thumbObserver.observe(button);
    this.#pageChanged(this.viewer.currentPageNumber);
  }
}

async function drawThumbnail(pdf, number, canvas) {
  const page = await pdf.getPage(number);
  const unscaled = page.getViewport({ scale: 1 });
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: (THUMB_WIDTH / unscaled.width) * ratio });
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  canvas.style.width = `${THUMB_WIDTH}px`;
  canvas.style.aspectRatio = `${viewport.width} / ${viewport.height}`;
  await page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport }).promise;
  page.cleanup();
}
