/**
 * One named sparse vector: an inverted index for scoring, in two parts. The base is a segment's
 * postings, read per queried term from the file (a base entry is valid while its slot has not
 * changed since the segment was written). The delta holds rows set since: per-slot sorted
 * (indices, values) plus in-memory postings, invalidated lazily (a generation per slot) and
 * rebuilt when half of them are stale. Document frequencies count valid entries of both.
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

/** A segment's postings for one sparse vector. */
export interface SparseBase {
  /** slots that had a row when the segment was written */
  present: Uint8Array;
  /** sorted term ids; term i's postings are entries [offsets[i], offsets[i+1]) */
  terms: Uint32Array;
  offsets: Float64Array;
  /** reads (and verifies) the postings of term i */
  read(i: number): { slots: Int32Array; values: Float32Array };
  /** a base row, for a slot whose row is still the segment's */
  row(slot: number): SparseRow | undefined;
}

interface CachedPosting {
  slots: Int32Array;
  values: Float32Array;
  /** valid entries, as of `epoch` */
  live: number;
  epoch: number;
}

/** Entries of base postings kept in memory at most (8 bytes each): past it the cache starts over. */
const POSTING_CACHE_ENTRIES = 16_000_000;

export class SparseStore {
  private rows: Array<SparseRow | undefined> = [];
  private gens = new Uint32Array(64);
  private postings = new Map<number, Posting>();
  /** number of live delta rows containing each index */
  private df = new Map<number, number>();
  private livePostings = 0;
  private stalePostings = 0;
  /** slots whose base row is no longer valid (changed or removed since the segment) */
  private baseDead = new Uint8Array(0);
  /** bumped whenever a base row dies, so cached base frequencies are recounted */
  private epoch = 0;
  private readonly cache = new Map<number, CachedPosting>();
  private cachedEntries = 0;
  /** per-query accumulator, indexed by slot */
  private acc = new Float32Array(64);
  private touched = new Int32Array(64);
  private seen = new Uint8Array(64);
  /** number of points having this vector */
  count = 0;

  constructor(private readonly base: SparseBase | null = null) {
    if (base) {
      this.baseDead = new Uint8Array(base.present.length);
      for (const p of base.present) this.count += p;
    }
  }

  private baseValid(slot: number): boolean {
    return this.base !== null && this.base.present[slot] === 1 && this.baseDead[slot] !== 1;
  }

  has(slot: number): boolean {
    return this.rows[slot] !== undefined || this.baseValid(slot);
  }

  get(slot: number): SparseRow | undefined {
    return this.rows[slot] ?? (this.baseValid(slot) ? this.base!.row(slot) : undefined);
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
    if (this.baseValid(slot)) {
      this.baseDead[slot] = 1;
      this.epoch++;
      this.count--;
      return;
    }
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

  /** The base postings of a term (read from the segment once, then cached), or null. */
  private basePosting(index: number): CachedPosting | null {
    const base = this.base;
    if (!base) return null;
    let cached = this.cache.get(index);
    if (!cached) {
      const i = findTerm(base.terms, index);
      if (i < 0) return null;
      const { slots, values } = base.read(i);
      if (this.cachedEntries + slots.length > POSTING_CACHE_ENTRIES) {
        this.cache.clear();
        this.cachedEntries = 0;
      }
      cached = { slots, values, live: slots.length, epoch: 0 };
      this.cache.set(index, cached);
      this.cachedEntries += slots.length;
    }
    if (cached.epoch !== this.epoch) {
      let live = 0;
      for (const slot of cached.slots) if (this.baseDead[slot] !== 1) live++;
      cached.live = live;
      cached.epoch = this.epoch;
    }
    return cached;
  }

  /** Qdrant's IDF: ln((N - df + 0.5) / (df + 0.5) + 1). */
  idf(index: number): number {
    const n = this.count;
    const df = (this.basePosting(index)?.live ?? 0) + (this.df.get(index) ?? 0);
    return Math.log((n - df + 0.5) / (df + 0.5) + 1);
  }

  private ensureScratch(): void {
    const size = Math.max(this.gens.length, this.baseDead.length);
    if (this.acc.length < size) {
      this.acc = new Float32Array(size);
      this.touched = new Int32Array(size);
      this.seen = new Uint8Array(size);
    }
  }

  /**
   * Dot products over shared indices for every point sharing at least one index with the query
   * (term-at-a-time over the postings, one typed accumulator). Calls visit(slot, score) once per point.
   */
  scoreAll(indices: ArrayLike<number>, weights: ArrayLike<number>, visit: (slot: number, score: number) => void): void {
    this.ensureScratch();
    const acc = this.acc;
    const touched = this.touched;
    const seen = this.seen;
    const gens = this.gens;
    const dead = this.baseDead;
    let nTouched = 0;
    const add = (slot: number, value: number): void => {
      if (seen[slot] === 0) {
        seen[slot] = 1;
        acc[slot] = 0;
        touched[nTouched++] = slot;
      }
      acc[slot] = (acc[slot] as number) + value;
    };
    for (let q = 0; q < indices.length; q++) {
      const w = weights[q] as number;
      const base = this.basePosting(indices[q] as number);
      if (base) {
        const { slots, values } = base;
        for (let i = 0; i < slots.length; i++) {
          const slot = slots[i] as number;
          if (dead[slot] !== 1) add(slot, w * (values[i] as number));
        }
      }
      const p = this.postings.get(indices[q] as number);
      if (!p) continue;
      const { slots, values } = p;
      const pg = p.gens;
      for (let i = 0; i < p.length; i++) {
        const slot = slots[i] as number;
        if (pg[i] === gens[slot]) add(slot, w * (values[i] as number));
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
    const row = this.get(slot);
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

/** Index of `term` in the sorted array, or -1. */
function findTerm(terms: Uint32Array, term: number): number {
  let lo = 0;
  let hi = terms.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = terms[mid] as number;
    if (t === term) return mid;
    if (t < term) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
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
