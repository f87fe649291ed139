/**
 * Ratings as columns: row i is (users[i], movies[i], ratings[i] = stars × 2,
 * timestamps[i]). The one in-memory form of a ratings file, read by
 * lib/ratings_table.ts and cleaned by lib/rating_duplicates.ts; integer
 * stars × 2 (1..10) keep every similarity sum exact.
 */
export interface RatingsTable {
  length: number;
  users: Int32Array;
  movies: Int32Array;
  /** `rating*2`, 1..10. */
  ratings: Uint8Array;
  /** Unix seconds. */
  timestamps: Uint32Array;
}
