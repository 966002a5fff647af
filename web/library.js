/* global setTimeout, clearTimeout */
// The library view: the papers in the store (GET /documents), a search over titles and authors,
// each paper's figures as a gallery, uploads by drag and drop or file picker (POST /documents)
// with live ingest progress (GET /ingest/{job} as server-sent events), and delete.

import { ApiError, apiUrl, authHeaders, docPath, errorOf, getJson, plural, readEvents, request } from "./api.js";
import { forgetDocument, openSource } from "./viewer.js";

const $ = (id) => document.getElementById(id);
const els = {
  count: $("library-count"),
  search: $("library-search"),
  dropzone: $("dropzone"),
  upload: $("upload"),
  uploads: $("uploads"),
  list: $("library-list"),
};

const state = {
  documents: [],
  query: "",
  searchTimer: undefined,
  /** Only the newest listing request may draw (answers can arrive out of order). */
  listing: 0,
  /** docId -> its list item, kept across redraws so focus and open galleries survive them. */
  items: new Map(),
};

/** Told after the library changed (an upload stored papers, a paper was deleted). */
let onChange = () => {};
export function whenLibraryChanges(handler) {
  onChange = handler;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export async function loadLibrary() {
  const listing = ++state.listing;
  try {
    const q = state.query ? `?q=${encodeURIComponent(state.query)}` : "";
    const body = await getJson(`documents${q}`);
    if (listing !== state.listing) return;
    state.documents = body.documents;
    renderList();
  } catch (error) {
    els.count.textContent = error instanceof ApiError && error.status === 401 ? "The library needs the API token: save it at the top of the page." : `The library could not be read: ${error.message}`;
  }
}

function renderList() {
  const docs = state.documents;
  els.count.textContent = state.query ? `${plural(docs.length, "paper")} match “${state.query}”` : docs.length ? plural(docs.length, "paper") : "No papers yet: add PDFs above.";
  const items = docs.map((doc) => {
    const kept = state.items.get(doc.docId);
    // The same paper, not re-ingested since: the item as the reader left it (focus, open gallery).
    if (kept && kept.dataset.ingestedAt === doc.ingestedAt) return kept;
    const item = renderItem(doc);
    state.items.set(doc.docId, item);
    return item;
  });
  for (const [docId, item] of state.items) if (!items.includes(item)) state.items.delete(docId);
  // Moves only what moved, so a focused button keeps its focus.
  items.forEach((item, i) => {
    if (els.list.children[i] !== item) els.list.insertBefore(item, els.list.children[i] || null);
  });
  while (els.list.children.length > items.length) els.list.lastElementChild.remove();
}

function renderItem(doc) {
  const li = document.createElement("li");
  li.className = "library-item";
  li.setAttribute("data-testid", "library-item");
  li.dataset.docId = doc.docId;
  li.dataset.ingestedAt = doc.ingestedAt;
  const title = document.createElement("h3");
  title.textContent = doc.title || doc.fileName;
  const authors = document.createElement("p");
  authors.className = "authors";
  authors.textContent = [doc.authors.slice(0, 6).join(", ") + (doc.authors.length > 6 ? " et al." : ""), doc.year].filter(Boolean).join(" · ");
  const facts = document.createElement("p");
  facts.className = "facts";
  facts.textContent = `${plural(doc.pages, "page")} · ${plural(doc.figures, "figure or table", "figures and tables")} · ingested ${dateFormat.format(new Date(doc.ingestedAt))}`;
  facts.dataset.pages = String(doc.pages);

  const actions = document.createElement("div");
  actions.className = "item-actions";
  const open = button("Read", "secondary", `Read ${doc.title} from page 1`);
  open.addEventListener("click", () => void openSource({ docId: doc.docId, title: doc.title, page: 1, kind: "text" }, open));
  const figures = button(doc.figures ? `Figures (${doc.figures})` : "No figures", "secondary", `Show the figures and tables of ${doc.title}`);
  figures.disabled = !doc.figures;
  figures.setAttribute("aria-expanded", "false");
  const remove = button("Delete", "danger", `Delete ${doc.title} from the library`);
  actions.append(open, figures, remove);

  const gallery = document.createElement("ul");
  gallery.className = "gallery";
  gallery.hidden = true;
  gallery.setAttribute("aria-label", `Figures and tables of ${doc.title}`);
  figures.addEventListener("click", () => void toggleGallery(doc, gallery, figures));
  remove.addEventListener("click", () => void deleteDocument(doc, li, remove));
  li.append(title, authors, facts, actions, gallery);
  return li;
}

function button(text, className, label) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = text;
  if (label) b.setAttribute("aria-label", label);
  return b;
}

