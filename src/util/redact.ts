/** Removes secrets from text that may reach a log, an error message or an HTTP response. */

const MASK = "***";
const MIN_SECRET_LENGTH = 4;

/** Shows only that a secret is set, and its last four characters when it is long enough to stay safe. */
export function maskSecret(secret: string | undefined): string {
  if (!secret) return "(not set)";
  return secret.length >= 16 ? `${MASK}${secret.slice(-4)}` : MASK;
}

/** Replaces every occurrence of each secret, plus anything that looks like a bearer token. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(MASK);
  }
  return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${MASK}`).replace(/\b(jina_[A-Za-z0-9]{12,}|sk-[A-Za-z0-9_-]{12,})/g, MASK);
}
