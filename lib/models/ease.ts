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
 * Modelled items follow the data: every item with at least `minRatings`
 * ratings, and of those at most `maxItems`, the most-rated (ties: smaller
 * movieId); other items score −∞ (never listed) and are ignored as inputs.
 * So the model's size, and the inverse's M³ cost, grow with the ratings and
 * not the catalogue: a release with few ratings per movie fits a small model
 * (synth in ml-latest-small's shape, 9,742 movies and 100,836 ratings: 1,545
 * of its training split's 7,978 movies, all of which the cap alone kept).
 *
 * Hyper-parameters:
 * - `lambda` @default 500 — issue #13's anchor; on ML-100k (official folds
 *   u1–u5, NDCG@10 by bench/ranking_ml100k.ts) binary EASE is flat from
 *   λ 300 to 700 (0.383–0.386; λ 100: 0.362, λ 1000: 0.380).
 * - `lowRatingWeight` @default 1; the registry's `ease-weighted` preset
 *   ships w 0.5 with λ 300 (0.414; the grid λ 200–350 × w 0.4–0.6 spans 0.411–0.415).
 * - `minRatings` @default 10 — on ML-100k (official folds u1–u5, NDCG@10
 *   of ease-weighted) thresholds 1, 2, 3, 5, 10, 20 give 0.4142, 0.4142,
 *   0.4141, 0.4140, 0.4140, 0.4137 (u1.base: 1,650 items, 1,077 with ≥ 10
 *   ratings), catalog coverage unchanged (17.4 % → 17.5 %): an item with a
 *   handful of ratings is almost never listed, and as an input it carries
 *   little. 10 is the largest that leaves ML-100k's NDCG within 0.0005.
 * - `maxItems` @default 8000 — the memory budget: the model peaks at
 *   12·M² bytes (768 MB at 8,000); it binds at ML-32M's shape (87,585
 *   items), never on ML-100k (1,682 items). The inverse costs M³/2
 *   multiply-adds, measured at 2.1·10⁹ per CPU-second (M 2,000:
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
 * (Σ_u |I_u ∩ M|²/2 additions; on Workers, G's rows in ranges of equal work,
 * each entry summed over the users in order by one range: the same bits on
 * any worker count), the inverse by the blocked sweep operator
 * over Workers (lib/models/spd_inverse.ts),
 * then B as Float32 (halves what serving keeps). Scoring: |I_u ∩ M| row
 * additions of length M per user.
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import { defaultWorkers, runChunks } from "../worker_pool.ts";
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
   * Least ratings for an item to be modelled. Changes output.
   * @default 10
   */
  minRatings?: number;
  /**
   * Most items modelled (the most-rated of those with `minRatings`): the
   * memory budget, 12·M² bytes at the peak. Changes output when more items
   * have `minRatings` ratings.
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
  /** Scratch of scoreUser: offsets in B of the user's modelled rows, and their x_uj. */
  #bases: Int32Array;
  #weights: Float64Array;
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
    this.#bases = new Int32Array(colItems.length);
    this.#weights = new Float64Array(colItems.length);
  }

  scoreUser(u: number, out: Float64Array): void {
    const row = this.scoreColumns(u), M = row.length;
    if (M < out.length) out.fill(-Infinity);
    for (let c = 0; c < M; c++) out[this.colItems[c]] = row[c];
  }

  /**
   * User u's score of every modelled column (`x_u · B`), the item of column
   * c being `colItems[c]`: a view of a buffer the next call overwrites.
   */
  scoreColumns(u: number): Float64Array {
    const M = this.colItems.length, b = this.b, row = this.#row;
    const bases = this.#bases, weights = this.#weights;
    const m = this.m;
    let n = 0;
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      const c = this.cols[m.userItems[p]];
      if (c < 0) continue;
      bases[n] = c * M;
      weights[n++] = m.userRatings[p] >= 8 ? 1 : this.lowRatingWeight;
    }
    // Four rows of B per pass over `row`, added in the user's item order: each
    // entry sees the same additions in the same order as one row per pass
    // (1·b is exact), so the scores are bit for bit those of the plain loop,
    // with a quarter of the loads and stores of `row`.
    row.fill(0);
    let k = 0;
    for (; k + 4 <= n; k += 4) {
      const b0 = bases[k], b1 = bases[k + 1], b2 = bases[k + 2], b3 = bases[k + 3];
      const w0 = weights[k], w1 = weights[k + 1], w2 = weights[k + 2], w3 = weights[k + 3];
      for (let i = 0; i < M; i++) {
        let r = row[i];
        r += w0 * b[b0 + i];
        r += w1 * b[b1 + i];
        r += w2 * b[b2 + i];
        r += w3 * b[b3 + i];
        row[i] = r;
      }
    }
    for (; k < n; k++) {
      const b0 = bases[k], w0 = weights[k];
      for (let i = 0; i < M; i++) row[i] += w0 * b[b0 + i];
    }
    return row;
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

/**
 * The dense items with at least `minRatings` ratings, at most `max` of them
 * (the most-rated; ties: smaller index), ascending.
 */
export function supportedItems(m: RatingMatrix, minRatings: number, max: number): Int32Array {
  const count = (i: number) => m.itemOffsets[i + 1] - m.itemOffsets[i];
  const order = Int32Array.from({ length: m.itemIds.length }, (_, i) => i)
    .filter((i) => count(i) >= minRatings);
  if (max >= order.length) return order;
  order.sort((x, y) => count(y) - count(x) || x - y);
  return order.subarray(0, max).sort();
}

