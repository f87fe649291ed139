/**
 * `accuracy` (eval/accuracy.ts), the command behind the README's headline
 * tables, on two hand-written folds in ML-100k's form (tab-separated
 * `u<k>.base`/`u<k>.test`): per-fold and mean RMSE of `bias` recomputed from
 * its formula, popularity's NDCG/precision/MAP worked out by hand.
 */
import assert from "node:assert/strict";
import { runAccuracy } from "../eval/accuracy.ts";

type Row = [user: number, movie: number, stars: number];

// Popularity in both bases: movie 10 (3 raters) > 20 (2) > 30 = 40 (1; ties by the smaller id).
const BASE: Row[] = [[1, 10, 5], [1, 20, 4], [2, 10, 4], [2, 30, 3], [3, 10, 3], [3, 20, 5], [
  3,
  40,
  2,
]];
// Fold 1: user 1's list is [30, 40], a hit at rank 1; user 2's is [20, 40], a hit at rank 2;
// user 3 has no relevant (≥ 4) test rating and is skipped.
const TEST1: Row[] = [[1, 30, 5], [1, 40, 2], [2, 40, 4], [3, 30, 1]];
// Fold 2: only user 1 has a relevant test rating, at rank 2 of [30, 40].
const TEST2: Row[] = [[1, 40, 5], [2, 20, 3]];

const tsv = (rows: Row[]) =>
  rows.map(([u, m, r], k) => `${u}\t${m}\t${r}\t${880000000 + k}\n`).join("");

/** `bias` by its formula (lib/baselines.ts): 10 ALS passes, λ_i 10 then λ_u 15, clipped to 2..5. */
function biasPredictions(train: Row[], test: Row[]): number[] {
  const mu = train.reduce((s, r) => s + r[2], 0) / train.length;
  const bu = new Map<number, number>(), bi = new Map<number, number>();
  for (let pass = 0; pass < 10; pass++) {
    for (const movie of new Set(train.map((r) => r[1]))) {
      const rs = train.filter((r) => r[1] === movie);
      bi.set(movie, rs.reduce((s, r) => s + r[2] - mu - (bu.get(r[0]) ?? 0), 0) / (10 + rs.length));
    }
    for (const user of new Set(train.map((r) => r[0]))) {
      const rs = train.filter((r) => r[0] === user);
      bu.set(user, rs.reduce((s, r) => s + r[2] - mu - bi.get(r[1])!, 0) / (15 + rs.length));
    }
  }
  // The training data's own scale: 2..5 stars here.
  return test.map(([u, m]) => Math.min(5, Math.max(2, mu + (bu.get(u) ?? 0) + (bi.get(m) ?? 0))));
}

const rmse = (p: number[], test: Row[]) =>
  Math.sqrt(p.reduce((s, x, k) => s + (x - test[k][2]) ** 2, 0) / p.length);
const mae = (p: number[], test: Row[]) =>
  p.reduce((s, x, k) => s + Math.abs(x - test[k][2]), 0) / p.length;
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);

Deno.test("accuracy on two hand-written folds", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "accuracy-" });
  try {
    await Deno.writeTextFile(`${dir}/u1.base`, tsv(BASE));
    await Deno.writeTextFile(`${dir}/u1.test`, tsv(TEST1));
    await Deno.writeTextFile(`${dir}/u2.base`, tsv(BASE));
    await Deno.writeTextFile(`${dir}/u2.test`, tsv(TEST2));
    const lines: string[] = [];
    const r = await runAccuracy({
      data: dir,
      folds: [1, 2],
      models: ["bias", "popularity"],
      classic: false,
      workers: 1,
      log: (l) => lines.push(l),
    });
    const [f1, f2] = r.folds.map((f) => f.result);

    await t.step("bias: RMSE and MAE per fold from the formula, and their mean", () => {
      const p1 = biasPredictions(BASE, TEST1), p2 = biasPredictions(BASE, TEST2);
      close(f1.rating[0].rmse, rmse(p1, TEST1));
      close(f1.rating[0].mae, mae(p1, TEST1));
      close(f2.rating[0].rmse, rmse(p2, TEST2));
      close(r.mean.rating[0].rmse, (rmse(p1, TEST1) + rmse(p2, TEST2)) / 2);
      close(r.mean.rating[0].mae, (mae(p1, TEST1) + mae(p2, TEST2)) / 2);
      assert.equal(f1.rating[0].coverage, 1);
    });

    await t.step("popularity: NDCG@10, P@10, recall, MAP and coverage by hand", () => {
      const g2 = 1 / Math.log2(3); // a hit at rank 2
      const p = f1.ranking[0];
      assert.equal(p.name, "popularity");
      assert.equal(p.users, 2);
      close(p.ndcg, (1 + g2) / 2);
      close(p.precision, 0.1); // one hit in a list of N = 10 (not its length, 2)
      close(p.recall, 1);
      close(p.map, (1 + 0.5) / 2); // AP = P@1 = 1; AP = P@2 = 0.5
      close(p.hitRate, 1);
      close(p.catalogCoverage, 3 / 4); // lists [30, 40] and [20, 40] of 4 movies
      const q = f2.ranking[0];
      assert.equal(q.users, 1);
      close(q.ndcg, g2);
      close(r.mean.ranking[0].ndcg, ((1 + g2) / 2 + g2) / 2);
      close(r.mean.ranking[0].map, (0.75 + 0.5) / 2);
    });

    await t.step("prints each fold's table and the mean", () => {
      assert.ok(lines.some((l) => l.startsWith("fold u1 (7 train, 4 test ratings):")));
      assert.ok(lines.some((l) => l.startsWith("fold u2 (7 train, 2 test ratings):")));
      assert.ok(lines.some((l) => l.startsWith("mean over folds u1, u2")));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
