/** Bounded selection of the k best (slot, similarity) pairs; ties go to the smaller point id. */
export type SlotTieBreak = (a: number, b: number) => number;

export class TopK {
  private readonly sims: Float64Array;
  private readonly slots: Int32Array;
  private size = 0;

  constructor(
    readonly k: number,
    private readonly tie: SlotTieBreak,
  ) {
    this.sims = new Float64Array(Math.max(1, k));
    this.slots = new Int32Array(Math.max(1, k));
  }

  /** a is worse than b */
  private worse(sa: number, a: number, sb: number, b: number): boolean {
    return sa < sb || (sa === sb && this.tie(a, b) > 0);
  }

  /** Lowest similarity kept so far (-Infinity until full): callers may skip anything below it. */
  get floor(): number {
    return this.size < this.k ? -Infinity : (this.sims[0] as number);
  }

  push(slot: number, sim: number): void {
    if (this.k <= 0) return;
    const sims = this.sims;
    const slots = this.slots;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(sim, slot, sims[p] as number, slots[p] as number)) break;
        sims[i] = sims[p] as number;
        slots[i] = slots[p] as number;
        i = p;
      }
      sims[i] = sim;
      slots[i] = slot;
      return;
    }
    if (this.worse(sim, slot, sims[0] as number, slots[0] as number)) return;
    // replace root, sift down
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.worse(sims[r] as number, slots[r] as number, sims[l] as number, slots[l] as number)) c = r;
      if (!this.worse(sims[c] as number, slots[c] as number, sim, slot)) break;
      sims[i] = sims[c] as number;
      slots[i] = slots[c] as number;
      i = c;
    }
    sims[i] = sim;
    slots[i] = slot;
  }

  /** Best first. */
  result(): Array<{ slot: number; sim: number }> {
    const out: Array<{ slot: number; sim: number }> = [];
    for (let i = 0; i < this.size; i++) out.push({ slot: this.slots[i] as number, sim: this.sims[i] as number });
    out.sort((a, b) => b.sim - a.sim || this.tie(a.slot, b.slot));
    return out;
  }
}
