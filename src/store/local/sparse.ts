/**
 * One named sparse vector: per-slot sorted (indices, values) plus an inverted index for scoring.
 * Postings are invalidated lazily (a generation per slot) and rebuilt when half of them are stale.
 */
export interface SparseRow {
  indices: Uint32Array;
  values: Float32Array;
}
/** One term's posting list, in growable typed arrays (12 bytes per entry). */
class Posting {
  slots = new Int32Array(4);
  values = new Float32Array(4);
  gens = new Uint32Array(4);
  length = 0;

  push(slot: number, value: number, gen: number): void {
    if (this.length === this.slots.length) {
      const cap = this.length * 2;
      const s = new Int32Array(cap);
      s.set(this.slots);
      const v = new Float32Array(cap);
      v.set(this.values);
      const g = new Uint32Array(cap);
      g.set(this.gens);
      this.slots = s;
      this.values = v;
      this.gens = g;
    }
    this.slots[this.length] = slot;
    this.values[this.length] = value;
    this.gens[this.length] = gen;
    this.length++;
  }
}

export class SparseStore {
  private rows: Array<SparseRow | undefined> = [];
  private gens = new Uint32Array(64);
  private postings = new Map<number, Posting>();
  /** number of live points containing each index */
  private df = new Map<number, number>();
  private livePostings = 0;
  private stalePostings = 0;
  /** per-query accumulator, indexed by slot */
  private acc = new Float32Array(64);
  private touched = new Int32Array(64);
  private seen = new Uint8Array(64);
  /** number of points having this vector */
  count = 0;

  has(slot: number): boolean {
    return this.rows[slot] !== undefined;
  }

  get(slot: number): SparseRow | undefined {
    return this.rows[slot];
  }

  private bumpGen(slot: number): number {
    if (slot >= this.gens.length) {
      const g = new Uint32Array(Math.max(slot + 1, this.gens.length * 2));
      g.set(this.gens);
      this.gens = g;
    }
    return ++this.gens[slot]!;
  }

  set(slot: number, row: SparseRow): void {
    this.remove(slot);
    this.rows[slot] = row;
    const gen = this.bumpGen(slot);
    this.count++;
    for (let i = 0; i < row.indices.length; i++) {
      const idx = row.indices[i] as number;
      let p = this.postings.get(idx);
      if (!p) this.postings.set(idx, (p = new Posting()));
      p.push(slot, row.values[i] as number, gen);
      this.df.set(idx, (this.df.get(idx) ?? 0) + 1);
    }
    this.livePostings += row.indices.length;
  }

  remove(slot: number): void {
    const row = this.rows[slot];
    if (!row) return;
    this.rows[slot] = undefined;
    this.bumpGen(slot);
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
        if (!p) this.postings.set(idx, (p = new Posting()));
        p.push(slot, row.values[i] as number, gen);
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
   * Dot products over shared indices for every point sharing at least one index with the query
   * (term-at-a-time over the postings, one typed accumulator). Calls visit(slot, score) once per point.
   */
  scoreAll(indices: ArrayLike<number>, weights: ArrayLike<number>, visit: (slot: number, score: number) => void): void {
    const size = this.gens.length;
    if (this.acc.length < size) {
      this.acc = new Float32Array(size);
      this.touched = new Int32Array(size);
      this.seen = new Uint8Array(size);
    }
    const acc = this.acc;
    const touched = this.touched;
    const seen = this.seen;
    const gens = this.gens;
    let nTouched = 0;
    for (let q = 0; q < indices.length; q++) {
      const p = this.postings.get(indices[q] as number);
      if (!p) continue;
      const w = weights[q] as number;
      const { slots, values } = p;
      const pg = p.gens;
      for (let i = 0; i < p.length; i++) {
        const slot = slots[i] as number;
        if (pg[i] !== gens[slot]) continue;
        if (seen[slot] === 0) {
          seen[slot] = 1;
          acc[slot] = 0;
          touched[nTouched++] = slot;
        }
        acc[slot] = (acc[slot] as number) + w * (values[i] as number);
      }
    }
    for (let i = 0; i < nTouched; i++) {
      const slot = touched[i] as number;
      seen[slot] = 0;
      visit(slot, acc[slot] as number);
    }
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
