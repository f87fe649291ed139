/**
 * `accuracy --new-users` (eval/new_users.ts) on a tiny ratings set: the
 * split worked out by hand, popularity's NDCG@10 and the bias baseline's
 * RMSE recomputed from their plain formulas, and the command's output.
 */
import assert from "node:assert/strict";
import { ratingsTable } from "./fixtures/ratings_rows.ts";
import { Random } from "../lib/models/random.ts";
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { DEFAULT_BIAS, fitBaselines } from "../lib/baselines.ts";
import {
  evaluateNewUsers,
  formatNewUsers,
  newUserSplit,
  readReleaseRatings,
} from "../eval/new_users.ts";

Deno.test("new-user split", async (t) => {
  // User 5: six ratings (held out); user 10: four (too few: training); users 1, 2: training.
  const table = ratingsTable([
    [5, 40, 4],
    [5, 10, 5],
    [5, 30, 2],
    [5, 20, 3],
    [5, 60, 1],
    [5, 50, 4],
    [10, 10, 3],
    [10, 20, 3],
    [10, 30, 3],
    [10, 40, 3],
    [1, 10, 4],
    [2, 20, 5],
  ]);
  const { train, users } = newUserSplit(table);
  await t.step("holds out users with id % 5 == 0 and at least 5 ratings", () => {
    assert.deepEqual(users.map((u) => u.userId), [5]);
    assert.deepEqual([...new Set(train.users)].sort((a, b) => a - b), [1, 2, 10]);
    assert.equal(train.length, 6);
  });
  await t.step("sorted by movieId, every fifth rating (index 4) is test", () => {
    // Movies 10, 20, 30, 40, 50, 60: index 4 is movie 50.
    assert.deepEqual(users[0].test, [{ movieId: 50, rating: 4 }]);
    assert.deepEqual(users[0].given.map((g) => g.movieId), [10, 20, 30, 40, 60]);
  });
});

Deno.test("accuracy --new-users on a tiny set", async (t) => {
  const rng = new Random(5);
  const rows: [number, number, number][] = [];
  for (let u = 1; u <= 30; u++) {
    for (let i = 1; i <= 40; i++) {
      if (rng.u32() / 2 ** 32 < 0.35) rows.push([u, i, 1 + (rng.u32() % 5)]);
    }
  }
  const table = ratingsTable(rows);
  const { train, users } = newUserSplit(table);
  const r = await evaluateNewUsers(table);
  const row = (name: string) => r.rows.find((x) => x.name === name)!;

  await t.step("popularity's NDCG@10 is the plain formula's", () => {
    const count = new Map<number, number>();
    for (let k = 0; k < train.length; k++) {
      count.set(train.movies[k], (count.get(train.movies[k]) ?? 0) + 1);
    }
    let sum = 0, n = 0;
    for (const u of users) {
      const relevant = new Set(u.test.filter((x) => x.rating >= 4).map((x) => x.movieId));
      if (relevant.size === 0) continue;
      const given = new Set(u.given.map((g) => g.movieId));
      const list = [...count.keys()].filter((id) => !given.has(id))
        .sort((a, b) => count.get(b)! - count.get(a)! || a - b).slice(0, 10);
      let dcg = 0, idcg = 0;
      list.forEach((id, k) => dcg += relevant.has(id) ? 1 / Math.log2(k + 2) : 0);
      for (let k = 0; k < Math.min(10, relevant.size); k++) idcg += 1 / Math.log2(k + 2);
      sum += dcg / idcg;
      n++;
    }
    assert.equal(r.rankedUsers, n);
    assert.ok(Math.abs(row("popularity").value - sum / n) < 1e-12);
  });

  await t.step("the bias baseline's RMSE is the plain formula's", () => {
    const m = buildRatingMatrix(train, { shared: false });
    const b = fitBaselines(m, DEFAULT_BIAS, false);
    let sse = 0, n = 0;
    for (const u of users) {
      const known = u.given.filter((g) => m.itemIndex[g.movieId] >= 0);
      let s = 0;
      for (const g of known) s += g.rating - b.globalMean - b.itemBias[m.itemIndex[g.movieId]];
      const bu = s / (DEFAULT_BIAS.regUser + known.length);
      for (const x of u.test) {
        const i = x.movieId < m.itemIndex.length ? m.itemIndex[x.movieId] : -1;
        if (i < 0) continue;
        const p = Math.min(5, Math.max(1, b.globalMean + bu + b.itemBias[i]));
        sse += (p - x.rating) ** 2;
        n++;
      }
    }
    assert.equal(r.ratedTests, n);
    assert.ok(Math.abs(row("bias").value - Math.sqrt(sse / n)) < 1e-12);
  });

  await t.step("lists the shipped models and the references side by side", () => {
    assert.deepEqual(r.rows.map((x) => x.name), [
      "popularity",
      "ease",
      "ease-weighted",
      "bias",
      "knn-item",
      "bmf",
      "blend",
    ]);
    assert.deepEqual(r.rows.filter((x) => x.shipped).map((x) => x.name), [
      "ease-weighted",
      "blend",
    ]);
    const text = formatNewUsers(r);
    assert.match(text, /ease-weighted \*\s+NDCG@10\s+\d\.\d{4}\s+0\.3783/);
    assert.match(text, /bias\s+RMSE\s+\d\.\d{4}\s+0\.9209/);
    assert.match(text, /blend \*\s+RMSE\s+\d\.\d{4}\s+≤ 0\.88 (met|MISSED)/);
  });

  await t.step("reads u.data from a release directory", async () => {
    const dir = await Deno.makeTempDir({ prefix: "new-users-" });
    try {
      await Deno.writeTextFile(
        `${dir}/u.data`,
        rows.map(([u, i, s]) => `${u}\t${i}\t${s}\t881250949`).join("\n") + "\n",
      );
      const read = await readReleaseRatings(dir);
      assert.equal(read.length, rows.length);
      assert.deepEqual(
        Array.from(read.ratings.subarray(0, 3)),
        rows.slice(0, 3).map((x) => x[2] * 2),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
