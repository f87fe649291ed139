/**
 * Per-movie rating counts and rating2 sums over both splits, for the store's
 * `movies.rating_count` and `rating2_sum`, and the data's rating scale (the
 * smallest and largest rating2, and whether any rating is a half star), for
 * `import_meta`. One pass over each split: O(n + max movieId).
 */
import { maxOf } from "../counting_order.ts";
import type { RatingsTable } from "../ratings_table.ts";

export interface MovieStats {
  /** `count(id)`: ratings of the movie in all splits (0 for an id never rated). */
  count(movieId: number): number;
  /** `sum2(id)`: the sum of their rating2 (stars × 2). */
  sum2(movieId: number): number;
  /** Smallest and largest rating2 seen (0 when there is no rating). */
  minRating2: number;
  maxRating2: number;
  /** Whether some rating is a half star (an odd rating2): the site offers half stars. */
  halfStars: boolean;
}

export function movieStats(splits: readonly RatingsTable[]): MovieStats {
  const size = Math.max(0, ...splits.map((t) => maxOf(t.movies) + 1));
  const counts = new Int32Array(size);
  const sums = new Float64Array(size);
  let min = 255, max = 0, odd = false;
  for (const t of splits) {
    for (let i = 0; i < t.length; i++) {
      const m = t.movies[i], r = t.ratings[i];
      counts[m]++;
      sums[m] += r;
      if (r < min) min = r;
      if (r > max) max = r;
      if (r & 1) odd = true;
    }
  }
  return {
    count: (id) => (id < size ? counts[id] : 0),
    sum2: (id) => (id < size ? sums[id] : 0),
    minRating2: max === 0 ? 0 : min,
    maxRating2: max,
    halfStars: odd,
  };
}
