/** What a js-client (or local client) error says: its HTTP status, the server's message, whether the server was unreachable. */
import { errorMessage } from "../errors.js";

/** HTTP status of a js-client error (`ApiError`), if any. */
export function errorStatus(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    if (typeof status === "number") return status;
  }
  return undefined;
}

/** The server's own explanation of a js-client error, if any. */
export function errorDetail(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const data = (error as { data?: { status?: { error?: unknown } } }).data;
  const serverMessage = data?.status?.error;
  const message = errorMessage(error);
  return typeof serverMessage === "string" && serverMessage !== message ? `${message}: ${serverMessage}` : message;
}

export function isConnectionFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    const message = current instanceof Error ? current.message : "";
    if (typeof code === "string" && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT|UND_ERR_SOCKET)$/.test(code)) return true;
    if (/fetch failed|ECONNREFUSED|ENOTFOUND|timed? ?out|TimeoutError/i.test(message) || current.constructor?.name === "QdrantClientTimeoutError") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
