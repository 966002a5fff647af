/**
 * Int8 scalar-quantized dense rows: the int8 counterpart of DenseMatrix, a quarter of its memory
 * (100k x 1024 is ~100 MB, not 400 MB). Each row keeps its own scale (symmetric, max|x| / 127), so
 * dot(row, query) ~= scale_row * scale_query * Σ q_row_i * q_query_i, where the sum is an exact
 * integer. Scoring is Dot only: the store normalises Cosine vectors, and dot is all it needs. With
 * WebAssembly SIMD the rows live in a wasm memory and are summed by dot.wat's *_i8 functions; the JS
 * fallback computes the same integer sums.
 */
import fs from "node:fs";
import os from "node:os";
import { dotModule, growTo } from "./wasm.js";

/** Rows scored per kernel call: bounds the scratch after the rows (indices and sums) to 32 KB. */
const BLOCK = 4096;
/** Bulk loads read at most this much per readSync call. */
const READ_CHUNK = 64 * 1024 * 1024;
/** Beyond this |Σ| could reach 2^31 (128 * 128 * dim) and the wasm i32 sums would wrap. */
const MAX_DIM = 131071;

/**
 * Quantizes src into dst[dstOffset, dstOffset + src.length) and returns the scale (as a float32, the
 * precision it is stored at): q_i = round(x_i / scale) in [-127, 127], scale = max|x_i| / 127, and
 * 0 (with all q_i = 0) for an all-zero row. NaNs quantize to 0.
 */
export function quantizeRow(src: Float32Array, dst: Int8Array, dstOffset: number): number {
  let max = 0;
  for (let i = 0; i < src.length; i++) {
    const a = Math.abs(src[i] as number);
    if (a > max) max = a;
  }
  if (max === 0 || !Number.isFinite(max)) {
    dst.fill(0, dstOffset, dstOffset + src.length);
    return 0;
  }
  const inv = 127 / max;
  for (let i = 0; i < src.length; i++) {
    const q = Math.round((src[i] as number) * inv);
    dst[dstOffset + i] = q > 127 ? 127 : q < -127 ? -127 : q;
  }
  return Math.fround(max / 127);
}

/** Where the int8 rows live and how they are summed; sums go to out[outOff, outOff + n), n <= BLOCK. */
interface I8Kernel {
  readonly name: string;
  readonly byteLength: number;
  data(): Int8Array;
  /** exactly `rows` rows of capacity, keeping the current ones */
  reserve(rows: number): void;
  /** the query (its first dim values) for the following sums */
  setQuery(q: Int8Array): void;
  sumRange(start: number, n: number, out: Int32Array, outOff: number): void;
  sumRows(rows: Int32Array, from: number, n: number, out: Int32Array, outOff: number): void;
}

class JsI8Kernel implements I8Kernel {
  readonly name = "js";
  private buffer: Int8Array = new Int8Array(0);
  private query: Int8Array = new Int8Array(0);

  constructor(
    private readonly dim: number,
    private readonly stride: number,
  ) {}

  get byteLength(): number {
    return this.buffer.byteLength;
  }

  data(): Int8Array {
    return this.buffer;
  }

  reserve(rows: number): void {
    const next = new Int8Array(rows * this.stride);
    next.set(this.buffer);
    this.buffer = next;
  }

  setQuery(q: Int8Array): void {
    this.query = q;
  }

  private dot(off: number): number {
    const d = this.buffer;
    const q = this.query;
    const end4 = this.dim - (this.dim & 3);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i < end4; i += 4) {
      s0 += (d[off + i] as number) * (q[i] as number);
      s1 += (d[off + i + 1] as number) * (q[i + 1] as number);
      s2 += (d[off + i + 2] as number) * (q[i + 2] as number);
      s3 += (d[off + i + 3] as number) * (q[i + 3] as number);
    }
    for (; i < this.dim; i++) s0 += (d[off + i] as number) * (q[i] as number);
    return s0 + s1 + s2 + s3;
  }

  sumRange(start: number, n: number, out: Int32Array, outOff: number): void {
    for (let j = 0; j < n; j++) out[outOff + j] = this.dot((start + j) * this.stride);
  }

  sumRows(rows: Int32Array, from: number, n: number, out: Int32Array, outOff: number): void {
    for (let j = 0; j < n; j++) out[outOff + j] = this.dot((rows[from + j] as number) * this.stride);
  }
}

