/**
 * Fold-in (lib/models/fold_in.ts) against the batch fits and the plain
 * formulas, and its state file (lib/models/fold_in_file.ts). The matrix is
 * drawn from a seeded generator (40 users × 25 movies, whole stars); the
 * expected values come from the batch models or from formulas written out
 * here, never from fold-in's own output.
 */
import assert from "node:assert/strict";
import { ratingsTable } from "./fixtures/ratings_rows.ts";
import { buildRatingMatrix, type RatingMatrix } from "../lib/rating_matrix.ts";
import { Random } from "../lib/models/random.ts";
import { fitEase } from "../lib/models/ease.ts";
import { fitBias } from "../lib/models/bias.ts";
import { fitKnnBaseline, KNN_BASELINE_DEFAULTS } from "../lib/models/knn_baseline.ts";
import { BAYES_MF_DEFAULTS, fitBayesMf } from "../lib/models/bayes_mf.ts";
import { combineBlend } from "../lib/models/blend.ts";
import { fitPopularity } from "../lib/models/popularity.ts";
import { RankScratch, topNForUser } from "../lib/models/rank.ts";
import { type FoldInState, foldInState } from "../lib/models/fold_in_state.ts";
import { FoldInRecommender, isLiked } from "../lib/models/fold_in.ts";
import {
  decodeFoldInState,
  encodeFoldInState,
  FoldInStateError,
  readFoldInStateFile,
  sidecarPath,
  writeFoldInStateFile,
} from "../lib/models/fold_in_file.ts";
import type { GivenRating } from "../lib/live_recommender.ts";
import { handFoldInState } from "./fixtures/fold_in_states.ts";

function randomRows(users: number, movies: number, density: number, seed: number) {
  const rng = new Random(seed);
  const rows: [number, number, number][] = [];
  for (let u = 1; u <= users; u++) {
    for (let i = 1; i <= movies; i++) {
      if (rng.u32() / 2 ** 32 < density) rows.push([u, i, 1 + (rng.u32() % 5)]);
    }
  }
  return rows;
}

const rows = randomRows(40, 25, 0.4, 11);
const m = buildRatingMatrix(ratingsTable(rows), { shared: false });

/** User u's (dense) training ratings as given ratings. */
function ratingsOf(mat: RatingMatrix, u: number): GivenRating[] {
  const out: GivenRating[] = [];
  for (let p = mat.userOffsets[u]; p < mat.userOffsets[u + 1]; p++) {
    out.push({ movieId: mat.itemIds[mat.userItems[p]], rating: mat.userRatings[p] / 2 });
  }
  return out;
}

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

Deno.test("EASE fold-in", async (t) => {
  const ease = await fitEase(m, { lambda: 5, lowRatingWeight: 0.5, minRatings: 1, workers: 0 });
  const rec = new FoldInRecommender(foldInState(ease, fitBias(m), m));
  await t.step("a training user's own ratings give that user's batch list and scores", () => {
    const scratch = new RankScratch(m.itemIds.length, 25);
    for (let u = 0; u < m.userIds.length; u++) {
      const batch = topNForUser(ease, m, u, 25, scratch);
      const { items } = rec.recommend(ratingsOf(m, u), 25);
      assert.deepEqual(items.map((p) => p.movieId), Array.from(batch, (i) => m.itemIds[i]));
      items.forEach((p, r) => close(p.score, scratch.topScores[r], 1e-5, `user ${u} rank ${r}`));
    }
  });
  await t.step("never lists a given movie, and lists every other modelled one", () => {
    const given = ratingsOf(m, 3);
    const { items } = rec.recommend(given, 100);
    const rated = new Set(given.map((g) => g.movieId));
    assert.ok(items.every((p) => !rated.has(p.movieId)));
    assert.equal(items.length, m.itemIds.length - rated.size);
  });
  await t.step("only the modelled movies are listed or read (maxItems)", async () => {
    const few = await fitEase(m, { lambda: 5, minRatings: 1, maxItems: 10, workers: 0 });
    const r = new FoldInRecommender(foldInState(few, fitBias(m), m));
    const modelled = new Set(Array.from(few.colItems, (i) => m.itemIds[i]));
    const scratch = new RankScratch(m.itemIds.length, 25);
    const u = 5;
    const batch = topNForUser(few, m, u, 25, scratch);
    const { items, ignored } = r.recommend(ratingsOf(m, u), 25);
    assert.equal(ignored, 0, "an unmodelled movie is still a known one");
    assert.ok(items.every((p) => modelled.has(p.movieId)));
    assert.deepEqual(items.map((p) => p.movieId), Array.from(batch, (i) => m.itemIds[i]));
  });
});

