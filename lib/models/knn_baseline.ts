/**
 * `knn-item` and `knn-user`: baseline-centred k-nearest-neighbours
 * (Koren 2010, §2.2; Surprise's `KNNBaseline` with `pearson_baseline`).
 *
 * With the bias baseline `b_ui = μ + b_u + b_i` (lib/baselines.ts) and the
 * residuals `e_ui = r_ui − b_ui`, item–item (user–user by swapping roles):
 *
 * - similarity over the users U_ij who rated both i and j, n = |U_ij|:
 *   `s_ij = Σ e_ui e_uj / sqrt(Σ e_ui² · Σ e_uj²) · (n − 1) / (n − 1 + λ)`,
 *   zero below `minSupport` co-ratings; only positive similarities are kept,
 *   the `maxNeighbors` largest per item (ties by smaller index);
 * - prediction: among the items the user rated, the K with the largest
 *   positive similarity to i form N; then
 *   `r̂_ui = b_ui + Σ_{j∈N} s_ij e_uj / Σ_{j∈N} s_ij`, and `b_ui` alone when N
 *   is empty. No prediction ever rests on a negative similarity (the classic
 *   `Σ|s|` denominator turned one −0.03 neighbour into +2.5 stars).
 *
 * Defaults chosen on ML-100k (five official folds): K 40, λ 100,
 * minSupport 1 as Surprise; `maxNeighbors` 300 changes item–item RMSE by
 * < 0.001 against unbounded lists there and bounds memory at ML-32M shape.
 *
 * Fit: O(Σ_u |I_u|²/2) time (each pair once, the co-rating work of the
 * item–item engine; ML-32M's shape: see bench `fit-knn-item`), split over
 * Workers in ranges of rows of equal pair work, each with its own bounded
 * lists (rows · maxNeighbors · 12 bytes per worker), merged per row into the
 * lists one thread would keep,
 * O(rows) scratch, `maxNeighbors` entries per row. Predicting is O(list)
 * per call; calls grouped by user (item model) or by item (user model)
 * reuse one scatter of that user's (item's) residuals.
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import { orientation } from "../rating_matrix.ts";
import { DEFAULT_BIAS, fitBaselines } from "../baselines.ts";
import { mergeTopK, type TopKArrays, TopKLists } from "../top_k.ts";
import { transposePositions, upperPairCost } from "../co_rating.ts";
import { defaultWorkers, runChunks } from "../worker_pool.ts";
import type { ModelSpec, RatingModel } from "./model.ts";
import { clipToScale, type RatingScale, ratingScale } from "./rating_scale.ts";
import type { Mode } from "../mode.ts";

export interface KnnBaselineOptions {
  /** Neighbours used per prediction. Changes output. @default 40 */
  k: number;
  /** Shrinkage λ of the similarity. Changes output. @default 100 */
  shrink: number;
  /** Least co-ratings for a similarity. Changes output. @default 1 */
  minSupport: number;
  /** Positive similarities kept per row. Changes output (slightly) and memory. @default 300 */
  maxNeighbors: number;
}

export const KNN_BASELINE_DEFAULTS: KnnBaselineOptions = {
  k: 40,
  shrink: 100,
  minSupport: 1,
  maxNeighbors: 300,
};

/** Similarity lists of one direction: row r's neighbours at `offsets[r] .. offsets[r+1]`, best first. */
export interface SimilarityLists {
  offsets: Int32Array;
  neighbors: Int32Array;
  sims: Float32Array;
}

/** Key scale of the top-K heap (lib/top_k.ts keys are `round(sim · 10^6)`). */
const KEY_SCALE = 1e6;

/** What one range of rows of the similarity pass reads (shared with Workers, not copied). */
export interface SimilarityInit {
  /** The row orientation (offsets, cols) and its transpose (tOffsets, tRows). */
  offsets: Int32Array;
  cols: Int32Array;
  tOffsets: Int32Array;
  tRows: Int32Array;
  /** Row a's entry q sits at `tPos[q]` in its column's list. */
  tPos: Int32Array;
  /** Residuals aligned with the rows, and with the transpose. */
  eRow: Float64Array;
  eT: Float64Array;
  shrink: number;
  minSupport: number;
  /** The first row of each range, and the end: range c is `starts[c] .. starts[c+1]`. */
  starts: Int32Array;
  /** One set of bounded lists per range (lib/top_k.ts), offered that range's pairs. */
  lists: TopKArrays[];
  /** Entries per list. */
  k: number;
}

/**
 * Every pair (a, b > a) of the rows of range `chunk`, offered to both rows
 * in that range's lists. Each pair is summed once, from its smaller row
 * (the columns' lists are sorted by row, so row a's entry sits at tPos and
 * the rows after it are the b > a); its sums run over the common columns in
 * ascending order whoever computes it, so no bit depends on the split.
 */
