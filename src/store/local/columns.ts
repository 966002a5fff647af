/**
 * Payload-index columns: for every indexed field, the values each point has there (what
 * `valuesAt(payload, field)` gives), dictionary-encoded. Filters on indexed fields read these
 * instead of decoding payloads, so a filtered query never needs every payload in memory. A point
 * whose values are not plain scalars (objects, nested arrays) is marked, and its filter falls
 * back to the payload.
 */
import { valuesAt, type Payload } from "./filter.js";

type Scalar = string | number | boolean | null;
type Matcher = (value: unknown) => boolean;

/** Code marking a slot whose values the column cannot hold: filters read its payload. */
const COMPLEX = -1;

function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

function dictKey(v: Scalar): string {
  return v === null ? "n" : `${typeof v === "string" ? "s" : typeof v === "number" ? "f" : "b"}${String(v)}`;
}

/** The encoded form of one column, as a segment stores it. */
export interface EncodedColumn {
  dict: Scalar[];
  /** slot s has codes[offsets[s] .. offsets[s+1]) */
  offsets: Uint32Array;
  codes: Int32Array;
}

/** Builds a column slot by slot (for a segment, or for an index created on a loaded collection). */
export class ColumnBuilder {
  private readonly dict: Scalar[] = [];
  private readonly index = new Map<string, number>();
  private readonly offsets: number[] = [0];
  private readonly codes: number[] = [];

  constructor(readonly field: string) {}

  add(payload: Payload | undefined): void {
    const values = payload ? valuesAt(payload, this.field) : [];
    if (!values.every(isScalar)) this.codes.push(COMPLEX);
    else for (const v of values) this.codes.push(this.code(v));
    this.offsets.push(this.codes.length);
  }

  private code(v: Scalar): number {
    const key = dictKey(v);
    let code = this.index.get(key);
    if (code === undefined) {
      code = this.dict.length;
      this.dict.push(v);
      this.index.set(key, code);
    }
    return code;
  }

  build(): EncodedColumn {
    return { dict: this.dict, offsets: Uint32Array.from(this.offsets), codes: Int32Array.from(this.codes) };
  }
}

/** One field's column: the encoded base (from a segment) plus the slots changed since. */
export class Column {
  private readonly overlay = new Map<number, Scalar[] | null>();
  /** per matcher (one per compiled filter), per dictionary code: 0 unknown, 1 match, 2 no match */
  private readonly memo = new WeakMap<Matcher, Uint8Array>();

  constructor(
    readonly field: string,
    private readonly base: EncodedColumn,
  ) {}

  static empty(field: string): Column {
    return new Column(field, { dict: [], offsets: new Uint32Array(1), codes: new Int32Array(0) });
  }

  /** Records a slot's current payload (undefined: the slot is gone). */
  set(slot: number, payload: Payload | undefined): void {
    const values = payload ? valuesAt(payload, this.field) : [];
    this.overlay.set(slot, values.every(isScalar) ? values : null);
  }

  /** Whether any value of the slot satisfies `m`; undefined when only the payload can tell. */
  any(slot: number, m: Matcher): boolean | undefined {
    const changed = this.overlay.get(slot);
    if (changed !== undefined) return changed === null ? undefined : changed.some(m);
    const { offsets, codes, dict } = this.base;
    if (slot + 1 >= offsets.length) return false;
    const from = offsets[slot] as number;
    const to = offsets[slot + 1] as number;
    if (from < to && codes[from] === COMPLEX) return undefined;
    let memo = this.memo.get(m);
    if (!memo) this.memo.set(m, (memo = new Uint8Array(dict.length)));
    for (let i = from; i < to; i++) {
      const code = codes[i] as number;
      let known = memo[code] as number;
      if (known === 0) memo[code] = known = m(dict[code]) ? 1 : 2;
      if (known === 1) return true;
    }
    return false;
  }
}
