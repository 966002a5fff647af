/**
 * PDF uploads (POST /documents, multipart/form-data, field `files`): multer writes each part to a
 * temporary file under FOLIO_HOME/uploads (size and count capped as it streams), then each file is
 * checked by what it is, not what it is called (the %PDF- header, then opened by the parser: an
 * encrypted or damaged file is refused with the parser's hint) and kept as
 * uploads/<content hash>.pdf. The content hash makes the same PDF uploaded twice one document, and
 * two different files with one name two documents.
 */
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { RequestHandler } from "express";
import multer, { MulterError } from "multer";
import { hasPdfHeader, PdfInputError, probePdf, sha256Hex } from "../ingest/index.js";
import { HttpError, type HttpErrorCode } from "./http-errors.js";
import type { UploadedFile } from "./jobs.js";

export const UPLOAD_FIELD = "files";
/** Bytes read to sniff a file's type. */
export const HEAD_BYTES = 1024;
/** Text fields a form may carry beside its files (none are used; a few are tolerated). */
const MAX_TEXT_FIELDS = 10;

export interface UploadLimits {
  uploadsDir: string;
  maxUploadBytes: number;
  maxUploadFiles: number;
  maxPages: number;
}

const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

function multerError(error: MulterError, limits: UploadLimits): HttpError {
  switch (error.code) {
    case "LIMIT_FILE_SIZE":
      return new HttpError(413, "PAYLOAD_TOO_LARGE", `A file is larger than the upload limit of ${mb(limits.maxUploadBytes)}.`, "Upload a smaller PDF, or raise FOLIO_MAX_UPLOAD_MB on the server; large files can also be ingested with `folio ingest`.");
    case "LIMIT_FILE_COUNT":
      return new HttpError(413, "PAYLOAD_TOO_LARGE", `More than ${limits.maxUploadFiles} files in one upload.`, "Upload them in several batches, or raise FOLIO_MAX_UPLOAD_FILES.");
    case "LIMIT_UNEXPECTED_FILE":
      return new HttpError(400, "INPUT", `Unexpected file field "${error.field ?? ""}".`, `Send the PDFs as multipart/form-data in the "${UPLOAD_FIELD}" field.`);
    default:
      return new HttpError(400, "INPUT", `The upload could not be read: ${error.message}.`, `Send the PDFs as multipart/form-data in the "${UPLOAD_FIELD}" field.`);
  }
}

/** Parses the multipart body into temporary files (req.files); refuses other content types. */
export function receiveUploads(limits: UploadLimits): RequestHandler {
  const tmp = path.join(limits.uploadsDir, "tmp");
  const upload = multer({
    storage: multer.diskStorage({ destination: (_req, _file, done) => void mkdir(tmp, { recursive: true }).then(() => done(null, tmp), (e: Error) => done(e, tmp)) }),
    limits: { fileSize: limits.maxUploadBytes, files: limits.maxUploadFiles, fields: MAX_TEXT_FIELDS, parts: limits.maxUploadFiles + MAX_TEXT_FIELDS },
    // Browsers send file names in UTF-8 (multer's default reads them as latin1: "Ãber.pdf").
    defParamCharset: "utf8",
  }).array(UPLOAD_FIELD, limits.maxUploadFiles);
  return (req, res, next) => {
    if (!req.is("multipart/form-data")) {
      next(new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "POST /documents takes multipart/form-data.", `Send the PDFs in the "${UPLOAD_FIELD}" field of a multipart/form-data body (curl -F ${UPLOAD_FIELD}=@paper.pdf).`));
      return;
    }
    upload(req, res, (error: unknown) => {
      if (error instanceof MulterError) next(multerError(error, limits));
      else next(error);
    });
  };
}

export interface RejectedUpload {
  name: string;
  status: number;
  code: HttpErrorCode;
  message: string;
  hint: string;
}

/** The first HEAD_BYTES of a file (fewer when it is shorter). */
export async function head(file: string): Promise<Uint8Array> {
  const handle = await open(file, "r");
  try {
    const buffer = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Checks one received file and keeps it under its content hash; throws HttpError when it is no PDF ingest can read. */
async function accept(file: Express.Multer.File, limits: UploadLimits): Promise<UploadedFile> {
  if (!hasPdfHeader(await head(file.path))) {
    throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", `${file.originalname} is not a PDF (its content has no %PDF- header, whatever its name says).`, "Upload the PDF itself: a page saved from the browser or a renamed file is not one.");
  }
  const data = new Uint8Array(await readFile(file.path));
  let pages: number;
  try {
    pages = (await probePdf(data, limits.maxPages)).pageCount;
  } catch (error) {
    if (error instanceof PdfInputError) throw new HttpError(422, "INPUT", `${file.originalname}: ${error.message}`, error.hint);
    throw error;
  }
  const kept = path.join(limits.uploadsDir, `${sha256Hex(data).slice(0, 32)}.pdf`);
  await rename(file.path, kept);
  return { name: file.originalname, bytes: data.length, pages, path: kept };
}

/**
 * The accepted files and the refused ones (with why). Temporary files are always removed; when an
 * unexpected error stops the check, the copies already kept are removed too (no job will use them).
 */
export async function acceptUploads(files: Express.Multer.File[], limits: UploadLimits): Promise<{ accepted: UploadedFile[]; rejected: RejectedUpload[] }> {
  const accepted: UploadedFile[] = [];
  const rejected: RejectedUpload[] = [];
  try {
    for (const file of files) {
      try {
        accepted.push(await accept(file, limits));
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        rejected.push({ name: file.originalname, status: error.status, code: error.code, message: error.message, hint: error.hint });
      }
    }
  } catch (error) {
    await Promise.all(accepted.map((f) => rm(f.path, { force: true })));
    throw error;
  } finally {
    await Promise.all(files.map((f) => rm(f.path, { force: true })));
  }
  return { accepted, rejected };
}

/**
 * Removes a job's uploaded copies that no stored document came from: ingest skipped them (a scanned
 * PDF without text), the job failed or stopped, or the paper was already stored from elsewhere.
 * A later upload of the same bytes makes the copy again.
 */
export async function discardUnused(uploaded: readonly string[], storedSources: ReadonlySet<string>): Promise<void> {
  for (const file of uploaded) if (!storedSources.has(file)) await rm(file, { force: true });
}
