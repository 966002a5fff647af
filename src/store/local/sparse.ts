/**
 * One named sparse vector: per-slot sorted (indices, values) plus an inverted index for scoring.
 * Postings are invalidated lazily (a generation per slot) and rebuilt when half of them are stale.
 */
export interface SparseRow {
  indices: Uint32Array;
  values: Float32Array;
}

interface Posting {
  slots: number[];
  values: number[];
  gens: number[];
}

export class SparseStore {
  private rows: Array<SparseRow | undefined> = [];
  private gens: number[] = [];
  private postings = new Map<number, Posting>();
  /** number of live points containing each index */
  private df = new Map<number, number>();
  private livePostings = 0;
  private stalePostings = 0;
  /** number of points having this vector */
  count = 0;

  has(slot: number): boolean {
    return this.rows[slot] !== undefined;
  }

  get(slot: number): SparseRow | undefined {
    return this.rows[slot];
  }

  set(slot: number, row: SparseRow): void {
    this.remove(slot);
    this.rows[slot] = row;
    const gen = (this.gens[slot] = (this.gens[slot] ?? 0) + 1);
    this.count++;
    for (let i = 0; i < row.indices.length; i++) {
      const idx = row.indices[i] as number;
      let p = this.postings.get(idx);
      if (!p) this.postings.set(idx, (p = { slots: [], values: [], gens: [] }));
      p.slots.push(slot);
      p.values.push(row.values[i] as number);
      p.gens.push(gen);
      this.df.set(idx, (this.df.get(idx) ?? 0) + 1);
    }
    this.livePostings += row.indices.length;
  }

  remove(slot: number): void {
    const row = this.rows[slot];
    if (!row) return;
    this.rows[slot] = undefined;
    this.gens[slot] = (this.gens[slot] ?? 0) + 1;
    this.count--;
    for (let i = 0; i < row.indices.length; i++) {
      const idx = row.indices[i] as number;
      const d = (this.df.get(idx) ?? 1) - 1;
      if (d <= 0) this.df.delete(idx);
      else this.df.set(idx, d);
    }
    this.livePostings -= row.indices.length;
    this.stalePostings += row.indices.length;
    if (this.stalePostings > 1024 && this.stalePostings > this.livePostings) this.rebuild();
  }

  private rebuild(): void {
    this.postings = new Map();
    this.stalePostings = 0;
    this.rows.forEach((row, slot) => {
      if (!row) return;
      const gen = this.gens[slot] as number;
      for (let i = 0; i < row.indices.length; i++) {
        const idx = row.indices[i] as number;
        let p = this.postings.get(idx);
        if (!p) this.postings.set(idx, (p = { slots: [], values: [], gens: [] }));
        p.slots.push(slot);
        p.values.push(row.values[i] as number);
        p.gens.push(gen);
      }
    });
  }

  /** Qdrant's IDF: ln((N - df + 0.5) / (df + 0.5) + 1). */
  idf(index: number): number {
    const n = this.count;
    const df = this.df.get(index) ?? 0;
    return Math.log((n - df + 0.5) / (df + 0.5) + 1);
  }

  /**
   * Dot products over shared indices for every point sharing at least one index with the query.
   * Calls visit(slot, score) once per such point.
   */
  scoreAll(indices: ArrayLike<number>, weights: ArrayLike<number>, visit: (slot: number, score: number) => void): void {
    const acc = new Map<number, number>();
    for (let q = 0; q < indices.length; q++) {
      const p = this.postings.get(indices[q] as number);
      if (!p) continue;
      const w = weights[q] as number;
      const { slots, values, gens } = p;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i] as number;
        if (gens[i] !== this.gens[slot]) continue;
        acc.set(slot, (acc.get(slot) ?? 0) + w * (values[i] as number));
      }
    }
    for (const [slot, score] of acc) visit(slot, score);
  }

  /** Dot product of the query with one stored row; null when no index is shared. */
  scoreOne(slot: number, indices: ArrayLike<number>, weights: ArrayLike<number>): number | null {
    const row = this.rows[slot];
    if (!row) return null;
    // both sides sorted by index: merge
    let i = 0;
    let j = 0;
    let s = 0;
    let shared = false;
    const ri = row.indices;
    while (i < ri.length && j < indices.length) {
      const a = ri[i] as number;
      const b = indices[j] as number;
      if (a === b) {
        s += (row.values[i] as number) * (weights[j] as number);
        shared = true;
        i++;
        j++;
      } else if (a < b) i++;
      else j++;
    }
    return shared ? s : null;
  }
}

/** Validates and sorts a sparse vector the way the server does at insert. */
export function toSparseRow(raw: { indices: unknown; values: unknown }, fail: (msg: string) => Error): SparseRow {
  const { indices, values } = raw;
  if (!Array.isArray(indices) || !Array.isArray(values)) throw fail("sparse vector needs indices and values arrays");
  if (indices.length !== values.length) throw fail("Validation error in JSON body: [indices: must be the same length as values array]");
  const order = indices.map((_, i) => i);
  for (const ix of indices) {
    if (typeof ix !== "number" || !Number.isInteger(ix) || ix < 0 || ix > 0xffffffff) throw fail(`invalid sparse index ${JSON.stringify(ix)}`);
  }
  for (const v of values) if (typeof v !== "number" || !Number.isFinite(v)) throw fail(`invalid sparse value ${JSON.stringify(v)}`);
  order.sort((a, b) => (indices[a] as number) - (indices[b] as number));
  const row: SparseRow = { indices: new Uint32Array(order.length), values: new Float32Array(order.length) };
  order.forEach((src, dst) => {
    row.indices[dst] = indices[src] as number;
    row.values[dst] = values[src] as number;
  });
  for (let i = 1; i < row.indices.length; i++) {
    if (row.indices[i] === row.indices[i - 1]) throw fail("Validation error in JSON body: [indices: must be unique]");
  }
  return row;
}