interface I8Exports {
  mem: WebAssembly.Memory;
  dot_i8_range(q: number, base: number, stride: number, chunks: number, n: number, out: number): void;
  dot_i8_rows(q: number, base: number, stride: number, chunks: number, idx: number, n: number, out: number): void;
}

/**
 * Memory layout: rows [0, capacity * stride), then the query widened to i16 (2 * stride bytes, so
 * the kernel extends only the rows), then BLOCK row indices and BLOCK i32 sums. Every offset is a
 * multiple of 16 because stride is.
 */
class WasmI8Kernel implements I8Kernel {
  readonly name = "wasm-simd-i8";
  private readonly ex: I8Exports;
  private capacity = 0;
  private view: Int8Array = new Int8Array(0);
  private viewBuffer: ArrayBuffer | null = null;

  constructor(
    mod: WebAssembly.Module,
    private readonly dim: number,
    private readonly stride: number,
  ) {
    this.ex = new WebAssembly.Instance(mod, {}).exports as unknown as I8Exports;
  }

  get byteLength(): number {
    return this.ex.mem.buffer.byteLength;
  }

  private get queryOff(): number {
    return this.capacity * this.stride;
  }

  private get idxOff(): number {
    return this.queryOff + 2 * this.stride;
  }

  private get outOff(): number {
    return this.idxOff + BLOCK * 4;
  }

  data(): Int8Array {
    const buf = this.ex.mem.buffer;
    if (buf !== this.viewBuffer) {
      this.viewBuffer = buf;
      this.view = new Int8Array(buf, 0, this.capacity * this.stride);
    }
    return this.view;
  }

  reserve(rows: number): void {
    const mem = this.ex.mem;
    const need = rows * this.stride + 2 * this.stride + BLOCK * 8;
    growTo(mem, need);
    // The old scratch now lies inside the new rows: zero it so new rows (and their padding) start at 0.
    const old = this.queryOff;
    new Int8Array(mem.buffer).fill(0, old, Math.min(rows * this.stride, old + 2 * this.stride + BLOCK * 8));
    this.capacity = rows;
    this.viewBuffer = null;
  }

  setQuery(q: Int8Array): void {
    const wide = new Int16Array(this.ex.mem.buffer, this.queryOff, this.stride);
    wide.set(q.subarray(0, this.dim));
    wide.fill(0, this.dim);
  }

  private sums(out: Int32Array, outOff: number, n: number): void {
    out.set(new Int32Array(this.ex.mem.buffer, this.outOff, n), outOff);
  }

  sumRange(start: number, n: number, out: Int32Array, outOff: number): void {
    this.ex.dot_i8_range(this.queryOff, start * this.stride, this.stride, this.stride >> 4, n, this.outOff);
    this.sums(out, outOff, n);
  }

  sumRows(rows: Int32Array, from: number, n: number, out: Int32Array, outOff: number): void {
    new Int32Array(this.ex.mem.buffer, this.idxOff, n).set(rows.subarray(from, from + n));
    this.ex.dot_i8_rows(this.queryOff, 0, this.stride, this.stride >> 4, this.idxOff, n, this.outOff);
    this.sums(out, outOff, n);
  }
}

/** Reads dst.byteLength bytes at position, in chunks, straight into dst (short reads are retried). */
function readFully(fd: number, position: number, dst: Uint8Array): void {
  for (let done = 0; done < dst.byteLength; ) {
    const n = fs.readSync(fd, dst, done, Math.min(READ_CHUNK, dst.byteLength - done), position + done);
    if (n === 0) throw new RangeError(`unexpected end of file at byte ${position + done}: ${dst.byteLength - done} bytes short`);
    done += n;
  }
}

