/**
 * The top-N protocol every {@link RankingModel} is listed and judged by (issue
 * #13, fixed):
 *
 * - candidates for user u = every item of the training matrix that u did not
 *   rate in training and whose score is not `-Infinity`;
 * - the list is the N best candidates by score, descending, ties broken by
 *   the smaller dense item index (= the smaller movieId), so it is the same
 *   on every run and worker count;
 * - relevant = a test rating ≥ 4.0 (`isRelevant`, lib/metrics.ts); every such test rating
 *   of u counts, also one for a movie absent from training (it can never be
 *   listed, and lowers recall and NDCG as it should); users with no relevant
 *   test rating, or absent from training (nothing to rank from), are skipped;
 * - binary gains, log2 discount, ideal DCG over min(N, relevant), precision
 *   divides by N (lib/metrics.ts);
 * - catalog coverage = distinct items in all evaluated users' lists / items
 *   in training.
 *
 * Scores are compared as doubles, not through lib/top_n.ts's printed key: a
 * ranking score is unbounded (popularity counts reach 10^5, beyond that
 * key's Int32 range) and may be tiny (random-walk probabilities).
 *
 * Time per user: one `scoreUser` plus O(items · log N) selection; memory: the
 * {@link RankScratch} buffers (items · 8 bytes + N · 12).
 */
import { addRankedList, emptyRanking, isRelevant } from "../metrics.ts";
import { denseIndexOf, type RatingMatrix } from "../rating_matrix.ts";
import type { RatingsTable } from "../ratings_table.ts";
import { TopK } from "../top_k.ts";
import type { RankingModel } from "./model.ts";

/** Reusable buffers for {@link topNForUser}; one per thread. */
export class RankScratch {
  /** Every item's score for the current user (the user's own items masked to −∞). */
  readonly scores: Float64Array;
  /** The bounded list (lib/top_k.ts): ids are dense items, keys their scores. */
  readonly top: TopK;
  constructor(itemCount: number, n: number) {
    this.scores = new Float64Array(itemCount);
    this.top = new TopK(n);
  }
  /** The list, best first, in `items[0..count)`. */
  get items(): Int32Array {
    return this.top.ids;
  }
  /** Scores aligned with `items`. */
  get topScores(): Float64Array {
    return this.top.keys;
  }
  get count(): number {
    return this.top.count;
  }
}

/**
 * The top-`n` dense items for dense user `u` of `m` (see module doc): a view
 * of `scratch.items` (valid until the next call), best first; their scores
 * are in `scratch.topScores`. `scratch` must be sized for `m`'s items.
 */
export function topNForUser(
  model: RankingModel,
  m: RatingMatrix,
  u: number,
  n: number,
  scratch: RankScratch,
): Int32Array {
  const s = scratch.scores;
  model.scoreUser(u, s);
  for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) s[m.userItems[p]] = -Infinity;
  const top = scratch.top;
  top.reset(n);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (v === -Infinity || v !== v) continue;
    top.push(v, i);
  }
  return top.ids.subarray(0, top.drain());
}

export interface EvaluateRankingOptions {
  /**
   * List length N. Changes output.
   * @default 10
   */
  n?: number;
  /** Dense user indices to evaluate (a sample); every user when absent. Changes output. */
  users?: ArrayLike<number>;
}

/**
 * Means over the evaluated users (those with a relevant test rating).
 *
 * @example
 * ```ts
 * const r: RankingResult = evaluateRanking(model, train, test, { n: 10 });
 * console.log(r.ndcg.toFixed(3), r.users);
 * ```
 */
export interface RankingResult {
  /** Users evaluated. */
  users: number;
  /** NDCG@N, binary gains, log2 discount. */
  ndcg: number;
  /** Hits / N. */
  precision: number;
  /** Hits / relevant test ratings. */
  recall: number;
  /** Share of users with at least one hit. */
  hitRate: number;
  /** Mean average precision at N. */
  map: number;
  /** Distinct items in all lists / items in training. */
  catalogCoverage: number;
}

/**
 * Ranks every (or every sampled) user's top-N with `model` fitted on `train`
 * and scores the lists against `test` (see module doc for the protocol).
 */
export function evaluateRanking(
  model: RankingModel,
  train: RatingMatrix,
  test: RatingsTable,
  options: EvaluateRankingOptions = {},
): RankingResult {
  const n = options.n ?? 10;
  const nUsers = train.userIds.length, nItems = train.itemIds.length;
  // Relevant test ratings grouped by dense user; −1 for a movie unknown in training.
  const relOff = new Int32Array(nUsers + 1);
  const userOf = (k: number) => denseIndexOf(train.userIndex, test.users[k]);
  for (let k = 0; k < test.length; k++) {
    const u = userOf(k);
    if (u >= 0 && isRelevant(test.ratings[k])) relOff[u + 1]++;
  }
  for (let u = 0; u < nUsers; u++) relOff[u + 1] += relOff[u];
  const relItems = new Int32Array(relOff[nUsers]);
  {
    const fill = relOff.slice(0, nUsers);
    for (let k = 0; k < test.length; k++) {
      const u = userOf(k);
      if (u < 0 || !isRelevant(test.ratings[k])) continue;
      relItems[fill[u]++] = denseIndexOf(train.itemIndex, test.movies[k]);
    }
  }
  const users = options.users ?? Array.from({ length: nUsers }, (_, u) => u);
  const scratch = new RankScratch(nItems, n);
  const relMark = new Uint8Array(nItems);
  const listed = new Uint8Array(nItems);
  const relevance = new Uint8Array(n);
  const acc = emptyRanking();
  for (let k = 0; k < users.length; k++) {
    const u = users[k];
    const relevant = relOff[u + 1] - relOff[u];
    if (relevant === 0) continue;
    for (let p = relOff[u]; p < relOff[u + 1]; p++) {
      if (relItems[p] >= 0) relMark[relItems[p]] = 1;
    }
    const list = topNForUser(model, train, u, n, scratch);
    relevance.fill(0);
    for (let r = 0; r < list.length; r++) {
      relevance[r] = relMark[list[r]];
      listed[list[r]] = 1;
    }
    addRankedList(acc, relevance.subarray(0, list.length), relevant, n);
    for (let p = relOff[u]; p < relOff[u + 1]; p++) {
      if (relItems[p] >= 0) relMark[relItems[p]] = 0;
    }
  }
  let distinct = 0;
  for (let i = 0; i < nItems; i++) distinct += listed[i];
  const d = acc.users;
  return {
    users: d,
    ndcg: d > 0 ? acc.ndcg / d : NaN,
    precision: d > 0 ? acc.precision / d : NaN,
    recall: d > 0 ? acc.recall / d : NaN,
    hitRate: d > 0 ? acc.hits / d : NaN,
    map: d > 0 ? acc.ap / d : NaN,
    catalogCoverage: nItems > 0 ? distinct / nItems : NaN,
  };
}
