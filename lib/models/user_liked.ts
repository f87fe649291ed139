/**
 * `user-liked`: the "From similar users" ranking — the movies a user's
 * similar users liked, weighted by how similar each one is.
 *
 * Neighbours ({@link similarUsers}): a user's candidates from a user
 * neighbor file (the pipeline's pearson λ 100 list) re-ranked by the binary
 * cosine of their rows, `c_uv / sqrt(n_u · n_v)` (c_uv = movies both rated,
 * n = each one's rating count, all in training), the best
 * {@link SIMILAR_USERS} kept; ties by the smaller id. These are the rows the
 * dashboard's "similar users" panel shows, with c_uv as "movies in common".
 *
 * Ranking, over those neighbours v (similarity s_uv > 0):
 *
 *   score(u, i)   = Σ s_uv over the v with r_vi ≥ 4.0
 *   support(u, i) = |{ those v }|
 *
 * and a movie is listed only when `support ≥ minSupport` (2: never a movie
 * only one neighbour liked), so "liked by N of your similar users" is the
 * support. Similarities are summed as their integer keys `round(s · 10^6)`
 * (lib/neighbor_file.ts), exactly; the score is that sum / 10^6. A movie
 * nobody liked (all ★0.5) can never be listed, however few ratings it has.
 *
 * Chosen on ML-100k's official folds u1–u5 (`deno task accuracy --data
 * data/ml-100k --model popularity`, its `user-liked` row; NDCG@10, relevant
 * ≥ 4; README, Accuracy): the score over the pipeline's pearson
 * λ 100 K 50 neighbours as they are reaches 0.285, the same candidates
 * re-ranked by binary cosine 0.312, pearson λ 100 K 200 candidates re-ranked
 * to 50 0.353 (plain binary-cosine user-kNN over all users: 0.355), hence
 * the pipeline's {@link USER_CANDIDATES}. The classic list ordered by its
 * predicted rating (`user_based_recommendations.csv`, which `predict` still
 * writes) put any movie one neighbour rated ★5 first.
 *
 * Cost per user: the re-ranking counts c_uv for each candidate by the
 * cheaper of a scan of v's row against u's stamped movies (n_v) and a binary
 * search of each of u's movies in v's row (n_u · log n_v); the scores scan
 * the kept neighbours' liked ratings only (a copy of the rows holding the
 * ratings ≥ 4); the served list is kept by a bounded top-N, and its
 * predictions take one more pass over the kept neighbours' rows. Memory: 16 bytes per item of
 * scratch, reused across users, and the liked rows (at most the rows' size).
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import type { NeighborGraph } from "../predictors.ts";
import type { Contribution, RankingModel } from "./model.ts";
import { TopK } from "../top_k.ts";

/** `rating*2` at or above which a neighbour's rating counts as liking the movie (★4.0). */
export const LIKED_RATING2 = 8;
/** Similar users kept per user (the panel's rows, the list's neighbours). */
export const SIMILAR_USERS = 50;
/** Candidates per user the pipeline's user neighbor file keeps for the re-ranking. */
export const USER_CANDIDATES = 200;
/** @see UserLikedOptions.minSupport */
export const DEFAULT_MIN_SUPPORT = 2;

export interface UserLikedOptions {
  /**
   * Least number of neighbours who liked a movie for it to be listed; at
   * least 2, so a movie only one neighbour rated is never listed. Changes
   * output. ML-100k: 2 and 3 give the same NDCG@10.
   * @default 2
   */
  minSupport?: number;
}

/**
 * Rows of ratings by user: row r's items (ascending within the row) and
 * `rating*2` at `offsets[r]..offsets[r+1]`.
 */
export interface UserRows {
  offsets: Int32Array;
  items: Int32Array;
  ratings: Uint8Array;
}

