/** The WebAssembly SIMD kernel gives the same answers as the plain JS loops (within 1e-5). */
import { describe, expect, it } from "vitest";
import { LocalQdrantClient } from "../../../src/store/local/index.js";
import { DenseMatrix } from "../../../src/store/local/dense.js";
import { Metric } from "../../../src/store/local/kernels.js";
import { rng } from "../conformance/fixtures.js";

describe("dense kernels", () => {
  it("wasm SIMD and JS compute the same dot products, over ranges and row lists, across growth", () => {
    const random = rng(99);
    for (const dim of [1, 3, 4, 17, 64, 1024]) {
      const wasm = new DenseMatrix(dim, true);
      const js = new DenseMatrix(dim, false);
      expect(wasm.kernelName).toBe("wasm-simd");
      const rows = 300;
      for (let r = 0; r < rows; r++) {
        const v = Array.from({ length: dim }, () => random() * 2 - 1);
        wasm.setRow(r, v); // grows the wasm memory several times
        js.setRow(r, v);
      }
      const q = Float32Array.from({ length: dim }, () => random() * 2 - 1);
      const a = new Float32Array(rows);
      const b = new Float32Array(rows);
      wasm.scoreRange(Metric.Dot, q, rows, a);
      js.scoreRange(Metric.Dot, q, rows, b);
      for (let r = 0; r < rows; r++) expect(Math.abs((a[r] as number) - (b[r] as number))).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[r] as number)));
      const idx = Int32Array.from([5, 299, 0, 17, 17, 120]);
      const c = new Float32Array(idx.length);
      wasm.scoreRows(Metric.Dot, q, idx, idx.length, c);
      idx.forEach((r, i) => expect(c[i]).toBeCloseTo(b[r] as number, 4));
      expect(Array.from(wasm.row(7))).toEqual(Array.from(js.row(7)));
    }
  });

  it("clients with and without wasm return identical rankings on 256-d Cosine data", async () => {
    const random = rng(5);
    const points = Array.from({ length: 2000 }, (_, i) => ({ id: i + 1, vector: Array.from({ length: 256 }, () => random() - 0.5) }));
    const results: Array<Array<{ id: string | number; score: number }>> = [];
    for (const wasm of [true, false]) {
      const client = new LocalQdrantClient({ path: ":memory:", wasm });
      await client.createCollection("k", { vectors: { size: 256, distance: "Cosine" } });
      await client.upsert("k", { wait: true, points });
      const q = Array.from({ length: 256 }, (_, k) => Math.sin(k));
      results.push((await client.query("k", { query: q, limit: 20 })).points);
      await client.close();
    }
    expect(results[0]!.map((p) => p.id)).toEqual(results[1]!.map((p) => p.id));
    results[0]!.forEach((p, i) => expect(Math.abs(p.score - results[1]![i]!.score)).toBeLessThan(1e-5));
  });
});

describe("MaxSim kernel", () => {
  it("wasm and JS MaxSim agree (128-d, many sub-vectors)", async () => {
    const { maxSim, maxSimJs } = await import("../../../src/store/local/query.js");
    const random = rng(3);
    const dim = 128;
    const q = Float32Array.from({ length: 20 * dim }, () => random() - 0.5);
    for (const docRows of [1, 7, 300]) {
      const doc = Float32Array.from({ length: docRows * dim }, () => random() - 0.5);
      const a = maxSim(Metric.Dot, q, 20, doc, docRows, dim);
      const b = maxSimJs(Metric.Dot, q, 20, doc, docRows, dim);
      expect(Math.abs(a - b)).toBeLessThan(1e-4);
    }
  });
});
