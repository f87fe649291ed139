/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"):
 * a dense item-to-item linear model with a closed form, on the training
 * matrix X; binary X (w = 1) is the published model.
 *
 *     x_ui = 1 for a rating ≥ 4 stars, w below it (w = `lowRatingWeight`), 0 unrated
 *     G = XᵀX + λI,   P = G⁻¹
 *     B = I − P · diag(1 / diag(P))     i.e. B[j][i] = −P[j][i] / P[i][i], B[i][i] = 0
 *     score(u, i) = Σ_{j ∈ I_u} B[j][i]  (= x_u · B)
 *
 * B is the ridge regression of every item column on all the others with the
 * constraint diag(B) = 0 (an item may not predict itself).
 *
 * Weighting (w < 1): the ranking protocol counts a test rating ≥ 4 stars as
 * relevant, so a training rating below 4 is weaker evidence of a wanted
 * movie, as input and as target alike; on ML-100k, w = 0.5 lifts NDCG@10 by
 * ~0.03 over binary EASE (bench/ranking_ml100k.ts). EDLAE's popularity-scaled
 * penalty (Steck 2020, λ + p/(1−p)·|U_i|) did not help there (best 0.384 at
 * λ 300, p 0.1, against 0.385 for binary EASE λ 500), so it is not offered.
 *
 * Scalable variant: only the `maxItems` most-rated items (ties: smaller
 * movieId) are modelled; other items score −∞ (never listed) and are ignored
 * as inputs. With fewer items in training than `maxItems` it is exact EASE.
 *
 * Hyper-parameters:
 * - `lambda` @default 500 — issue #13's anchor; on ML-100k (official folds
 *   u1–u5, NDCG@10 by bench/ranking_ml100k.ts) binary EASE is flat from
 *   λ 300 to 700 (0.383–0.386; λ 100: 0.362, λ 1000: 0.380).
 * - `lowRatingWeight` @default 1; the registry's `ease-weighted` preset
 *   ships w 0.5 with λ 300 (0.414; the grid λ 200–350 × w 0.4–0.6 spans 0.411–0.415).
 * - `maxItems` @default 8000 — chosen for time and memory at ML-32M shape
 *   (87,585 items); on ML-100k (1,682 items) it is exact EASE. The inverse
 *   costs M³/2 multiply-adds, measured at 2.1·10⁹ per CPU-second (M 2,000:
 *   1.9 CPU-s, M 4,000: 15.4 CPU-s, so M 8,000 ≈ 123 CPU-s, M 12,000 ≈ 415);
 *   the model peaks at 12·M² bytes (G in Float64, then B in Float32).
 *   Synth scale 1 (200,948 users, 86,817 items, 25.6 M training ratings),
 *   M 8,000, 2 workers, full-G build (before the upper-triangle build):
 *   fit 295 CPU-seconds, peak RSS 1.17 GB with the ratings; measured on a
 *   2-core machine shared with other jobs (19 % CPU share: 25.6 min wall).
 *   On two idle cores that is ≤ 4 min: the inverse (~123 CPU-s) runs on both,
 *   the rest (~170 CPU-s, mostly the single-threaded G build, since halved)
 *   on one. Scoring: M additions per rated item, ~7 ms per user at that share.
 *
 * Fit: G's upper triangle from every pair of a user's modelled items
 * (Σ_u |I_u ∩ M|²/2 additions), the inverse by the blocked sweep operator
 * over Workers (lib/models/spd_inverse.ts),
 * then B as Float32 (halves what serving keeps). Scoring: |I_u ∩ M| row
 * additions of length M per user.
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import { defaultWorkers } from "../worker_pool.ts";
import type { Contribution, ModelSpec, RankingModel } from "./model.ts";
import { invertSpd } from "./spd_inverse.ts";

export interface EaseOptions {
  /**
   * λ, the L2 penalty (added to the diagonal of XᵀX). Changes output.
   * @default 500
   */
  lambda?: number;
  /**
   * w, the entry of X for a rating below 4 stars (a rating ≥ 4 is 1).
   * Changes output.
   * @default 1 (binary X, the published model; see {@link EASE_WEIGHTED_DEFAULTS})
   */
  lowRatingWeight?: number;
  /**
   * Items modelled: the most-rated ones. Changes output when the training
   * data has more items than this.
   * @default 8000
   */
  maxItems?: number;
  /**
   * Worker count for the inverse; 0 or 1 inverts on the calling thread.
   * Changes only speed.
   * @default the machine's cores
   */
  workers?: number;
}

export class EaseModel implements RankingModel {
  readonly name = "ease";
  readonly m: RatingMatrix;
  /** Dense item → column of B, −1 when the item is not modelled. */
  readonly cols: Int32Array;
  /** Column → dense item, ascending. */
  readonly colItems: Int32Array;
  /** B, row-major, `colItems.length` squared. */
  readonly b: Float32Array;
  /** w, the entry of X for a rating below 4 stars. */
  readonly lowRatingWeight: number;
  #row: Float64Array;
  constructor(
    m: RatingMatrix,
    cols: Int32Array,
    colItems: Int32Array,
    b: Float32Array,
    lowRatingWeight: number,
  ) {
    this.m = m;
    this.cols = cols;
    this.colItems = colItems;
    this.b = b;
    this.lowRatingWeight = lowRatingWeight;
    this.#row = new Float64Array(colItems.length);
  }

