/* global navigator */
// Talking to Folio's API: the bearer token (kept in this browser), JSON and error bodies, and
// server-sent events read with fetch + ReadableStream (EventSource cannot send the token).

const TOKEN_KEY = "folio.token";

export function savedToken() {
  return window.localStorage.getItem(TOKEN_KEY) || "";
}

export function saveToken(value) {
  if (value) window.localStorage.setItem(TOKEN_KEY, value);
  else window.localStorage.removeItem(TOKEN_KEY);
}

export function authHeaders() {
  const token = savedToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** A path of the API relative to the page, so Folio also works behind a path prefix. */
export function apiUrl(path) {
  return new URL(path.replace(/^\//, ""), document.baseURI).href;
}

/** The {message, hint} of an error answer, or a generic one. */
export async function errorOf(res) {
  const body = await res.json().catch(() => undefined);
  const error = (body && body.error) || {};
  return { status: res.status, code: error.code || "HTTP", message: error.message || `The server answered ${res.status}.`, hint: error.hint || "" };
}

export class ApiError extends Error {
  constructor(error) {
    super(error.message);
    this.status = error.status;
    this.code = error.code;
    this.hint = error.hint;
  }
}

/** fetch with the token; throws ApiError with the server's message and hint on a non-2xx answer. */
export async function request(path, init = {}) {
  const res = await fetch(apiUrl(path), { ...init, headers: { Accept: "application/json", ...authHeaders(), ...(init.headers || {}) } });
  if (!res.ok) throw new ApiError(await errorOf(res));
  return res;
}

export async function getJson(path) {
  return (await request(path)).json();
}

/** Parses a text/event-stream body into {event, data} objects. */
export async function* readEvents(stream) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary;
    while ((boundary = buffer.search(/\r?\n\r?\n/)) !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, "");
      const parsed = parseEvent(block);
      if (parsed) yield parsed;
    }
  }
  const last = parseEvent(buffer);
  if (last) yield last;
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return undefined;
  try {
    return { event, data: JSON.parse(data.join("\n")) };
  } catch {
    return undefined;
  }
}

/** Copies text to the clipboard (the async API where the page may use it, a hidden textarea otherwise). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

export function plural(n, word, many = `${word}s`) {
  return `${n} ${n === 1 ? word : many}`;
}

/** "p. 8, Table 2": the part of a citation that must stay visible. */
export function locationLabel(c) {
  return [c.page ? `p. ${c.page}` : "", c.figureLabel || ""].filter(Boolean).join(", ");
}

export function docPath(docId) {
  return `documents/${encodeURIComponent(docId)}`;
}
