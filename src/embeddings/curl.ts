/**
 * Renders a request as a curl command, like the "export code" button on Jina's site. The key is
 * never printed: the Authorization header references an environment variable instead.
 */
import type { DescribedRequest } from "./jina.js";

export interface CurlOptions {
  /** Environment variable the command reads the key from (default JINA_API_KEY). */
  apiKeyVariable?: string;
  /** Pretty-print the JSON body (default true). */
  pretty?: boolean;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function toCurl(request: Pick<DescribedRequest, "url" | "headers" | "body"> & { method?: string }, options: CurlOptions = {}): string {
  const variable = options.apiKeyVariable ?? "JINA_API_KEY";
  const lines = [`curl -X ${request.method ?? "POST"} ${shellQuote(request.url)}`];
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === "authorization") lines.push(`-H "Authorization: Bearer $${variable}"`);
    else lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  }
  lines.push(`--data-raw ${shellQuote(JSON.stringify(request.body, null, options.pretty === false ? undefined : 2))}`);
  return lines.join(" \\\n  ");
}
