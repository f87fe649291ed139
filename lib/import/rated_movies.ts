/**
 * Which movies a user rated, over both splits, answered in O(1) per movie
 * for one user at a time (stamp arrays). The import uses it to keep rated
 * movies out of every served list.
 */
import { maxOf } from "../counting_order.ts";
import type { RatingsTable } from "../ratings_table.ts";

/**
 * Every user's rated movies over both splits (tables sorted by user), for
 * one user at a time: {@link mark} stamps a user's movies, then
 * {@link ratingOf} answers in O(1). Memory: two arrays over movie ids plus
 * one over user ids per split.
 */
export class RatedMovies {
  #tables: readonly RatingsTable[];
  #starts: Int32Array[];
  #stamp: Int32Array;
  #rating2: Uint8Array;
  #split: Uint8Array;
  #epoch = 0;

  constructor(tables: readonly RatingsTable[]) {
    this.#tables = tables;
    this.#starts = tables.map((t) => {
      const start = new Int32Array(maxOf(t.users) + 2);
      for (let i = 0; i < t.length; i++) start[t.users[i] + 1]++;
      for (let u = 1; u < start.length; u++) start[u] += start[u - 1];
      return start;
    });
    const maxMovie = Math.max(...tables.map((t) => maxOf(t.movies)));
    this.#stamp = new Int32Array(maxMovie + 1);
    this.#rating2 = new Uint8Array(maxMovie + 1);
    this.#split = new Uint8Array(maxMovie + 1);
  }

  /** Makes {@link ratingOf} answer for user `u`. */
  mark(u: number): void {
    const e = ++this.#epoch;
    for (let s = 0; s < this.#tables.length; s++) {
      const start = this.#starts[s], t = this.#tables[s];
      if (u + 1 >= start.length) continue;
      for (let i = start[u]; i < start[u + 1]; i++) {
        this.#stamp[t.movies[i]] = e;
        this.#rating2[t.movies[i]] = t.ratings[i];
        this.#split[t.movies[i]] = s;
      }
    }
  }

  /** The marked user's stars × 2 for movie `m`, 0 when they did not rate it. */
  ratingOf(m: number): number {
    return m < this.#stamp.length && this.#stamp[m] === this.#epoch ? this.#rating2[m] : 0;
  }

  /** Index of the split (table) holding the marked user's rating of `m`. */
  splitOf(m: number): number {
    return this.#split[m];
  }
}
