/**
 * A collection to and from a segment file. Writing reads the committed points once (from an LMDB
 * read snapshot, so concurrent writes do not show) and lays out: ids and versions; per dense
 * vector the presence bytes, the float matrix in the scoring kernel's row layout and, when
 * quantized, the int8 rows and their scales; per multivector its presence; per sparse vector the
 * presence and the inverted index (sorted terms, offsets, per-term checksums, slots, values); per
 * indexed payload field its column. The sections are built in memory before they are written, so
 * compaction needs about the segment's size in memory, once. Reading gives a CollectionBase that
 * reads the large parts only when asked.
 */
import type { CollectionBase, DenseBase, LoadedVector, PointSource, StoredCollectionConfig } from "./collection.js";
import { Collection, floatsOf } from "./collection.js";
import { ColumnBuilder, type EncodedColumn } from "./columns.js";
import { DenseMatrix } from "./dense.js";
import type { Payload } from "./filter.js";
import type { PointId } from "./ids.js";
import { Int8Matrix, quantizeRow } from "./int8.js";
import {
  asFloat32,
  asFloat64,
  asInt32,
  asUint32,
  bytesOf,
  Segment,
  SEGMENT_FORMAT,
  SegmentCorruptError,
  SegmentWriter,
  VERIFY_SYNC_BYTES,
  type SegmentFooter,
} from "./segment.js";
import type { SparseBase } from "./sparse.js";

/** One committed point, as storage yields it. */
export interface SnapshotPoint {
  id: PointId;
  payload: Payload;
  version: number;
  vectors: ReadonlyMap<string, LoadedVector>;
}

const ID_BYTES = 17;
const ID_NUMBER = 1;
const ID_UUID = 2;

function encodeId(id: PointId, out: Uint8Array, at: number): void {
  if (typeof id === "number") {
    out[at] = ID_NUMBER;
    new DataView(out.buffer, out.byteOffset + at + 1, 8).setFloat64(0, id, true);
  } else {
    out[at] = ID_UUID;
    out.set(Buffer.from(id.replace(/-/g, ""), "hex"), at + 1);
  }
}

