import assert from "node:assert/strict";
import { movieStats } from "../lib/import/movie_stats.ts";
import type { RatingsTable } from "../lib/ratings_columns.ts";

/** A split from [userId, movieId, rating2] rows. */
function split(rows: [number, number, number][]): RatingsTable {
  return {
    length: rows.length,
    users: Int32Array.from(rows, (r) => r[0]),
    movies: Int32Array.from(rows, (r) => r[1]),
    ratings: Uint8Array.from(rows, (r) => r[2]),
    timestamps: new Uint32Array(rows.length),
  };
}

Deno.test("movie stats for the store", async (t) => {
  await t.step("counts and sums each movie's rating2 over every split", () => {
    const s = movieStats([split([[1, 5, 8], [2, 5, 7], [1, 2, 10]]), split([[3, 5, 2]])]);
    assert.equal(s.count(5), 3);
    assert.equal(s.sum2(5), 8 + 7 + 2);
    assert.equal(s.count(2), 1);
    assert.equal(s.count(3), 0, "a movie nobody rated");
    assert.equal(s.count(1000), 0, "an id past the largest");
  });

  await t.step("gives the scale: whole stars 1..5 (ML-100k) or half stars", () => {
    const whole = movieStats([split([[1, 1, 2], [1, 2, 10], [2, 1, 6]])]);
    assert.deepEqual([whole.minRating2, whole.maxRating2, whole.halfStars], [2, 10, false]);
    const half = movieStats([split([[1, 1, 1], [1, 2, 9]]), split([])]);
    assert.deepEqual([half.minRating2, half.maxRating2, half.halfStars], [1, 9, true]);
  });

  await t.step("no ratings at all: an empty scale", () => {
    const none = movieStats([split([])]);
    assert.deepEqual([none.minRating2, none.maxRating2, none.halfStars], [0, 0, false]);
  });
});
