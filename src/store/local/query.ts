/**
 * The Query API over one collection: nearest (dense, sparse, multi-vector, by point id), prefetch
 * (nested) with re-scoring, fusion (RRF with k and weights, DBSF), MMR, score_threshold, offset.
 * Search is exact: the filter is evaluated first, then only matching rows are scored.
 */
import { UnsupportedFeatureError } from "../../errors.js";
import { checkDense, metricOf, normalizeInPlace, scoreFromSimilarity, type Collection, type DenseSpec, type Distance } from "./collection.js";
import { badRequest, formatError, notFound, wrongInput } from "./errors.js";
import { andFilters, compileOptionalFilter, type Predicate } from "./filter.js";
import { normalizeId, type PointId } from "./ids.js";
import { Metric, similarityAt } from "./kernels.js";
import { toSparseRow } from "./sparse.js";
import { TopK } from "./topk.js";
import { wasmMaxSim } from "./wasm.js";

/** A ranked hit: `score` is what the server returns (a distance for Euclid/Manhattan). */
export interface Hit {
  slot: number;
  score: number;
}

export interface StageRequest {
  prefetch?: unknown;
  query?: unknown;
  using?: string | null;
  filter?: unknown;
  score_threshold?: number | null;
  limit?: number | null;
  params?: unknown;
  lookup_from?: unknown;
}

/** Search params' quantization, with the defaults filled in. */
interface QuantizationParams {
  ignore: boolean;
  rescore: boolean;
  oversampling: number;
}
const NO_QUANTIZATION_PARAMS: QuantizationParams = { ignore: false, rescore: true, oversampling: 1 };

type DenseQuery = { kind: "dense"; name: string; spec: DenseSpec; vec: Float32Array; quantization: QuantizationParams };
type VectorQuery =
  | DenseQuery
  | { kind: "multi"; name: string; spec: DenseSpec; vecs: Float32Array; count: number }
  | { kind: "sparse"; name: string; indices: Uint32Array; weights: Float64Array };

type PlannedQuery =
  | { kind: "none" }
  | { kind: "vector"; vq: VectorQuery; exclude: PointId[] }
  | { kind: "mmr"; vq: VectorQuery; exclude: PointId[]; diversity: number; candidates: number | null }
  | { kind: "rrf"; k: number; weights: number[] | null }
  | { kind: "dbsf" };

const UNSUPPORTED_QUERY_KEYS = ["recommend", "discover", "context", "order_by", "formula", "sample", "relevance_feedback"];

let scratch = new Float32Array(1024);
let scratchIdx = new Int32Array(1024);
function scratchFloats(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(Math.ceil(n * 1.5));
  return scratch;
}
function scratchInts(n: number): Int32Array {
  if (scratchIdx.length < n) scratchIdx = new Int32Array(Math.ceil(n * 1.5));
  return scratchIdx;
}

function isSparseInput(q: unknown): q is { indices: unknown; values: unknown } {
  return typeof q === "object" && q !== null && !Array.isArray(q) && "indices" in q && "values" in q;
}

function distanceOf(vq: VectorQuery): Distance {
  return vq.kind === "sparse" ? "Dot" : vq.spec.distance;
}

export class QueryEngine {
  constructor(private readonly coll: Collection) {}

  /** Resolves `using` to a vector name the collection has. */
  private vectorName(using: string | null | undefined): string {
    const name = using ?? "";
    const c = this.coll;
    if (!c.dense.has(name) && !c.multi.has(name) && !c.sparse.has(name)) throw wrongInput(`Not existing vector name error: ${name}`);
    return name;
  }