function bytesOf(a: Int8Array | Uint8Array | Float32Array, length: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, length);
}

export class Int8Matrix {
  readonly dim: number;
  /** row stride in bytes (dim rounded up to 16 so SIMD rows stay aligned; padding is zero) */
  readonly stride: number;
  private capacity = 0;
  private scaleBuf: Float32Array = new Float32Array(0);
  private readonly kernel: I8Kernel;
  /** the quantized query of the current call (padding zero) and one block of its integer sums */
  private readonly qBytes: Int8Array;
  private readonly blockSums = new Int32Array(BLOCK);

  /** Bytes per row: dim rounded up to 16, so SIMD rows stay aligned (padding is zero). */
  static strideFor(dim: number): number {
    return (dim + 15) & ~15;
  }

  constructor(dim: number, useWasm = true) {
    if (!Number.isInteger(dim) || dim < 1 || dim > MAX_DIM) throw new RangeError(`int8 rows need 1 <= dim <= ${MAX_DIM}, got ${dim}`);
    this.dim = dim;
    this.stride = Int8Matrix.strideFor(dim);
    this.qBytes = new Int8Array(this.stride);
    const mod = useWasm ? dotModule() : null;
    this.kernel = mod ? new WasmI8Kernel(mod, dim, this.stride) : new JsI8Kernel(dim, this.stride);
  }

  get kernelName(): string {
    return this.kernel.name;
  }

  /** rows [0, rowsCapacity), stride bytes apart; a view, invalidated when the matrix grows */
  get data(): Int8Array {
    return this.kernel.data();
  }

  /** per-row scales [0, rowsCapacity); a view, replaced when the matrix grows */
  get scales(): Float32Array {
    return this.scaleBuf;
  }

  get rowsCapacity(): number {
    return this.capacity;
  }

  /** bytes held: the rows' memory (wasm memory including its scratch, or the JS array) and the scales */
  get byteLength(): number {
    return this.kernel.byteLength + this.scaleBuf.byteLength;
  }

  /** Room for `rows` rows: exactly that many when jumping ahead (bulk loads), else grown by 1.5x. */
  ensure(rows: number): void {
    if (rows <= this.capacity) return;
    const cap = Math.max(rows, 64, Math.ceil(this.capacity * 1.5));
    this.kernel.reserve(cap);
    const scales = new Float32Array(cap);
    scales.set(this.scaleBuf);
    this.scaleBuf = scales;
    this.capacity = cap;
  }

  /** Quantizes vec (exactly dim floats) into the row. */
  setRow(slot: number, vec: Float32Array): void {
    if (vec.length !== this.dim) throw new RangeError(`expected ${this.dim} floats, got ${vec.length}`);
    this.ensure(slot + 1);
    this.scaleBuf[slot] = quantizeRow(vec, this.data, slot * this.stride);
  }

  /** Sets an already-quantized row (dim bytes, read as int8 whatever the array type) and its scale. */
  setQuantizedRow(slot: number, bytes: Int8Array | Uint8Array, scale: number): void {
    if (bytes.length !== this.dim) throw new RangeError(`expected ${this.dim} bytes, got ${bytes.length}`);
    this.ensure(slot + 1);
    bytesOf(this.data, this.data.byteLength).set(bytesOf(bytes, bytes.length), slot * this.stride);
    this.scaleBuf[slot] = scale;
  }

  clearRow(slot: number): void {
    if (slot >= this.capacity) return;
    this.data.fill(0, slot * this.stride, (slot + 1) * this.stride);
    this.scaleBuf[slot] = 0;
  }

  /** A copy of one row's dim bytes. */
  rowBytes(slot: number): Int8Array {
    const off = slot * this.stride;
    return this.data.slice(off, off + this.dim);
  }

