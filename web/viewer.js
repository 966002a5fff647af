// The source panel: a cited passage on its PDF page (pdf.js, served by Folio under /vendor/pdfjs),
// highlighted and scrolled into view, with page and zoom controls; a figure or table as its crop,
// with a button to see it on the page; "Open the PDF" and "Copy BibTeX" for the paper.

import { apiUrl, authHeaders, copyText, docPath, getJson, locationLabel, request, savedToken } from "./api.js";

const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
/** The narrowest a page is drawn (px), however narrow the panel. */
const MIN_PAGE_WIDTH = 200;
const HIGHLIGHT_PAD = 2;
/** How long a PDF opened in a new tab (with a token) keeps its blob URL. */
const BLOB_URL_LIFETIME_MS = 60_000;

const $ = (id) => document.getElementById(id);
const els = {
  viewer: $("viewer"),
  title: $("viewer-title"),
  meta: $("viewer-meta"),
  onPage: $("viewer-on-page"),
  openPdf: $("viewer-open-pdf"),
  bibtex: $("viewer-bibtex"),
  copied: $("viewer-copied"),
  figure: $("viewer-figure"),
  image: $("viewer-image"),
  caption: $("viewer-caption"),
  snippet: $("viewer-snippet"),
  close: $("close-viewer"),
  pdf: $("pdf"),
  prev: $("pdf-prev"),
  next: $("pdf-next"),
  pageLabel: $("pdf-page-label"),
  zoomIn: $("pdf-zoom-in"),
  zoomOut: $("pdf-zoom-out"),
  zoomLabel: $("pdf-zoom-label"),
  scroll: $("pdf-scroll"),
  page: $("pdf-page"),
  message: $("pdf-message"),
};

const state = {
  source: undefined,
  returnFocus: undefined,
  objectUrl: undefined,
  /** docId -> Promise<PDFDocumentProxy> */
  documents: new Map(),
  docId: undefined,
  pageNumber: 1,
  pageCount: 0,
  /** Index into ZOOM_STEPS (1 = fit the panel width). */
  zoomStep: 2,
  /** {page, boxes, kind}: what to highlight, on its page only. */
  marks: undefined,
  renderTask: undefined,
  generation: 0,
};

let pdfjsLoading;
function loadPdfjs() {
  pdfjsLoading ??= import(apiUrl("vendor/pdfjs/build/pdf.min.mjs")).then((pdfjs) => {
    pdfjs.GlobalWorkerOptions.workerSrc = apiUrl("vendor/pdfjs/build/pdf.worker.min.mjs");
    return pdfjs;
  });
  return pdfjsLoading;
}

function openDocument(docId) {
  if (!state.documents.has(docId)) {
    const loading = loadPdfjs().then(
      (pdfjs) =>
        pdfjs.getDocument({
          url: apiUrl(`${docPath(docId)}/pdf`),
          httpHeaders: authHeaders(),
          standardFontDataUrl: apiUrl("vendor/pdfjs/standard_fonts/"),
          cMapUrl: apiUrl("vendor/pdfjs/cmaps/"),
          cMapPacked: true,
          isEvalSupported: false,
        }).promise,
    );
    // A failed load is not cached: the next click tries again (the file may be back).
    loading.catch(() => state.documents.delete(docId));
    state.documents.set(docId, loading);
  }
  return state.documents.get(docId);
}

/** Forgets a deleted paper's loaded PDF. */
export function forgetDocument(docId) {
  const loading = state.documents.get(docId);
  state.documents.delete(docId);
  if (loading) loading.then((doc) => doc.destroy()).catch(() => undefined);
}

function describeMeta(source) {
  const parts = [];
  if (source.kind === "figure") parts.push(source.figureLabel || "Figure");
  else if (source.kind === "page") parts.push("Page image");
  else if (source.kind === "text") parts.push("Passage");
  const where = locationLabel({ page: source.page });
  if (where) parts.push(where);
  return parts.join(" · ");
}

