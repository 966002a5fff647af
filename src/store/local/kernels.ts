/**
 * Similarity kernels over one contiguous row-major Float32Array. Similarities are "higher is
 * better": the dot product for Dot and Cosine (Cosine rows are stored normalised), minus the squared
 * distance for Euclid, minus the L1 distance for Manhattan.
 */
export const enum Metric {
  Dot = 0,
  Euclid = 1,
  Manhattan = 2,
}

export function dotAt(data: Float32Array, off: number, q: Float32Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    s0 += (data[off + i] as number) * (q[i] as number);
    s1 += (data[off + i + 1] as number) * (q[i + 1] as number);
    s2 += (data[off + i + 2] as number) * (q[i + 2] as number);
    s3 += (data[off + i + 3] as number) * (q[i + 3] as number);
  }
  for (; i < dim; i++) s0 += (data[off + i] as number) * (q[i] as number);
  return s0 + s1 + s2 + s3;
}

export function negSqDistAt(data: Float32Array, off: number, q: Float32Array, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) {
    const d = (data[off + i] as number) - (q[i] as number);
    s += d * d;
  }
  return -s;
}

export function negL1At(data: Float32Array, off: number, q: Float32Array, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) s += Math.abs((data[off + i] as number) - (q[i] as number));
  return -s;
}

export function similarityAt(metric: Metric, data: Float32Array, off: number, q: Float32Array, dim: number): number {
  return metric === Metric.Dot ? dotAt(data, off, q, dim) : metric === Metric.Euclid ? negSqDistAt(data, off, q, dim) : negL1At(data, off, q, dim);
}