  /** Reads rows [0, rows) (rows * stride bytes, padded rows as `data` holds them) from fd at position, into the matrix memory. */
  loadRows(fd: number, position: number, rows: number): void {
    this.ensure(rows);
    readFully(fd, position, bytesOf(this.data, rows * this.stride));
  }

  /** Reads the scales of rows [0, rows) (float32 little-endian) from fd at position. */
  loadScales(fd: number, position: number, rows: number): void {
    this.ensure(rows);
    const bytes = bytesOf(this.scaleBuf, rows * 4);
    readFully(fd, position, bytes);
    if (os.endianness() === "BE") {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let r = 0; r < rows; r++) this.scaleBuf[r] = view.getFloat32(r * 4, true);
    }
  }

  /** Exact integer sums Σ q_row_i * query_i of rows [0, rows) into out[0, rows); query is already int8 (its first dim values). */
  sumRange(query: Int8Array, rows: number, out: Int32Array): void {
    this.checkRange(rows);
    if (query.length < this.dim) throw new RangeError(`expected ${this.dim} query bytes, got ${query.length}`);
    this.kernel.setQuery(query);
    for (let from = 0; from < rows; from += BLOCK) this.kernel.sumRange(from, Math.min(BLOCK, rows - from), out, from);
  }

  /** Exact integer sums of the listed rows into out[0, n). */
  sumRows(query: Int8Array, rows: Int32Array, n: number, out: Int32Array): void {
    this.checkRows(rows, n);
    if (query.length < this.dim) throw new RangeError(`expected ${this.dim} query bytes, got ${query.length}`);
    this.kernel.setQuery(query);
    for (let from = 0; from < n; from += BLOCK) this.kernel.sumRows(rows, from, Math.min(BLOCK, n - from), out, from);
  }

  /** Approximate dot products of rows [0, rows) with query (its first dim floats) into out[0, rows). */
  scoreRange(query: Float32Array, rows: number, out: Float32Array): void {
    this.checkRange(rows);
    const qScale = this.prepareQuery(query);
    const sums = this.blockSums;
    for (let from = 0; from < rows; from += BLOCK) {
      const n = Math.min(BLOCK, rows - from);
      this.kernel.sumRange(from, n, sums, 0);
      for (let j = 0; j < n; j++) out[from + j] = (sums[j] as number) * (this.scaleBuf[from + j] as number) * qScale;
    }
  }

  /** Approximate dot products of the listed rows with query into out[0, n). */
  scoreRows(query: Float32Array, rows: Int32Array, n: number, out: Float32Array): void {
    this.checkRows(rows, n);
    const qScale = this.prepareQuery(query);
    const sums = this.blockSums;
    for (let from = 0; from < n; from += BLOCK) {
      const m = Math.min(BLOCK, n - from);
      this.kernel.sumRows(rows, from, m, sums, 0);
      for (let j = 0; j < m; j++) out[from + j] = (sums[j] as number) * (this.scaleBuf[rows[from + j] as number] as number) * qScale;
    }
  }

  /** Quantizes the query once per call, exactly as rows are; returns its scale. */
  private prepareQuery(query: Float32Array): number {
    this.qBytes.fill(0);
    const scale = quantizeRow(query.subarray(0, this.dim), this.qBytes, 0);
    this.kernel.setQuery(this.qBytes);
    return scale;
  }

  private checkRange(rows: number): void {
    if (rows > this.capacity) throw new RangeError(`${rows} rows asked for, capacity is ${this.capacity}`);
  }

  // An index outside the matrix would read the wasm scratch (or undefined in JS): refuse it instead.
  private checkRows(rows: Int32Array, n: number): void {
    if (n > rows.length) throw new RangeError(`${n} rows asked for, ${rows.length} listed`);
    for (let i = 0; i < n; i++) {
      const r = rows[i] as number;
      if (r < 0 || r >= this.capacity) throw new RangeError(`row ${r} outside [0, ${this.capacity})`);
    }
  }
}