  /** Turns a raw query vector (or point id) into a scored query on `using`. */
  private vectorQuery(raw: unknown, using: string | null | undefined, exclude: PointId[]): VectorQuery {
    const c = this.coll;
    const name = this.vectorName(using);
    if (typeof raw === "string" || typeof raw === "number") {
      const id = normalizeId(raw);
      const slot = c.slot(id);
      if (slot === undefined) throw notFound(`No point with id ${String(id)} found`);
      const stored = c.storedVectors(slot).get(name);
      if (!stored) throw wrongInput(`Vector "${name}" is not found in point ${String(id)}`);
      exclude.push(id);
      if (stored.kind === "dense") return { kind: "dense", name, spec: c.dense.get(name)!.spec, vec: stored.data, quantization: NO_QUANTIZATION_PARAMS };
      if (stored.kind === "multi") return { kind: "multi", name, spec: c.multi.get(name)!.spec, vecs: stored.data, count: stored.count };
      return this.sparseQuery(name, stored.row.indices, stored.row.values);
    }
    if (isSparseInput(raw)) {
      if (!c.sparse.has(name)) throw wrongInput(`Conversion between sparse and regular vectors failed`);
      const row = toSparseRow(raw, (m) => wrongInput(m));
      return this.sparseQuery(name, row.indices, row.values);
    }
    if (Array.isArray(raw)) {
      if (c.sparse.has(name)) throw wrongInput(`Conversion between sparse and regular vectors failed`);
      const multi = raw.length > 0 && Array.isArray(raw[0]);
      const spec = (c.dense.get(name) ?? c.multi.get(name))!.spec;
      if (multi) {
        if (!c.multi.has(name)) {
          throw wrongInput(`Multi-vector query on vector "${name}" which is not configured as a multivector`);
        }
        const count = raw.length;
        const vecs = new Float32Array(count * spec.size);
        raw.forEach((sub: unknown, i: number) => {
          if (!Array.isArray(sub) || sub.length !== spec.size) {
            throw wrongInput(`Vector dimension error: expected dim: ${spec.size}, got ${Array.isArray(sub) ? sub.length : 0}`);
          }
          vecs.set(sub as number[], i * spec.size);
          if (spec.distance === "Cosine") normalizeInPlace(vecs, i * spec.size, (i + 1) * spec.size);
        });
        return { kind: "multi", name, spec, vecs, count };
      }
      checkDense(raw, spec.size);
      const vec = new Float32Array(raw as number[]);
      if (spec.distance === "Cosine") normalizeInPlace(vec);
      if (c.multi.has(name)) return { kind: "multi", name, spec, vecs: vec, count: 1 };
      return { kind: "dense", name, spec, vec, quantization: NO_QUANTIZATION_PARAMS };
    }
    if (typeof raw === "object" && raw !== null) {
      throw new UnsupportedFeatureError("server-side inference (Document / Image query objects) in the embedded store", "Embed the query on the client, or set QDRANT_URL.");
    }
    throw formatError(`Invalid query: ${JSON.stringify(raw)}`);
  }

