/**
 * Segment files: the read-optimised, immutable image of one collection at one commit sequence.
 * A process opens a store by reading a segment's small sections (ids, versions, which points have
 * which vector, payload-index columns, the BM25 term dictionary) and reads the large ones only
 * when a query needs them: a dense matrix in one sequential read straight into the scoring
 * kernel's memory, a BM25 term's postings when the term is queried. Payloads are not here: they
 * are read from LMDB for the hits returned.
 *
 * Layout: sections back to back (each 8-byte aligned), then a JSON footer that names every
 * section's offset, length and checksum, then a 16-byte trailer (magic, footer offset). A file
 * that was cut short has no trailer; one with flipped bytes fails a checksum when read.
 */
import fs from "node:fs";
import { z } from "zod";

const MAGIC = "FOLIOSG1";
const TRAILER_BYTES = 16;
export const SEGMENT_FORMAT = 1;

/** Raised for a segment file that cannot be trusted; the store rebuilds it from LMDB. */
export class SegmentCorruptError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`segment file ${file} is damaged (${reason})`);
    this.name = "SegmentCorruptError";
  }
}

const sectionSchema = z.object({ offset: z.number().int().nonnegative(), length: z.number().int().nonnegative(), sum: z.string() });
export type SectionRef = z.infer<typeof sectionSchema>;

const footerSchema = z.object({
  format: z.literal(SEGMENT_FORMAT),
  uid: z.number().int(),
  seq: z.number().int().nonnegative(),
  slots: z.number().int().nonnegative(),
  ids: sectionSchema,
  versions: sectionSchema,
  dense: z.record(
    z.object({
      present: sectionSchema,
      matrix: sectionSchema,
      stride: z.number().int().positive(),
      dim: z.number().int().positive(),
      int8: z.object({ rows: sectionSchema, scales: sectionSchema, stride: z.number().int().positive() }).nullable(),
    }),
  ),
  multi: z.record(z.object({ present: sectionSchema })),
  sparse: z.record(
    z.object({
      present: sectionSchema,
      terms: sectionSchema,
      offsets: sectionSchema,
      sums: sectionSchema,
      slots: sectionSchema,
      values: sectionSchema,
    }),
  ),
  columns: z.record(z.object({ dict: sectionSchema, offsets: sectionSchema, codes: sectionSchema })),
});
export type SegmentFooter = z.infer<typeof footerSchema>;

/**
 * A Fletcher-style checksum over 32-bit words (the buffer is zero-padded to a multiple of 4): two
 * running sums, so a changed, dropped or swapped word changes it. Cheap enough for every read.
 */
export function checksum(bytes: Uint8Array): string {
  const sums = new StreamingChecksum();
  sums.update(bytes);
  return sums.digest();
}

/** Writes sections one after another, then the footer and the trailer. */
export class SegmentWriter {
  private readonly fd: number;
  private position = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, "w");
  }

  /** Appends one section (8-byte aligned) and returns where it is. */
  section(bytes: Uint8Array): SectionRef {
    return this.stream(bytes.byteLength, (put) => put(bytes));
  }

  /** Appends a section written in pieces (for sections too large to hold twice in memory). */
  stream(length: number, fill: (put: (bytes: Uint8Array) => void) => void): SectionRef {
    const pad = (8 - (this.position % 8)) % 8;
    if (pad) this.write(new Uint8Array(pad));
    const offset = this.position;
    const sums = new StreamingChecksum();
    fill((bytes) => {
      sums.update(bytes);
      this.write(bytes);
    });
    if (this.position - offset !== length) throw new Error(`section written with ${this.position - offset} bytes, ${length} expected`);
    return { offset, length, sum: sums.digest() };
  }

  private write(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.byteLength) done += fs.writeSync(this.fd, bytes, done, bytes.byteLength - done, this.position + done);
    this.position += bytes.byteLength;
  }

  /** Footer, trailer, fsync, close: after this the file is complete on disk. */
  finish(footer: SegmentFooter): void {
    const json = Buffer.from(JSON.stringify(footer), "utf8");
    const footerOffset = this.position;
    this.write(json);
    const trailer = Buffer.alloc(TRAILER_BYTES);
    trailer.write(MAGIC, 0, "latin1");
    trailer.writeUInt32LE(footerOffset % 2 ** 32, 8);
    trailer.writeUInt32LE(Math.floor(footerOffset / 2 ** 32), 12);
    this.write(trailer);
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }

  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(this.file, { force: true });
  }
}

/** checksum() over pieces whose sizes need not be multiples of 4. */
class StreamingChecksum {
  private a = 0;
  private b = 0;
  private length = 0;
  private carry = new Uint8Array(0);

  update(bytes: Uint8Array): void {
    let data = bytes;
    if (this.carry.byteLength) {
      data = new Uint8Array(this.carry.byteLength + bytes.byteLength);
      data.set(this.carry);
      data.set(bytes, this.carry.byteLength);
    }
    const whole = data.byteLength >> 2;
    const words = data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, whole) : new Uint32Array(data.slice(0, whole * 4).buffer);
    for (let i = 0; i < whole; i++) {
      this.a = (this.a + (words[i] as number)) >>> 0;
      this.b = (this.b + this.a) >>> 0;
    }
    this.carry = data.slice(whole * 4);
    this.length += bytes.byteLength;
  }

  digest(): string {
    for (const byte of this.carry) {
      this.a = (this.a + byte) >>> 0;
      this.b = (this.b + this.a) >>> 0;
    }
    return `${this.a.toString(16)}.${this.b.toString(16)}.${this.length}`;
  }
}

