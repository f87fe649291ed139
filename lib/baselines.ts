/**
 * Non-personalised baselines fitted on training ratings, the yardstick every
 * collaborative-filtering number is read against:
 *
 * - global mean μ;
 * - user mean μ_u (μ for a user unknown in training);
 * - item mean μ_i (μ for an item unknown in training);
 * - regularised biases `μ + b_u + b_i` (Koren 2010, §2.1), fitted by
 *   alternating least squares as Surprise's `BaselineOnly` does:
 *   starting from b = 0, each iteration sets
 *   `b_i = Σ_{u∈R(i)} (r_ui − μ − b_u) / (λ_i + |R(i)|)`, then
 *   `b_u = Σ_{i∈R(u)} (r_ui − μ − b_i) / (λ_u + |R(u)|)`,
 *   with λ_i = 10, λ_u = 15 and 10 iterations by default; an unknown user or
 *   item contributes 0.
 *
 * All predictions are clipped to [0.5, 5]. O(iterations · ratings) time,
 * O(users + items) memory.
 */
import type { RatingMatrix } from "./rating_matrix.ts";
import { clipRating, rowMeans } from "./predictors.ts";

export interface BiasOptions {
  /** λ_u, shrinks user biases of users with few ratings. Changes output. @default 15 */
  regUser: number;
  /** λ_i, shrinks item biases of items with few ratings. Changes output. @default 10 */
  regItem: number;
  /** Alternating passes. Changes output. @default 10 */
  iterations: number;
}

export const DEFAULT_BIAS: BiasOptions = { regUser: 15, regItem: 10, iterations: 10 };

export interface Baselines {
  globalMean: number;
  /** Dense user → mean rating (stars). */
  userMean: Float64Array;
  /** Dense item → mean rating (stars). */
  itemMean: Float64Array;
  userBias: Float64Array;
  itemBias: Float64Array;
  bias: BiasOptions;
}

/** Fits all baselines on the training matrix (arrays shared when `shared`). */
export function fitBaselines(
  m: RatingMatrix,
  bias: BiasOptions = DEFAULT_BIAS,
  shared = true,
): Baselines {
  const nUsers = m.userIds.length, nItems = m.itemIds.length;
  let sum = 0;
  const n = m.userRatings.length;
  for (let p = 0; p < n; p++) sum += m.userRatings[p];
  const mu = n > 0 ? sum / (2 * n) : NaN;
  const f64 = (len: number) =>
    new Float64Array(shared ? new SharedArrayBuffer(len * 8) : new ArrayBuffer(len * 8));
  const bu = f64(nUsers), bi = f64(nItems);
  for (let it = 0; it < bias.iterations; it++) {
    for (let i = 0; i < nItems; i++) {
      let s = 0;
      for (let p = m.itemOffsets[i]; p < m.itemOffsets[i + 1]; p++) {
        s += m.itemRatings[p] * 0.5 - mu - bu[m.itemUsers[p]];
      }
      bi[i] = s / (bias.regItem + m.itemOffsets[i + 1] - m.itemOffsets[i]);
    }
    for (let u = 0; u < nUsers; u++) {
      let s = 0;
      for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
        s += m.userRatings[p] * 0.5 - mu - bi[m.userItems[p]];
      }
      bu[u] = s / (bias.regUser + m.userOffsets[u + 1] - m.userOffsets[u]);
    }
  }
  return {
    globalMean: mu,
    userMean: rowMeans(m.userOffsets, m.userRatings, shared),
    itemMean: rowMeans(m.itemOffsets, m.itemRatings, shared),
    userBias: bu,
    itemBias: bi,
    bias,
  };
}

/** `μ + b_u + b_i`, clipped; `u`/`i` are dense indices or −1 when unknown. */
export function biasPrediction(b: Baselines, u: number, i: number): number {
  return clipRating(b.globalMean + (u >= 0 ? b.userBias[u] : 0) + (i >= 0 ? b.itemBias[i] : 0));
}

/** μ_u, or μ when the user is unknown. */
export function userMeanPrediction(b: Baselines, u: number): number {
  return u >= 0 ? b.userMean[u] : b.globalMean;
}

/** μ_i, or μ when the item is unknown. */
export function itemMeanPrediction(b: Baselines, i: number): number {
  return i >= 0 ? b.itemMean[i] : b.globalMean;
}