  private sparseQuery(name: string, indices: Uint32Array, values: Float32Array): VectorQuery {
    const entry = this.coll.sparse.get(name)!;
    const weights = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) weights[i] = (values[i] as number) * (entry.spec.idf ? entry.store.idf(indices[i] as number) : 1);
    return { kind: "sparse", name, indices, weights };
  }

  private plan(query: unknown, using: string | null | undefined): PlannedQuery {
    if (query === undefined || query === null) return { kind: "none" };
    if (typeof query === "object" && !Array.isArray(query) && !isSparseInput(query)) {
      const q = query as Record<string, unknown>;
      if ("nearest" in q) {
        const exclude: PointId[] = [];
        const vq = this.vectorQuery(q.nearest, using, exclude);
        if (q.mmr !== undefined && q.mmr !== null) {
          const mmr = q.mmr as { diversity?: number | null; candidates_limit?: number | null };
          const diversity = mmr.diversity ?? 0.5;
          if (typeof diversity !== "number" || diversity < 0 || diversity > 1) throw formatError("Validation error in JSON body: [mmr.diversity: value must be in the range [0, 1]]");
          return { kind: "mmr", vq, exclude, diversity, candidates: mmr.candidates_limit ?? null };
        }
        return { kind: "vector", vq, exclude };
      }
      if ("fusion" in q) {
        if (q.fusion === "rrf") return { kind: "rrf", k: 2, weights: null };
        if (q.fusion === "dbsf") return { kind: "dbsf" };
        throw formatError(`unknown variant \`${String(q.fusion)}\`, expected \`rrf\` or \`dbsf\``);
      }
      if ("rrf" in q) {
        const r = (q.rrf ?? {}) as { k?: number | null; weights?: number[] | null };
        const k = r.k ?? 2;
        if (!Number.isInteger(k) || k < 1) throw formatError("Validation error in JSON body: [rrf.k: value must be at least 1]");
        return { kind: "rrf", k, weights: r.weights ?? null };
      }
      for (const key of UNSUPPORTED_QUERY_KEYS) {
        if (key in q) throw new UnsupportedFeatureError(`"${key}" queries in the embedded store`, "Set QDRANT_URL to use a Qdrant server for this query type.");
      }
    }
    const exclude: PointId[] = [];
    const vq = this.vectorQuery(query, using, exclude);
    return { kind: "vector", vq, exclude };
  }

  /** Runs one stage (the top-level request or a prefetch); returns hits best first, at most offset+limit. */
  run(stage: StageRequest, inheritedFilter: unknown, offset: number): Hit[] {
    const limit = stage.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 1) throw formatError(`Validation error in JSON body: [internal.limit: value ${String(limit)} invalid, must be 1 or larger]`);
    if (stage.lookup_from !== undefined && stage.lookup_from !== null) {
      throw new UnsupportedFeatureError("lookup_from in the embedded store", "Set QDRANT_URL to use a Qdrant server.");
    }
    const filter = andFilters(stage.filter, inheritedFilter);
    const prefetches = stage.prefetch === undefined || stage.prefetch === null ? [] : Array.isArray(stage.prefetch) ? stage.prefetch : [stage.prefetch];
    const planned = this.plan(stage.query, stage.using);
    if ((planned.kind === "vector" || planned.kind === "mmr") && planned.vq.kind === "dense") planned.vq.quantization = quantizationParams(stage.params);
    const take = limit + offset;
    const threshold = stage.score_threshold ?? null;
    if (planned.kind === "none" && prefetches.length > 0) {
      throw badRequest("A query is needed to merge the prefetches. Can't have prefetches without defining a query.");
    }
    if (planned.kind === "none" && threshold !== null) {
      throw badRequest("A query is needed to use the score_threshold. Can't have score_threshold without defining a query.");
    }

    if (prefetches.length === 0) {
      const predicate = compileOptionalFilter(filter);
      if (planned.kind === "rrf" || planned.kind === "dbsf") throw wrongInput("Fusion queries cannot be used without prefetch");
      if (planned.kind === "none") return this.byId(predicate, take);
      const pred = withExclusions(predicate, planned.exclude);
      if (planned.kind === "vector") return this.nearest(planned.vq, take, pred, null, threshold);
      const candidates = this.nearest(planned.vq, Math.max(planned.candidates ?? take, take), pred, null, null);
      return applyThreshold(this.mmr(planned.vq, candidates, take, planned.diversity), distanceOf(planned.vq), threshold);
    }

    const lists = prefetches.map((p) => this.run(p as StageRequest, filter, 0));
    if (planned.kind === "rrf") {
      if (planned.weights && planned.weights.length !== lists.length) {
        throw wrongInput(`Number of weights (${planned.weights.length}) must match the number of prefetches (${lists.length})`);
      }
      return applyThreshold(this.rrf(lists, planned.k, planned.weights), "Dot", threshold).slice(0, take);
    }
    if (planned.kind === "dbsf") return applyThreshold(this.dbsf(lists), "Dot", threshold).slice(0, take);
    if (planned.kind === "none") return [];
    const union = new Set<number>();
    for (const list of lists) for (const h of list) union.add(h.slot);
    const excluded = new Set(planned.exclude.map((id) => this.coll.slot(id)));
    const candidates = [...union].filter((s) => !excluded.has(s));
    if (planned.kind === "vector") return this.nearest(planned.vq, take, null, candidates, threshold);
    const scored = this.nearest(planned.vq, Math.max(candidates.length, take), null, candidates, null);
    return applyThreshold(this.mmr(planned.vq, scored.slice(0, planned.candidates ?? scored.length), take, planned.diversity), distanceOf(planned.vq), threshold);
  }

  /** Points in id order (a query with neither query nor prefetch). */
  private byId(predicate: Predicate | null, take: number): Hit[] {
    const c = this.coll;
    const slots: number[] = [];
    for (const s of c.liveSlots()) if (c.matches(s, predicate)) slots.push(s);
    slots.sort(c.compareSlots);
    return slots.slice(0, take).map((slot) => ({ slot, score: 0 }));
  }

  /** Exact top-k over all points (or over `candidates`), filter first. */
  nearest(vq: VectorQuery, k: number, predicate: Predicate | null, candidates: number[] | null, threshold: number | null): Hit[] {
    const c = this.coll;
    const distance = distanceOf(vq);
    const minSim = threshold === null ? -Infinity : similarityThreshold(distance, threshold);
    if (k === 0) return [];
    const top = new TopK(Math.min(k, Math.max(1, c.pointsCount)), c.compareSlots); // a huge limit must not allocate
    if (vq.kind === "dense") {
      for (const h of this.denseNearest(vq, top.k, predicate, candidates, minSim)) top.push(h.slot, h.sim);    } else if (vq.kind === "multi") {
      const metric = metricOf(vq.spec.distance);
      const visit = (s: number): void => {
        if (!c.hasVector(s, vq.name) || !c.matches(s, predicate)) return;
        const doc = c.multiRow(s, vq.name);
        if (!doc) return;
        const sim = maxSim(metric, vq.vecs, vq.count, doc.data, doc.count, vq.spec.size);
        if (sim >= minSim) top.push(s, sim);
      };
      if (candidates) candidates.forEach(visit);
      else for (const s of c.liveSlots()) visit(s);
    } else {
      const store = c.sparse.get(vq.name)!.store;
      if (candidates) {
        for (const s of candidates) {
          // re-scoring a given point: no shared index scores 0 (a full search never finds it)
          if (!store.has(s) || !c.matches(s, predicate)) continue;
          const sim = store.scoreOne(s, vq.indices, vq.weights) ?? 0;
          if (sim >= minSim) top.push(s, sim);
        }
      } else {
        store.scoreAll(vq.indices, vq.weights, (s, sim) => {
          if (sim >= minSim && c.isLive(s) && c.matches(s, predicate)) top.push(s, sim);
        });
      }
    }
    return top.result().map(({ slot, sim }) => ({ slot, score: scoreFromSimilarity(distance, sim) }));
  }

  /**
   * Dense top-k (as similarities): over the float matrix, or, on a quantized vector, over the int8
   * rows with the best `oversampling * k` rescored exactly from the original vectors.
   */
  private denseNearest(vq: DenseQuery, k: number, predicate: Predicate | null, candidates: number[] | null, minSim: number): Array<{ slot: number; sim: number }> {
    const c = this.coll;
    const metric = metricOf(vq.spec.distance);
    const quant = vq.quantization.ignore || metric !== Metric.Dot ? null : c.quantMatrix(vq.name);
    const rescore = quant !== null && vq.quantization.rescore;
    const take = rescore ? Math.max(k, Math.ceil(k * vq.quantization.oversampling)) : k;
    const scorer = quant
      ? { range: (out: Float32Array, rows: number) => quant.scoreRange(vq.vec, rows, out), rows: (idx: Int32Array, n: number, out: Float32Array) => quant.scoreRows(vq.vec, idx, n, out) }
      : this.floatScorer(vq, metric);
    const top = new TopK(Math.min(take, Math.max(1, c.pointsCount)), c.compareSlots);
    const present = c.dense.get(vq.name)!.present;
    const approxFloor = rescore ? -Infinity : minSim; // a threshold applies to exact scores
    if (predicate === null && candidates === null) {
      const rows = Math.min(c.highWater, present.length);
      const out = scratchFloats(rows);
      scorer.range(out, rows);
      for (let r = 0; r < rows; r++) {
        if (present[r] !== 1) continue;
        const sim = out[r] as number;
        if (sim >= approxFloor && sim >= top.floor) top.push(r, sim);
      }
    } else {
      const idx = scratchInts(candidates ? candidates.length : c.highWater);
      let n = 0;
      if (candidates) {
        for (const s of candidates) if (present[s] === 1 && c.matches(s, predicate)) idx[n++] = s;
      } else {
        const rows = Math.min(c.highWater, present.length);
        for (let s = 0; s < rows; s++) if (present[s] === 1 && c.matches(s, predicate)) idx[n++] = s;
      }
      const out = scratchFloats(n);
      scorer.rows(idx, n, out);
      for (let i = 0; i < n; i++) {
        const sim = out[i] as number;
        if (sim >= approxFloor) top.push(idx[i] as number, sim);
      }
    }
    const found = top.result();
    if (!rescore) return found;
    const exact = new TopK(Math.min(k, Math.max(1, found.length)), c.compareSlots);
    for (const { slot } of found) {
      const row = c.denseRow(slot, vq.name);
      if (!row) continue;
      const sim = similarityAt(metric, row, 0, vq.vec, vq.spec.size);
      if (sim >= minSim) exact.push(slot, sim);
    }
    return exact.result();
  }

  private floatScorer(vq: DenseQuery, metric: Metric) {
    const matrix = this.coll.denseMatrix(vq.name);
    return {
      range: (out: Float32Array, rows: number) => matrix.scoreRange(metric, vq.vec, rows, out),
      rows: (idx: Int32Array, n: number, out: Float32Array) => matrix.scoreRows(metric, vq.vec, idx, n, out),
    };
  }

  /** Similarity between two stored points on the query's vector (for MMR). */
  private pairSimilarity(vq: VectorQuery, a: number, b: number): number {
    const c = this.coll;
    if (vq.kind === "dense") {
      const ra = c.denseRow(a, vq.name)!;
      return similarityAt(metricOf(vq.spec.distance), ra, 0, c.denseRow(b, vq.name)!, vq.spec.size);
    }
    if (vq.kind === "multi") {
      const ra = c.multiRow(a, vq.name)!;
      const rb = c.multiRow(b, vq.name)!;
      return maxSim(metricOf(vq.spec.distance), ra.data, ra.count, rb.data, rb.count, vq.spec.size);
    }
    const store = c.sparse.get(vq.name)!.store;
    const rb = store.get(b)!;
    return store.scoreOne(a, rb.indices, rb.values) ?? 0;
  }

  /** Maximal marginal relevance: lambda = 1 - diversity; results keep their original scores. */
  private mmr(vq: VectorQuery, candidates: Hit[], k: number, diversity: number): Hit[] {
    if (candidates.length === 0 || k === 0) return [];
    const lambda = 1 - diversity;
    const distance = distanceOf(vq);
    // relevance and pairwise similarity are the server's internal similarities (minus squared distance for Euclid)
    const relevance = (h: Hit): number => (distance === "Euclid" ? -(h.score * h.score) : distance === "Manhattan" ? -h.score : h.score);
    const selected: Hit[] = [candidates[0] as Hit];
    const remaining = candidates.slice(1);
    const maxSimToSelected = remaining.map((h) => this.pairSimilarity(vq, h.slot, (candidates[0] as Hit).slot));
    while (selected.length < k && remaining.length > 0) {
      let best = 0;
      let bestValue = -Infinity;
      for (let i = 0; i < remaining.length; i++) {
        const value = lambda * relevance(remaining[i] as Hit) - (1 - lambda) * (maxSimToSelected[i] as number);
        if (value > bestValue) {
          bestValue = value;
          best = i;
        }
      }
      const chosen = remaining.splice(best, 1)[0] as Hit;
      maxSimToSelected.splice(best, 1);
      selected.push(chosen);
      for (let i = 0; i < remaining.length; i++) {
        const s = this.pairSimilarity(vq, (remaining[i] as Hit).slot, chosen.slot);
        if (s > (maxSimToSelected[i] as number)) maxSimToSelected[i] = s;
      }
    }
    return selected;
  }

  private sortFused(scores: Map<number, number>): Hit[] {
    const hits = [...scores].map(([slot, score]) => ({ slot, score: Math.fround(score) }));
    hits.sort((a, b) => b.score - a.score || this.coll.compareSlots(a.slot, b.slot));
    return hits;
  }

  /** Reciprocal rank fusion: a point at 0-based rank pos in a list of weight w adds 1 / ((pos + 1) / w + k - 1). */
  rrf(lists: Hit[][], k: number, weights: number[] | null): Hit[] {
    const scores = new Map<number, number>();
    lists.forEach((list, li) => {
      const w = weights ? (weights[li] as number) : 1;
      list.forEach((h, pos) => {
        // f32 arithmetic, as the server: 1/2 + 1/3 is 0.8333334 there
        const add = w > 0 ? Math.fround(1 / Math.fround(Math.fround((pos + 1) / w) + (k - 1))) : 0;
        scores.set(h.slot, Math.fround((scores.get(h.slot) ?? 0) + add));
      });
    });
    return this.sortFused(scores);
  }

  /** Distribution-based score fusion: each list rescaled by mean +- 3 sample std devs, then summed. */
  dbsf(lists: Hit[][]): Hit[] {
    const scores = new Map<number, number>();
    for (const list of lists) {
      if (list.length === 0) continue;
      const smallBetter = list.length > 1 && (list[0] as Hit).score < (list[list.length - 1] as Hit).score;
      let normalized: number[];
      if (list.length === 1) normalized = [0.5];
      else {
        let mean = 0;
        let agg = 0;
        list.forEach((h, i) => {
          const old = h.score - mean;
          mean += old / (i + 1);
          agg += old * (h.score - mean);
        });
        const std = Math.sqrt(agg / (list.length - 1));
        const min = mean - 3 * std;
        const max = mean + 3 * std;
        normalized = list.map((h) => (min === max ? 0.5 : smallBetter ? (max - h.score) / (max - min) : (h.score - min) / (max - min)));
      }
      list.forEach((h, i) => scores.set(h.slot, Math.fround((scores.get(h.slot) ?? 0) + Math.fround(normalized[i] as number))));
    }
    return this.sortFused(scores);
  }
}

