/**
 * One named dense vector of a collection: rows in a single contiguous Float32Array indexed by point
 * slot, grown geometrically. Scoring walks the array in place: no per-query copy of the corpus.
 * When WebAssembly SIMD is available the array lives in a wasm memory and is scored by f32x4 code.
 */
import { Metric, similarityAt } from "./kernels.js";
import { createWasmScorer, type WasmScorer } from "./wasm.js";

export class DenseMatrix {
  readonly dim: number;
  /** row stride in floats (dim rounded up to 4 so SIMD rows stay aligned; padding is zero) */
  readonly stride: number;
  private capacity = 0;
  private buffer: Float32Array = new Float32Array(0);
  private readonly wasm: WasmScorer | null;

  /** Floats per row: dim rounded up to 4 (the layout segments store too). */
  static strideFor(dim: number): number {
    return (dim + 3) & ~3;
  }

  constructor(dim: number, useWasm = true) {
    this.dim = dim;
    this.stride = DenseMatrix.strideFor(dim);
    this.wasm = useWasm ? createWasmScorer(this.stride) : null;
  }

  get kernelName(): string {
    return this.wasm ? "wasm-simd" : "js";
  }

  get data(): Float32Array {
    return this.wasm ? this.wasm.matrix() : this.buffer;
  }

  get rowsCapacity(): number {
    return this.capacity;
  }

  ensure(rows: number): void {
    if (rows <= this.capacity) return;
    let cap = Math.max(64, this.capacity);
    // a jump (a whole matrix read at once) reserves exactly; growth row by row goes by 1.5x
    if (rows > cap * 1.5) cap = rows;
    while (cap < rows) cap = Math.ceil(cap * 1.5);
    if (this.wasm) {
      this.wasm.reserve(cap);
    } else {
      const next = new Float32Array(cap * this.stride);
      next.set(this.buffer);
      this.buffer = next;
    }
    this.capacity = cap;
  }

  setRow(slot: number, vec: ArrayLike<number>): void {
    this.ensure(slot + 1);
    const data = this.data;
    const off = slot * this.stride;
    if (vec instanceof Float32Array && vec.length === this.dim) data.set(vec, off);
    else for (let i = 0; i < this.dim; i++) data[off + i] = vec[i] as number;
  }

  /**
   * Sets a row from stored bytes (native-endian float32, as `setRow` would read them from a
   * Float32Array over a copy): copied once, straight into the matrix, whatever their alignment.
   */
  setRowBytes(slot: number, bytes: Uint8Array): void {
    if (bytes.byteLength !== this.dim * 4) {
      // Not one row's worth: go through a Float32Array as before (a RangeError when not whole floats).
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      this.setRow(slot, new Float32Array(copy.buffer));
      return;
    }
    this.ensure(slot + 1);
    const data = this.data;
    new Uint8Array(data.buffer, data.byteOffset + slot * this.stride * 4, bytes.byteLength).set(bytes);
  }

  clearRow(slot: number): void {
    if (slot >= this.capacity) return;
    this.data.fill(0, slot * this.stride, (slot + 1) * this.stride);
  }

  /** A copy of one row. */
  row(slot: number): Float32Array {
    const off = slot * this.stride;
    return this.data.slice(off, off + this.dim);
  }

  similarity(metric: Metric, slot: number, query: Float32Array): number {
    return similarityAt(metric, this.data, slot * this.stride, query, this.dim);
  }

  /** Similarities of rows [0, rows) into out[0, rows). */
  scoreRange(metric: Metric, query: Float32Array, rows: number, out: Float32Array): void {
    if (rows === 0) return;
    if (this.wasm && metric === Metric.Dot) {
      this.wasm.dotRange(query, rows, out);
      return;
    }
    const data = this.data;
    const stride = this.stride;
    const dim = this.dim;
    for (let r = 0; r < rows; r++) out[r] = similarityAt(metric, data, r * stride, query, dim);
  }

  /** Similarities of the listed rows into out[0, n). */
  scoreRows(metric: Metric, query: Float32Array, rows: Int32Array, n: number, out: Float32Array): void {
    if (n === 0) return;
    if (this.wasm && metric === Metric.Dot) {
      this.wasm.dotRows(query, rows, n, out);
      return;
    }
    const data = this.data;
    const stride = this.stride;
    const dim = this.dim;
    for (let i = 0; i < n; i++) out[i] = similarityAt(metric, data, (rows[i] as number) * stride, query, dim);
  }
}
