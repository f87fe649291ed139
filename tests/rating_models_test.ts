import assert from "node:assert/strict";
import { ratingsTable } from "./fixtures/ratings_rows.ts";
import { buildRatingMatrix, type RatingMatrix } from "../lib/rating_matrix.ts";
import { DEFAULT_BIAS, fitBaselines } from "../lib/baselines.ts";
import { fitBias } from "../lib/models/bias.ts";
import { fitKnnBaseline, KNN_BASELINE_DEFAULTS } from "../lib/models/knn_baseline.ts";
import { synthesize } from "../tools/synth.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { BAYES_MF_DEFAULTS, fitBayesMf, sweepPlan } from "../lib/models/bayes_mf.ts";
import { fitBlend, solveSpd, validationSplit } from "../lib/models/blend.ts";
import { Random } from "../lib/models/random.ts";
import { clipToScale, ratingScale } from "../lib/models/rating_scale.ts";
import type { RatingModel } from "../lib/models/model.ts";
import { compareOnMatrix } from "../eval/compare.ts";

const table = ratingsTable;

// Six users, five movies, whole stars 1..5.
// One line per user (kept so by deno-fmt-ignore).
// deno-fmt-ignore
const rows: [number, number, number][] = [
  [1, 1, 5], [1, 2, 4], [1, 3, 1], [1, 4, 4],
  [2, 1, 4], [2, 2, 5], [2, 3, 2], [2, 5, 1],
  [3, 1, 1], [3, 3, 5], [3, 4, 2], [3, 5, 4],
  [4, 2, 2], [4, 3, 4], [4, 4, 1], [4, 5, 5],
  [5, 1, 5], [5, 2, 5], [5, 4, 5],
  [6, 1, 2], [6, 3, 4], [6, 5, 3],
];
const m = buildRatingMatrix(table(rows), { shared: false });

/** r_ui in stars from the plain rows, undefined when u did not rate i (ids). */
const rating = (u: number, i: number) => rows.find((r) => r[0] === u && r[1] === i)?.[2];

Deno.test("rating scale and clipping", async (t) => {
  await t.step("the scale is the least and greatest training rating", () => {
    assert.deepEqual(ratingScale(m), { min: 1, max: 5 });
  });
  await t.step("a prediction outside the scale is clipped to it", () => {
    assert.equal(clipToScale({ min: 1, max: 5 }, 5.7), 5);
    assert.equal(clipToScale({ min: 1, max: 5 }, 0.2), 1);
  });
});

Deno.test("bias model", async (t) => {
  await t.step("predicts μ + b_u + b_i of the fitted baselines", () => {
    const b = fitBaselines(m, DEFAULT_BIAS, false);
    const model = fitBias(m);
    const u = m.userIndex[3], i = m.itemIndex[2];
    assert.ok(
      Math.abs(model.predict(u, i) - (b.globalMean + b.userBias[u] + b.itemBias[i])) < 1e-12,
    );
  });
  await t.step("an unknown user and item get μ", () => {
    const b = fitBaselines(m, DEFAULT_BIAS, false);
    assert.ok(Math.abs(fitBias(m).predict(-1, -1) - b.globalMean) < 1e-12);
  });
});

/** The baseline kNN prediction written plainly over ids (item–item). */
function plainKnnItem(u: number, i: number, k: number, shrink: number): number {
  const b = fitBaselines(m, DEFAULT_BIAS, false);
  const bui = (uu: number, ii: number) =>
    b.globalMean + b.userBias[m.userIndex[uu]] + b.itemBias[m.itemIndex[ii]];
  const users = [...new Set(rows.map((r) => r[0]))];
  const sim = (a: number, c: number) => {
    let sxy = 0, sxx = 0, syy = 0, n = 0;
    for (const v of users) {
      const ra = rating(v, a), rc = rating(v, c);
      if (ra === undefined || rc === undefined) continue;
      const ea = ra - bui(v, a), ec = rc - bui(v, c);
      sxy += ea * ec;
      sxx += ea * ea;
      syy += ec * ec;
      n++;
    }
    return n === 0 || sxx === 0 || syy === 0
      ? 0
      : sxy / Math.sqrt(sxx * syy) * (n - 1) / (n - 1 + shrink);
  };
  const rated = rows.filter((r) => r[0] === u && r[1] !== i).map((r) => r[1]);
  const nbrs = rated.map((j) => ({ j, s: sim(i, j) }))
    .filter((x) => Math.round(x.s * 1e6) > 0)
    .sort((a, b) => b.s - a.s || a.j - b.j)
    .slice(0, k);
  let num = 0, den = 0;
  for (const { j, s } of nbrs) {
    num += s * (rating(u, j)! - bui(u, j));
    den += s;
  }
  const p = bui(u, i) + (den > 0 ? num / den : 0);
  return Math.min(5, Math.max(1, p));
}

