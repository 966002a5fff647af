/**
 * The error a cancelled operation ends with: the signal's own reason when it is an Error (what the
 * caller aborted with), else an "AbortError" carrying `message`: a DOMException, as fetch and
 * AbortSignal.throwIfAborted throw, or with `plain` an Error whose name is "AbortError".
 */
export function abortError(signal: AbortSignal, message: string, options: { plain?: boolean } = {}): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  if (!options.plain) return new DOMException(message, "AbortError");
  const error = new Error(message);
  error.name = "AbortError";
  return error;
}
