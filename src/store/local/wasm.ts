/**
 * WebAssembly SIMD scorer: one wasm memory per dense vector holds the rows (from offset 0) and,
 * after them, scratch space for the query, row indices and results. The module (dot.wat, about
 * 1 KB) is compiled once; each matrix gets its own small instance. Returns null where
 * WebAssembly SIMD is unavailable, and the JS loops are used instead.
 */
import { DOT_WASM_BASE64 } from "./wasm/dot-wasm.js";

export interface WasmScorer {
  matrix(): Float32Array;
  reserve(rows: number): void;
  dotRange(query: Float32Array, rows: number, out: Float32Array): void;
  dotRows(query: Float32Array, rows: Int32Array, n: number, out: Float32Array): void;
}

interface DotExports {
  mem: WebAssembly.Memory;
  dot_range(q: number, base: number, stride: number, chunks: number, n: number, out: number): void;
  dot_rows(q: number, base: number, stride: number, chunks: number, idx: number, n: number, out: number): void;
  maxsim(q: number, qn: number, d: number, dn: number, chunks: number): number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled dot.wat module (shared with the int8 kernel in int8.ts), or null without SIMD. */
export function dotModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = Buffer.from(DOT_WASM_BASE64, "base64");
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

const PAGE = 65536;

/** Grows a wasm memory (never shrinks) until it holds `bytes`. */
export function growTo(mem: WebAssembly.Memory, bytes: number): void {
  if (bytes > mem.buffer.byteLength) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / PAGE));
}

class SimdScorer implements WasmScorer {
  private readonly exports: DotExports;
  private capacity = 0;
  private view: Float32Array = new Float32Array(0);
  private viewBuffer: ArrayBuffer | null = null;

  constructor(
    mod: WebAssembly.Module,
    private readonly stride: number,
  ) {
    this.exports = new WebAssembly.Instance(mod, {}).exports as unknown as DotExports;
  }

  private get matrixBytes(): number {
    return this.capacity * this.stride * 4;
  }

  matrix(): Float32Array {
    const buf = this.exports.mem.buffer;
    if (buf !== this.viewBuffer) {
      this.viewBuffer = buf;
      this.view = new Float32Array(buf, 0, this.capacity * this.stride);
    }
    return this.view;
  }

  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const need = rows * this.stride * 4 + this.stride * 4 + rows * 8;
    const mem = this.exports.mem;
    growTo(mem, need);
    this.capacity = rows;
    this.viewBuffer = null;
  }

  private loadQuery(query: Float32Array): number {
    const qOff = this.matrixBytes;
    const q = new Float32Array(this.exports.mem.buffer, qOff, this.stride);
    q.fill(0);
    q.set(query.subarray(0, Math.min(query.length, this.stride)));
    return qOff;
  }

  dotRange(query: Float32Array, rows: number, out: Float32Array): void {
    const qOff = this.loadQuery(query);
    const outOff = qOff + this.stride * 4;
    this.exports.dot_range(qOff, 0, this.stride * 4, this.stride >> 2, rows, outOff);
    out.set(new Float32Array(this.exports.mem.buffer, outOff, rows));
  }

  dotRows(query: Float32Array, rows: Int32Array, n: number, out: Float32Array): void {
    const qOff = this.loadQuery(query);
    const outOff = qOff + this.stride * 4;
    const idxOff = outOff + this.capacity * 4;
    new Int32Array(this.exports.mem.buffer, idxOff, n).set(rows.subarray(0, n));
    this.exports.dot_rows(qOff, 0, this.stride * 4, this.stride >> 2, idxOff, n, outOff);
    out.set(new Float32Array(this.exports.mem.buffer, outOff, n));
  }
}

export function createWasmScorer(stride: number): WasmScorer | null {
  const mod = dotModule();
  return mod ? new SimdScorer(mod, stride) : null;
}

/** MaxSim (late interaction) with the same SIMD dot product; rows must have a length divisible by 4. */
export interface WasmMaxSim {
  maxSim(query: Float32Array, queryRows: number, doc: Float32Array, docRows: number, dim: number): number;
}

let maxSimScorer: WasmMaxSim | null | undefined;

export function wasmMaxSim(): WasmMaxSim | null {
  if (maxSimScorer !== undefined) return maxSimScorer;
  const mod = dotModule();
  if (!mod) return (maxSimScorer = null);
  const ex = new WebAssembly.Instance(mod, {}).exports as unknown as DotExports;
  maxSimScorer = {
    maxSim(query, queryRows, doc, docRows, dim) {
      const qBytes = queryRows * dim * 4;
      const need = qBytes + docRows * dim * 4;
      growTo(ex.mem, need);
      const mem = new Float32Array(ex.mem.buffer);
      mem.set(query.subarray(0, queryRows * dim), 0);
      mem.set(doc.subarray(0, docRows * dim), qBytes / 4);
      return ex.maxsim(0, queryRows, qBytes, docRows, dim >> 2);
    },
  };
  return maxSimScorer;
}
