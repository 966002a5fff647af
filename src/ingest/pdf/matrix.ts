/**
 * PDF affine matrices [a, b, c, d, e, f]: (x, y) -> (a x + c y + e, b x + d y + f), and the boxes
 * [x0, y0, x1, y1] they map, shared by the drawings pass 2 reads (graphics.ts) and PDFium's pass 2 (pdfium-render.ts).
 */
export type Box = [number, number, number, number];

export function apply(m: readonly number[], x: number, y: number): [number, number] {
  return [(m[0] ?? 1) * x + (m[2] ?? 0) * y + (m[4] ?? 0), (m[1] ?? 0) * x + (m[3] ?? 1) * y + (m[5] ?? 0)];
}

/** m1 after m2: maps a point through m2, then m1 (PDF's `cm` makes the new CTM times(ctm, operand)). */
export function times(m1: readonly number[], m2: readonly number[]): number[] {
  const [a1 = 1, b1 = 0, c1 = 0, d1 = 1, e1 = 0, f1 = 0] = m1;
  const [a2 = 1, b2 = 0, c2 = 0, d2 = 1, e2 = 0, f2 = 0] = m2;
  return [a1 * a2 + c1 * b2, b1 * a2 + d1 * b2, a1 * c2 + c1 * d2, b1 * c2 + d1 * d2, a1 * e2 + c1 * f2 + e1, b1 * e2 + d1 * f2 + f1];
}

/** A coordinate rounded to a tenth of a point, as figure regions are kept. */
export const roundToTenth = (value: number): number => Math.round(value * 10) / 10;

/** The bounding box of the rectangle (x0, y0)-(x1, y1) mapped through the matrix. */
export function boxOf(matrix: readonly number[], x0: number, y0: number, x1: number, y1: number): Box {
  const [ax, ay] = apply(matrix, x0, y0);
  const [bx, by] = apply(matrix, x1, y0);
  const [cx, cy] = apply(matrix, x0, y1);
  const [dx, dy] = apply(matrix, x1, y1);
  return [Math.min(ax, bx, cx, dx), Math.min(ay, by, cy, dy), Math.max(ax, bx, cx, dx), Math.max(ay, by, cy, dy)];
}

/**
 * The extent along one axis of the cubic Bézier curve p0 -> p3 with control points p1, p2: its ends and
 * the curve's turning points between them (not the control points, which can lie far outside).
 */
export function cubicExtent(p0: number, p1: number, p2: number, p3: number): [number, number] {
  let min = Math.min(p0, p3);
  let max = Math.max(p0, p3);
  // B'(t) / 3 = a t^2 + b t + c
  const a = p3 - 3 * p2 + 3 * p1 - p0;
  const b = 2 * (p2 - 2 * p1 + p0);
  const c = p1 - p0;
  const at = (t: number) => {
    if (t <= 0 || t >= 1) return;
    const u = 1 - t;
    const value = u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3;
    min = Math.min(min, value);
    max = Math.max(max, value);
  };
  if (Math.abs(a) < 1e-12) {
    if (Math.abs(b) > 1e-12) at(-c / b);
  } else {
    const discriminant = b * b - 4 * a * c;
    if (discriminant >= 0) {
      const root = Math.sqrt(discriminant);
      at((-b + root) / (2 * a));
      at((-b - root) / (2 * a));
    }
  }
  return [min, max];
}