/** Opens the panel on a citation, a search hit, or a library entry ({docId, title, page?, boxes?, kind?}). */
export async function openSource(source, opener) {
  // Whatever the previous source was still loading is now stale.
  const generation = ++state.generation;
  state.renderTask?.cancel();
  state.source = source;
  state.returnFocus = opener;
  els.viewer.hidden = false;
  els.title.textContent = source.n ? `[${source.n}] ${source.title || source.docId}` : source.title || source.docId;
  els.meta.textContent = describeMeta(source);
  els.snippet.textContent = source.snippet || "";
  els.snippet.hidden = !source.snippet;
  els.copied.textContent = "";
  setOpenPdfLink(source.docId, source.page || 1);
  els.title.focus();
  const crop = source.kind === "figure" && source.imageUrl;
  els.onPage.hidden = !(crop && source.page);
  if (crop) {
    els.pdf.hidden = true;
    await showCrop(source, generation);
  } else {
    hideCrop();
    await showPage(source.docId, source.page || 1, source.page ? { page: source.page, boxes: source.boxes || [], kind: source.kind } : undefined);
  }
}

function setOpenPdfLink(docId, page) {
  els.openPdf.hidden = false;
  els.openPdf.href = `${apiUrl(`${docPath(docId)}/pdf`)}#page=${page}`;
}

async function showCrop(source, generation) {
  hideCrop();
  try {
    // Fetched rather than linked, so the bearer token can go along.
    const res = await request(source.imageUrl, { headers: { Accept: "image/png" } });
    const blob = await res.blob();
    if (generation !== state.generation) return;
    state.objectUrl = URL.createObjectURL(blob);
    els.image.src = state.objectUrl;
    els.image.alt = source.kind === "page" ? `Page ${source.page || ""} of ${source.title}` : `${source.figureLabel || "Figure"} from ${source.title}`;
    els.caption.textContent = source.caption || [source.figureLabel, source.page ? `page ${source.page}` : ""].filter(Boolean).join(", ");
    els.figure.hidden = false;
  } catch {
    if (generation === state.generation) els.meta.textContent += " · image unavailable";
  }
}

function hideCrop() {
  els.figure.hidden = true;
  els.image.removeAttribute("src");
  revokeObjectUrl();
}

function revokeObjectUrl() {
  if (state.objectUrl) URL.revokeObjectURL(state.objectUrl);
  state.objectUrl = undefined;
}

async function showPage(docId, pageNumber, marks) {
  els.pdf.hidden = false;
  els.message.textContent = "";
  if (state.docId !== docId) state.pageCount = 0;
  state.docId = docId;
  state.pageNumber = pageNumber;
  state.marks = marks;
  void warnIfChanged(docId);
  await renderPage();
}

/** The server says when the PDF changed after it was ingested: the boxes may no longer fit. */
async function warnIfChanged(docId) {
  try {
    const res = await request(`${docPath(docId)}/pdf`, { method: "HEAD", headers: { Accept: "application/pdf" } });
    if (res.headers.get("x-folio-source-changed") && state.docId === docId) {
      els.message.textContent = "This PDF changed after it was ingested: the highlight may be off. Ingest it again to update it.";
    }
  } catch {
    // The render reports a missing PDF itself.
  }
}

async function renderPage() {
  const generation = ++state.generation;
  state.renderTask?.cancel();
  els.page.setAttribute("aria-busy", "true");
  let doc;
  try {
    doc = await openDocument(state.docId);
  } catch (error) {
    if (generation === state.generation) await showLoadFailure(error, generation);
    return;
  }
  if (generation !== state.generation) return;
  state.pageCount = doc.numPages;
  state.pageNumber = Math.min(Math.max(1, state.pageNumber), doc.numPages);
  const page = await doc.getPage(state.pageNumber);
  const drawn = await drawCanvas(page);
  if (!drawn || generation !== state.generation) return;
  const textContent = await page.getTextContent();
  const text = await textLayer(drawn.viewport, textContent);
  const quoted = await quoteMarks(page, drawn.viewport.scale, textContent);
  if (generation !== state.generation) return;
  els.page.replaceChildren(drawn.canvas, ...highlights(drawn.viewport.scale), ...quoted, text);
  els.page.style.width = drawn.canvas.style.width;
  els.page.style.height = drawn.canvas.style.height;
  els.page.dataset.page = String(state.pageNumber);
  els.page.dataset.scale = String(drawn.viewport.scale);
  els.page.setAttribute("aria-label", `Page ${state.pageNumber} of ${state.pageCount}${state.marks && state.marks.page === state.pageNumber ? ", cited passage highlighted" : ""}`);
  els.page.removeAttribute("aria-busy");
  updateToolbar();
  scrollToHighlight();
}