async function toggleGallery(doc, gallery, toggle) {
  const opening = gallery.hidden;
  gallery.hidden = !opening;
  toggle.setAttribute("aria-expanded", String(opening));
  if (!opening || gallery.dataset.loaded) return;
  gallery.dataset.loaded = "true";
  try {
    const detail = await getJson(docPath(doc.docId));
    gallery.replaceChildren(...detail.figureList.map((f) => galleryItem(doc, f)));
  } catch (error) {
    gallery.textContent = `The figures could not be read: ${error.message}`;
  }
}

function galleryItem(doc, figure) {
  const li = document.createElement("li");
  const b = document.createElement("button");
  b.type = "button";
  b.className = "figure-tile";
  b.setAttribute("data-testid", "figure");
  b.setAttribute("aria-label", `${figure.label || "Figure"}${figure.page ? `, page ${figure.page}` : ""}: ${figure.caption.slice(0, 120)}`);
  const img = document.createElement("img");
  img.alt = "";
  img.loading = "lazy";
  const label = document.createElement("span");
  label.textContent = [figure.label, figure.page ? `p. ${figure.page}` : ""].filter(Boolean).join(" · ");
  b.append(img, label);
  if (figure.imageUrl) void loadThumb(img, figure.imageUrl);
  else img.hidden = true;
  b.addEventListener("click", () =>
    void openSource(
      { docId: doc.docId, title: doc.title, kind: "figure", page: figure.page, figureLabel: figure.label, imageUrl: figure.imageUrl, caption: figure.caption, boxes: figure.bbox ? [figure.bbox] : [], snippet: figure.caption },
      b,
    ),
  );
  li.append(b);
  return li;
}

async function loadThumb(img, url) {
  try {
    const res = await request(url, { headers: { Accept: "image/png" } });
    const objectUrl = URL.createObjectURL(await res.blob());
    // A decoded image keeps its pixels: the URL can go once it has loaded.
    img.addEventListener("load", () => URL.revokeObjectURL(objectUrl), { once: true });
    img.addEventListener("error", () => URL.revokeObjectURL(objectUrl), { once: true });
    img.src = objectUrl;
  } catch {
    img.hidden = true;
  }
}

async function deleteDocument(doc, li, trigger) {
  if (!window.confirm(`Delete “${doc.title}” from the library? Its passages, figures and page images are removed; your own copy of the file is not touched.`)) return;
  trigger.disabled = true;
  try {
    await request(docPath(doc.docId), { method: "DELETE" });
    forgetDocument(doc.docId);
    state.documents = state.documents.filter((d) => d.docId !== doc.docId);
    li.remove();
    renderList();
    els.count.textContent = `Deleted “${doc.title}”. ${els.count.textContent}`;
    els.search.focus();
    onChange();
  } catch (error) {
    trigger.disabled = false;
    els.count.textContent = `Could not delete: ${error.message}${error.hint ? ` ${error.hint}` : ""}`;
  }
}

// ---- Uploads ----

async function uploadFiles(files) {
  const pdfs = [...files];
  if (!pdfs.length) return;
  const row = document.createElement("li");
  row.className = "upload-job";
  const label = document.createElement("p");
  label.className = "upload-label";
  label.textContent = `Uploading ${pdfs.length === 1 ? pdfs[0].name : plural(pdfs.length, "file")}…`;
  const bar = document.createElement("progress");
  bar.max = pdfs.length;
  bar.value = 0;
  bar.setAttribute("aria-label", "Ingest progress");
  const detail = document.createElement("ul");
  detail.className = "upload-detail";
  row.append(label, bar, detail);
  els.uploads.prepend(row);

  const form = new FormData();
  for (const file of pdfs) form.append("files", file, file.name);
  let accepted;
  try {
    const res = await fetch(apiUrl("documents"), { method: "POST", body: form, headers: { Accept: "application/json", ...authHeaders() } });
    if (!res.ok) {
      const error = await errorOf(res);
      return failRow(row, label, bar, error);
    }
    accepted = await res.json();
  } catch {
    return failRow(row, label, bar, { message: "The upload did not reach the server.", hint: "Check that `folio serve` is running." });
  }
  for (const r of accepted.rejected) detail.append(line(`${r.name}: ${r.message} ${r.hint}`, "rejected"));
  label.textContent = `Ingesting ${accepted.accepted.map((f) => `${f.name} (${plural(f.pages, "page")})`).join(", ")}…`;
  bar.max = accepted.accepted.length;
  const phase = document.createElement("p");
  phase.className = "upload-phase";
  row.insertBefore(phase, detail);
  await followJob(accepted.jobUrl, { row, label, bar, detail, phase });
}

function line(text, className) {
  const li = document.createElement("li");
  li.className = className;
  li.textContent = text;
  return li;
}