export function similarityRange(init: SimilarityInit, chunk: number): number {
  const { offsets, cols, tOffsets, tRows, tPos, eRow, eT, shrink, minSupport } = init;
  const rows = offsets.length - 1;
  const top = new TopKLists(rows, init.k, false, init.lists[chunk]);
  const sxy = new Float64Array(rows), sxx = new Float64Array(rows), syy = new Float64Array(rows);
  const count = new Int32Array(rows);
  const touched = new Int32Array(rows);
  for (let a = init.starts[chunk]; a < init.starts[chunk + 1]; a++) {
    let nt = 0;
    for (let p = offsets[a]; p < offsets[a + 1]; p++) {
      const c = cols[p], ea = eRow[p];
      const ea2 = ea * ea;
      for (let q = tPos[p] + 1; q < tOffsets[c + 1]; q++) {
        const b = tRows[q];
        if (count[b] === 0) touched[nt++] = b;
        const eb = eT[q];
        sxy[b] += ea * eb;
        sxx[b] += ea2;
        syy[b] += eb * eb;
        count[b]++;
      }
    }
    for (let t = 0; t < nt; t++) {
      const b = touched[t];
      const n = count[b];
      if (n >= minSupport && sxy[b] > 0) {
        const sim = sxy[b] / Math.sqrt(sxx[b] * syy[b]) * (n - 1) / (n - 1 + shrink);
        const key = Math.round(sim * KEY_SCALE);
        if (key > 0) {
          top.offer(a, key, b);
          top.offer(b, key, a);
        }
      }
      sxy[b] = 0;
      sxx[b] = 0;
      syy[b] = 0;
      count[b] = 0;
    }
  }
  return 0;
}

/**
 * Pearson-baseline similarities of the rows of `mode` (items for "item"),
 * `residual` aligned with the matrix's user orientation. With `workers` > 1
 * the rows are split into that many ranges of equal pair work, each summed
 * on a Worker into its own lists, and every row's lists are merged (ties by
 * the smaller index): the same lists as on one thread.
 */
export async function baselineSimilarities(
  m: RatingMatrix,
  mode: Mode,
  residualByUser: Float64Array,
  options: KnnBaselineOptions,
  workers = 1,
): Promise<SimilarityLists> {
  const o = orientation(m, mode);
  const rows = o.rowIds.length;
  const par = workers > 1 && rows > 1 && m.userItems.buffer instanceof SharedArrayBuffer;
  const f64 = (len: number) =>
    new Float64Array(par ? new SharedArrayBuffer(len * 8) : new ArrayBuffer(len * 8));
  // Residuals aligned with the row orientation and with its transpose.
  let byUser = residualByUser;
  if (par && !(byUser.buffer instanceof SharedArrayBuffer)) {
    byUser = f64(residualByUser.length);
    byUser.set(residualByUser);
  }
  const byItem = f64(byUser.length);
  {
    const fill = m.itemOffsets.slice(0, m.itemIds.length);
    for (let u = 0; u < m.userIds.length; u++) {
      for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
        byItem[fill[m.userItems[p]]++] = byUser[p];
      }
    }
  }
  const tPos = transposePositions(o, par);
  const L = Math.max(1, Math.min(options.maxNeighbors, rows));
  const parts = par ? Math.min(workers, rows) : 1;
  // Ranges of about equal pair work (a row's cost: its pairs with later rows).
  const starts = new Int32Array(parts + 1);
  starts[parts] = rows;
  if (parts > 1) {
    const cost = new Float64Array(rows);
    let total = 0;
    for (let a = 0; a < rows; a++) total += cost[a] = upperPairCost(o, tPos, a) + 1;
    for (let a = 0, c = 1, acc = 0; a < rows && c < parts; a++) {
      acc += cost[a];
      if (acc >= (total * c) / parts) starts[c++] = a + 1;
    }
    for (let c = 1; c <= parts; c++) starts[c] = Math.max(starts[c], starts[c - 1]);
  }
  const tops = Array.from({ length: parts }, () => new TopKLists(rows, L, par));
  const init: SimilarityInit = {
    offsets: o.offsets,
    cols: o.cols,
    tOffsets: o.tOffsets,
    tRows: o.tRows,
    tPos,
    eRow: mode === "user" ? byUser : byItem,
    eT: mode === "user" ? byItem : byUser,
    shrink: options.shrink,
    minSupport: options.minSupport,
    starts,
    lists: tops.map((t) => t.arrays()),
    k: L,
  };
  if (par) {
    await runChunks<SimilarityInit, number>({
      worker: new URL("./knn_baseline_worker.ts", import.meta.url),
      init,
      chunks: parts,
      workers: parts,
    });
  } else similarityRange(init, 0);
  const offsets = new Int32Array(rows + 1);
  for (let a = 0; a < rows; a++) {
    let size = 0;
    for (const t of tops) size += t.sizes[a];
    offsets[a + 1] = offsets[a] + Math.min(L, size);
  }
  const neighbors = new Int32Array(offsets[rows]);
  const sims = new Float32Array(offsets[rows]);
  const scratch = new Float64Array(L * parts), nids = new Int32Array(L), keys = new Int32Array(L);
  for (let a = 0; a < rows; a++) {
    const n = mergeTopK(tops, a, L, scratch, nids, keys);
    for (let j = 0; j < n; j++) {
      neighbors[offsets[a] + j] = nids[j];
      sims[offsets[a] + j] = keys[j] / KEY_SCALE;
    }
  }
  return { offsets, neighbors, sims };
}

