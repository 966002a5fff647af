/** Numbers for a person to read: counts with their noun, and sums of money at a price per million tokens. */

/** 12,345 */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

/** "1 request", "2 requests" */
export function countOf(value: number, one: string, many: string): string {
  return `${formatCount(value)} ${value === 1 ? one : many}`;
}

/** What `tokens` cost at `perMillion` per million tokens. */
export function priceOf(tokens: number, perMillion: number): number {
  return (tokens / 1_000_000) * perMillion;
}

/** A cost for a person to read: cents for sums of a cent or more, two significant digits below that. */
export function formatPrice(amount: number): string {
  return amount >= 0.01 || amount === 0 ? amount.toFixed(2) : amount.toPrecision(2);
}
