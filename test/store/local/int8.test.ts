/** Int8 scalar quantization: exact integer sums in wasm SIMD and JS, bulk loads, and the accuracy and recall it costs. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Int8Matrix, quantizeRow } from "../../../src/store/local/int8.js";
import { rng } from "../conformance/fixtures.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "folio-int8-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** n normalised dim-d Gaussian vectors, one Float32Array each */
function unitVectors(n: number, dim: number, seed: number): Float32Array[] {
  const g = gaussian(rng(seed));
  return Array.from({ length: n }, () => normalise(Float32Array.from({ length: dim }, g)));
}

function normalise(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function randomBytes(n: number, random: () => number): Int8Array {
  return Int8Array.from({ length: n }, () => Math.floor(random() * 256) - 128);
}

/** indices of the k largest scores, best first */
function topK(scores: ArrayLike<number>, k: number, among?: number[]): number[] {
  const ids = among ?? Array.from({ length: scores.length }, (_, i) => i);
  return [...ids].sort((a, b) => (scores[b] as number) - (scores[a] as number)).slice(0, k);
}

const kernels = [true, false].map((wasm) => ({ wasm, name: wasm ? "wasm-simd-i8" : "js" }));

describe("quantizeRow", () => {
  it("maps max|x| to ±127, rounds within half a step, and gives scale 0 for an all-zero row", () => {
    const src = Float32Array.from([0.5, -1, 0.25, 0.003, -0.999, NaN]);
    const dst = new Int8Array(9).fill(99);
    const scale = quantizeRow(src, dst, 2);
    expect(scale).toBe(Math.fround(1 / 127));
    expect(Array.from(dst)).toEqual([99, 99, 64, -127, 32, 0, -127, 0, 99]);
    for (let i = 0; i < 5; i++) expect(Math.abs((dst[i + 2] as number) * scale - (src[i] as number))).toBeLessThanOrEqual(scale / 2 + 1e-7);
    const zero = new Int8Array(4).fill(5);
    expect(quantizeRow(new Float32Array(4), zero, 0)).toBe(0);
    expect(Array.from(zero)).toEqual([0, 0, 0, 0]);
  });
});

describe("Int8Matrix kernels", () => {
  it("wasm SIMD and JS give identical int32 sums (and scores) on random rows, across growth and padding", () => {
    const random = rng(8);
    for (const dim of [3, 16, 100, 1024]) {
      const [wasm, js] = kernels.map((k) => new Int8Matrix(dim, k.wasm));
      expect(wasm!.kernelName).toBe("wasm-simd-i8");
      expect(js!.kernelName).toBe("js");
      expect(wasm!.stride).toBe(Math.ceil(dim / 16) * 16);
      const rows = 300;
      for (let r = 0; r < rows; r++) {
        // every third row is raw bytes, -128 included, which the quantizer never produces
        const raw = randomBytes(dim, random);
        const vec = Float32Array.from({ length: dim }, () => random() * 2 - 1);
        const scale = random() + 0.5;
        for (const m of [wasm!, js!]) {
          if (r % 3 === 0) m.setQuantizedRow(r, Uint8Array.from(raw, (b) => b & 0xff), scale);
          else m.setRow(r, vec); // grows the wasm memory several times
        }
      }
      expect(wasm!.rowsCapacity).toBeGreaterThanOrEqual(rows);
      for (let r = 0; r < rows; r++) expect(wasm!.data.subarray(r * wasm!.stride + dim, (r + 1) * wasm!.stride).every((b) => b === 0)).toBe(true);

      const q = randomBytes(dim, random);
      const [a, b] = [new Int32Array(rows), new Int32Array(rows)];
      wasm!.sumRange(q, rows, a);
      js!.sumRange(q, rows, b);
      const naive = Array.from({ length: rows }, (_, r) => wasm!.rowBytes(r).reduce((s, x, i) => s + x * (q[i] as number), 0));
      expect(Array.from(a)).toEqual(naive);
      expect(Array.from(b)).toEqual(naive);

      const fq = Float32Array.from({ length: dim }, () => random() * 2 - 1);
      const [sa, sb] = [new Float32Array(rows), new Float32Array(rows)];
      wasm!.scoreRange(fq, rows, sa);
      js!.scoreRange(fq, rows, sb);
      expect(Array.from(sa)).toEqual(Array.from(sb));
      expect(Array.from(wasm!.rowBytes(7))).toEqual(Array.from(js!.rowBytes(7)));
      expect(Array.from(wasm!.scales.subarray(0, rows))).toEqual(Array.from(js!.scales.subarray(0, rows)));
    }
  });

  it.each(kernels)("$name: scoreRows equals scoreRange on the same rows, across 4096-row blocks; clearRow zeroes", ({ wasm }) => {
    const random = rng(21);
    const m = new Int8Matrix(40, wasm);
    const rows = 10_000;
    for (let r = 0; r < rows; r++) m.setRow(r, Float32Array.from({ length: 40 }, () => random() - 0.5));
    m.clearRow(17);
    const q = Float32Array.from({ length: 40 }, () => random() - 0.5);
    const all = new Float32Array(rows);
    m.scoreRange(q, rows, all);
    expect(all[17]).toBe(0);
    expect(all.filter((s) => s !== 0).length).toBeGreaterThan(rows - 10);
    const idx = Int32Array.from({ length: 9000 }, (_, i) => (i % 7 === 0 ? 17 : Math.floor(random() * rows)));
    const some = new Float32Array(idx.length);
    m.scoreRows(q, idx, idx.length, some);
    idx.forEach((r, i) => expect(some[i]).toBe(all[r]));
    expect(() => m.scoreRows(q, Int32Array.from([0, m.rowsCapacity]), 2, some)).toThrow(RangeError);
    expect(() => m.scoreRange(q, m.rowsCapacity + 1, new Float32Array(m.rowsCapacity + 1))).toThrow(RangeError);
  });

  it.each(kernels)("$name: loadRows / loadScales from a file equal setQuantizedRow; a short file throws", ({ wasm }) => {
    const random = rng(4);
    const dim = 100;
    const rows = 500;
    const expected = new Int8Matrix(dim, wasm);
    for (let r = 0; r < rows; r++) expected.setQuantizedRow(r, randomBytes(dim, random), random());
    const stride = expected.stride;
    // padded rows as `data` holds them, with junk in the padding, which must not change any score
    const body = Buffer.from(expected.data.buffer, expected.data.byteOffset, rows * stride);
    const padded = Buffer.from(body);
    for (let r = 0; r < rows; r++) padded.fill(0x5a, r * stride + dim, (r + 1) * stride);
    const scales = Buffer.alloc(rows * 4);
    for (let r = 0; r < rows; r++) scales.writeFloatLE(expected.scales[r] as number, r * 4);
    const header = Buffer.from("FOLIO-INT8-HDR"); // odd length: loads start at unaligned file offsets
    const file = path.join(tmp, `rows-${wasm}.bin`);
    fs.writeFileSync(file, Buffer.concat([header, padded, scales]));

    const loaded = new Int8Matrix(dim, wasm);
    const fd = fs.openSync(file, "r");
    try {
      loaded.loadRows(fd, header.length, rows);
      loaded.loadScales(fd, header.length + padded.length, rows);
      expect(loaded.rowsCapacity).toBe(rows); // a bulk load reserves exactly
      for (let r = 0; r < rows; r++) expect(Array.from(loaded.rowBytes(r))).toEqual(Array.from(expected.rowBytes(r)));
      expect(Array.from(loaded.scales.subarray(0, rows))).toEqual(Array.from(expected.scales.subarray(0, rows)));
      const q = Float32Array.from({ length: dim }, () => random() - 0.5);
      const [a, b] = [new Float32Array(rows), new Float32Array(rows)];
      loaded.scoreRange(q, rows, a);
      expected.scoreRange(q, rows, b);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(() => new Int8Matrix(dim, wasm).loadScales(fd, header.length + padded.length + 4, rows)).toThrow(/4 bytes short/);
    } finally {
      fs.closeSync(fd);
    }
  });
});

describe("Int8Matrix accuracy", () => {
  it("approx dot of normalised 1024-d vectors stays within the derived quantization error bound", () => {
    const dim = 1024;
    const rows = unitVectors(200, dim, 12);
    // half the queries are near-duplicates of a row, so large dots (where relative error means something) are covered
    const g = gaussian(rng(13));
    const queries = [...unitVectors(10, dim, 14), ...rows.slice(0, 10).map((r) => normalise(r.map((x) => x + 0.02 * g())))];
    const m = new Int8Matrix(dim);
    rows.forEach((r, i) => m.setRow(i, r));
    const out = new Float32Array(rows.length);
    const qBytes = new Int8Array(dim);
    let worst = 0;
    let worstRelativeLarge = 0;
    for (const q of queries) {
      const qScale = quantizeRow(q, qBytes, 0);
      m.scoreRange(q, rows.length, out);
      rows.forEach((r, i) => {
        const err = Math.abs((out[i] as number) - dot(r, q));
        const s = m.scales[i] as number;
        // |x_i - s q_i| <= s / 2 per component (plus the float32 rounding of s), so with |x| = |y| = 1,
        // Cauchy-Schwarz gives |x^.y^ - x.y| <= |e| + |f| + |e||f| where |e| <= sqrt(dim) s / 2.
        const e = Math.sqrt(dim) * s * (0.5 + 1e-5);
        const f = Math.sqrt(dim) * qScale * (0.5 + 1e-5);
        expect(err).toBeLessThanOrEqual(e + f + e * f + 1e-6);
        // Rounding errors are ~uniform on [-s/2, s/2] and independent, so the error is ~normal with
        // sigma = sqrt((s^2 + qScale^2) / 12); 6 sigma is a bound a correct kernel essentially never crosses.
        expect(err).toBeLessThan(6 * Math.sqrt((s * s + qScale * qScale) / 12));
        worst = Math.max(worst, err);
        if (Math.abs(dot(r, q)) > 0.5) worstRelativeLarge = Math.max(worstRelativeLarge, err / Math.abs(dot(r, q)));
      });
    }
    expect(worstRelativeLarge).toBeGreaterThan(0); // the near-duplicate pairs were there
    expect(worst).toBeLessThan(0.02); // 2% of |x||y|; the worst-case bound above is ~0.03, the typical error ~4e-4
    expect(worstRelativeLarge).toBeLessThan(0.02);
    console.log(`int8 1024-d: max |approx - exact| = ${worst.toExponential(2)}, max relative error on dots > 0.5 = ${(worstRelativeLarge * 100).toFixed(3)}%`);
  });

  it.each(kernels)("$name: recall@10 on 5,000 normalised 256-d vectors, 3x oversampled and rescored exactly, is >= 0.99", ({ wasm }) => {
    const dim = 256;
    const corpus = unitVectors(5000, dim, 31);
    const queries = unitVectors(50, dim, 32);
    const m = new Int8Matrix(dim, wasm);
    corpus.forEach((v, i) => m.setRow(i, v));
    const approx = new Float32Array(corpus.length);
    let hits = 0;
    let rawHits = 0;
    for (const q of queries) {
      const exact = corpus.map((v) => dot(v, q));
      const truth = new Set(topK(exact, 10));
      m.scoreRange(q, corpus.length, approx);
      const candidates = topK(approx, 30);
      hits += topK(exact, 10, candidates).filter((i) => truth.has(i)).length;
      rawHits += candidates.slice(0, 10).filter((i) => truth.has(i)).length;
    }
    const recall = hits / (10 * queries.length);
    console.log(`int8 ${wasm ? "wasm" : "js"} recall@10: ${recall} rescored from top-30, ${rawHits / (10 * queries.length)} from int8 top-10 alone`);
    expect(recall).toBeGreaterThanOrEqual(0.99);
  });
});

describe("Int8Matrix at scale", () => {
  it("loads 100k x 1024 rows from a file in 64 MiB chunks into ~100 MB, and prints scoreRange timings (wasm vs js)", () => {
    const rows = 100_000;
    const dim = 1024;
    const random = rng(77);
    const body = Buffer.alloc(rows * dim);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE(Math.floor(random() * 2 ** 32), i);
    const scales = Buffer.alloc(rows * 4);
    for (let r = 0; r < rows; r++) scales.writeFloatLE(random() / 1000, r * 4);
    const file = path.join(tmp, "big.bin");
    fs.writeFileSync(file, Buffer.concat([body, scales]));
    const q = Float32Array.from({ length: dim }, () => random() - 0.5);
    const results: Float32Array[] = [];
    const fd = fs.openSync(file, "r");
    try {
      for (const { wasm, name } of kernels) {
        const m = new Int8Matrix(dim, wasm);
        m.loadRows(fd, 0, rows); // 100 MB: two readSync chunks
        m.loadScales(fd, body.length, rows);
        expect(Buffer.compare(Buffer.from(m.data.buffer, m.data.byteOffset, body.length), body)).toBe(0);
        expect(m.scales[rows - 1]).toBe(scales.readFloatLE((rows - 1) * 4));
        // rows and scales, plus under a page and the 2 * stride + 32 KB scratch of the wasm memory
        expect(m.byteLength).toBeLessThan(rows * (dim + 4) + 2 * dim + 32768 + 65536 + 1);
        const out = new Float32Array(rows);
        m.scoreRange(q, rows, out); // warm-up
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          m.scoreRange(q, rows, out);
          times.push(performance.now() - t);
        }
        times.sort((x, y) => x - y);
        console.log(`int8 scoreRange 100k x 1024 (${name}): median ${times[2]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms; ${(m.byteLength / 1e6).toFixed(1)} MB`);
        results.push(out);
      }
    } finally {
      fs.closeSync(fd);
    }
    expect(results[0]!.filter((s) => s !== 0).length).toBeGreaterThan(rows * 0.9);
    expect(results[0]!.every((s, i) => s === results[1]![i])).toBe(true);
  }, 120_000);
});
