import assert from "node:assert/strict";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix, orientation, type RatingMatrix } from "../lib/rating_matrix.ts";
import type { Mode } from "../lib/mode.ts";
import { readNeighborFile } from "../lib/neighbor_file.ts";
import {
  CandidateScratch,
  clipRating,
  denseNeighborGraph,
  type NeighborGraph,
  predictItemBasedKs,
  predictUserBasedKs,
  reverseNeighborGraph,
  rowMeans,
  scoreItemBasedCandidates,
  scoreUserBasedCandidates,
} from "../lib/predictors.ts";

const FIX = new URL("./fixtures/eval/", import.meta.url).pathname;

async function fixture() {
  const { table } = await readRatingsTable(FIX + "train.csv");
  const m = buildRatingMatrix(table, { shared: false });
  const graphOf = async (file: string, index: Int32Array, rows: number) =>
    denseNeighborGraph(await readNeighborFile(FIX + file), index, rows, false).graph;
  const user = await graphOf("user_neighbors.txt", m.userIndex, m.userIds.length);
  const item = await graphOf("item_neighbors.txt", m.itemIndex, m.itemIds.length);
  return { m, user, item, userMean: rowMeans(m.userOffsets, m.userRatings, false) };
}

/**
 * Dense scratch of one row: with `"item"`, movie `id`'s raters (user → rating*2);
 * with `"user"`, user `id`'s ratings (item → rating*2).
 */
function rowScratch(m: RatingMatrix, mode: Mode, id: number): Uint8Array {
  const o = orientation(m, mode);
  const row = (mode === "user" ? m.userIndex : m.itemIndex)[id];
  const s = new Uint8Array(o.colIds.length);
  for (let p = o.offsets[row]; p < o.offsets[row + 1]; p++) s[o.cols[p]] = o.ratings[p];
  return s;
}

function userBased(f: Awaited<ReturnType<typeof fixture>>, userId: number, movieId: number) {
  const ks = [1, 2, 3];
  const out = new Float64Array(3);
  predictUserBasedKs(
    f.user,
    f.userMean,
    f.m.userIndex[userId],
    rowScratch(f.m, "item", movieId),
    ks,
    out,
  );
  return [...out];
}

function itemBased(f: Awaited<ReturnType<typeof fixture>>, userId: number, movieId: number) {
  const out = new Float64Array(1);
  predictItemBasedKs(f.item, f.m.itemIndex[movieId], rowScratch(f.m, "user", userId), [50], out);
  return out[0];
}

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

