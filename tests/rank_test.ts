import assert from "node:assert/strict";
import { ratingsTable } from "./fixtures/ratings_rows.ts";

const assertEquals = (actual: unknown, expected: unknown) =>
  assert.deepStrictEqual(actual, expected);
function assertAlmostEquals(actual: number, expected: number, tol: number): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);
}
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import type { Contribution, RankingModel } from "../lib/models/model.ts";
import { evaluateRanking, RankScratch, topNForUser } from "../lib/models/rank.ts";

const table = ratingsTable;

// Users 1, 2, 3 → dense 0, 1, 2; movies 10, 20, 30, 40, 50 → dense 0..4.
const train = buildRatingMatrix(
  table([[1, 10, 5], [1, 20, 3], [2, 20, 4], [2, 30, 2], [2, 40, 5], [3, 10, 1], [3, 50, 4]]),
  { shared: false },
);

/** The same scores for every user: movie 30 and 40 tie, movie 50 is unscored. */
const fixed: RankingModel = {
  name: "fixed",
  scoreUser(_u: number, out: Float64Array) {
    out.set([0.1, 0.5, 0.9, 0.9, -Infinity]);
  },
  explain(): Contribution | null {
    return null;
  },
};

Deno.test("topNForUser", async (t) => {
  const scratch = new RankScratch(5, 10);
  await t.step(
    "drops the user's training items and unscored items, breaks ties by smaller id",
    () => {
      assertEquals([...topNForUser(fixed, train, 0, 2, scratch)], [2, 3]);
      assertEquals([...scratch.topScores.subarray(0, 2)], [0.9, 0.9]);
    },
  );
  await t.step("returns fewer than N when candidates run out", () => {
    assertEquals([...topNForUser(fixed, train, 1, 2, scratch)], [0]);
    assertEquals(scratch.count, 1);
  });
  await t.step("orders a full list best first", () => {
    assertEquals([...topNForUser(fixed, train, 2, 10, scratch)], [2, 3, 1]);
  });
});

Deno.test("evaluateRanking", async (t) => {
  // N = 2. User 1: list [30, 40], relevant {40, 60 (not in training)} → hit at rank 2.
  // User 2: list [10], relevant {10} → hit at rank 1, a list of one.
  // User 3: no test rating ≥ 4 → skipped. User 4: not in training → skipped.
  const test = table([[1, 40, 4.5], [1, 30, 3], [1, 60, 5], [2, 10, 4], [3, 20, 3.5], [4, 10, 5]]);
  const d = 1 / Math.log2(3);
  const ndcg1 = d / (1 + d), ndcg2 = 1;
  await t.step("scores the lists by hand-computed values", () => {
    const r = evaluateRanking(fixed, train, test, { n: 2 });
    assertEquals(r.users, 2);
    assertAlmostEquals(r.ndcg, (ndcg1 + ndcg2) / 2, 1e-12);
    assertAlmostEquals(r.precision, (1 / 2 + 1 / 2) / 2, 1e-12); // divides by N, not |list|
    assertAlmostEquals(r.recall, (1 / 2 + 1) / 2, 1e-12);
    assertAlmostEquals(r.map, ((1 / 2) / 2 + 1) / 2, 1e-12);
    assertEquals(r.hitRate, 1);
    assertAlmostEquals(r.catalogCoverage, 3 / 5, 1e-12); // 30, 40, 10 listed
  });
  await t.step("evaluates only the sampled users", () => {
    const r = evaluateRanking(fixed, train, test, { n: 2, users: [0] });
    assertEquals(r.users, 1);
    assertAlmostEquals(r.ndcg, ndcg1, 1e-12);
    assertAlmostEquals(r.catalogCoverage, 2 / 5, 1e-12);
  });
  await t.step("skips a sampled user with no relevant test rating", () => {
    const r = evaluateRanking(fixed, train, test, { n: 2, users: [2] });
    assertEquals(r.users, 0);
    assertEquals(Number.isNaN(r.ndcg), true);
  });
});
