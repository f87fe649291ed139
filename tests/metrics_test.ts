import assert from "node:assert/strict";
import {
  addError,
  addRankedList,
  averagePrecisionAtN,
  emptyErrors,
  emptyRanking,
  histogramBin,
  isRelevant,
  mae,
  mergeErrors,
  ndcgAtN,
  precisionAtN,
  recallAtN,
  RELEVANT_RATING,
  rmse,
} from "../lib/metrics.ts";
import { predictionKey, selectTopN, TopN } from "../lib/top_n.ts";
import { biasPrediction, fitBaselines } from "../lib/baselines.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix } from "../lib/rating_matrix.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

Deno.test("metrics", async (t) => {
  await t.step("RMSE and MAE of errors 0.5, -1.5 and 2", () => {
    const e = emptyErrors();
    addError(e, 4, 3.5);
    addError(e, 2, 3.5);
    addError(e, 5, 3);
    close(rmse(e), Math.sqrt((0.25 + 2.25 + 4) / 3));
    close(mae(e), (0.5 + 1.5 + 2) / 3);
  });

  await t.step("merged partials equal one pass over all errors", () => {
    const a = emptyErrors(), b = emptyErrors(), all = emptyErrors();
    addError(a, 4, 3.5);
    addError(b, 2, 3.5);
    for (const [p, r] of [[4, 3.5], [2, 3.5]]) addError(all, p, r);
    mergeErrors(a, b);
    assert.deepEqual(a, all);
  });

  await t.step("RMSE and MAE of nothing are NaN", () => {
    assert.ok(Number.isNaN(rmse(emptyErrors())) && Number.isNaN(mae(emptyErrors())));
  });

  await t.step("histogram bins are 0.25 wide from -4.5, the ends clamp", () => {
    assert.equal(histogramBin(-4.5), 0);
    assert.equal(histogramBin(0), 18);
    assert.equal(histogramBin(-0.01), 17);
    assert.equal(histogramBin(4.5), 35);
  });

  await t.step("a test rating is relevant from 4.0 stars (rating*2 = 8) up", () => {
    assert.equal(RELEVANT_RATING, 4);
    assert.deepEqual([7, 8, 9, 10].map(isRelevant), [false, true, true, true]);
  });

  await t.step("precision divides by N, recall by the relevant count", () => {
    assert.equal(precisionAtN(2, 10), 0.2);
    assert.equal(recallAtN(2, 8), 0.25);
  });

  await t.step("recall with no relevant items is undefined and the user is skipped", () => {
    assert.ok(Number.isNaN(recallAtN(0, 0)));
    assert.ok(Number.isNaN(ndcgAtN([0, 0], 0, 2)));
    const acc = emptyRanking();
    addRankedList(acc, [0, 0, 0], 0, 3);
    assert.deepEqual(acc, emptyRanking());
  });

  await t.step("NDCG with tied predictions scores the list ordered by movieId", () => {
    // Candidates (dense index = movieId order): 5 → 4.0, 3 → 4.0, 9 → 3.5; relevant: {5}.
    const top = new TopN(3);
    selectTopN(Int32Array.of(5, 3, 9), Float64Array.of(4, 4, 3.5), 3, 3, top);
    assert.deepEqual([...top.items.subarray(0, top.count)], [3, 5, 9]);
    const relevance = [...top.items.subarray(0, top.count)].map((i) => (i === 5 ? 1 : 0));
    close(ndcgAtN(relevance, 1, 3), (1 / Math.log2(3)) / 1);
  });

  await t.step("NDCG and AP of a list with two hits", () => {
    // Hits at ranks 1 and 3, 3 relevant items, N = 3.
    const rel = [1, 0, 1];
    const dcg = 1 + 1 / Math.log2(4);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    close(ndcgAtN(rel, 3, 3), dcg / idcg);
    close(averagePrecisionAtN(rel, 3, 3), (1 / 1 + 2 / 3) / 3);
    // Fewer relevant items than N: AP divides by min(N, R).
    close(averagePrecisionAtN(rel, 2, 3), (1 / 1 + 2 / 3) / 2);
  });

  await t.step("ranking partials average per user with a hit rate", () => {
    const acc = emptyRanking();
    addRankedList(acc, [1, 0], 1, 2); // precision 1/2, recall 1, hit
    addRankedList(acc, [0, 0], 2, 2); // precision 0, recall 0, no hit
    assert.equal(acc.users, 2);
    assert.equal(acc.precision, 0.5);
    assert.equal(acc.recall, 1);
    assert.equal(acc.hits, 1);
  });
});

