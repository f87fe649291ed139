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
import type { RankingModel } from "./model.ts";

/** Reusable buffers for {@link topNForUser}; one per thread. */
export class RankScratch {
  /** Every item's score for the current user (the user's own items masked to −∞). */
  readonly scores: Float64Array;
  /** The list, best first, in `items[0..count)`. */
  readonly items: Int32Array;
  /** Scores aligned with `items`. */
  readonly topScores: Float64Array;
  count = 0;
  constructor(itemCount: number, n: number) {
    this.scores = new Float64Array(itemCount);
    this.items = new Int32Array(Math.max(1, n));
    this.topScores = new Float64Array(Math.max(1, n));
  }
}

/** True when (sa, ia) ranks below (sb, ib): smaller score, or equal score and larger index. */
function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}

/**
 * The top-`n` dense items for dense user `u` of `m` (see module doc): a view
 * of `scratch.items` (valid until the next call), best first; their scores
 * are in `scratch.topScores`. `scratch` must be sized for `m`'s items and at
 * least `n`.
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
  const hi = scratch.items, hs = scratch.topScores;
  let size = 0;
  // Min-heap on rank: the root is the worst kept item.
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (v === -Infinity || v !== v) continue;
    if (size < n) {
      let at = size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(v, i, hs[parent], hi[parent])) break;
        hi[at] = hi[parent];
        hs[at] = hs[parent];
        at = parent;
      }
      hi[at] = i;
      hs[at] = v;
    } else if (n > 0 && worse(hs[0], hi[0], v, i)) {
      siftDown(hi, hs, size, v, i);
    }
  }
  // Heap sort in place: move the worst to the end repeatedly → best first.
  for (let end = size - 1; end > 0; end--) {
    const v = hs[end], i = hi[end];
    hi[end] = hi[0];
    hs[end] = hs[0];
    siftDown(hi, hs, end, v, i);
  }
  scratch.count = size;
  return hi.subarray(0, size);
}

function siftDown(hi: Int32Array, hs: Float64Array, size: number, v: number, i: number): void {
  let at = 0;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= size) break;
    if (child + 1 < size && worse(hs[child + 1], hi[child + 1], hs[child], hi[child])) child++;
    if (!worse(hs[child], hi[child], v, i)) break;
    hi[at] = hi[child];
    hs[at] = hs[child];
    at = child;
  }
  hi[at] = i;
  hs[at] = v;
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

/** Means over the evaluated users (those with a relevant test rating). */
export interface RankingResult {
  /** Users evaluated. */
  users: number;
  ndcg: number;
  precision: number;
  recall: number;
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
