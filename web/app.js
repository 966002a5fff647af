// Folio's web page: plain ES modules, no build step, no external resources (pdf.js is served by
// Folio itself). This module starts the page: the status line, the API token, the Chat and
// Library views. chat.js streams answers, viewer.js shows sources on their PDF page, library.js
// lists, uploads and deletes papers.

import { getJson, plural, savedToken, saveToken } from "./api.js";
import { newConversation, setImageSearch, whenUnauthorized } from "./chat.js";
import { loadLibrary, whenLibraryChanges } from "./library.js";
import { closeViewer } from "./viewer.js";

const $ = (id) => document.getElementById(id);
const els = {
  status: $("status"),
  tokenForm: $("token-form"),
  token: $("token"),
  newChat: $("new-chat"),
  formMessage: $("form-message"),
  question: $("question"),
  tabChat: $("tab-chat"),
  tabLibrary: $("tab-library"),
  chat: $("chat"),
  library: $("library"),
};

async function loadHealth() {
  try {
    const health = await getJson("health");
    const s = health.store || {};
    const parts = [];
    if (s.documents !== null && s.documents !== undefined) parts.push(plural(s.documents, "paper"));
    if (s.figures) parts.push(plural(s.figures, "figure"));
    if (s.pages) parts.push(plural(s.pages, "page"));
    parts.push(health.embeddings && health.embeddings.mode === "jina" ? "Jina embeddings" : "BM25 search");
    parts.push(health.llm && health.llm.mode === "openai" ? `LLM ${health.llm.model || ""}`.trim() : "extractive answers");
    els.status.textContent = s.documents === 0 ? "No papers yet: add PDFs in the Library, or run `folio ingest <folder>`." : parts.join(" · ");
    setImageSearch(Boolean(health.imageSearch));
    if (health.auth) showTokenForm(false);
  } catch {
    els.status.textContent = "The server is not reachable.";
  }
}

function showTokenForm(focus) {
  els.tokenForm.hidden = false;
  els.token.value = savedToken();
  if (focus) els.token.focus();
  return focus;
}

els.tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = els.token.value.trim();
  saveToken(value);
  els.formMessage.textContent = value ? "Token saved in this browser." : "Token removed.";
  if (!els.library.hidden) void loadLibrary();
  els.question.focus();
});

els.newChat.addEventListener("click", () => {
  closeViewer();
  showView("chat");
  newConversation();
});

function showView(name) {
  const library = name === "library";
  els.chat.hidden = library;
  els.library.hidden = !library;
  els.tabChat.setAttribute("aria-pressed", String(!library));
  els.tabLibrary.setAttribute("aria-pressed", String(library));
  if (library) void loadLibrary();
}

els.tabChat.addEventListener("click", () => {
  showView("chat");
  els.question.focus();
});
els.tabLibrary.addEventListener("click", () => showView("library"));

whenUnauthorized(() => showTokenForm(true));
whenLibraryChanges(() => void loadHealth());

void loadHealth();
els.question.focus();