function failRow(row, label, bar, error) {
  row.classList.add("failed");
  bar.remove();
  label.textContent = error.message;
  label.setAttribute("role", "alert");
  if (error.hint) row.append(line(error.hint, "hint"));
  row.dataset.state = "failed";
}

async function followJob(jobUrl, view) {
  const { row, label, bar, detail } = view;
  const addResult = (r) => {
    detail.append(fileLine(r));
    // The bar counts files finished, whatever became of them.
    bar.value = detail.querySelectorAll("li.stored, li.unchanged, li.skipped").length;
    bar.setAttribute("aria-valuetext", `${bar.value} of ${bar.max} files`);
    // Each stored paper shows up in the list as it lands, not only at the end.
    if (r.type === "done") {
      void loadLibrary();
      onChange();
    }
  };
  try {
    const res = await request(jobUrl, { headers: { Accept: "text/event-stream" } });
    for await (const { event, data } of readEvents(res.body)) {
      if (event === "job") {
        for (const r of data.results) addResult(r);
        if (data.progress) showPhase(view, data.progress);
        else if (data.notices.length) view.phase.textContent = data.notices[data.notices.length - 1];
        if (data.summary) return finishRow(row, label, bar, data.summary);
        if (data.error) return failRow(row, label, bar, data.error);
      } else if (event === "progress") showPhase(view, data);
      else if (event === "notice") view.phase.textContent = data.message;
      else if (event === "file") addResult(data);
      else if (event === "done") return finishRow(row, label, bar, data.summary);
      else if (event === "failed") return failRow(row, label, bar, data);
    }
    // The stream ended without a verdict (a proxy or the server went away): ask once more.
    const job = await getJson(jobUrl);
    if (job.summary) return finishRow(row, label, bar, job.summary);
    return failRow(row, label, bar, job.error || { message: "The server stopped reporting on this upload.", hint: "Reload the library to see what was stored." });
  } catch (error) {
    return failRow(row, label, bar, { message: `Lost track of the ingest: ${error.message}`, hint: "Reload the library to see what was stored." });
  }
}

const PHASE_VERB = { discover: "Finding", parse: "Reading", store: "Storing" };

function showPhase(view, p) {
  view.phase.textContent = `${PHASE_VERB[p.phase] || p.phase} ${p.done} of ${p.total} ${p.unit}`;
}

function fileLine(r) {
  if (r.type === "done") return line(`${r.title}: ${plural(r.pages, "page")}, ${plural(r.figures, "figure or table", "figures and tables")}`, "stored");
  if (r.type === "unchanged") return line(`${r.name}: already in the library`, "unchanged");
  if (r.type === "skipped") return line(`${r.name}: skipped (${r.detail || r.reason}). ${r.hint}`, "skipped");
  return line(`${r.name}: ${r.type}`, "");
}

/** A long list of what an upload stored folds away behind a toggle once the job is done. */
function collapse(detail) {
  if (!detail || detail.children.length <= 3) return;
  detail.hidden = true;
  const toggle = button(`Show the ${detail.children.length} files`, "link");
  toggle.setAttribute("aria-expanded", "false");
  toggle.addEventListener("click", () => {
    detail.hidden = !detail.hidden;
    toggle.setAttribute("aria-expanded", String(!detail.hidden));
    toggle.textContent = detail.hidden ? `Show the ${detail.children.length} files` : "Hide the files";
  });
  detail.before(toggle);
}

function finishRow(row, label, bar, summary) {
  bar.value = bar.max;
  row.dataset.state = "done";
  const parts = [`${plural(summary.ingested, "paper")} added`];
  if (summary.unchanged) parts.push(`${summary.unchanged} already there`);
  if (summary.skipped.length) parts.push(`${summary.skipped.length} skipped`);
  label.textContent = `${parts.join(", ")}.`;
  row.querySelector(".upload-phase")?.remove();
  collapse(row.querySelector(".upload-detail"));
  void loadLibrary();
  onChange();
}

els.upload.addEventListener("change", () => {
  const files = els.upload.files;
  if (files && files.length) void uploadFiles(files).finally(() => (els.upload.value = ""));
});

for (const type of ["dragenter", "dragover"]) {
  els.dropzone.addEventListener(type, (event) => {
    event.preventDefault();
    els.dropzone.classList.add("over");
  });
}
for (const type of ["dragleave", "drop"]) els.dropzone.addEventListener(type, () => els.dropzone.classList.remove("over"));
els.dropzone.addEventListener("drop", (event) => {
  event.preventDefault();
  if (event.dataTransfer && event.dataTransfer.files.length) void uploadFiles(event.dataTransfer.files);
});

els.search.addEventListener("input", () => {
  clearTimeout(state.searchTimer);
  state.searchTimer = setTimeout(() => {
    state.query = els.search.value.trim();
    void loadLibrary();
  }, 150);
});
