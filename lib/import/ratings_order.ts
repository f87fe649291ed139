/**
 * Ratings in the store's primary-key order, (user, movie): already sorted
 * tables (GroupLens ships them so) are returned as they are, others are put
 * in order by two counting sorts, O(n + max id), one sorted copy of the
 * columns. A repeated (user, movie) is an {@link ImportInputError}.
 */
import { countingOrder, maxOf } from "../counting_order.ts";
import type { RatingsTable } from "../ratings_table.ts";
import { ImportInputError } from "./import_errors.ts";

/**
 * The table sorted by (user, movie), the primary key's order. Already sorted
 * files (GroupLens ships them so) are returned as they are.
 * Throws ImportInputError on a duplicate (user, movie).
 */
export function ratingsInKeyOrder(t: RatingsTable, file: string): RatingsTable {
  const { users, movies, length: n } = t;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (users[i] < users[i - 1] || (users[i] === users[i - 1] && movies[i] <= movies[i - 1])) {
      sorted = false;
      break;
    }
  }
  let out = t;
  if (!sorted) {
    const order = countingOrder(users, countingOrder(movies, null, maxOf(movies)), maxOf(users));
    out = {
      length: n,
      users: new Int32Array(n),
      movies: new Int32Array(n),
      ratings: new Uint8Array(n),
      timestamps: new Uint32Array(n),
    };
    for (let j = 0; j < n; j++) {
      const i = order[j];
      out.users[j] = users[i];
      out.movies[j] = movies[i];
      out.ratings[j] = t.ratings[i];
      out.timestamps[j] = t.timestamps[i];
    }
  }
  for (let i = 1; i < n; i++) {
    if (out.users[i] === out.users[i - 1] && out.movies[i] === out.movies[i - 1]) {
      throw new ImportInputError(
        file,
        `duplicate rating for userId ${out.users[i]}, movieId ${out.movies[i]}`,
      );
    }
  }
  return out;
}