async function showLoadFailure(error, generation) {
  els.page.textContent = "";
  els.page.removeAttribute("aria-busy");
  state.pageCount = 0;
  const source = state.source;
  // A rendered page image still shows the page when the PDF itself is not on the server.
  if (source && source.kind === "page" && source.imageUrl && source.docId === state.docId) {
    els.pdf.hidden = true;
    await showCrop(source, generation);
    return;
  }
  els.message.textContent = pdfErrorMessage(error);
  updateToolbar();
}

/** Draws the page at the zoom step (1 fits the panel's width) for the screen's pixel ratio; undefined when cancelled. */
async function drawCanvas(page) {
  const unscaled = page.getViewport({ scale: 1 });
  const available = Math.max(MIN_PAGE_WIDTH, els.scroll.clientWidth - 4);
  const viewport = page.getViewport({ scale: (available / unscaled.width) * ZOOM_STEPS[state.zoomStep] });
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  const task = page.render({ canvas, viewport, transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined });
  state.renderTask = task;
  try {
    await task.promise;
  } catch (error) {
    if (error && error.name === "RenderingCancelledException") return undefined;
    throw error;
  }
  return { canvas, viewport };
}

/** Scrolls the page's own box to the first highlight (and, on a phone, the panel): the window stays put. */
function scrollToHighlight() {
  const first = els.page.querySelector(".highlight");
  els.scroll.scrollTop = first ? Math.max(0, first.offsetTop + first.offsetHeight / 2 - els.scroll.clientHeight / 2) : 0;
  const outside = first && (first.offsetLeft < els.scroll.scrollLeft || first.offsetLeft + first.offsetWidth > els.scroll.scrollLeft + els.scroll.clientWidth);
  if (!first) els.scroll.scrollLeft = 0;
  else if (outside) els.scroll.scrollLeft = Math.max(0, first.offsetLeft - 16);
  if (first && panelCoversPage()) {
    const top = first.getBoundingClientRect().top - els.viewer.getBoundingClientRect().top + els.viewer.scrollTop;
    els.viewer.scrollTop = Math.max(0, top - els.viewer.clientHeight / 3);
  }
}

/** On a phone the panel is fixed over the whole page, like a dialog. */
function panelCoversPage() {
  return !els.viewer.hidden && window.getComputedStyle(els.viewer).position === "fixed";
}

function highlights(scale) {
  const marks = state.marks;
  if (!marks || marks.page !== state.pageNumber) return [];
  return (marks.boxes || []).map(([x0, y0, x1, y1]) => {
    const box = document.createElement("div");
    box.className = `highlight ${marks.kind === "figure" ? "figure" : ""}`;
    box.setAttribute("data-testid", "highlight");
    box.style.left = `${x0 * scale - HIGHLIGHT_PAD}px`;
    box.style.top = `${y0 * scale - HIGHLIGHT_PAD}px`;
    box.style.width = `${(x1 - x0) * scale + 2 * HIGHLIGHT_PAD}px`;
    box.style.height = `${(y1 - y0) * scale + 2 * HIGHLIGHT_PAD}px`;
    return box;
  });
}

const normalise = (text) => text.normalize("NFKD").toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
/** Quotes shorter than this are too likely to occur twice on a page. */
const MIN_QUOTE = 16;
const MAX_QUOTE = 600;

