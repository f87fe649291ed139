/**
 * What the store keeps beside each neighbor list: the list as rows
 * (id, position, neighbor, similarity) and, per (user, neighbor) pair and
 * per seed recommendation, the counts the dashboard shows ("N movies in
 * common", "liked by N of your similar users").
 */
import { maxOf } from "../counting_order.ts";
import type { NeighborLists } from "../neighbor_file.ts";
import type { RatingsTable } from "../ratings_table.ts";

/**
 * Per-user neighbor counts, in one pass over the neighbors' ratings (`train`
 * sorted by user; `rec` sorted by user, as {@link rankRecommendations} leaves it):
 * - `common[e]`: for each (user, neighbor) entry, the movies both rated in training;
 * - `liked[j]`: for each recommendation row, the user's neighbors who rated
 *   its movie >= 4.0 stars (rating2 >= 8) in training.
 * The user's rated movies are stamped with the user id and their recommended
 * movies with the user id and row, then each neighbor's ratings are scanned
 * once for both. Cost: Σ over (user, neighbor) pairs of the neighbor's rating
 * count, the same scan `common` alone needs.
 */
export function neighborCounts(
  lists: NeighborLists,
  train: RatingsTable,
  rec: { users: Int32Array; movies: Int32Array },
): { common: Int32Array; liked: Int32Array } {
  const maxUser = Math.max(maxOf(train.users), maxOf(lists.ids), maxOf(lists.nids));
  const start = new Int32Array(maxUser + 2);
  for (let i = 0; i < train.length; i++) start[train.users[i] + 1]++;
  for (let u = 1; u <= maxUser + 1; u++) start[u] += start[u - 1];
  const maxMovie = Math.max(maxOf(train.movies), maxOf(rec.movies));
  const stamp = new Int32Array(maxMovie + 1);
  const recStamp = new Int32Array(maxMovie + 1);
  const recRow = new Int32Array(maxMovie + 1);
  const { movies, ratings } = train;
  const common = new Int32Array(lists.nids.length);
  const liked = new Int32Array(rec.users.length);
  let j = 0;
  for (let r = 0; r < lists.ids.length; r++) {
    const u = lists.ids[r];
    // Stamps are row + 1, so the arrays' initial 0 never matches.
    const mark = r + 1;
    for (let i = start[u]; i < start[u + 1]; i++) stamp[movies[i]] = mark;
    while (j < rec.users.length && rec.users[j] < u) j++;
    for (; j < rec.users.length && rec.users[j] === u; j++) {
      recStamp[rec.movies[j]] = mark;
      recRow[rec.movies[j]] = j;
    }
    for (let e = lists.offsets[r]; e < lists.offsets[r + 1]; e++) {
      const v = lists.nids[e];
      let c = 0;
      for (let i = start[v]; i < start[v + 1]; i++) {
        const m = movies[i];
        if (stamp[m] === mark) c++;
        if (recStamp[m] === mark && ratings[i] >= 8) liked[recRow[m]]++;
      }
      common[e] = c;
    }
  }
  return { common, liked };
}

/** Neighbor lists as rows: (id, pos, neighbor, similarity). */
export function neighborColumns(lists: NeighborLists): [Int32Array, Int32Array] {
  const ids = new Int32Array(lists.nids.length);
  const pos = new Int32Array(lists.nids.length);
  for (let r = 0; r < lists.ids.length; r++) {
    for (let e = lists.offsets[r]; e < lists.offsets[r + 1]; e++) {
      ids[e] = lists.ids[r];
      pos[e] = e - lists.offsets[r];
    }
  }
  return [ids, pos];
}