Deno.test("predictors", async (t) => {
  const f = await fixture();
  // Training means: user 1 (4+3)/2, user 2 (5+2+4)/3, user 3 (3+5+1)/3, user 4 (4.5+0.5)/2.
  const mu1 = 3.5, mu2 = 11 / 3, mu3 = 3, mu4 = 2.5;

  await t.step("means are over training ratings", () => {
    assert.deepEqual([...f.userMean], [mu1, mu2, mu3, mu4]);
  });

  await t.step("user-based follows mu_u + sum sim (r_vi - mu_v) / sum |sim| per K", () => {
    // User 1's list: 2 (0.8), 4 (0.1), 3 (-0.5). Movie 30 is rated by 2 (4.0) and 3 (5.0).
    const [k1, k2, k3] = userBased(f, 1, 30);
    close(k1, mu1 + 0.8 * (4 - mu2) / 0.8);
    close(k2, k1); // neighbor 4 did not rate 30
    close(k3, mu1 + (0.8 * (4 - mu2) + -0.5 * (5 - mu3)) / (0.8 + 0.5));
    close(k3, 2.935897435897436);
  });

  await t.step("a K with no neighbor who rated the item gives no prediction", () => {
    // Movie 40 is rated by 4 (0.5) and 3 (1.0), not by neighbor 2.
    const [k1, k2, k3] = userBased(f, 1, 40);
    assert.ok(Number.isNaN(k1));
    close(k2, mu1 + 0.1 * (0.5 - mu4) / 0.1);
    close(k3, mu1 + (0.1 * (0.5 - mu4) + -0.5 * (1 - mu3)) / (0.1 + 0.5));
    assert.ok(userBased(f, 2, 40).every(Number.isNaN)); // 2's only neighbor (1) did not rate 40
  });

  await t.step("item-based follows sum sim r_uj / sum |sim| over i's neighbors rated by u", () => {
    // Movie 30's list: 10 (0.5), 40 (-0.2); user 1 rated 10 (4.0) only.
    close(itemBased(f, 1, 30), 0.5 * 4 / 0.5);
    // Movie 40's list: 20 (0.3), 30 (-0.2); user 1 rated 20 (3.0) only.
    close(itemBased(f, 1, 40), 0.3 * 3 / 0.3);
    // User 3 rated 10 (3.0) and 30 (5.0) but not 20: movie 20's list is 10 (0.9).
    close(itemBased(f, 3, 20), 3);
  });

  await t.step("item-based predictions are clipped to 0.5", () => {
    // User 2 rated 20 (2.0) and 30 (4.0): (0.3·2 − 0.2·4) / 0.5 = −0.4 → 0.5.
    assert.equal(itemBased(f, 2, 40), 0.5);
  });

  await t.step("user-based predictions are clipped to 5", () => {
    // Row 0 has neighbor 1 (sim 0.5); mu_0 = 4.5, neighbor 1 rated 5.0 with mean 3.0: 4.5 + 2 → 5.
    const graph: NeighborGraph = {
      offsets: Int32Array.of(0, 1, 1),
      nbrs: Int32Array.of(1),
      keys: Int32Array.of(500000),
    };
    const out = new Float64Array(1);
    predictUserBasedKs(graph, Float64Array.of(4.5, 3), 0, Uint8Array.of(0, 10), [5], out);
    assert.equal(out[0], 5);
    assert.equal(clipRating(0.2), 0.5);
    assert.equal(clipRating(3.25), 3.25);
  });

  await t.step("neighbor ids unknown in training are dropped and counted", () => {
    const lists = {
      ids: Int32Array.of(1, 99),
      offsets: Int32Array.of(0, 2, 3),
      nids: Int32Array.of(2, 77, 1),
      sims: Float64Array.of(0.5, 0.4, 0.3),
    };
    const { graph, dropped } = denseNeighborGraph(lists, f.m.userIndex, f.m.userIds.length, false);
    assert.equal(dropped, 2);
    assert.deepEqual([...graph.offsets], [0, 1, 1, 1, 1]);
    assert.deepEqual([...graph.nbrs], [f.m.userIndex[2]]);
    assert.deepEqual([...graph.keys], [500000]);
  });

  await t.step(
    "user-based candidates are the neighbors' unrated movies with single predictions",
    () => {
      const s = new CandidateScratch(f.m.itemIds.length);
      const u = f.m.userIndex[1];
      s.load(f.m, u);
      scoreUserBasedCandidates(f.m, f.user, f.userMean, u, 3, s);
      const got = new Map<number, number>();
      for (let c = 0; c < s.count; c++) got.set(f.m.itemIds[s.items[c]], s.preds[c]);
      s.unload(f.m, u);
      assert.deepEqual([...got.keys()].sort(), [30, 40]);
      assert.equal(got.get(30), userBased(f, 1, 30)[2]);
      assert.equal(got.get(40), userBased(f, 1, 40)[2]);
      assert.ok(s.mark.every((x) => x === 0));
    },
  );

  await t.step("item-based candidates match single predictions exactly", () => {
    const s = new CandidateScratch(f.m.itemIds.length);
    const rev = reverseNeighborGraph(f.item, f.m.itemIds.length, false);
    for (const userId of [1, 2, 3, 4]) {
      const u = f.m.userIndex[userId];
      s.load(f.m, u);
      scoreItemBasedCandidates(f.m, rev, u, 50, s);
      const got = new Map<number, number>();
      for (let c = 0; c < s.count; c++) got.set(f.m.itemIds[s.items[c]], s.preds[c]);
      s.unload(f.m, u);
      // The candidates are exactly the definition's: movies the user did not rate with one
      // of their (first 50) neighbors rated by the user; each scored as a single prediction.
      const rated = rowScratch(f.m, "user", userId);
      const expected: number[] = [];
      for (let i = 0; i < f.m.itemIds.length; i++) {
        if (rated[i] > 0) continue;
        let reach = false;
        for (let p = f.item.offsets[i]; p < f.item.offsets[i + 1]; p++) {
          if (rated[f.item.nbrs[p]] > 0) reach = true;
        }
        if (reach) expected.push(f.m.itemIds[i]);
      }
      assert.deepEqual([...got.keys()].sort((a, b) => a - b), expected);
      for (const [movieId, pred] of got) assert.equal(pred, itemBased(f, userId, movieId));
      // By hand: user 4 rated 20 and 40 → 10 (via 20), 30 (via 40).
      if (userId === 4) assert.deepEqual(expected, [10, 30]);
    }
  });

  await t.step("K truncation uses the first K entries of each list", () => {
    const s = new CandidateScratch(f.m.itemIds.length);
    const rev = reverseNeighborGraph(f.item, f.m.itemIds.length, false);
    const u = f.m.userIndex[4];
    s.load(f.m, u);
    scoreItemBasedCandidates(f.m, rev, u, 1, s);
    // With K = 1 movie 30 only sees 10 (unrated by 4): no candidate 30.
    const got = [...s.items.subarray(0, s.count)].map((i) => f.m.itemIds[i]);
    s.unload(f.m, u);
    assert.deepEqual(got, [10]);
  });
});