/** pdf.js's text layer over the canvas: the page's words, transparent, for selecting and copying. */
async function textLayer(viewport, textContent) {
  const pdfjs = await loadPdfjs();
  const container = document.createElement("div");
  container.className = "textLayer";
  container.style.setProperty("--total-scale-factor", String(viewport.scale));
  container.style.setProperty("--scale-factor", String(viewport.scale));
  try {
    await new pdfjs.TextLayer({ textContentSource: textContent, container, viewport }).render();
  } catch {
    // Without a text layer the page is still shown; only selecting its text is lost.
  }
  return container;
}

/**
 * The quoted sentence inside the highlighted passage, found in the page's own text (pdf.js text
 * items, compared on letters and digits only, so line-break hyphens and spacing do not matter).
 */
async function quoteMarks(page, scale, textContent) {
  const marks = state.marks;
  const quote = state.source && state.source.snippet;
  if (!marks || marks.page !== state.pageNumber || marks.kind === "figure" || !quote || quote.length > MAX_QUOTE) return [];
  const wanted = normalise(quote.replace(/…$/, ""));
  if (wanted.length < MIN_QUOTE) return [];
  const items = await passageItems(page, textContent, marks.boxes);
  return quoteRects(items, wanted).map(([x0, y0, x1, y1]) => {
    const mark = document.createElement("div");
    mark.className = "quote-mark";
    mark.setAttribute("data-testid", "quote");
    mark.style.left = `${x0 * scale - 1}px`;
    mark.style.top = `${y0 * scale}px`;
    mark.style.width = `${(x1 - x0) * scale + 2}px`;
    mark.style.height = `${(y1 - y0) * scale + 2}px`;
    return mark;
  });
}

/** The page's text items inside the passage's boxes, each with its box in PDF points and its letters. */
async function passageItems(page, textContent, boxes) {
  const pdfjs = await loadPdfjs();
  const viewport = page.getViewport({ scale: 1 });
  const inPassage = (box) => {
    const midY = (box[1] + box[3]) / 2;
    return !boxes.length || boxes.some((b) => midY >= b[1] - 2 && midY <= b[3] + 2 && Math.min(box[2], b[2]) > Math.max(box[0], b[0]));
  };
  const items = [];
  for (const item of textContent.items) {
    if (!item.str) continue;
    const [, , c, d, x, y] = pdfjs.Util.transform(viewport.transform, item.transform);
    const box = [x, y - Math.hypot(c, d), x + item.width, y];
    if (inPassage(box)) items.push({ text: normalise(item.str), box });
  }
  return items;
}

/** Where the letters of the quote run through the items: one rectangle per line (parts of items by their share of characters). */
function quoteRects(items, wanted) {
  let stream = "";
  const owners = [];
  items.forEach((item, i) => {
    stream += item.text;
    for (let k = 0; k < item.text.length; k++) owners.push([i, k]);
  });
  const start = stream.indexOf(wanted);
  if (start === -1) return [];
  const [firstItem, firstChar] = owners[start];
  const [lastItem, lastChar] = owners[start + wanted.length - 1];
  const rects = [];
  for (let i = firstItem; i <= lastItem; i++) {
    const { box, text } = items[i];
    const from = i === firstItem ? firstChar / text.length : 0;
    const to = i === lastItem ? (lastChar + 1) / text.length : 1;
    const width = box[2] - box[0];
    const part = [box[0] + from * width, box[1], box[0] + to * width, box[3]];
    const previous = rects[rects.length - 1];
    if (previous && Math.abs(previous[3] - part[3]) < 2 && part[0] - previous[2] < 12) previous[2] = Math.max(previous[2], part[2]);
    else rects.push(part);
  }
  return rects;
}

function pdfErrorMessage(error) {
  const status = error && error.status;
  if (status === 404) return "This paper's PDF is not on the server (it was ingested from a file that moved, or from Markdown). The passage is quoted below.";
  if (status === 401) return "The server needs the API token to open the PDF: save it at the top of the page.";
  return "The PDF could not be opened. The passage is quoted below.";
}