Deno.test("bmf fold-in is each kept sample's ridge solve, averaged", async (t) => {
  const bmf = await fitBayesMf(m, {
    ...BAYES_MF_DEFAULTS,
    factors: 3,
    sweeps: 30,
    burnIn: 10,
    thin: 10,
  });
  const s = bmf.samples;
  const ease = await fitEase(m, { minRatings: 1, workers: 0 });
  const rec = new FoldInRecommender(foldInState(ease, bmf, m));
  const given: GivenRating[] = [{ movieId: 1, rating: 5 }, { movieId: 3, rating: 2 }, {
    movieId: 7,
    rating: 4,
  }, { movieId: 12, rating: 3 }];

  /** The plain ridge solve: normal equations, then Gaussian elimination with pivoting. */
  function plainTheta(t: number): number[] {
    const k = s.factors, d = k + 1, alpha = s.alpha[t];
    const A = Array.from({ length: d }, () => new Array(d + 1).fill(0));
    for (const g of given) {
      const i = m.itemIndex[g.movieId];
      const h = [1, ...Array.from(s.itemFactors[t].subarray(i * k, i * k + k))];
      const y = g.rating - s.w0[t] - s.itemBias[t][i];
      for (let r = 0; r < d; r++) {
        for (let c = 0; c < d; c++) A[r][c] += alpha * h[r] * h[c];
        A[r][d] += alpha * h[r] * y;
      }
    }
    for (let r = 0; r < d; r++) {
      const mu = s.userPriors[t * 2 * d + 2 * r], lambda = s.userPriors[t * 2 * d + 2 * r + 1];
      A[r][r] += lambda;
      A[r][d] += lambda * mu;
    }
    for (let col = 0; col < d; col++) {
      let piv = col;
      for (let r = col + 1; r < d; r++) if (Math.abs(A[r][col]) > Math.abs(A[piv][col])) piv = r;
      [A[col], A[piv]] = [A[piv], A[col]];
      for (let r = 0; r < d; r++) {
        if (r === col) continue;
        const f = A[r][col] / A[col][col];
        for (let c = col; c <= d; c++) A[r][c] -= f * A[col][c];
      }
    }
    return A.map((row, r) => row[d] / A[r][r]);
  }
  const clip = (x: number) => Math.min(5, Math.max(1, x));

  await t.step("keeps samples with their noise precision and user priors", () => {
    assert.equal(s.count, 2);
    assert.ok(s.alpha.every((a) => a > 0));
  });
  await t.step("predicts the mean over samples of the solved user's stars", () => {
    const k = s.factors;
    const thetas = [0, 1].map(plainTheta);
    const predict = Array.from(m.itemIds);
    const { predictions } = rec.recommend(given, 0, predict);
    predictions.forEach(({ movieId, prediction }) => {
      const i = m.itemIndex[movieId];
      let sum = 0;
      for (let t = 0; t < s.count; t++) {
        const th = thetas[t];
        let x = s.w0[t] + th[0] + s.itemBias[t][i];
        for (let f = 0; f < k; f++) x += th[1 + f] * s.itemFactors[t][i * k + f];
        sum += clip(x);
      }
      close(prediction, clip(sum / s.count), 1e-9, `movie ${movieId}`);
    });
  });
  await t.step("with no ratings the user is the priors' mean", () => {
    const k = s.factors, d = k + 1;
    const { predictions } = rec.recommend([], 0, [2]);
    const i = m.itemIndex[2];
    let sum = 0;
    for (let t = 0; t < s.count; t++) {
      const pr = (r: number) => s.userPriors[t * 2 * d + 2 * r];
      let x = s.w0[t] + pr(0) + s.itemBias[t][i];
      for (let f = 0; f < k; f++) x += pr(1 + f) * s.itemFactors[t][i * k + f];
      sum += clip(x);
    }
    close(predictions[0].prediction, clip(sum / s.count), 1e-9, "movie 2");
  });
});