Deno.test("knn-item (baseline-centred kNN)", async (t) => {
  for (const [k, shrink] of [[40, 100], [2, 0], [1, 3]]) {
    await t.step(`matches the plain formula for K ${k}, λ ${shrink}`, async () => {
      const model = await fitKnnBaseline(m, "item", { ...KNN_BASELINE_DEFAULTS, k, shrink });
      for (const [u] of rows) {
        for (let i = 1; i <= 5; i++) {
          if (rating(u, i) !== undefined) continue;
          const got = model.predict(m.userIndex[u], m.itemIndex[i]);
          const want = plainKnnItem(u, i, k, shrink);
          assert.ok(Math.abs(got - want) < 1e-5, `u${u} i${i}: ${got} vs ${want}`);
        }
      }
    });
  }
  await t.step("matches the plain formula with the rows split over 2 workers", async () => {
    const sharedM = buildRatingMatrix(table(rows));
    const model = await fitKnnBaseline(sharedM, "item", KNN_BASELINE_DEFAULTS, 2);
    for (const [u] of rows) {
      for (let i = 1; i <= 5; i++) {
        if (rating(u, i) !== undefined) continue;
        const got = model.predict(sharedM.userIndex[u], sharedM.itemIndex[i]);
        assert.ok(Math.abs(got - plainKnnItem(u, i, 40, 100)) < 1e-5, `u${u} i${i}`);
      }
    }
  });
  await t.step("keeps the same bounded lists on 1, 2 and 3 workers", async () => {
    const dir = await Deno.makeTempDir();
    await synthesize(dir, { scale: 0.002, seed: 9 });
    const big = buildRatingMatrix((await readRatingsTable(`${dir}/ratings.csv`)).table);
    await Deno.remove(dir, { recursive: true });
    const o = { ...KNN_BASELINE_DEFAULTS, maxNeighbors: 7 };
    const [one, two, three] = await Promise.all(
      [1, 2, 3].map((w) => fitKnnBaseline(big, "item", o, w)),
    );
    assert.ok(one.lists.neighbors.length > 5 * big.itemIds.length);
    for (const other of [two, three]) assert.deepEqual(other.lists, one.lists);
  });
  await t.step(
    "a neighbour of negative similarity alone gives the baseline, never a swing",
    async () => {
      // Movie 2 is rated by users 1 and 2 only; movie 1 by both, in the opposite
      // direction of their baselines, so sim(1, 2) < 0. User 3 rated movie 1 only.
      const neg = buildRatingMatrix(
        table([[1, 1, 5], [1, 2, 1], [2, 1, 1], [2, 2, 5], [3, 1, 5], [1, 3, 3], [2, 3, 3]]),
        { shared: false },
      );
      const model = await fitKnnBaseline(neg, "item", { ...KNN_BASELINE_DEFAULTS, shrink: 0 });
      const i1 = neg.itemIndex[1], i2 = neg.itemIndex[2];
      const row = model.lists;
      for (let p = row.offsets[i2]; p < row.offsets[i2 + 1]; p++) {
        assert.notEqual(row.neighbors[p], i1, "a negative similarity was kept");
      }
      const b = fitBaselines(neg, DEFAULT_BIAS, false);
      const u3 = neg.userIndex[3];
      const base = b.globalMean + b.userBias[u3] + b.itemBias[i2];
      assert.ok(Math.abs(model.predict(u3, i2) - Math.min(5, Math.max(1, base))) < 1e-12);
    },
  );
  await t.step("user–user is item–item on the transposed ratings", async () => {
    const flipped = buildRatingMatrix(table(rows.map(([u, i, r]) => [i, u, r])), {
      shared: false,
    });
    const a = await fitKnnBaseline(m, "user", { ...KNN_BASELINE_DEFAULTS, shrink: 10 });
    const b = await fitKnnBaseline(flipped, "item", { ...KNN_BASELINE_DEFAULTS, shrink: 10 });
    // The baselines differ (λ_u ≠ λ_i), so compare the similarity lists.
    assert.ok(a.lists.neighbors.length > 0);
    const simA = new Map<string, number>(), simB = new Map<string, number>();
    const collect = (
      model: typeof a,
      ids: Int32Array,
      out: Map<string, number>,
    ) => {
      for (let r = 0; r + 1 < model.lists.offsets.length; r++) {
        for (let p = model.lists.offsets[r]; p < model.lists.offsets[r + 1]; p++) {
          out.set(`${ids[r]}-${ids[model.lists.neighbors[p]]}`, model.lists.sims[p]);
        }
      }
    };
    collect(a, m.userIds, simA);
    collect(b, flipped.itemIds, simB);
    assert.deepEqual([...simA.keys()].sort(), [...simB.keys()].sort());
  });
});