/** Sections up to this size are verified as they are read; larger ones in the background. */
export const VERIFY_SYNC_BYTES = 64 * 2 ** 20;
const SCRUB_SLICE_BYTES = 8 * 2 ** 20;

/** An open segment file. The descriptor stays open, so the file can be read after a compaction unlinks it. */
export class Segment {
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly fd: number,
    readonly footer: SegmentFooter,
    private readonly size: number,
  ) {}

  static open(file: string): Segment {
    const fd = fs.openSync(file, "r");
    try {
      const size = fs.fstatSync(fd).size;
      if (size < TRAILER_BYTES) throw new SegmentCorruptError(file, "too short");
      const trailer = Buffer.alloc(TRAILER_BYTES);
      fs.readSync(fd, trailer, 0, TRAILER_BYTES, size - TRAILER_BYTES);
      if (trailer.toString("latin1", 0, 8) !== MAGIC) throw new SegmentCorruptError(file, "no trailer: the file was cut short");
      const footerOffset = trailer.readUInt32LE(8) + trailer.readUInt32LE(12) * 2 ** 32;
      if (footerOffset >= size - TRAILER_BYTES) throw new SegmentCorruptError(file, "footer offset out of range");
      const json = Buffer.alloc(size - TRAILER_BYTES - footerOffset);
      fs.readSync(fd, json, 0, json.byteLength, footerOffset);
      let raw: unknown;
      try {
        raw = JSON.parse(json.toString("utf8"));
      } catch {
        throw new SegmentCorruptError(file, "footer is not JSON");
      }
      const parsed = footerSchema.safeParse(raw);
      if (!parsed.success) throw new SegmentCorruptError(file, `footer: ${parsed.error.issues[0]?.message ?? "invalid"}`);
      return new Segment(file, fd, parsed.data, footerOffset);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  private check(ref: SectionRef, start: number, length: number): void {
    if (start < 0 || length < 0 || start + length > ref.length || ref.offset + ref.length > this.size) {
      throw new SegmentCorruptError(this.file, `read of ${length} bytes at ${start} outside a section of ${ref.length}`);
    }
  }

  /** Reads bytes [start, start+length) of a section into `target` (at its offset 0). */
  readInto(ref: SectionRef, target: Uint8Array, start = 0, length = target.byteLength): void {
    this.check(ref, start, length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, target, done, Math.min(length - done, 64 * 2 ** 20), ref.offset + start + done);
      if (n === 0) throw new SegmentCorruptError(this.file, "unexpected end of file");
      done += n;
    }
  }

  /** A whole section, checksum verified. */
  read(ref: SectionRef): Uint8Array {
    const out = new Uint8Array(ref.length);
    this.readInto(ref, out);
    this.verify(ref, out);
    return out;
  }

  /** Part of a section, not verified (callers check what they read another way). */
  readRange(ref: SectionRef, start: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(ref, out, start, length);
    return out;
  }

  verify(ref: SectionRef, bytes: Uint8Array): void {
    if (checksum(bytes) !== ref.sum) throw new SegmentCorruptError(this.file, "checksum mismatch");
  }

  /**
   * Checks a large section in the background, a slice per timer turn (unref'd, so a short-lived
   * command exits without waiting); `damaged` is set when it fails. A large matrix is then read
   * once at full speed, and a damaged one is still caught before long.
   */
  scrub(ref: SectionRef): { damaged: boolean } {
    const state = { damaged: false };
    const sums = new StreamingChecksum();
    const slice = new Uint8Array(Math.min(ref.length, SCRUB_SLICE_BYTES));
    let done = 0;
    const step = (): void => {
      if (this.closed) return;
      try {
        const n = Math.min(slice.byteLength, ref.length - done);
        this.readInto(ref, slice, done, n);
        sums.update(slice.subarray(0, n));
        done += n;
      } catch {
        state.damaged = true;
        return;
      }
      if (done < ref.length) setTimeout(step, 0).unref();
      else state.damaged = sums.digest() !== ref.sum;
    };
    setTimeout(step, 0).unref();
    return state;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

/** Typed views over bytes read from a segment (copies when unaligned). */
export function asFloat32(bytes: Uint8Array): Float32Array {
  return bytes.byteOffset % 4 === 0 ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2) : new Float32Array(bytes.slice().buffer);
}
export function asInt32(bytes: Uint8Array): Int32Array {
  return bytes.byteOffset % 4 === 0 ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2) : new Int32Array(bytes.slice().buffer);
}
export function asUint32(bytes: Uint8Array): Uint32Array {
  return bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2) : new Uint32Array(bytes.slice().buffer);
}
export function asFloat64(bytes: Uint8Array): Float64Array {
  return bytes.byteOffset % 8 === 0 ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 3) : new Float64Array(bytes.slice().buffer);
}
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