Deno.test("knn-item fold-in", async (t) => {
  const knn = await fitKnnBaseline(m, "item", { ...KNN_BASELINE_DEFAULTS, k: 3 });
  const ease = await fitEase(m, { minRatings: 1, workers: 0 });
  const rec = new FoldInRecommender(foldInState(ease, knn, m));
  await t.step("a training user's own ratings give the batch predictions", () => {
    for (let u = 0; u < m.userIds.length; u += 3) {
      const { predictions } = rec.recommend(ratingsOf(m, u), 0, Array.from(m.itemIds));
      predictions.forEach((p, i) => close(p.prediction, knn.predict(u, i), 1e-12, `u ${u} i ${i}`));
    }
  });

  await t.step("recomputes the formula on a hand-made state", () => {
    // Items 10, 20, 30; μ 3, b = (0.5, −0.5, 0), λ_u 2, K 1. Item 30's list: 10 (0.8), 20 (0.4).
    const r = new FoldInRecommender(handFoldInState({
      itemIds: Int32Array.of(10, 20, 30),
      mu: 3,
      regUser: 2,
      itemBias: Float64Array.of(0.5, -0.5, 0),
      knnK: 1,
      knnOffsets: Int32Array.of(0, 0, 0, 2),
      knnNeighbors: Int32Array.of(0, 1),
      knnSims: Float32Array.of(0.8, 0.4),
      ratingWeights: Float64Array.of(0, 0, 1),
    }));
    // Given 10 ★5, 20 ★2: b_u = ((5 − 3 − 0.5) + (2 − 3 + 0.5)) / (2 + 2) = 0.25.
    // e_10 = 5 − 3 − 0.25 − 0.5 = 1.25; K 1 keeps item 10 only: r̂_30 = 3 + 0.25 + 0 + 1.25.
    const res = r.recommend([{ movieId: 10, rating: 5 }, { movieId: 20, rating: 2 }], 0, [30, 99]);
    close(res.predictions[0].prediction, 4.5, 1e-6, "movie 30");
    // An unknown movie gets the baseline μ + b_u.
    close(res.predictions[1].prediction, 3.25, 1e-12, "movie 99");
    // Given only 20 ★2: b_u = (2 − 2.5) / 3; e_20 = 2 − 3 − b_u + 0.5; r̂_30 = 3 + b_u + e_20 = 2.5.
    const only20 = r.recommend([{ movieId: 20, rating: 2 }], 0, [30]);
    close(only20.predictions[0].prediction, 2.5, 1e-6, "movie 30 from 20");
  });
});