Deno.test("random source", async (t) => {
  await t.step("the same seed gives the same stream", () => {
    const a = new Random(9), b = new Random(9);
    for (let k = 0; k < 100; k++) assert.equal(a.u32(), b.u32());
  });
  await t.step("normal and gamma samples have the right mean and variance", () => {
    const r = new Random(1);
    const n = 200_000;
    let s = 0, s2 = 0, g = 0, g2 = 0;
    for (let k = 0; k < n; k++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
      const y = r.gamma(3, 2); // mean 6, variance 12
      g += y;
      g2 += y * y;
    }
    assert.ok(Math.abs(s / n) < 0.01);
    assert.ok(Math.abs(s2 / n - 1) < 0.02);
    assert.ok(Math.abs(g / n - 6) < 0.05);
    assert.ok(Math.abs(g2 / n - 36 - 12) < 0.6);
  });
});

Deno.test("bmf (Bayesian MF, Gibbs sampling)", async (t) => {
  // A planted rank-1 taste: r = 3 + a_u · c_i, with held-out cells.
  const a = [1, -1, 0.8, -0.6, 1.2, -1.1, 0.5, -0.3];
  const c = [1, 0.9, -1, -0.8, 0.7, -0.5, 1.1, -1.2];
  const train: [number, number, number][] = [], held: [number, number, number][] = [];
  for (let u = 0; u < a.length; u++) {
    for (let i = 0; i < c.length; i++) {
      const r = Math.round(2 * (3 + 1.5 * a[u] * c[i])) / 2;
      ((u * 3 + i) % 5 === 0 ? held : train).push([u + 1, i + 1, Math.min(5, Math.max(0.5, r))]);
    }
  }
  const tm = buildRatingMatrix(table(train), { shared: false });
  const rmseOf = (model: RatingModel) => {
    let se = 0;
    for (const [u, i, r] of held) se += (model.predict(tm.userIndex[u], tm.itemIndex[i]) - r) ** 2;
    return Math.sqrt(se / held.length);
  };
  const options = { ...BAYES_MF_DEFAULTS, factors: 4, sweeps: 300, burnIn: 50, thin: 2 };
  await t.step(
    "recovers held-out cells of a low-rank matrix far better than the biases",
    async () => {
      const bmf = rmseOf(await fitBayesMf(tm, options)), bias = rmseOf(fitBias(tm));
      assert.ok(bmf < 0.5 * bias, `bmf ${bmf} vs bias ${bias}`);
    },
  );
  await t.step("the work budget leaves small data alone and cuts sweeps on large data", () => {
    const d = BAYES_MF_DEFAULTS;
    assert.deepEqual(sweepPlan(80_000, d), { sweeps: d.sweeps, burnIn: d.burnIn, thin: d.thin });
    // ML-32M's training split: 25.6M ratings × 32 factors per sweep.
    const big = sweepPlan(25_600_000, d);
    assert.equal(big.sweeps, Math.floor(d.maxWork / (25_600_000 * d.factors)));
    assert.ok(big.sweeps * 25_600_000 * d.factors <= d.maxWork);
    assert.equal(big.burnIn, Math.floor(big.sweeps / 4));
    assert.equal(sweepPlan(1e9, d).sweeps, 12);
  });
  await t.step("the same seed gives the same model on 1 and 2 workers", async () => {
    const x = await fitBayesMf(tm, { ...options, sweeps: 60, workers: 1 }),
      y = await fitBayesMf(tm, { ...options, sweeps: 60, workers: 2 }),
      z = await fitBayesMf(tm, { ...options, sweeps: 60, seed: 43, workers: 1 });
    for (let u = 0; u < tm.userIds.length; u++) {
      for (let i = 0; i < tm.itemIds.length; i++) assert.equal(y.predict(u, i), x.predict(u, i));
    }
    assert.notEqual(z.predict(0, 3), x.predict(0, 3));
  });
  await t.step("rows split over workers in several chunks give the same model", async () => {
    // 300 users: three chunks of rows on the user side.
    const many: [number, number, number][] = [];
    for (let u = 0; u < 300; u++) {
      for (let i = 0; i < c.length; i++) {
        if ((u + i) % 3 === 0) continue;
        const r = Math.round(2 * (3 + 1.5 * a[u % a.length] * c[i])) / 2;
        many.push([u + 1, i + 1, Math.min(5, Math.max(0.5, r))]);
      }
    }
    const mm = buildRatingMatrix(table(many));
    const o = { ...options, sweeps: 20, burnIn: 4, thin: 4 };
    const x = await fitBayesMf(mm, { ...o, workers: 1 }),
      y = await fitBayesMf(mm, { ...o, workers: 2 });
    for (let u = 0; u < mm.userIds.length; u++) {
      for (let i = 0; i < mm.itemIds.length; i++) assert.equal(y.predict(u, i), x.predict(u, i));
    }
  });
  await t.step("predictions stay on the training scale, also for unknown ids", async () => {
    const model = await fitBayesMf(tm, { ...options, sweeps: 60 });
    for (const [u, i] of [[0, 0], [-1, 2], [3, -1], [-1, -1]]) {
      const p = model.predict(u, i);
      assert.ok(p >= ratingScale(tm).min && p <= ratingScale(tm).max, `${p}`);
    }
  });
});

