/**
 * Movie popularity ranks for the store's `movies.popularity_rank`: 1 for the
 * movie with the most training ratings, ties by smaller movieId. O(n + m log m).
 */
import { maxOf } from "../counting_order.ts";
import type { RatingsTable } from "../ratings_table.ts";

/** `rank[movieId]` = 1 + number of movies with more training ratings (ties: smaller id first). */
export function popularityRanks(
  movieIds: readonly number[],
  train: RatingsTable,
): Map<number, number> {
  const counts = new Int32Array(maxOf(train.movies) + 1);
  for (let i = 0; i < train.length; i++) counts[train.movies[i]]++;
  const count = (id: number) => (id < counts.length ? counts[id] : 0);
  const order = [...movieIds].sort((a, b) => count(b) - count(a) || a - b);
  return new Map(order.map((id, i) => [id, i + 1]));
}