Deno.test("blend fold-in combines the members' fold-ins with the learned weights", async () => {
  const members = [
    {
      name: "bmf",
      fit: (x: RatingMatrix) =>
        fitBayesMf(x, { ...BAYES_MF_DEFAULTS, factors: 3, sweeps: 20, burnIn: 5, thin: 5 }),
    },
    { name: "knn-item", fit: (x: RatingMatrix) => fitKnnBaseline(x, "item") },
  ];
  const blend = await combineBlend(m, members, [0.2, 0.5, 0.45]);
  const ease = await fitEase(m, { minRatings: 1, workers: 0 });
  const whole = new FoldInRecommender(foldInState(ease, blend, m));
  const bmf = new FoldInRecommender(foldInState(ease, blend.members[0], m));
  const knn = new FoldInRecommender(foldInState(ease, blend.members[1], m));
  const given = ratingsOf(m, 7).slice(0, 5);
  const ids = Array.from(m.itemIds);
  const [a, b, c] = [whole, bmf, knn].map((r) => r.recommend(given, 0, ids).predictions);
  a.forEach((p, k) => {
    const want = Math.min(5, Math.max(1, 0.2 + 0.5 * b[k].prediction + 0.45 * c[k].prediction));
    close(p.prediction, want, 1e-12, `movie ${p.movieId}`);
  });
});

// Items 1..4 all modelled; B[j][i] row-major (row = the given movie j).
// deno-fmt-ignore
const B4 = Float32Array.of(
  0,   0.1, 0.2, -0.3,
  0.4, 0,   0.9, 0.05,
  0.2, 0.1, 0,   0.6,
  0.1, 0.3, 0.2, 0,
);
const easeState = () =>
  handFoldInState({
    itemIds: Int32Array.of(1, 2, 3, 4),
    itemCounts: Int32Array.of(5, 9, 2, 9),
    easeCols: Int32Array.of(0, 1, 2, 3),
    easeB: B4,
  });

Deno.test("fold-in recommendations", async (t) => {
  const rec = new FoldInRecommender(easeState());
  await t.step("a liked movie is at the user's mean or above, and ★3.5 or above", () => {
    assert.equal(isLiked(4, 4.2), false);
    assert.equal(isLiked(3, 2.5), false);
    assert.equal(isLiked(3.5, 3.5), true);
  });
  await t.step("scores x·B, best first, and cites the liked movie contributing most", () => {
    // Given 1 ★5 (x 1, liked: mean 3.5) and 2 ★2 (x 0.5, not liked).
    // Movie 3: 0.2 + 0.5·0.9 = 0.65; movie 4: −0.3 + 0.5·0.05 = −0.275.
    // Movie 3's largest contribution is movie 2's (0.45), but only movie 1 is liked: 0.2.
    const { items } = rec.recommend([{ movieId: 1, rating: 5 }, { movieId: 2, rating: 2 }], 10);
    assert.deepEqual(items.map((p) => p.movieId), [3, 4]);
    close(items[0].score, 0.65, 1e-6, "movie 3");
    close(items[1].score, -0.275, 1e-6, "movie 4");
    assert.deepEqual(items[0].because, { movieId: 1, rating: 5 });
    // Movie 4: movie 1 contributes −0.3 (not a reason), movie 2 is not liked.
    assert.equal(items[1].because, null);
  });
  await t.step("ignores and counts movies it does not know; predicts in the order asked", () => {
    const r = rec.recommend([{ movieId: 3, rating: 4 }, { movieId: 77, rating: 5 }], 2, [
      4,
      77,
      1,
    ]);
    assert.equal(r.ignored, 1);
    assert.deepEqual(r.predictions.map((p) => p.movieId), [4, 77, 1]);
    assert.ok(r.items.every((p) => p.movieId !== 3));
    // Movie 3 ★4 alone: x 1; movie 4 0.6, movie 1 0.2, movie 2 0.1.
    assert.deepEqual(r.items.map((p) => p.movieId), [4, 1]);
    assert.deepEqual(r.items[0].because, { movieId: 3, rating: 4 });
  });
  await t.step("with no known movie: the most rated first, no reason", () => {
    const r = rec.recommend([{ movieId: 77, rating: 5 }], 3);
    assert.deepEqual(r.items.map((p) => [p.movieId, p.score, p.because]), [
      [2, 9, null],
      [4, 9, null],
      [1, 5, null],
    ]);
    assert.equal(r.ignored, 1);
  });
  await t.step("a popularity ranking lists the most rated not given", () => {
    const pop = new FoldInRecommender({ ...easeState(), ranking: "popularity" });
    const r = pop.recommend([{ movieId: 2, rating: 5 }], 2);
    assert.deepEqual(r.items.map((p) => p.movieId), [4, 1]);
  });
  await t.step("popularity from a fitted model folds in the same way", () => {
    const r = new FoldInRecommender(foldInState(fitPopularity(m), fitBias(m), m));
    assert.equal(r.state.ranking, "popularity");
    assert.equal(r.recommend(ratingsOf(m, 0), 5).items.length, 5);
  });
});