/** `params.quantization` of a request (Qdrant's QuantizationSearchParams). */
function quantizationParams(params: unknown): QuantizationParams {
  const q = (params as { quantization?: unknown } | null | undefined)?.quantization;
  if (q === undefined || q === null) return NO_QUANTIZATION_PARAMS;
  if (typeof q !== "object") throw formatError("params.quantization must be an object");
  const { ignore, rescore, oversampling } = q as { ignore?: unknown; rescore?: unknown; oversampling?: unknown };
  if (oversampling !== undefined && oversampling !== null && (typeof oversampling !== "number" || !(oversampling >= 1))) {
    throw formatError("Validation error in JSON body: [params.quantization.oversampling: value must be 1 or larger]");
  }
  return {
    ignore: ignore === true,
    rescore: rescore !== false,
    oversampling: typeof oversampling === "number" ? oversampling : NO_QUANTIZATION_PARAMS.oversampling,
  };
}

function withExclusions(predicate: Predicate | null, exclude: PointId[]): Predicate | null {
  if (exclude.length === 0) return predicate;
  const set = new Set(exclude);
  return (t) => !set.has(t.id) && (predicate === null || predicate(t));
}

/** score_threshold in similarity space: scores >= t, or distances <= t. */
function similarityThreshold(distance: Distance, t: number): number {
  if (distance === "Euclid") return t < 0 ? Infinity : -(t * t);
  if (distance === "Manhattan") return -t;
  return t;
}

