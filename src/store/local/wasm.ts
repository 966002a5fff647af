/** Placeholder until the SIMD module lands: no wasm scorer, the JS loops are used. */
export interface WasmScorer {
  matrix(): Float32Array;
  reserve(rows: number): void;
  dotRange(query: Float32Array, rows: number, out: Float32Array): void;
  dotRows(query: Float32Array, rows: Int32Array, n: number, out: Float32Array): void;
}

export function createWasmScorer(_stride: number): WasmScorer | null {
  return null;
}
