/**
 * Typed errors. Every error a user can cause carries a `hint` that says what to do next,
 * and an exit code the CLI uses. Messages never contain secrets: build them with `redact`.
 */
export type FolioErrorCode =
  | "USAGE"
  | "CONFIG"
  | "INPUT"
  | "NOT_FOUND"
  | "EMPTY_STORE"
  | "STORE"
  | "STORE_LOCKED"
  | "UNSUPPORTED"
  | "EMBEDDINGS"
  | "EMBEDDINGS_AUTH"
  | "EMBEDDINGS_BALANCE"
  | "EMBEDDINGS_INPUT"
  | "EMBEDDINGS_UNAVAILABLE"
  | "LLM"
  | "INGEST";

export class FolioError extends Error {
  readonly code: FolioErrorCode;
  readonly hint: string;
  readonly exitCode: number;

  constructor(code: FolioErrorCode, message: string, hint: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
    this.exitCode = options?.exitCode ?? (code === "USAGE" ? 2 : 1);
  }

  /** One line for a terminal: what went wrong, then what to do. */
  toUserString(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

/** Wrong command line: usage errors exit with 2. */
export class UsageError extends FolioError {
  constructor(message: string, hint = "Run `folio --help` for usage.") {
    super("USAGE", message, hint, { exitCode: 2 });
  }
}

export class ConfigError extends FolioError {
  constructor(message: string, hint: string) {
    super("CONFIG", message, hint);
  }
}

/** A file, path, request body or query the user gave us that we cannot use. */
export class InputError extends FolioError {
  constructor(message: string, hint: string, cause?: unknown) {
    super("INPUT", message, hint, { cause });
  }
}

export class NotFoundError extends FolioError {
  constructor(message: string, hint: string) {
    super("NOT_FOUND", message, hint);
  }
}

export class EmptyStoreError extends FolioError {
  constructor(collection: string) {
    super(
      "EMPTY_STORE",
      `The collection "${collection}" is empty or does not exist yet.`,
      "Ingest a corpus first: `folio ingest <folder-or-files>`, or run `npm start` to try the demo corpus.",
    );
  }
}

/** A feature the embedded store or an endpoint does not offer. */
export class UnsupportedFeatureError extends FolioError {
  constructor(feature: string, hint: string) {
    super("UNSUPPORTED", `Not supported: ${feature}.`, hint);
  }
}

export class StoreError extends FolioError {
  constructor(message: string, hint: string, cause?: unknown) {
    super("STORE", message, hint, { cause });
  }
}

export function isFolioError(error: unknown): error is FolioError {
  return error instanceof FolioError;
}

/** An error's message, or the thrown value as text when it is not an Error. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
