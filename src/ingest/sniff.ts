/** What a file really is, from its first bytes, so a mislabelled file is reported instead of mis-parsed. */

export type SniffedType = "pdf" | "png" | "jpeg" | "webp" | "gif" | "html" | "zip" | "text" | "binary" | "empty";

/** Kind of source by file extension. */
export type SourceKind = "pdf" | "markdown" | "text" | "image";

export const EXTENSIONS: Record<string, SourceKind> = {
  ".pdf": "pdf",
  ".md": "markdown",
  ".markdown": "markdown",
  ".txt": "text",
  ".png": "image",
  ".jpg": "image",
  ".jpeg": "image",
  ".webp": "image",
};

export function sourceKindOf(filePath: string): SourceKind | undefined {
  const dot = filePath.lastIndexOf(".");
  if (dot < 0) return undefined;
  return EXTENSIONS[filePath.slice(dot).toLowerCase()];
}

/** PDF readers accept "%PDF-" anywhere in the first 1 KiB (the PDF parser's header check too). */
export function hasPdfHeader(head: Uint8Array): boolean {
  return Buffer.from(head.subarray(0, 1024)).toString("latin1").includes("%PDF-");
}

export function sniff(head: Uint8Array): SniffedType {
  if (head.length === 0) return "empty";
  const ascii = (start: number, end: number) => String.fromCharCode(...head.subarray(start, end));
  if (hasPdfHeader(head)) return "pdf";
  const first1k = Buffer.from(head.subarray(0, 1024)).toString("latin1");
  if (head.length >= 8 && head[0] === 0x89 && ascii(1, 4) === "PNG") return "png";
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (head.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  if (head.length >= 6 && ascii(0, 3) === "GIF") return "gif";
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return "zip";
  const start = first1k.replace(/^\uFEFF|^\xEF\xBB\xBF/, "").trimStart().slice(0, 64).toLowerCase();
  if (start.startsWith("<!doctype html") || start.startsWith("<html") || start.startsWith("<head") || start.startsWith("<body")) return "html";
  // Text: no NUL bytes in the sample.
  const sample = head.subarray(0, 8192);
  for (const byte of sample) if (byte === 0) return "binary";
  return "text";
}

/** Whether the sniffed content fits the kind the extension claims. */
export function contentMatches(kind: SourceKind, sniffed: SniffedType): boolean {
  switch (kind) {
    case "pdf":
      return sniffed === "pdf";
    case "image":
      return sniffed === "png" || sniffed === "jpeg" || sniffed === "webp";
    case "markdown":
    case "text":
      return sniffed === "text" || sniffed === "html";
  }
}

export function describeSniffed(sniffed: SniffedType): string {
  switch (sniffed) {
    case "html":
      return "an HTML page";
    case "zip":
      return "a ZIP archive";
    case "binary":
      return "binary data";
    case "text":
      return "plain text";
    case "empty":
      return "empty";
    default:
      return `a ${sniffed.toUpperCase()} file`;
  }
}