/** Residuals `r_ui − μ − b_u − b_i` aligned with the user orientation. */
export function baselineResiduals(
  m: RatingMatrix,
  mu: number,
  bu: Float64Array,
  bi: Float64Array,
): Float64Array {
  const e = new Float64Array(m.userItems.length);
  for (let u = 0; u < m.userIds.length; u++) {
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      e[p] = m.userRatings[p] * 0.5 - mu - bu[u] - bi[m.userItems[p]];
    }
  }
  return e;
}

/** A fitted baseline-centred kNN model, with its similarity lists for explanations. */
export interface KnnBaselineModel extends RatingModel {
  readonly lists: SimilarityLists;
  /** μ, the item biases b_i and λ_u of the baseline (a fold-in solves b_u with them). */
  readonly baseline: { mu: number; itemBias: Float64Array; regUser: number };
  /** K, the neighbours used per prediction. */
  readonly k: number;
  readonly scale: RatingScale;
}

/** Fits `knn-item` (mode "item") or `knn-user` (mode "user"); see the module doc. */
export async function fitKnnBaseline(
  m: RatingMatrix,
  mode: Mode,
  options: KnnBaselineOptions = KNN_BASELINE_DEFAULTS,
  workers = defaultWorkers(),
): Promise<KnnBaselineModel> {
  const b = fitBaselines(m, DEFAULT_BIAS, false);
  const mu = b.globalMean, bu = b.userBias, bi = b.itemBias;
  const scale = ratingScale(m);
  const residual = baselineResiduals(m, mu, bu, bi);
  const lists = await baselineSimilarities(m, mode, residual, options, workers);
  const { offsets, neighbors, sims } = lists;
  const K = options.k;
  // Scatter of the "other side" of the current key: for the item model, the
  // current user's residuals by item; for the user model, the current item's
  // residuals by user.
  const nOther = mode === "item" ? m.itemIds.length : m.userIds.length;
  const mark = new Int32Array(nOther).fill(-1);
  const value = new Float64Array(nOther);
  let current = -1;
  const scatter = (key: number) => {
    current = key;
    if (mode === "item") {
      for (let p = m.userOffsets[key]; p < m.userOffsets[key + 1]; p++) {
        mark[m.userItems[p]] = key;
        value[m.userItems[p]] = residual[p];
      }
    } else {
      // Residuals of the item's raters, read through the item orientation.
      for (let p = m.itemOffsets[key]; p < m.itemOffsets[key + 1]; p++) {
        const v = m.itemUsers[p];
        mark[v] = key;
        value[v] = m.itemRatings[p] * 0.5 - mu - bu[v] - bi[key];
      }
    }
  };
  return {
    name: mode === "item" ? "knn-item" : "knn-user",
    lists,
    baseline: { mu, itemBias: bi, regUser: DEFAULT_BIAS.regUser },
    k: K,
    scale,
    predict(u, i) {
      const base = mu + (u >= 0 ? bu[u] : 0) + (i >= 0 ? bi[i] : 0);
      if (u < 0 || i < 0) return clipToScale(scale, base);
      const row = mode === "item" ? i : u;
      const key = mode === "item" ? u : i;
      if (key !== current) scatter(key);
      let num = 0, den = 0, used = 0;
      for (let p = offsets[row]; p < offsets[row + 1] && used < K; p++) {
        const nb = neighbors[p];
        if (mark[nb] !== key) continue;
        const s = sims[p];
        num += s * value[nb];
        den += s;
        used++;
      }
      return clipToScale(scale, den > 0 ? base + num / den : base);
    },
  };
}

export const knnItemSpec: ModelSpec<KnnBaselineModel> = {
  summary: "item–item kNN on baseline residuals (pearson-baseline, λ 100, K 40, positive sims)",
  scales: true,
  defaults: { ...KNN_BASELINE_DEFAULTS },
  module: import.meta.url,
  fit: (m, o) => fitKnnBaseline(m, "item", o as unknown as KnnBaselineOptions | undefined),
};

export const knnUserSpec: ModelSpec<KnnBaselineModel> = {
  summary: "user–user kNN on baseline residuals (pearson-baseline, λ 100, K 40, positive sims)",
  scales: false,
  defaults: { ...KNN_BASELINE_DEFAULTS },
  module: import.meta.url,
  fit: (m, o) => fitKnnBaseline(m, "user", o as unknown as KnnBaselineOptions | undefined),
};