/** Candidate lists: row `ids[r]`'s candidates are `nids[offsets[r]..offsets[r+1])` (rows of a {@link UserRows}). */
export interface CandidateLists {
  ids: ArrayLike<number>;
  offsets: Int32Array;
  nids: ArrayLike<number>;
}

/** {@link similarUsers}: per list row, the kept neighbours best first. */
export interface SimilarUsers {
  ids: ArrayLike<number>;
  offsets: Int32Array;
  nbrs: Int32Array;
  /** `round(binary cosine · 10^6)`. */
  keys: Int32Array;
  /** Movies both rated. */
  common: Int32Array;
}

/**
 * Each list row's candidates re-ranked by binary cosine (see module doc),
 * the best `keep` kept (key descending, then the smaller neighbour row).
 * `itemBound` exceeds every item of `rows`.
 */
export function similarUsers(
  rows: UserRows,
  lists: CandidateLists,
  itemBound: number,
  keep = SIMILAR_USERS,
): SimilarUsers {
  const nRows = lists.offsets.length - 1;
  const offsets = new Int32Array(nRows + 1);
  for (let r = 0; r < nRows; r++) {
    offsets[r + 1] = offsets[r] + Math.min(keep, lists.offsets[r + 1] - lists.offsets[r]);
  }
  const nbrs = new Int32Array(offsets[nRows]);
  const keys = new Int32Array(offsets[nRows]);
  const common = new Int32Array(offsets[nRows]);
  const stamp = new Int32Array(itemBound);
  const order: number[] = [];
  let candKey = new Int32Array(0), candCommon = new Int32Array(0);
  for (let r = 0; r < nRows; r++) {
    const u = lists.ids[r];
    const from = lists.offsets[r], to = lists.offsets[r + 1];
    const mark = r + 1;
    for (let q = rows.offsets[u]; q < rows.offsets[u + 1]; q++) stamp[rows.items[q]] = mark;
    const nu = rows.offsets[u + 1] - rows.offsets[u];
    if (candKey.length < to - from) {
      candKey = new Int32Array(to - from);
      candCommon = new Int32Array(to - from);
    }
    order.length = 0;
    for (let p = from; p < to; p++) {
      const v = lists.nids[p];
      const nv = rows.offsets[v + 1] - rows.offsets[v];
      let c = 0;
      // A heavy candidate (thousands of ratings) is searched, not scanned: both rows are
      // sorted by item, so c is the same either way.
      if (nu * (32 - Math.clz32(nv)) < nv) {
        for (let q = rows.offsets[u]; q < rows.offsets[u + 1]; q++) {
          if (indexIn(rows, v, rows.items[q]) >= 0) c++;
        }
      } else {
        for (let q = rows.offsets[v]; q < rows.offsets[v + 1]; q++) {
          if (stamp[rows.items[q]] === mark) c++;
        }
      }
      candKey[p - from] = c > 0 ? Math.round(c / Math.sqrt(nu * nv) * 1e6) : 0;
      candCommon[p - from] = c;
      order.push(p - from);
    }
    order.sort((a, b) => candKey[b] - candKey[a] || lists.nids[from + a] - lists.nids[from + b]);
    for (let t = 0; t < offsets[r + 1] - offsets[r]; t++) {
      const e = offsets[r] + t, a = order[t];
      nbrs[e] = lists.nids[from + a];
      keys[e] = candKey[a];
      common[e] = candCommon[a];
    }
  }
  return { ids: lists.ids, offsets, nbrs, keys, common };
}

