import assert from "node:assert/strict";
import { PopularityRecommender } from "../lib/popularity_live.ts";

const rec = new PopularityRecommender([
  { movieId: 3, count: 10, mean: 4 },
  { movieId: 1, count: 20, mean: 3 },
  { movieId: 2, count: 10, mean: 2.5 },
  { movieId: 4, count: 0, mean: null },
]);

Deno.test("popularity for visitors", async (t) => {
  await t.step("lists the most-rated movies first, ties by smaller id, never unrated ones", () => {
    assert.deepEqual(rec.recommend([], 10).items.map((p) => p.movieId), [1, 2, 3]);
    assert.deepEqual(rec.recommend([], 2).items.map((p) => p.movieId), [1, 2]);
  });

  await t.step("never lists a given movie, and counts given movies it does not know", () => {
    const r = rec.recommend([{ movieId: 1, rating: 5 }, { movieId: 99, rating: 4 }], 10);
    assert.deepEqual(r.items.map((p) => p.movieId), [2, 3]);
    assert.equal(r.ignored, 1);
  });

  await t.step("scores by count, predicts each movie's mean, has no because", () => {
    assert.deepEqual(rec.recommend([], 1).items, [
      { movieId: 1, score: 20, prediction: 3, because: null },
    ]);
  });

  await t.step("predicts asked movies in order; one without a mean gets the mean of all", () => {
    // All ratings: (10·4 + 20·3 + 10·2.5) / 40 = 3.125.
    assert.deepEqual(rec.recommend([], 0, [4, 3, 99]).predictions, [
      { movieId: 4, prediction: 3.125 },
      { movieId: 3, prediction: 4 },
      { movieId: 99, prediction: 3.125 },
    ]);
  });
});