/** What a range of G's rows needs (shared with Workers, not copied). */
export interface GramInit {
  userOffsets: Int32Array;
  userItems: Int32Array;
  userRatings: Uint8Array;
  /** Dense item → column, −1 when not modelled. */
  cols: Int32Array;
  /** G, M², row-major; a range fills only its rows' upper part. */
  g: Float64Array;
  lowRatingWeight: number;
  /** Range c is G's rows `starts[c] .. starts[c+1]`. */
  starts: Int32Array;
}

/**
 * Rows `starts[chunk] .. starts[chunk+1]` of G's upper triangle: for every
 * user in order, `G[a][b] += x_ua · x_ub` over the user's modelled columns
 * a ≤ b with a in the range. Each entry is summed by one range, users in
 * ascending order, so G is the same bits however the rows are split.
 */
export function gramRows(init: GramInit, chunk: number): number {
  const { userOffsets, userItems, userRatings, cols, g, lowRatingWeight } = init;
  const c0 = init.starts[chunk], c1 = init.starts[chunk + 1];
  const M = Math.round(Math.sqrt(g.length));
  const list = new Int32Array(M), xs = new Float64Array(M);
  const nUsers = userOffsets.length - 1;
  for (let u = 0; u < nUsers; u++) {
    let len = 0;
    for (let p = userOffsets[u]; p < userOffsets[u + 1]; p++) {
      const c = cols[userItems[p]];
      if (c < 0) continue;
      xs[len] = userRatings[p] >= 8 ? 1 : lowRatingWeight;
      list[len++] = c;
    }
    for (let x = 0; x < len; x++) {
      // Columns ascend in a user's row; upper triangle only: the inverse reads no other.
      const a = list[x];
      if (a < c0) continue;
      if (a >= c1) break;
      const row = a * M, wx = xs[x];
      for (let y = x; y < len; y++) g[row + list[y]] += wx * xs[y];
    }
  }
  return 0;
}

/** `parts` ranges of G's rows of about equal work (row a: Σ_u the user's columns ≥ a). */
function gramRanges(m: RatingMatrix, cols: Int32Array, M: number, parts: number): Int32Array {
  const cost = new Float64Array(M);
  let total = 0;
  for (let u = 0; u < m.userIds.length; u++) {
    let len = 0;
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      if (cols[m.userItems[p]] >= 0) len++;
    }
    let x = 0;
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      const c = cols[m.userItems[p]];
      if (c < 0) continue;
      cost[c] += len - x++;
    }
    total += (len * (len + 1)) / 2;
  }
  const starts = new Int32Array(parts + 1);
  starts[parts] = M;
  for (let a = 0, c = 1, acc = 0; a < M && c < parts; a++) {
    acc += cost[a];
    if (acc >= (total * c) / parts) starts[c++] = a + 1;
  }
  for (let c = 1; c <= parts; c++) starts[c] = Math.max(starts[c], starts[c - 1]);
  return starts;
}

function shareInt32(a: Int32Array): Int32Array {
  const c = new Int32Array(new SharedArrayBuffer(a.length * 4));
  c.set(a);
  return c;
}

/** Fits B (see module doc). */
export async function fitEase(m: RatingMatrix, options: EaseOptions = {}): Promise<EaseModel> {
  const lambda = options.lambda ?? EASE_DEFAULTS.lambda;
  const workers = options.workers ?? defaultWorkers();
  const colItems = supportedItems(
    m,
    options.minRatings ?? EASE_DEFAULTS.minRatings,
    options.maxItems ?? EASE_DEFAULTS.maxItems,
  );
  const M = colItems.length;
  const cols = new Int32Array(m.itemIds.length).fill(-1);
  for (let c = 0; c < M; c++) cols[colItems[c]] = c;

  const bytes = M * M * 8;
  const g = new Float64Array(workers > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const gram: GramInit = {
    userOffsets: m.userOffsets,
    userItems: m.userItems,
    userRatings: m.userRatings,
    cols,
    g,
    lowRatingWeight: options.lowRatingWeight ?? EASE_DEFAULTS.lowRatingWeight,
    starts: Int32Array.of(0, M),
  };
  if (workers > 1 && M > 1 && m.userItems.buffer instanceof SharedArrayBuffer) {
    gram.starts = gramRanges(m, cols, M, workers);
    await runChunks<GramInit, number>({
      worker: new URL("./ease_worker.ts", import.meta.url),
      init: { ...gram, cols: shareInt32(cols) },
      chunks: gram.starts.length - 1,
      workers,
    });
  } else gramRows(gram, 0);
  const lowRatingWeight = gram.lowRatingWeight;
  for (let c = 0; c < M; c++) g[c * M + c] += lambda;

  await invertSpd(g, M, { workers });

  // Shared, so that ranking Workers read B in place (lib/recommend/ranked_users.ts).
  const b = new Float32Array(
    workers > 1 ? new SharedArrayBuffer(M * M * 4) : new ArrayBuffer(M * M * 4),
  );
  for (let j = 0; j < M; j++) {
    const row = j * M;
    for (let i = 0; i < M; i++) b[row + i] = i === j ? 0 : -g[row + i] / g[i * M + i];
  }
  return new EaseModel(m, cols, colItems, b, lowRatingWeight);
}

/** Every option of EASE with its default (see the module doc). */
export const EASE_DEFAULTS = {
  lambda: 500,
  lowRatingWeight: 1,
  minRatings: 10,
  maxItems: 8000,
} as const;

/**
 * Published EASE on binary X (λ 500): issue #13's anchor, NDCG@10 0.385 on
 * ML-100k. The registry's `ease-weighted` is this spec with
 * {@link EASE_WEIGHTED_DEFAULTS}.
 */
export const easeSpec: ModelSpec<EaseModel> = {
  summary:
    "EASE: closed-form item-to-item regression (λ 500) over the movies with ≥ 10 ratings (≤ 8,000)",
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
