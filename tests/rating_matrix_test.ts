import assert from "node:assert/strict";
import { buildRatingMatrix, denseIndexOf } from "../lib/rating_matrix.ts";
import { ratingsTable } from "./fixtures/ratings_rows.ts";

Deno.test("denseIndexOf", async (t) => {
  const m = buildRatingMatrix(ratingsTable([[2, 10, 4], [5, 30, 3]]), { shared: false });

  await t.step("maps a known id to its dense index", () => {
    assert.equal(denseIndexOf(m.userIndex, 2), 0);
    assert.equal(denseIndexOf(m.userIndex, 5), 1);
    assert.equal(denseIndexOf(m.itemIndex, 30), 1);
  });

  await t.step("answers -1 for a hole, an id beyond the map and a negative id", () => {
    assert.equal(denseIndexOf(m.userIndex, 3), -1);
    assert.equal(denseIndexOf(m.userIndex, 6), -1);
    assert.equal(denseIndexOf(m.userIndex, 1_000_000), -1);
    assert.equal(denseIndexOf(m.userIndex, -1), -1);
  });
});