Deno.test("top-N selection", async (t) => {
  await t.step("keeps the N best by prediction desc then item asc, best first", () => {
    const items = Int32Array.of(7, 2, 4, 1, 9, 3);
    const preds = Float64Array.of(3.5, 4.9, 3.5, 2, 4.9, 0.5);
    const top = new TopN(1);
    selectTopN(items, preds, 6, 4, top);
    assert.deepEqual([...top.items.subarray(0, top.count)], [2, 9, 4, 7]);
    assert.deepEqual([...top.keys.subarray(0, top.count)], [4900000, 4900000, 3500000, 3500000]);
  });

  await t.step("N of zero selects everything, sorted", () => {
    const top = new TopN(1);
    selectTopN(Int32Array.of(3, 1, 2), Float64Array.of(1, 2, 2), 3, 0, top);
    assert.deepEqual([...top.items.subarray(0, top.count)], [1, 2, 3]);
  });

  await t.step("predictions equal after 6-decimal rounding tie, broken by item", () => {
    assert.equal(predictionKey(4.0000001), predictionKey(3.9999999));
    const top = new TopN(2);
    selectTopN(Int32Array.of(8, 6), Float64Array.of(4.0000001, 3.9999999), 2, 2, top);
    assert.deepEqual([...top.items.subarray(0, 2)], [6, 8]);
  });
});

Deno.test("baselines", async (t) => {
  const { table } = await readRatingsTable(
    new URL("./fixtures/eval/train.csv", import.meta.url).pathname,
  );
  const m = buildRatingMatrix(table, { shared: false });

  await t.step("means: global, per user, per item", () => {
    const b = fitBaselines(m, { regUser: 0, regItem: 0, iterations: 0 }, false);
    close(b.globalMean, (4 + 3 + 5 + 2 + 4 + 3 + 5 + 1 + 4.5 + 0.5) / 10);
    close(b.itemMean[m.itemIndex[10]], (4 + 5 + 3) / 3);
    close(b.userMean[m.userIndex[2]], (5 + 2 + 4) / 3);
  });

  await t.step("one ALS pass: item biases first, then user biases on the residuals", () => {
    const b = fitBaselines(m, { regUser: 2, regItem: 1, iterations: 1 }, false);
    const mu = 3.2;
    // Item 10: ratings 4, 5, 3 → Σ(r − μ) = 2.4, / (1 + 3).
    const b10 = (0.8 + 1.8 - 0.2) / 4;
    close(b.itemBias[m.itemIndex[10]], b10);
    // Item 20: 3, 2, 4.5; item 30: 4, 5; item 40: 1, 0.5.
    const b20 = (-0.2 - 1.2 + 1.3) / 4;
    const b30 = (0.8 + 1.8) / 3;
    // User 1 rated 10 (4) and 20 (3): Σ(r − μ − b_i) / (2 + 2).
    const bu1 = ((4 - mu - b10) + (3 - mu - b20)) / 4;
    close(b.userBias[m.userIndex[1]], bu1);
    close(biasPrediction(b, m.userIndex[1], m.itemIndex[30]), mu + bu1 + b30);
    // Unknown user and item contribute nothing.
    close(biasPrediction(b, -1, -1), mu);
  });
});