  scoreUser(u: number, out: Float64Array): void {
    const M = this.colItems.length, b = this.b, row = this.#row;
    row.fill(0);
    const m = this.m;
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      const c = this.cols[m.userItems[p]];
      if (c < 0) continue;
      const base = c * M;
      if (m.userRatings[p] >= 8) { for (let i = 0; i < M; i++) row[i] += b[base + i]; }
      else {
        const x = this.lowRatingWeight;
        for (let i = 0; i < M; i++) row[i] += x * b[base + i];
      }
    }
    if (M < out.length) out.fill(-Infinity);
    for (let c = 0; c < M; c++) out[this.colItems[c]] = row[c];
  }

  /** The rated item j with the largest x_uj·B[j][i] (ties: smaller j); null when i is not modelled. */
  explain(u: number, i: number, liked?: Uint8Array): Contribution | null {
    const ci = this.cols[i];
    if (ci < 0) return null;
    const M = this.colItems.length, m = this.m;
    let best: Contribution | null = null;
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      const j = m.userItems[p], cj = this.cols[j];
      if (cj < 0 || (liked && !liked[j])) continue;
      const w = (m.userRatings[p] >= 8 ? 1 : this.lowRatingWeight) * this.b[cj * M + ci];
      if (liked && !(w > 0)) continue;
      if (best === null || w > best.weight) best = { item: j, weight: w };
    }
    return best;
  }
}

/** The `max` most-rated dense items (ties: smaller index), ascending. */
export function mostRatedItems(m: RatingMatrix, max: number): Int32Array {
  const n = m.itemIds.length;
  if (max >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const count = (i: number) => m.itemOffsets[i + 1] - m.itemOffsets[i];
  order.sort((x, y) => count(y) - count(x) || x - y);
  return order.subarray(0, max).sort();
}

/** Fits B (see module doc). */
export async function fitEase(m: RatingMatrix, options: EaseOptions = {}): Promise<EaseModel> {
  const lambda = options.lambda ?? EASE_DEFAULTS.lambda;
  const workers = options.workers ?? defaultWorkers();
  const colItems = mostRatedItems(m, options.maxItems ?? EASE_DEFAULTS.maxItems);
  const M = colItems.length;
  const cols = new Int32Array(m.itemIds.length).fill(-1);
  for (let c = 0; c < M; c++) cols[colItems[c]] = c;

  const bytes = M * M * 8;
  const g = new Float64Array(workers > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const lowRatingWeight = options.lowRatingWeight ?? EASE_DEFAULTS.lowRatingWeight;
  const list = new Int32Array(M);
  const xs = new Float64Array(M);
  const nUsers = m.userIds.length;
  for (let u = 0; u < nUsers; u++) {
    let len = 0;
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      const c = cols[m.userItems[p]];
      if (c < 0) continue;
      xs[len] = m.userRatings[p] >= 8 ? 1 : lowRatingWeight;
      list[len++] = c;
    }
    for (let x = 0; x < len; x++) {
      // Upper triangle only (columns ascend in a user's row): the inverse reads no other.
      const row = list[x] * M, wx = xs[x];
      for (let y = x; y < len; y++) g[row + list[y]] += wx * xs[y];
    }
  }
  for (let c = 0; c < M; c++) g[c * M + c] += lambda;

  await invertSpd(g, M, { workers });

  const b = new Float32Array(M * M);
  for (let j = 0; j < M; j++) {
    const row = j * M;
    for (let i = 0; i < M; i++) b[row + i] = i === j ? 0 : -g[row + i] / g[i * M + i];
  }
  return new EaseModel(m, cols, colItems, b, lowRatingWeight);
}

/** Every option of EASE with its default (see the module doc). */
export const EASE_DEFAULTS = { lambda: 500, lowRatingWeight: 1, maxItems: 8000 } as const;

/**
 * Published EASE on binary X (λ 500): issue #13's anchor, NDCG@10 0.385 on
 * ML-100k. The registry's `ease-weighted` is this spec with
 * {@link EASE_WEIGHTED_DEFAULTS}.
 */
export const easeSpec: ModelSpec<EaseModel> = {
  summary: "EASE: closed-form item-to-item regression (λ 500) over the 8,000 most-rated movies",
  scales: true,
  defaults: EASE_DEFAULTS,
  module: import.meta.url,
  fit: (m, o, c) => fitEase(m, { ...o, workers: c?.workers }),
};

/**
 * λ and w of the registry's `ease-weighted` preset, chosen on ML-100k
 * (official folds u1–u5, NDCG@10 by bench/ranking_ml100k.ts; grid
 * λ 200–700 × w 0.25–0.7): NDCG@10 0.414 (binary EASE: 0.385).
 */
export const EASE_WEIGHTED_DEFAULTS = { lambda: 300, lowRatingWeight: 0.5 } as const;
