/**
 * Fold-in: the shipped models score a user who is not in training from that
 * user's ratings alone, with no refit ({@link FoldInRecommender}, the
 * {@link LiveRecommender} of the web and the API). Over a
 * {@link FoldInState} (lib/models/fold_in_state.ts), with the given ratings
 * r_j of the known items j (G: the given set, n = |G|):
 *
 * - EASE: `score_i = Σ_{j∈G} x_j B[j][i]` (= x·B), x_j = 1 for ≥ 4 stars,
 *   the model's low-rating weight below; candidates are the modelled items
 *   not in G, score descending, ties by the smaller movieId (as
 *   lib/models/rank.ts). A user with no modelled given item (or the
 *   popularity ranking) gets the most-rated movies.
 * - bias baseline: `b_u = Σ_{j∈G} (r_j − μ − b_j) / (λ_u + n)`, the last
 *   step of the batch fit's alternating passes with the items' biases fixed
 *   (lib/baselines.ts), so a training user's own ratings give back that
 *   user's batch b_u exactly.
 * - knn-item: `e_j = r_j − μ − b_u − b_j`; for item i, N = the first K of
 *   i's similarity list that are in G; `r̂ = μ + b_u + b_i + Σ_N s e / Σ_N s`,
 *   the baseline alone when N is empty (lib/models/knn_baseline.ts).
 * - bmf: per kept Gibbs sample t, the user's bias and factors θ = (w_u, v_u)
 *   are the mean of their conditional posterior given that sample's item
 *   side, a ridge solve: with h_j = (1, v_j), y_j = r_j − w₀ − w_j,
 *   `(α Σ h hᵀ + Λ) θ = α Σ h y + Λ μ` (Λ, μ: the sample's user priors);
 *   `r̂ = mean_t clip(w₀ + w_u + w_i + ⟨v_u, v_i⟩)`, clipped, as the batch
 *   model averages its samples. The joint Gaussian solve, not one Gibbs
 *   coordinate pass: it is the exact conditional mean, and with no ratings
 *   it is the priors' mean.
 * - blend: `clip(w₀ + w_bmf r̂_bmf + w_knn r̂_knn)` with the learned weights.
 *
 * `because`: among the given ratings the user liked (r ≥ the mean of the
 * user's given ratings and r ≥ 3.5 stars, {@link LIKED_MIN_STARS}), the one
 * with the largest positive contribution x_j B[j][i] (ties: smaller
 * movieId); null when none contributes.
 *
 * Cost per call (n known ratings, M EASE columns, S samples, k factors,
 * P picks + predictions): n·M for the scores, M log(limit) to select,
 * S·(n (k+1)²/2 + (k+1)³/3) for bmf, P·(S·k + list length) to predict.
 * Scratch buffers are the instance's: one instance per thread.
 */
import type { GivenRating, LivePick, LiveRecommender, LiveResult } from "../live_recommender.ts";
import type { FoldInState } from "./fold_in_state.ts";
import { TopK } from "../top_k.ts";

/** A liked rating is at least this many stars (and at least the user's mean). */
export const LIKED_MIN_STARS = 3.5;

/** Whether `stars` counts as liked by a user whose mean rating is `mean` (see module doc). */
export function isLiked(stars: number, mean: number): boolean {
  return stars >= mean && stars >= LIKED_MIN_STARS;
}

/** The known given ratings, as dense items and stars, in the order given. */
interface Given {
  items: Int32Array;
  stars: Float64Array;
  n: number;
  /** Given ratings of unknown movies. */
  ignored: number;
}

/** The user's solved parameters: b_u and, per bmf sample, (w_u, v_u). */
export interface FoldedUser {
  bu: number;
  /** Per sample t: w_u at `t(k+1)`, v_u after it. */
  theta: Float64Array;
}

export class FoldInRecommender implements LiveRecommender {
  readonly state: FoldInState;
  readonly scale: { min: number; max: number };
  /** movieId → dense item, −1 when unknown. */
  readonly itemIndex: Int32Array;
  /** Dense item → EASE column, −1 when not modelled. */
  readonly cols: Int32Array;
  /** The most-rated items, best first (the cold-start list). */
  readonly popular: Int32Array;
  #row: Float64Array;
  /** Scratch: `mark[i] === stamp` when item i is given; `pos[i]` its index in the given list. */
  #mark: Int32Array;
  #pos: Int32Array;
  #stamp = 0;
  #top = new TopK(30);
  #scratchA: Float64Array;
  #scratchB: Float64Array;