function decodeId(bytes: Uint8Array, slot: number): PointId {
  const at = slot * ID_BYTES;
  if (bytes[at] === ID_NUMBER) return new DataView(bytes.buffer, bytes.byteOffset + at + 1, 8).getFloat64(0, true);
  const h = Buffer.from(bytes.buffer, bytes.byteOffset + at + 1, 16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A growable posting list while the index is built. */
class PostingBuilder {
  slots = new Int32Array(4);
  values = new Float32Array(4);
  length = 0;

  push(slot: number, value: number): void {
    if (this.length === this.slots.length) {
      const s = new Int32Array(this.length * 2);
      s.set(this.slots);
      const v = new Float32Array(this.length * 2);
      v.set(this.values);
      this.slots = s;
      this.values = v;
    }
    this.slots[this.length] = slot;
    this.values[this.length++] = value;
  }
}

/** A numeric checksum of one term's postings (both arrays). */
function postingSum(slots: Int32Array, values: Float32Array): number {
  let a = 0;
  let b = 0;
  const words = [new Uint32Array(slots.buffer, slots.byteOffset, slots.length), new Uint32Array(values.buffer, values.byteOffset, values.length)];
  for (const w of words) {
    for (let i = 0; i < w.length; i++) {
      a = (a + (w[i] as number)) >>> 0;
      b = (b + a) >>> 0;
    }
  }
  return (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
}

interface DenseOut {
  name: string;
  dim: number;
  present: Uint8Array;
  stride: number;
  rows: Uint8Array;
  int8: { stride: number; rows: Uint8Array; scales: Float32Array } | null;
}

/**
 * Writes the segment of a collection: `points` are the collection's `count` committed points at
 * commit sequence `seq`. Vector rows are kept in memory only as the segment's sections are.
 */
export function writeSnapshot(file: string, name: string, uid: number, seq: number, config: StoredCollectionConfig, count: number, points: Iterable<SnapshotPoint>): SegmentFooter {
  const shape = new Collection(name, uid, config, false);
  const writer = new SegmentWriter(file);
  try {
    const ids = new Uint8Array(count * ID_BYTES);
    const versions = new Float64Array(count);
    const dense: DenseOut[] = [...shape.dense.entries()].map(([vname, e]) => {
      const stride = DenseMatrix.strideFor(e.spec.size);
      const int8Stride = Int8Matrix.strideFor(e.spec.size);
      return {
        name: vname,
        dim: e.spec.size,
        present: new Uint8Array(count),
        stride,
        rows: new Uint8Array(count * stride * 4),
        int8: e.quantized ? { stride: int8Stride, rows: new Uint8Array(count * int8Stride), scales: new Float32Array(count) } : null,
      };
    });
    const multi = [...shape.multi.keys()].map((vname) => ({ name: vname, present: new Uint8Array(count) }));
    const sparse = [...shape.sparse.keys()].map((vname) => ({ name: vname, present: new Uint8Array(count), postings: new Map<number, PostingBuilder>() }));
    const columns = Object.keys(config.payload_schema).map((field) => new ColumnBuilder(field));
    let slot = 0;
    for (const p of points) {
      if (slot >= count) throw new Error(`more points than the ${count} counted`);
      encodeId(p.id, ids, slot * ID_BYTES);
      versions[slot] = p.version;
      for (const d of dense) addDenseRow(d, slot, p.vectors.get(d.name));
      for (const m of multi) if (p.vectors.get(m.name)?.kind === "multi") m.present[slot] = 1;
      for (const s of sparse) {
        const v = p.vectors.get(s.name);
        if (v?.kind !== "sparse") continue;
        s.present[slot] = 1;
        for (let i = 0; i < v.row.indices.length; i++) {
          const term = v.row.indices[i] as number;
          let posting = s.postings.get(term);
          if (!posting) s.postings.set(term, (posting = new PostingBuilder()));
          posting.push(slot, v.row.values[i] as number);
        }
      }
      for (const c of columns) c.add(p.payload);
      slot++;
    }
    if (slot !== count) throw new Error(`${slot} points read, ${count} counted`);
    const footer: SegmentFooter = {
      format: SEGMENT_FORMAT,
      uid,
      seq,
      slots: count,
      ids: writer.section(ids),
      versions: writer.section(bytesOf(versions)),
      dense: {},
      multi: {},
      sparse: {},
      columns: {},
    };
    for (const d of dense) {
      footer.dense[d.name] = {
        present: writer.section(d.present),
        matrix: writer.section(d.rows),
        stride: d.stride,
        dim: d.dim,
        int8: d.int8 ? { rows: writer.section(d.int8.rows), scales: writer.section(bytesOf(d.int8.scales)), stride: d.int8.stride } : null,
      };
    }
    for (const m of multi) footer.multi[m.name] = { present: writer.section(m.present) };
    for (const s of sparse) footer.sparse[s.name] = writePostings(writer, s.present, s.postings);
    for (const c of columns) footer.columns[c.field] = writeColumn(writer, c.build());
    writer.finish(footer);
    return footer;
  } catch (e) {
    writer.abort();
    throw e;
  }
}

function addDenseRow(d: DenseOut, slot: number, v: LoadedVector | undefined): void {
  if (!v || (v.kind !== "dense" && v.kind !== "dense-bytes")) return;
  d.present[slot] = 1;
  const bytes = v.kind === "dense" ? bytesOf(v.data) : v.bytes;
  d.rows.set(bytes, slot * d.stride * 4);
  if (d.int8) {
    const floats = v.kind === "dense" ? v.data : floatsOf(v.bytes);
    const row = new Int8Array(d.int8.rows.buffer, slot * d.int8.stride, d.int8.stride);
    d.int8.scales[slot] = quantizeRow(floats, row, 0);
  }
}

function writePostings(writer: SegmentWriter, present: Uint8Array, postings: Map<number, PostingBuilder>): SegmentFooter["sparse"][string] {
  const terms = Uint32Array.from(postings.keys()).sort();
  const offsets = new Float64Array(terms.length + 1);
  const sums = new Uint32Array(terms.length);
  let total = 0;
  terms.forEach((term, i) => {
    const p = postings.get(term)!;
    sums[i] = postingSum(p.slots.subarray(0, p.length), p.values.subarray(0, p.length));
    total += p.length;
    offsets[i + 1] = total;
  });
  const ordered = [...terms].map((t) => postings.get(t)!);
  return {
    present: writer.section(present),
    terms: writer.section(bytesOf(terms)),
    offsets: writer.section(bytesOf(offsets)),
    sums: writer.section(bytesOf(sums)),
    slots: writer.stream(total * 4, (put) => ordered.forEach((p) => put(bytesOf(p.slots.subarray(0, p.length))))),
    values: writer.stream(total * 4, (put) => ordered.forEach((p) => put(bytesOf(p.values.subarray(0, p.length))))),
  };
}

function writeColumn(writer: SegmentWriter, column: EncodedColumn): SegmentFooter["columns"][string] {
  return {
    dict: writer.section(Buffer.from(JSON.stringify(column.dict), "utf8")),
    offsets: writer.section(bytesOf(column.offsets)),
    codes: writer.section(bytesOf(column.codes)),
  };
}

/** Opens a segment as a collection's base; damage in what is read now throws SegmentCorruptError. */
export function readSnapshot(file: string, source: PointSource): CollectionBase {
  const segment = Segment.open(file);
  try {
    const f = segment.footer;
    const ids = segment.read(f.ids);
    if (ids.byteLength !== f.slots * ID_BYTES) throw new SegmentCorruptError(file, "ids section has the wrong size");
    const live = new Uint8Array(f.slots);
    for (let s = 0; s < f.slots; s++) live[s] = ids[s * ID_BYTES] === 0 ? 0 : 1;
    const idAt = (slot: number): PointId => decodeId(ids, slot);
    const scrubs: Array<{ damaged: boolean }> = [];
    const base: CollectionBase = {
      seq: f.seq,
      slots: f.slots,
      live,
      idAt,
      versions: asFloat64(segment.read(f.versions)),
      dense: new Map(Object.entries(f.dense).map(([name, d]) => [name, denseBase(segment, f.slots, d, scrubs)])),
      multi: new Map(Object.entries(f.multi).map(([name, m]) => [name, { present: segment.read(m.present) }])),
      sparse: new Map(Object.entries(f.sparse).map(([name, s]) => [name, sparseBase(segment, s, (slot) => source.vectors(idAt(slot)).get(name))])),
      columns: new Map(Object.entries(f.columns).map(([field, c]) => [field, readColumn(segment, c)])),
      close: () => segment.close(),
      assertIntact: () => {
        if (scrubs.some((s) => s.damaged)) throw new SegmentCorruptError(file, "a matrix failed its background checksum");
      },
    };
    return base;
  } catch (e) {
    segment.close();
    throw e;
  }
}

function denseBase(segment: Segment, slots: number, d: SegmentFooter["dense"][string], scrubs: Array<{ damaged: boolean }>): DenseBase {
  const rowBytes = d.stride * 4;
  return {
    present: segment.read(d.present),
    loadInto(matrix: DenseMatrix): void {
      if (matrix.stride !== d.stride) throw new SegmentCorruptError(segment.file, `row stride ${d.stride}, expected ${matrix.stride}`);
      matrix.ensure(Math.max(1, slots));
      const data = matrix.data;
      const target = new Uint8Array(data.buffer, data.byteOffset, slots * rowBytes);
      segment.readInto(d.matrix, target);
      if (d.matrix.length <= VERIFY_SYNC_BYTES) segment.verify(d.matrix, target);
      else scrubs.push(segment.scrub(d.matrix));
    },
    loadQuantized: d.int8
      ? (matrix: Int8Matrix): void => {
          const q = d.int8!;
          if (matrix.stride !== q.stride) throw new SegmentCorruptError(segment.file, `int8 row stride ${q.stride}, expected ${matrix.stride}`);
          matrix.ensure(Math.max(1, slots));
          const target = new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, slots * q.stride);
          segment.readInto(q.rows, target);
          if (q.rows.length <= VERIFY_SYNC_BYTES) segment.verify(q.rows, target);
          else scrubs.push(segment.scrub(q.rows));
          matrix.scales.set(asFloat32(segment.read(q.scales)));
        }
      : null,
    row(slot: number): Float32Array {
      return asFloat32(segment.readRange(d.matrix, slot * rowBytes, d.dim * 4));
    },
  };
}

function sparseBase(segment: Segment, s: SegmentFooter["sparse"][string], row: (slot: number) => LoadedVector | undefined): SparseBase {
  const terms = asUint32(segment.read(s.terms));
  const offsets = asFloat64(segment.read(s.offsets));
  const sums = asUint32(segment.read(s.sums));
  if (offsets.length !== terms.length + 1 || sums.length !== terms.length) throw new SegmentCorruptError(segment.file, "term dictionary sizes disagree");
  return {
    present: segment.read(s.present),
    terms,
    offsets,
    read(i: number) {
      const from = offsets[i] as number;
      const n = (offsets[i + 1] as number) - from;
      const slots = asInt32(segment.readRange(s.slots, from * 4, n * 4));
      const values = asFloat32(segment.readRange(s.values, from * 4, n * 4));
      if (postingSum(slots, values) !== sums[i]) throw new SegmentCorruptError(segment.file, `postings of term ${terms[i]} fail their checksum`);
      return { slots, values };
    },
    row(slot: number) {
      const v = row(slot);
      return v?.kind === "sparse" ? v.row : undefined;
    },
  };
}

function readColumn(segment: Segment, c: SegmentFooter["columns"][string]): EncodedColumn {
  let dict: unknown;
  try {
    dict = JSON.parse(Buffer.from(segment.read(c.dict)).toString("utf8"));
  } catch (e) {
    if (e instanceof SegmentCorruptError) throw e;
    throw new SegmentCorruptError(segment.file, "column dictionary is not JSON");
  }
  if (!Array.isArray(dict)) throw new SegmentCorruptError(segment.file, "column dictionary is not a list");
  return { dict: dict as EncodedColumn["dict"], offsets: asUint32(segment.read(c.offsets)), codes: asInt32(segment.read(c.codes)) };
}