function updateToolbar() {
  els.pageLabel.textContent = state.pageCount ? `Page ${state.pageNumber} of ${state.pageCount}` : "";
  els.prev.disabled = state.pageNumber <= 1;
  els.next.disabled = !state.pageCount || state.pageNumber >= state.pageCount;
  els.zoomOut.disabled = state.zoomStep <= 0;
  els.zoomIn.disabled = state.zoomStep >= ZOOM_STEPS.length - 1;
  els.zoomLabel.textContent = `${Math.round(ZOOM_STEPS[state.zoomStep] * 100)}%`;
  setOpenPdfLink(state.docId, state.pageNumber);
}

function turnPage(delta) {
  state.pageNumber += delta;
  void renderPage();
}

function zoomBy(delta) {
  state.zoomStep = Math.min(ZOOM_STEPS.length - 1, Math.max(0, state.zoomStep + delta));
  void renderPage();
}

export function closeViewer() {
  if (els.viewer.hidden) return;
  els.viewer.hidden = true;
  state.generation++;
  state.renderTask?.cancel();
  revokeObjectUrl();
  const back = state.returnFocus;
  if (back && document.body.contains(back)) back.focus();
}

export function isViewerOpen() {
  return !els.viewer.hidden;
}

async function copyBibtex() {
  const source = state.source;
  if (!source) return;
  try {
    const doc = await getJson(docPath(source.docId));
    const ok = await copyText(doc.bibtex);
    els.copied.textContent = ok ? "BibTeX copied." : "Copy failed: select the text by hand.";
    els.bibtex.dataset.bibtex = doc.bibtex;
  } catch (error) {
    els.copied.textContent = error.message || "The reference could not be read.";
  }
}

/** With a token the PDF cannot be a plain link: fetch it and open the bytes. */
async function openPdfWithToken(event) {
  if (!savedToken()) return;
  event.preventDefault();
  const target = window.open("", "_blank");
  try {
    const res = await request(`${docPath(state.source.docId)}/pdf`, { headers: { Accept: "application/pdf" } });
    const url = URL.createObjectURL(await res.blob());
    if (target) target.location.href = `${url}#page=${state.pageNumber}`;
    // The new tab holds its own copy once loaded; the URL need not live for the page's lifetime.
    window.setTimeout(() => URL.revokeObjectURL(url), BLOB_URL_LIFETIME_MS);
  } catch (error) {
    if (target) target.close();
    els.copied.textContent = error.message;
  }
}

els.close.addEventListener("click", closeViewer);
els.prev.addEventListener("click", () => turnPage(-1));
els.next.addEventListener("click", () => turnPage(1));
els.zoomIn.addEventListener("click", () => zoomBy(1));
els.zoomOut.addEventListener("click", () => zoomBy(-1));
els.bibtex.addEventListener("click", () => void copyBibtex());
els.openPdf.addEventListener("click", (event) => void openPdfWithToken(event));
els.onPage.addEventListener("click", () => {
  const s = state.source;
  if (!s) return;
  hideCrop();
  els.onPage.hidden = true;
  void showPage(s.docId, s.page || 1, { page: s.page, boxes: s.boxes || [], kind: "figure" });
});
document.addEventListener("keydown", (event) => {
  if (!isViewerOpen()) return;
  const active = document.activeElement;
  const typingElsewhere = active && !els.viewer.contains(active) && (active.tagName === "INPUT" || active.tagName === "TEXTAREA");
  if (event.key === "Escape" && !typingElsewhere) closeViewer();
  else if (event.key === "Tab" && panelCoversPage()) keepFocusInPanel(event);
  // Page keys while the PDF has focus inside the panel.
  else if (!els.pdf.hidden && els.viewer.contains(active) && active.tagName !== "INPUT") {
    if (event.key === "PageDown" && !els.next.disabled) {
      event.preventDefault();
      turnPage(1);
    } else if (event.key === "PageUp" && !els.prev.disabled) {
      event.preventDefault();
      turnPage(-1);
    }
  }
});

/** On a phone the panel is a dialog over the page: Tab cycles through its own controls. */
function keepFocusInPanel(event) {
  const focusable = [...els.viewer.querySelectorAll("button, a[href], [tabindex]")].filter((el) => !el.disabled && el.offsetParent !== null);
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !els.viewer.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !els.viewer.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}