  constructor(state: FoldInState) {
    this.state = state;
    this.scale = { min: state.scaleMin, max: state.scaleMax };
    const ids = state.itemIds, n = ids.length;
    this.itemIndex = new Int32Array(n > 0 ? ids[n - 1] + 1 : 0).fill(-1);
    for (let i = 0; i < n; i++) this.itemIndex[ids[i]] = i;
    this.cols = new Int32Array(n).fill(-1);
    for (let c = 0; c < state.easeCols.length; c++) this.cols[state.easeCols[c]] = c;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const counts = state.itemCounts;
    order.sort((a, b) => counts[b] - counts[a] || a - b);
    this.popular = order;
    this.#row = new Float64Array(state.easeCols.length);
    this.#mark = new Int32Array(n);
    this.#pos = new Int32Array(n);
    const d = state.bmfFactors + 1;
    this.#scratchA = new Float64Array(d * d);
    this.#scratchB = new Float64Array(d);
  }

  /** The known given ratings (unknown movies counted), and the given-items mark set. */
  #given(ratings: readonly GivenRating[]): Given {
    const n = ratings.length;
    const items = new Int32Array(n), stars = new Float64Array(n);
    let k = 0, ignored = 0;
    if (++this.#stamp === 0x7fffffff) {
      this.#mark.fill(0);
      this.#stamp = 1;
    }
    const stamp = this.#stamp;
    for (const r of ratings) {
      const id = r.movieId;
      const i = Number.isInteger(id) && id >= 0 && id < this.itemIndex.length
        ? this.itemIndex[id]
        : -1;
      if (i < 0) {
        ignored++;
        continue;
      }
      if (this.#mark[i] === stamp) {
        // The same movie twice: the later rating counts (the API refuses this before).
        stars[this.#pos[i]] = r.rating;
        continue;
      }
      this.#mark[i] = stamp;
      this.#pos[i] = k;
      items[k] = i;
      stars[k++] = r.rating;
    }
    return { items: items.subarray(0, k), stars: stars.subarray(0, k), n: k, ignored };
  }