/** Where `item` is in row `r` of `rows` (binary search), or −1. */
function indexIn(rows: UserRows, r: number, item: number): number {
  let lo = rows.offsets[r], hi = rows.offsets[r + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = rows.items[mid];
    if (x === item) return mid;
    if (x < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The ratings ≥ 4.0 of `rows`, as rows of the same users. O(ratings). */
export function likedRows(rows: UserRows): UserRows {
  const n = rows.offsets.length - 1;
  const offsets = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) {
    let c = 0;
    for (let q = rows.offsets[r]; q < rows.offsets[r + 1]; q++) {
      if (rows.ratings[q] >= LIKED_RATING2) c++;
    }
    offsets[r + 1] = offsets[r] + c;
  }
  const items = new Int32Array(offsets[n]);
  const ratings = new Uint8Array(offsets[n]);
  for (let r = 0, k = 0; r < n; r++) {
    for (let q = rows.offsets[r]; q < rows.offsets[r + 1]; q++) {
      if (rows.ratings[q] < LIKED_RATING2) continue;
      items[k] = rows.items[q];
      ratings[k++] = rows.ratings[q];
    }
  }
  return { offsets, items, ratings };
}

/**
 * The scores of one user at a time, reused across users: after
 * {@link LikedByNeighbors.collect}, `touched[0..touchedCount)` are the items
 * some neighbour with a positive key liked, `keySum[i]` the sum of their
 * keys and `support[i]` their number. Items are whatever the rows hold
 * (dense indices or movie ids), below `itemBound`.
 */
export class LikedByNeighbors {
  readonly keySum: Float64Array;
  readonly support: Int32Array;
  readonly touched: Int32Array;
  touchedCount = 0;
  constructor(itemBound: number) {
    this.keySum = new Float64Array(itemBound);
    this.support = new Int32Array(itemBound);
    this.touched = new Int32Array(itemBound);
  }

  /**
   * Accumulates over neighbours `nbrs[from..to)` (rows of `liked`, which holds
   * only liked ratings: {@link likedRows}) with keys `keys[from..to)`,
   * skipping keys ≤ 0. Clears the previous user's sums first.
   */
  collect(
    liked: UserRows,
    nbrs: ArrayLike<number>,
    keys: ArrayLike<number>,
    from: number,
    to: number,
  ): void {
    for (let t = 0; t < this.touchedCount; t++) {
      const i = this.touched[t];
      this.keySum[i] = 0;
      this.support[i] = 0;
    }
    let n = 0;
    for (let p = from; p < to; p++) {
      const key = keys[p];
      if (key <= 0) continue;
      const v = nbrs[p];
      for (let q = liked.offsets[v]; q < liked.offsets[v + 1]; q++) {
        const i = liked.items[q];
        if (this.support[i] === 0) this.touched[n++] = i;
        this.support[i]++;
        this.keySum[i] += key;
      }
    }
    this.touchedCount = n;
  }
}

function checkMinSupport(minSupport: number): number {
  if (!Number.isInteger(minSupport) || minSupport < 2) {
    throw new RangeError(`minSupport must be an integer >= 2, got ${minSupport}`);
  }
  return minSupport;
}

/** {@link RankingModel} over a training matrix and candidate lists of its dense users. */
export class UserLikedModel implements RankingModel {
  readonly name = "user-liked";
  readonly neighbors: SimilarUsers;
  readonly #minSupport: number;
  readonly #acc: LikedByNeighbors;
  readonly #liked: UserRows;

  /** `candidates`: a user neighbor graph over `m`'s dense users (lib/predictors.ts). */
  constructor(m: RatingMatrix, candidates: NeighborGraph, options: UserLikedOptions = {}) {
    this.#minSupport = checkMinSupport(options.minSupport ?? DEFAULT_MIN_SUPPORT);
    const rows = { offsets: m.userOffsets, items: m.userItems, ratings: m.userRatings };
    this.#liked = likedRows(rows);
    const users = m.userIds.length;
    const ids = new Int32Array(users);
    for (let u = 0; u < users; u++) ids[u] = u;
    this.neighbors = similarUsers(
      rows,
      { ids, offsets: candidates.offsets, nids: candidates.nbrs },
      m.itemIds.length,
    );
    this.#acc = new LikedByNeighbors(m.itemIds.length);
  }

  scoreUser(u: number, out: Float64Array): void {
    out.fill(-Infinity);
    const g = this.neighbors, acc = this.#acc;
    acc.collect(this.#liked, g.nbrs, g.keys, g.offsets[u], g.offsets[u + 1]);
    for (let t = 0; t < acc.touchedCount; t++) {
      const i = acc.touched[t];
      if (acc.support[i] >= this.#minSupport) out[i] = acc.keySum[i] / 1e6;
    }
  }

  explain(_u: number, _i: number): Contribution | null {
    return null;
  }
}

/** The served list's rows, by user then pos: movie, the classic formula's stars, support. */
export interface UserLikedRows {
  users: Int32Array;
  pos: Int32Array;
  movies: Int32Array;
  predictions: Float64Array;
  support: Int32Array;
}

/**
 * Every list row's top `top` movies (score desc, then movieId asc), never one
 * `isRated(user, movie)` says the user rated, for the store. `rows` are
 * indexed by user id and hold movie ids; `means[v]` is user v's mean in
 * stars (the prediction: `μ_u + Σ s (r_vi − μ_v) / Σ s`, the classic
 * user-based formula over the same neighbours, clipped to [0.5, 5]).
 */
export function userLikedRows(
  rows: UserRows,
  neighbors: SimilarUsers,
  means: ArrayLike<number>,
  itemBound: number,
  isRated: (user: number, movie: number) => boolean,
  top: number,
  minSupport = DEFAULT_MIN_SUPPORT,
): UserLikedRows {
  checkMinSupport(minSupport);
  const acc = new LikedByNeighbors(itemBound);
  const liked = likedRows(rows);
  const best = new TopK(top);
  // Listed movies' slots (+1; 0 = not listed) and their prediction sums.
  const slot = new Int32Array(itemBound);
  const num = new Float64Array(top), den = new Float64Array(top);
  const users: number[] = [], pos: number[] = [], movies: number[] = [];
  const predictions: number[] = [], support: number[] = [];
  for (let r = 0; r + 1 < neighbors.offsets.length; r++) {
    const u = neighbors.ids[r];
    const from = neighbors.offsets[r], to = neighbors.offsets[r + 1];
    acc.collect(liked, neighbors.nbrs, neighbors.keys, from, to);
    // Score desc, then the smaller movie: TopK's order, keys being the exact key sums.
    best.reset(top);
    for (let t = 0; t < acc.touchedCount; t++) {
      const i = acc.touched[t];
      if (acc.support[i] >= minSupport && !isRated(u, i)) best.push(acc.keySum[i], i);
    }
    const n = best.drain();
    if (n === 0) continue;
    for (let k = 0; k < n; k++) {
      slot[best.ids[k]] = k + 1;
      num[k] = 0;
      den[k] = 0;
    }
    // The classic user-based formula over the same neighbours: one pass over their rows.
    for (let p = from; p < to; p++) {
      if (neighbors.keys[p] <= 0) continue;
      const v = neighbors.nbrs[p];
      const s = neighbors.keys[p] / 1e6, mean = means[v];
      for (let q = rows.offsets[v]; q < rows.offsets[v + 1]; q++) {
        const k = slot[rows.items[q]] - 1;
        if (k < 0) continue;
        num[k] += s * (rows.ratings[q] / 2 - mean);
        den[k] += s;
      }
    }
    for (let k = 0; k < n; k++) {
      const i = best.ids[k];
      slot[i] = 0;
      const pred = means[u] + num[k] / den[k];
      users.push(u);
      pos.push(k);
      movies.push(i);
      predictions.push(pred < 0.5 ? 0.5 : pred > 5 ? 5 : pred);
      support.push(acc.support[i]);
    }
  }
  return {
    users: Int32Array.from(users),
    pos: Int32Array.from(pos),
    movies: Int32Array.from(movies),
    predictions: Float64Array.from(predictions),
    support: Int32Array.from(support),
  };
}
