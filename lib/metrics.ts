/**
 * Offline accuracy and ranking metrics as plain functions over numbers and
 * mergeable partials (workers sum a chunk, the caller merges chunks in a
 * fixed order, so results do not depend on the worker count).
 *
 * Rating accuracy, over the n covered test ratings with error e = p − r:
 * - RMSE = sqrt(Σ e² / n), MAE = Σ |e| / n; NaN when n = 0.
 *
 * Ranking, for one user's recommended list L (best first, length ≤ N) and
 * R relevant items (test rating ≥ {@link RELEVANT_RATING}, 4.0 stars), with rel_k = 1 when the k-th item
 * (1-based) is relevant and h = Σ rel_k the hits:
 * - precision@N = h / N (N, not |L|: a short list is not rewarded);
 * - recall@N = h / R; NaN when R = 0 (callers skip such users);
 * - NDCG@N = (Σ_k rel_k / log2(k + 1)) / (Σ_{k=1..min(N,R)} 1 / log2(k + 1));
 *   ties in the predictions are already broken in L (lib/top_n.ts), so NDCG
 *   scores exactly the list that was shown;
 * - AP@N = (Σ_k rel_k · precision@k) / min(N, R); MAP@N is its mean;
 * - hit = 1 when h > 0 (hit rate is its mean).
 *
 * Every function is O(1) or O(N) per list.
 *
 * @example
 * ```ts
 * import { addError, emptyErrors, isRelevant, rmse } from "./metrics.ts";
 * const acc = emptyErrors();
 * addError(acc, 3.5, 4); // prediction 3.5 for a 4-star rating
 * rmse(acc); // 0.5
 * isRelevant(8); // true: 4.0 stars, stored as rating*2
 * ```
 */

/** The relevance rule of every ranking metric: a test rating of at least 4.0 stars. */
export const RELEVANT_RATING = 4;

/** Whether a test rating, as stored (`rating*2`, 1..10), is relevant ({@link RELEVANT_RATING}). */
export function isRelevant(rating2: number): boolean {
  return rating2 >= RELEVANT_RATING * 2;
}

/** Sums of errors over covered predictions. */
export interface ErrorPartial {
  /** Σ (p − r)². */
  sse: number;
  /** Σ |p − r|. */
  sae: number;
  /** Predictions summed. */
  count: number;
}

export function emptyErrors(): ErrorPartial {
  return { sse: 0, sae: 0, count: 0 };
}

/** Adds one prediction's error. */
export function addError(acc: ErrorPartial, pred: number, actual: number): void {
  const e = pred - actual;
  acc.sse += e * e;
  acc.sae += Math.abs(e);
  acc.count++;
}

/** `into += other` (merge chunks in chunk order for reproducible sums). */
export function mergeErrors(into: ErrorPartial, other: ErrorPartial): void {
  into.sse += other.sse;
  into.sae += other.sae;
  into.count += other.count;
}

export function rmse(p: ErrorPartial): number {
  return p.count > 0 ? Math.sqrt(p.sse / p.count) : NaN;
}

export function mae(p: ErrorPartial): number {
  return p.count > 0 ? p.sae / p.count : NaN;
}

/** Error histogram: bins of width 0.25 over [−4.5, 4.5] (every possible p − r). */
export const HISTOGRAM = { min: -4.5, max: 4.5, width: 0.25, bins: 36 } as const;

/** The bin of an error; the top edge 4.5 falls in the last bin. */
export function histogramBin(error: number): number {
  const b = Math.floor((error - HISTOGRAM.min) / HISTOGRAM.width);
  return b < 0 ? 0 : b >= HISTOGRAM.bins ? HISTOGRAM.bins - 1 : b;
}

export function precisionAtN(hits: number, n: number): number {
  return n > 0 ? hits / n : NaN;
}

export function recallAtN(hits: number, relevant: number): number {
  return relevant > 0 ? hits / relevant : NaN;
}

/** `relevance[k]` is 1 when the (k+1)-th recommended item is relevant; list length ≤ n. */
export function ndcgAtN(relevance: ArrayLike<number>, relevant: number, n: number): number {
  const ideal = Math.min(n, relevant);
  if (ideal === 0) return NaN;
  let dcg = 0, idcg = 0;
  const len = Math.min(n, relevance.length);
  for (let k = 0; k < len; k++) if (relevance[k]) dcg += 1 / Math.log2(k + 2);
  for (let k = 0; k < ideal; k++) idcg += 1 / Math.log2(k + 2);
  return dcg / idcg;
}

/** Average precision at n of one list (see module doc). */
export function averagePrecisionAtN(relevance: ArrayLike<number>, relevant: number, n: number) {
  const ideal = Math.min(n, relevant);
  if (ideal === 0) return NaN;
  let hits = 0, sum = 0;
  const len = Math.min(n, relevance.length);
  for (let k = 0; k < len; k++) {
    if (relevance[k]) {
      hits++;
      sum += hits / (k + 1);
    }
  }
  return sum / ideal;
}

/** Sums of per-user ranking metrics over users with at least one relevant item. */
export interface RankingPartial {
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  ap: number;
  hits: number;
}

export function emptyRanking(): RankingPartial {
  return { users: 0, precision: 0, recall: 0, ndcg: 0, ap: 0, hits: 0 };
}

/** Adds one user's list (`relevance` as for {@link ndcgAtN}); users with no relevant item are skipped. */
export function addRankedList(
  acc: RankingPartial,
  relevance: ArrayLike<number>,
  relevant: number,
  n: number,
): void {
  if (relevant === 0) return;
  let hits = 0;
  const len = Math.min(n, relevance.length);
  for (let k = 0; k < len; k++) hits += relevance[k] ? 1 : 0;
  acc.users++;
  acc.precision += precisionAtN(hits, n);
  acc.recall += recallAtN(hits, relevant);
  acc.ndcg += ndcgAtN(relevance, relevant, n);
  acc.ap += averagePrecisionAtN(relevance, relevant, n);
  acc.hits += hits > 0 ? 1 : 0;
}

export function mergeRanking(into: RankingPartial, other: RankingPartial): void {
  into.users += other.users;
  into.precision += other.precision;
  into.recall += other.recall;
  into.ndcg += other.ndcg;
  into.ap += other.ap;
  into.hits += other.hits;
}
