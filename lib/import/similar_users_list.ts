/**
 * The dashboard's similar users and its "From similar users" list, computed
 * at import from the user neighbor file's candidates and the training
 * ratings (lib/models/user_liked.ts has the formulas): each user's
 * candidates re-ranked by binary cosine, the best 50 kept (the
 * `user_topk_neighbors` rows, `common` = movies both rated in training),
 * and the movies at least two of them liked, by summed similarity, without
 * any movie the user rated in either split (the `user_item_predictions`
 * rows, `liked_by_neighbors` = the support). The same neighbours feed both,
 * so "liked by N of your similar users" counts users the panel lists.
 *
 * Cost: Σ over (user, candidate) pairs of the candidate's rating count, once
 * for the re-ranking and once over the kept neighbours for the list; memory:
 * the training ratings' row offsets by user id and ~40 bytes per movie id.
 */
import { maxOf } from "../counting_order.ts";
import type { NeighborLists } from "../neighbor_file.ts";
import type { RatingsTable } from "../ratings_table.ts";
import {
  type SimilarUsers,
  similarUsers,
  type UserLikedRows,
  userLikedRows,
  type UserRows,
} from "../models/user_liked.ts";
import type { RatedMovies } from "./rated_movies.ts";

/** Rows served per user on the similar-users list. */
export const SIMILAR_USERS_LIST = 100;

export interface SimilarUsersList {
  neighbors: SimilarUsers;
  /** Per neighbor entry: the user and the 0-based position. */
  neighborUsers: Int32Array;
  neighborPos: Int32Array;
  /** Per neighbor entry: the binary cosine (key / 10^6). */
  similarities: Float64Array;
  list: UserLikedRows;
}

/** See the module doc; `train` sorted by user (lib/import/ratings_order.ts). */
export function similarUsersList(
  candidates: NeighborLists,
  train: RatingsTable,
  rated: RatedMovies,
): SimilarUsersList {
  const maxUser = Math.max(maxOf(train.users), maxOf(candidates.ids), maxOf(candidates.nids));
  const offsets = new Int32Array(maxUser + 2);
  for (let i = 0; i < train.length; i++) offsets[train.users[i] + 1]++;
  for (let u = 1; u <= maxUser + 1; u++) offsets[u] += offsets[u - 1];
  const rows: UserRows = { offsets, items: train.movies, ratings: train.ratings };
  const means = new Float64Array(maxUser + 1);
  for (let u = 0; u <= maxUser; u++) {
    let sum = 0;
    for (let q = offsets[u]; q < offsets[u + 1]; q++) sum += train.ratings[q];
    means[u] = offsets[u + 1] > offsets[u] ? sum / (2 * (offsets[u + 1] - offsets[u])) : 0;
  }
  const itemBound = maxOf(train.movies) + 1;
  const neighbors = similarUsers(rows, candidates, itemBound);
  const n = neighbors.nbrs.length;
  const neighborUsers = new Int32Array(n), neighborPos = new Int32Array(n);
  const similarities = new Float64Array(n);
  for (let r = 0; r + 1 < neighbors.offsets.length; r++) {
    for (let e = neighbors.offsets[r]; e < neighbors.offsets[r + 1]; e++) {
      neighborUsers[e] = neighbors.ids[r];
      neighborPos[e] = e - neighbors.offsets[r];
      similarities[e] = neighbors.keys[e] / 1e6;
    }
  }
  let marked = -1;
  const isRated = (u: number, movie: number) => {
    if (u !== marked) {
      rated.mark(u);
      marked = u;
    }
    return rated.ratingOf(movie) !== 0;
  };
  const list = userLikedRows(rows, neighbors, means, itemBound, isRated, SIMILAR_USERS_LIST);
  return { neighbors, neighborUsers, neighborPos, similarities, list };
}