function applyThreshold(hits: Hit[], distance: Distance, threshold: number | null): Hit[] {
  if (threshold === null) return hits;
  const smallBetter = distance === "Euclid" || distance === "Manhattan";
  return hits.filter((h) => (smallBetter ? h.score <= threshold : h.score >= threshold));
}

/** Sum over query sub-vectors of the best similarity to any document sub-vector. */
export function maxSim(metric: Metric, q: Float32Array, qCount: number, doc: Float32Array, docCount: number, dim: number): number {
  if (metric === Metric.Dot && (dim & 3) === 0) {
    const wasm = wasmMaxSim();
    if (wasm) return wasm.maxSim(q, qCount, doc, docCount, dim);
  }
  return maxSimJs(metric, q, qCount, doc, docCount, dim);
}

export function maxSimJs(metric: Metric, q: Float32Array, qCount: number, doc: Float32Array, docCount: number, dim: number): number {
  let total = 0;
  const qv = new Float32Array(dim);
  for (let i = 0; i < qCount; i++) {
    qv.set(q.subarray(i * dim, (i + 1) * dim));
    let best = -Infinity;
    for (let j = 0; j < docCount; j++) {
      const s = similarityAt(metric, doc, j * dim, qv, dim);
      if (s > best) best = s;
    }
    total += best;
  }
  return total;
}