  #isGiven(i: number): boolean {
    return this.#mark[i] === this.#stamp;
  }

  /** b_u of the bias baseline (module doc). */
  userBias(g: Given): number {
    const s = this.state;
    let sum = 0;
    for (let q = 0; q < g.n; q++) sum += g.stars[q] - s.mu - s.itemBias[g.items[q]];
    return sum / (s.regUser + g.n);
  }

  /** Per bmf sample, the user's (w_u, v_u): the ridge solve of the module doc. */
  bmfUser(g: Given): Float64Array {
    const s = this.state, k = s.bmfFactors, d = k + 1, nItems = s.itemIds.length, n = g.n;
    const theta = new Float64Array(s.bmfSamples * d);
    const A = this.#scratchA, b = this.#scratchB;
    // H transposed, d rows of n (row 0: the bias's 1s), and y: every entry of A = αHᵀH is
    // then a dot product of two contiguous rows (the per-rating rank-1 update ran 5× slower).
    const ht = new Float64Array(d * n), y = new Float64Array(n);
    ht.fill(1, 0, n);
    const rows = Array.from({ length: d }, (_, r) => ht.subarray(r * n, r * n + n));
    for (let t = 0; t < s.bmfSamples; t++) {
      const alpha = s.bmfAlpha[t], w0 = s.bmfW0[t];
      const bias = s.bmfItemBias.subarray(t * nItems, (t + 1) * nItems);
      const factors = s.bmfItemFactors.subarray(t * nItems * k, (t + 1) * nItems * k);
      for (let q = 0; q < n; q++) {
        const j = g.items[q];
        y[q] = g.stars[q] - w0 - bias[j];
        const v = factors.subarray(j * k, j * k + k);
        for (let f = 0; f < k; f++) ht[(f + 1) * n + q] = v[f];
      }
      const pr = s.bmfUserPriors.subarray(t * 2 * d, (t + 1) * 2 * d);
      for (let r = 0; r < d; r++) {
        const hr = rows[r];
        let c = 0;
        // Four dot products per pass: four independent sums, hr read once.
        for (; c + 3 <= r; c += 4) {
          const h0 = rows[c], h1 = rows[c + 1], h2 = rows[c + 2], h3 = rows[c + 3];
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let q = 0; q < n; q++) {
            const x = hr[q];
            s0 += x * h0[q];
            s1 += x * h1[q];
            s2 += x * h2[q];
            s3 += x * h3[q];
          }
          A[r * d + c] = alpha * s0;
          A[r * d + c + 1] = alpha * s1;
          A[r * d + c + 2] = alpha * s2;
          A[r * d + c + 3] = alpha * s3;
        }
        for (; c <= r; c++) A[r * d + c] = alpha * dot(hr, rows[c], n);
        const mu = pr[2 * r], lambda = pr[2 * r + 1];
        A[r * d + r] += lambda;
        b[r] = alpha * dot(hr, y, n) + lambda * mu;
      }
      choleskySolveLower(A, b, d);
      theta.set(b, t * d);
    }
    return theta;
  }

  /** The user's solved parameters (b_u and the bmf θ per sample). */
  foldUser(g: Given): FoldedUser {
    return { bu: this.userBias(g), theta: this.bmfUser(g) };
  }

  /** The bias baseline of dense item i (−1: unknown movie) for the user. */
  baseline(user: FoldedUser, i: number): number {
    const s = this.state;
    return this.#clip(s.mu + user.bu + (i >= 0 ? s.itemBias[i] : 0));
  }

  /** knn-item's prediction of dense item i from the given ratings (module doc). */
  knnPredict(g: Given, user: FoldedUser, i: number): number {
    const s = this.state;
    const base = s.mu + user.bu + s.itemBias[i];
    let num = 0, den = 0, used = 0;
    for (let p = s.knnOffsets[i]; p < s.knnOffsets[i + 1] && used < s.knnK; p++) {
      const j = s.knnNeighbors[p];
      if (!this.#isGiven(j)) continue;
      const q = this.#pos[j];
      const e = g.stars[q] - s.mu - user.bu - s.itemBias[j];
      const sim = s.knnSims[p];
      num += sim * e;
      den += sim;
      used++;
    }
    return this.#clip(den > 0 ? base + num / den : base);
  }

  /** bmf's prediction of dense item i: the mean over samples (module doc). */
  bmfPredict(user: FoldedUser, i: number): number {
    const s = this.state, k = s.bmfFactors, d = k + 1, nItems = s.itemIds.length;
    let sum = 0;
    for (let t = 0; t < s.bmfSamples; t++) {
      const th = t * d;
      let x = s.bmfW0[t] + user.theta[th] + s.bmfItemBias[t * nItems + i];
      const at = (t * nItems + i) * k;
      for (let f = 0; f < k; f++) x += user.theta[th + 1 + f] * s.bmfItemFactors[at + f];
      sum += this.#clip(x);
    }
    return this.#clip(sum / s.bmfSamples);
  }

  /** The rating model's prediction of dense item i (−1: unknown movie, the baseline). */
  predictItem(g: Given, user: FoldedUser, i: number): number {
    if (i < 0) return this.baseline(user, i);
    const w = this.state.ratingWeights;
    let x = w[0];
    if (w[1] !== 0) x += w[1] * this.bmfPredict(user, i);
    if (w[2] !== 0) x += w[2] * this.knnPredict(g, user, i);
    return this.#clip(x);
  }

  #clip(x: number): number {
    const s = this.state;
    return x < s.scaleMin ? s.scaleMin : x > s.scaleMax ? s.scaleMax : x;
  }

  #x(stars: number): number {
    return stars >= 4 ? 1 : this.state.lowRatingWeight;
  }

  /**
   * EASE's x·B over the modelled columns, in the instance's row buffer
   * (valid until the next call); false when no given item is modelled.
   */
  easeScores(g: Given): Float64Array | null {
    const s = this.state, M = s.easeCols.length, row = this.#row;
    // B's rows of the given movies, by their x: 1 (≥ 4 stars) or the low-rating weight.
    const ones: Float32Array[] = [], lows: Float32Array[] = [];
    for (let q = 0; q < g.n; q++) {
      const c = this.cols[g.items[q]];
      if (c < 0) continue;
      (this.#x(g.stars[q]) === 1 ? ones : lows).push(s.easeB.subarray(c * M, c * M + M));
    }
    if (ones.length + lows.length === 0) return null;
    row.fill(0);
    addRows(row, ones, 1);
    addRows(row, lows, s.lowRatingWeight);
    return row;
  }

  /** The liked given rating contributing most to column ci (module doc); −1 for none. */
  #because(g: Given, liked: Uint8Array, ci: number): number {
    const s = this.state, M = s.easeCols.length;
    let best = -1, bestW = 0;
    for (let q = 0; q < g.n; q++) {
      if (!liked[q]) continue;
      const c = this.cols[g.items[q]];
      if (c < 0) continue;
      const w = this.#x(g.stars[q]) * s.easeB[c * M + ci];
      if (!(w > 0)) continue;
      if (best < 0 || w > bestW || (w === bestW && g.items[q] < g.items[best])) {
        best = q;
        bestW = w;
      }
    }
    return best;
  }

  recommend(
    ratings: readonly GivenRating[],
    limit: number,
    predict: readonly number[] = [],
  ): LiveResult {
    const s = this.state;
    const g = this.#given(ratings);
    const user = this.foldUser(g);
    let mean = 0;
    for (let q = 0; q < g.n; q++) mean += g.stars[q];
    mean = g.n > 0 ? mean / g.n : 0;
    const liked = new Uint8Array(g.n);
    for (let q = 0; q < g.n; q++) liked[q] = isLiked(g.stars[q], mean) ? 1 : 0;

    const items: LivePick[] = [];
    const want = Math.max(0, Math.floor(limit));
    const scores = s.ranking === "ease" ? this.easeScores(g) : null;
    if (scores) {
      const top = this.#top;
      top.reset(want);
      for (let c = 0; c < scores.length; c++) {
        const i = s.easeCols[c];
        if (this.#isGiven(i)) continue;
        // Columns ascend with dense items, which ascend with movieIds: ties go to the smaller.
        top.push(scores[c], c);
      }
      const count = top.drain();
      for (let r = 0; r < count; r++) {
        const c = top.ids[r], i = s.easeCols[c];
        const q = this.#because(g, liked, c);
        items.push({
          movieId: s.itemIds[i],
          score: top.keys[r],
          prediction: this.predictItem(g, user, i),
          because: q >= 0 ? { movieId: s.itemIds[g.items[q]], rating: g.stars[q] } : null,
        });
      }
    } else {
      for (let r = 0; r < this.popular.length && items.length < want; r++) {
        const i = this.popular[r];
        if (this.#isGiven(i)) continue;
        items.push({
          movieId: s.itemIds[i],
          score: s.itemCounts[i],
          prediction: this.predictItem(g, user, i),
          because: null,
        });
      }
    }
    const predictions = predict.map((movieId) => {
      const i = Number.isInteger(movieId) && movieId >= 0 && movieId < this.itemIndex.length
        ? this.itemIndex[movieId]
        : -1;
      return { movieId, prediction: this.predictItem(g, user, i) };
    });
    return { items, predictions, ignored: g.ignored };
  }
}

/** Σ_{q<n} a[q]·b[q]. */
function dot(a: Float64Array, b: Float64Array, n: number): number {
  let sum = 0;
  for (let q = 0; q < n; q++) sum += a[q] * b[q];
  return sum;
}

/**
 * `row += scale · Σ rows`, four rows per pass over `row`. Measured with M
 * 8,000 and 1,000 rows: ~13× faster than one `row[i] += B[base + i]` pass
 * per row (views need no index arithmetic the engine cannot bound, and a
 * pass reads and writes `row` once for four rows).
 */
function addRows(row: Float64Array, rows: readonly Float32Array[], scale: number): void {
  const M = row.length;
  let k = 0;
  for (; k + 3 < rows.length; k += 4) {
    const a = rows[k], b = rows[k + 1], c = rows[k + 2], d = rows[k + 3];
    if (scale === 1) { for (let i = 0; i < M; i++) row[i] += (a[i] + b[i]) + (c[i] + d[i]); }
    else for (let i = 0; i < M; i++) row[i] += scale * ((a[i] + b[i]) + (c[i] + d[i]));
  }
  for (; k < rows.length; k++) {
    const a = rows[k];
    if (scale === 1) { for (let i = 0; i < M; i++) row[i] += a[i]; }
    else for (let i = 0; i < M; i++) row[i] += scale * a[i];
  }
}

/**
 * Solves `A x = b` in place into `b` for symmetric positive-definite A (d×d,
 * row-major, only the lower triangle read; overwritten by its Cholesky
 * factor).
 */
export function choleskySolveLower(A: Float64Array, b: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * d + j];
      for (let t = 0; t < j; t++) sum -= A[i * d + t] * A[j * d + t];
      if (i === j) A[i * d + i] = Math.sqrt(sum > 1e-300 ? sum : 1e-300);
      else A[i * d + j] = sum / A[j * d + j];
    }
  }
  for (let i = 0; i < d; i++) {
    let sum = b[i];
    for (let t = 0; t < i; t++) sum -= A[i * d + t] * b[t];
    b[i] = sum / A[i * d + i];
  }
  for (let i = d - 1; i >= 0; i--) {
    let sum = b[i];
    for (let t = i + 1; t < d; t++) sum -= A[t * d + i] * b[t];
    b[i] = sum / A[i * d + i];
  }
}
