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
 * data/ml-100k --model popularity --seed no --user-liked yes`, NDCG@10,
 * relevant ≥ 4; README, Accuracy): the score over the pipeline's pearson
 * λ 100 K 50 neighbours as they are reaches 0.285, the same candidates
 * re-ranked by binary cosine 0.312, pearson λ 100 K 200 candidates re-ranked
 * to 50 0.353 (plain binary-cosine user-kNN over all users: 0.355), hence
 * the pipeline's {@link USER_CANDIDATES}. The classic list ordered by its
 * predicted rating (`user_based_recommendations.csv`, which `predict` still
 * writes) put any movie one neighbour rated ★5 first.
 *
 * Cost per user: Σ over the user's candidates of their rating counts (the
 * re-ranking) plus Σ over the kept neighbours of theirs (the scores).
 * Memory: 24 bytes per item of scratch, reused across users.
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import type { NeighborGraph } from "../predictors.ts";
import type { Contribution, RankingModel } from "./model.ts";

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

/** Rows of ratings by user: row r's items and `rating*2` at `offsets[r]..offsets[r+1]`. */
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
      let c = 0;
      for (let q = rows.offsets[v]; q < rows.offsets[v + 1]; q++) {
        if (stamp[rows.items[q]] === mark) c++;
      }
      const nv = rows.offsets[v + 1] - rows.offsets[v];
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

/**
 * The accumulation over one user's neighbours, reused across users: after
 * {@link LikedByNeighbors.collect}, `touched[0..touchedCount)` are the items
 * some neighbour with a positive key rated; for each, `keySum` and
 * `support` over those who liked it, and `num`, `den` the classic
 * user-based prediction sums `Σ s (r_vi − μ_v)`, `Σ |s|` over all who rated
 * it (stars; keys as similarities). Items are whatever `rows.items` holds
 * (dense indices or movie ids), below `itemBound`.
 */
export class LikedByNeighbors {
  readonly keySum: Float64Array;
  readonly support: Int32Array;
  readonly num: Float64Array;
  readonly den: Float64Array;
  readonly touched: Int32Array;
  touchedCount = 0;
  constructor(itemBound: number) {
    this.keySum = new Float64Array(itemBound);
    this.support = new Int32Array(itemBound);
    this.num = new Float64Array(itemBound);
    this.den = new Float64Array(itemBound);
    this.touched = new Int32Array(itemBound);
  }

  /**
   * Accumulates over neighbours `nbrs[from..to)` (rows of `rows`) with keys
   * `keys[from..to)`, skipping keys ≤ 0; `means[v]` is row v's mean in stars
   * (only the prediction sums use it). Clears the previous user's sums first.
   */
  collect(
    rows: UserRows,
    nbrs: ArrayLike<number>,
    keys: ArrayLike<number>,
    from: number,
    to: number,
    means: ArrayLike<number> | null,
  ): void {
    for (let t = 0; t < this.touchedCount; t++) {
      const i = this.touched[t];
      this.keySum[i] = 0;
      this.support[i] = 0;
      this.num[i] = 0;
      this.den[i] = 0;
    }
    let n = 0;
    for (let p = from; p < to; p++) {
      const key = keys[p];
      if (key <= 0) continue;
      const v = nbrs[p];
      const s = key / 1e6, mean = means === null ? 0 : means[v];
      for (let q = rows.offsets[v]; q < rows.offsets[v + 1]; q++) {
        const i = rows.items[q];
        if (this.den[i] === 0) this.touched[n++] = i;
        this.den[i] += s;
        this.num[i] += s * (rows.ratings[q] / 2 - mean);
        if (rows.ratings[q] >= LIKED_RATING2) {
          this.support[i]++;
          this.keySum[i] += key;
        }
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
  readonly #rows: UserRows;

  /** `candidates`: a user neighbor graph over `m`'s dense users (lib/predictors.ts). */
  constructor(m: RatingMatrix, candidates: NeighborGraph, options: UserLikedOptions = {}) {
    this.#minSupport = checkMinSupport(options.minSupport ?? DEFAULT_MIN_SUPPORT);
    this.#rows = { offsets: m.userOffsets, items: m.userItems, ratings: m.userRatings };
    const users = m.userIds.length;
    const ids = new Int32Array(users);
    for (let u = 0; u < users; u++) ids[u] = u;
    this.neighbors = similarUsers(
      this.#rows,
      { ids, offsets: candidates.offsets, nids: candidates.nbrs },
      m.itemIds.length,
    );
    this.#acc = new LikedByNeighbors(m.itemIds.length);
  }

  scoreUser(u: number, out: Float64Array): void {
    out.fill(-Infinity);
    const g = this.neighbors, acc = this.#acc;
    acc.collect(this.#rows, g.nbrs, g.keys, g.offsets[u], g.offsets[u + 1], null);
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
  const users: number[] = [], pos: number[] = [], movies: number[] = [];
  const predictions: number[] = [], support: number[] = [];
  const cand: number[] = [];
  for (let r = 0; r + 1 < neighbors.offsets.length; r++) {
    const u = neighbors.ids[r];
    acc.collect(
      rows,
      neighbors.nbrs,
      neighbors.keys,
      neighbors.offsets[r],
      neighbors.offsets[r + 1],
      means,
    );
    cand.length = 0;
    for (let t = 0; t < acc.touchedCount; t++) {
      const i = acc.touched[t];
      if (acc.support[i] >= minSupport && !isRated(u, i)) cand.push(i);
    }
    cand.sort((a, b) => acc.keySum[b] - acc.keySum[a] || a - b);
    const n = Math.min(top, cand.length);
    for (let k = 0; k < n; k++) {
      const i = cand[k];
      const p = means[u] + acc.num[i] / acc.den[i];
      users.push(u);
      pos.push(k);
      movies.push(i);
      predictions.push(p < 0.5 ? 0.5 : p > 5 ? 5 : p);
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