Deno.test("fold-in state file", async (t) => {
  const bmf = await fitBayesMf(m, {
    ...BAYES_MF_DEFAULTS,
    factors: 2,
    sweeps: 12,
    burnIn: 4,
    thin: 4,
  });
  const blend = await combineBlend(m, [
    { name: "bmf", fit: () => bmf },
    { name: "knn-item", fit: (x: RatingMatrix) => fitKnnBaseline(x, "item") },
  ], [0.1, 0.5, 0.5]);
  const state = foldInState(await fitEase(m, { minRatings: 1, workers: 0 }), blend, m);
  const dir = await Deno.makeTempDir({ prefix: "fold-in-test-" });
  const path = `${dir}/fold_in_state.bin`;
  const same = (a: FoldInState, b: FoldInState) => {
    for (const key of Object.keys(a) as (keyof FoldInState)[]) {
      const x = a[key], y = b[key];
      if (ArrayBuffer.isView(x)) {
        assert.deepEqual(Array.from(y as Float64Array), Array.from(x as Float64Array), key);
      } else assert.equal(y, x, key);
    }
  };
  try {
    await t.step("round-trips every field through the bytes", () => {
      const bytes = encodeFoldInState(state);
      assert.equal(bytes.length % 8, 0);
      same(state, decodeFoldInState(bytes, "test"));
    });
    await t.step("writes the file and its sidecar, and reads them back", async () => {
      const sidecar = await writeFoldInStateFile(path, state, {
        rankingModel: "ease",
        ratingModel: "blend",
      });
      assert.equal(sidecar.bytes, (await Deno.stat(path)).size);
      assert.equal(sidecar.items, m.itemIds.length);
      assert.equal(sidecar.bmfSamples, 2);
      assert.equal(sidecarPath(path), `${dir}/fold_in_state.json`);
      const { bytes } = await readFoldInStateFile(path, { shared: true });
      assert.ok(bytes.buffer instanceof SharedArrayBuffer);
      same(state, decodeFoldInState(bytes, path));
      // Views, not copies: every thread reads the one shared buffer.
      assert.equal(decodeFoldInState(bytes, path).easeB.buffer, bytes.buffer);
    });
    await t.step("refuses a cut file, naming it", async () => {
      const whole = await Deno.readFile(path);
      await Deno.writeFile(path, whole.subarray(0, whole.length - 8));
      await assert.rejects(
        () => readFoldInStateFile(path),
        (err) => err instanceof FoldInStateError && /cut/.test(err.message) && err.source === path,
      );
      await Deno.writeFile(path, whole);
    });
    await t.step("refuses cut or foreign bytes (the store's copy has no sidecar)", () => {
      const bytes = encodeFoldInState(state);
      assert.throws(() => decodeFoldInState(bytes.subarray(0, bytes.length - 8), "store"), /cut/);
      assert.throws(() => decodeFoldInState(bytes.subarray(0, 100), "store"), FoldInStateError);
      const foreign = bytes.slice();
      foreign[0] = 0x41;
      assert.throws(() => decodeFoldInState(foreign, "store"), /magic/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