Deno.test("blend", async (t) => {
  const members = [
    { name: "bias", fit: (x: RatingMatrix) => fitBias(x) },
    { name: "knn-item", fit: (x: RatingMatrix) => fitKnnBaseline(x, "item") },
  ];
  const options = { validation: 0.3, seed: 7, ridge: 1 };
  await t.step("the held-out slice and the members' part partition the training ratings", () => {
    const { fit, held } = validationSplit(m, options);
    assert.equal(fit.length + held.length, rows.length);
    assert.ok(held.length > 0 && fit.length > 0);
  });
  await t.step(
    "the weights are ridge least squares on the held-out slice, fitted without it",
    async () => {
      const blend = await fitBlend(m, members, options);
      const { fit, held } = validationSplit(m, options);
      const sub = buildRatingMatrix(fit, { shared: false });
      const fitted = await Promise.all(members.map((x) => x.fit(sub)));
      const d = 3, A = new Float64Array(9), b = new Float64Array(3);
      for (let k = 0; k < held.length; k++) {
        const x = [
          1,
          ...fitted.map((f) =>
            f.predict(sub.userIndex[held.users[k]] ?? -1, sub.itemIndex[held.movies[k]] ?? -1)
          ),
        ];
        for (let r = 0; r < d; r++) {
          b[r] += x[r] * held.ratings[k] / 2;
          for (let c2 = 0; c2 < d; c2++) A[r * d + c2] += x[r] * x[c2];
        }
      }
      A[4] += 1;
      A[8] += 1;
      const w = solveSpd(A, b, d);
      for (let k = 0; k < d; k++) assert.ok(Math.abs(w[k] - blend.weights[k]) < 1e-9);
    },
  );
  await t.step(
    "the test set never reaches the weights (another test split, same blend)",
    async () => {
      const testA = table([[1, 5, 1], [5, 3, 2]]), testB = table([[1, 5, 5], [5, 3, 5]]);
      const shared = buildRatingMatrix(table(rows));
      const a = await compareOnMatrix(shared, testA, { models: ["blend"], top: 10, rankUsers: 0 });
      const b = await compareOnMatrix(shared, testB, { models: ["blend"], top: 10, rankUsers: 0 });
      const pa = a.fitted.get("blend") as RatingModel, pb = b.fitted.get("blend") as RatingModel;
      for (const [u, i] of [[0, 4], [4, 2], [2, 1]]) {
        assert.equal(
          pa.predict(u, i),
          pb.predict(u, i),
        );
      }
      assert.notEqual(a.result.rating[1].rmse, b.result.rating[1].rmse);
    },
  );
  await t.step("solveSpd solves a small system", () => {
    const x = solveSpd(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 1), 2);
    assert.ok(
      Math.abs(4 * x[0] + 2 * x[1] - 2) < 1e-12 && Math.abs(2 * x[0] + 3 * x[1] - 1) < 1e-12,
    );
  });
});
