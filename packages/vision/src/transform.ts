/**
 * Affine map from layout-frame coordinates to source-image coordinates:
 * `sx = a*x + b*y + c`, `sy = d*x + e*y + f`. Pixel centres sit at integer coordinates.
 */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

export interface Point {
  x: number;
  y: number;
}

export const IDENTITY: Affine = { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 };

/** Applies `t` to one point. */
export function applyAffine(t: Affine, p: Point): Point {
  return { x: t.a * p.x + t.b * p.y + t.c, y: t.d * p.x + t.e * p.y + t.f };
}

/** Returns `outer ∘ inner`: first `inner`, then `outer`. */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  return {
    a: outer.a * inner.a + outer.b * inner.d,
    b: outer.a * inner.b + outer.b * inner.e,
    c: outer.a * inner.c + outer.b * inner.f + outer.c,
    d: outer.d * inner.a + outer.e * inner.d,
    e: outer.d * inner.b + outer.e * inner.e,
    f: outer.d * inner.c + outer.e * inner.f + outer.f,
  };
}

/**
 * Map from a frame whose content is `source` turned by `degrees` about `pivot` back to `source`.
 * Positive degrees turn the content clockwise on screen (y grows downwards), as sharp's `rotate`.
 * `shift` moves the pivot: a frame point `pivot + shift` maps to the source point `pivot`.
 */
export function rotationAbout(pivot: Point, degrees: number, shift: Point = { x: 0, y: 0 }): Affine {
  // The frame shows source rotated clockwise by θ, so a frame point maps back by rotating -θ.
  const radians = (-degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const px = pivot.x + shift.x;
  const py = pivot.y + shift.y;
  return {
    a: cos,
    b: -sin,
    c: pivot.x - cos * px + sin * py,
    d: sin,
    e: cos,
    f: pivot.y - sin * px - cos * py,
  };
}
