/**
 * Ratings as columns: row i is (users[i], movies[i], ratings[i] = stars × 2,
 * timestamps[i]). The one in-memory form of a ratings file, read by
 * lib/ratings_table.ts and cleaned by lib/rating_duplicates.ts; integer
 * stars × 2 (1..10) keep every similarity sum exact.
 *
 * @example
 * ```ts
 * const t: RatingsTable = await readRatings("data/ml-100k");
 * console.log(t.users[0], t.movies[0], t.ratings[0] / 2); // 196 242 3
 * ```
 */
export interface RatingsTable {
  /** Rows (the columns may be longer). */
  length: number;
  /** MovieLens user ids. */
  users: Int32Array;
  /** MovieLens movie ids. */
  movies: Int32Array;
  /** `rating*2`, 1..10. */
  ratings: Uint8Array;
  /** Unix seconds. */
  timestamps: Uint32Array;
}

/** A table of `length` zeroed rows, to be filled column-wise. */
export function allocateRatings(length: number): RatingsTable {
  return {
    length,
    users: new Int32Array(length),
    movies: new Int32Array(length),
    ratings: new Uint8Array(length),
    timestamps: new Uint32Array(length),
  };
}
