/**
 * The rating scale of a training matrix: the least and greatest rating it
 * holds, in stars. Rating models clip to it (ML-100k and ML-1M rate in whole
 * stars 1..5, the newer releases in half stars 0.5..5), so a prediction never
 * leaves the scale the data was given in. O(ratings).
 */
import type { RatingMatrix } from "../rating_matrix.ts";

export interface RatingScale {
  min: number;
  max: number;
}

/** The scale of `m`'s ratings; [0.5, 5] for an empty matrix. */
export function ratingScale(m: RatingMatrix): RatingScale {
  let lo = 255, hi = 0;
  const r = m.userRatings;
  for (let p = 0; p < r.length; p++) {
    const x = r[p];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return hi === 0 ? { min: 0.5, max: 5 } : { min: lo / 2, max: hi / 2 };
}

/** `x` clipped to `s`. */
export function clipToScale(s: RatingScale, x: number): number {
  return x < s.min ? s.min : x > s.max ? s.max : x;
}
