import assert from "node:assert/strict";
import { synthesize } from "../tools/synth.ts";
import { PIPELINE_DEFAULTS, type PipelineOptions, runPipeline } from "../tools/pipeline.ts";
import { readManifest } from "../lib/step_runner.ts";
import { openStore } from "../lib/store/open.ts";
import { MovieLensDirError } from "../lib/movielens_dir.ts";
import { MovieLensCsvError } from "../lib/movielens_csv.ts";
import { concatRatings, readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix, denseIndexOf } from "../lib/rating_matrix.ts";
import { BLEND_MEMBERS, combineBlend, fitBlend } from "../lib/models/blend.ts";

const STEPS = [
  "split",
  "rating-model",
  "ranking-model",
  "serve",
  "neighbors-user",
  "neighbors-item",
  "eval-user",
  "eval-item",
  "predict",
  "import",
];

Deno.test("pipeline", async (t) => {
  const root = await Deno.makeTempDir();
  const data = `${root}/data`;
  await synthesize(data, { scale: 0.002, seed: 7 });
  const base: PipelineOptions = {
    ...PIPELINE_DEFAULTS,
    k: 20,
    minCommon: 3,
    data,
    out: `${root}/out`,
    engine: "inproc",
    // The shipped blend and EASE are checked by their own tests; quick models
    // keep this end-to-end test short while exercising the same steps.
    ratingModel: "knn-item",
    rankingModel: "item-knn-implicit",
    workers: 2,
    progress: false,
    log: () => {},
  };
  const statuses = (r: { steps: { name: string; status: string }[] }) =>
    Object.fromEntries(r.steps.map((s) => [s.name, s.status]));

  await t.step("runs every step on a fresh output directory", async () => {
    const r = await runPipeline(base);
    assert.deepEqual(r.steps.map((s) => s.name), STEPS);
    assert.ok(r.steps.every((s) => s.status === "ran"));
    const lines = (await Deno.readTextFile(`${data}/ratings.csv`)).trim().split("\n").length - 1;
    const train = (await Deno.readTextFile(r.files.train)).trim().split("\n").length;
    const test = (await Deno.readTextFile(r.files.test)).trim().split("\n").length;
    assert.equal(train + test, lines, "split keeps every rating");
    assert.equal(r.user.total, test);
    assert.equal(r.item.total, test);
    assert.ok(r.user.rmse > 0 && r.user.rmse < 2, `user RMSE ${r.user.rmse}`);
    const recs = await Deno.readTextFile(r.files.recommendations);
    assert.ok(recs.startsWith("userId,movieId,prediction\n"));
    // The files outside checks read: one prediction per test line, in order…
    const predictions = (await Deno.readTextFile(r.files.testPredictions)).trim().split("\n");
    assert.equal(predictions[0], "userId,movieId,prediction");
    const testLines = (await Deno.readTextFile(r.files.test)).trim().split("\n");
    assert.equal(predictions.length - 1, testLines.length);
    for (const k of [0, Math.floor(testLines.length / 2), testLines.length - 1]) {
      const [u, i] = testLines[k].split(",");
      const [pu, pi, p] = predictions[k + 1].split(",");
      assert.deepEqual([pu, pi], [u, i]);
      assert.match(p, /^\d\.\d{6}$/);
    }
    // …the ranking model's top N per user, never a movie rated in training…
    const trainPairs = new Set(
      (await Deno.readTextFile(r.files.train)).trim().split("\n").map((l) =>
        l.split(",").slice(0, 2).join(",")
      ),
    );
    const ranked = (await Deno.readTextFile(r.files.modelRecommendations)).trim().split("\n");
    assert.equal(ranked[0], "userId,movieId,score");
    assert.ok(ranked.length > 1);
    for (const line of ranked.slice(1)) {
      assert.ok(!trainPairs.has(line.split(",").slice(0, 2).join(",")), line);
    }
    // …and the served list, refit on all ratings: never a rated movie at all.
    const testPairs = new Set(testLines.map((l) => l.split(",").slice(0, 2).join(",")));
    const served = (await Deno.readTextFile(r.files.serving)).trim().split("\n");
    assert.equal(served[0], "userId,rank,movieId,score,prediction,becauseMovieId,becauseRating");
    for (const line of served.slice(1)) {
      const [u, , i] = line.split(",");
      assert.ok(!trainPairs.has(`${u},${i}`) && !testPairs.has(`${u},${i}`), line);
    }
    assert.equal(r.rating.rating[0].name, "bias");
    assert.equal(r.ranking.ranking[0].name, "popularity");
    const store = await openStore(r.dbUrl);
    try {
      const counts = await store.counts();
      assert.equal(counts.ratingsTrain, train);
      assert.equal(counts.ratingsTest, test);
    } finally {
      await store.close();
    }
  });

  await t.step("skips every step when nothing changed", async () => {
    const before = (await readManifest(`${base.out}/manifest.json`)).steps["eval-user"];
    const r = await runPipeline(base);
    assert.ok(r.steps.every((s) => s.status === "skipped"), JSON.stringify(statuses(r)));
    assert.equal(r.user.rmse, (before.result as { rmse: number }).rmse);
  });

  await t.step("redoes the steps after a changed option, not the ones before", async () => {
    const r = await runPipeline({ ...base, top: 5 });
    assert.deepEqual(statuses(r), {
      split: "skipped",
      "rating-model": "skipped",
      "ranking-model": "ran",
      serve: "ran",
      "neighbors-user": "skipped",
      "neighbors-item": "skipped",
      "eval-user": "skipped",
      "eval-item": "skipped",
      predict: "ran",
      import: "ran",
    });
    const recs = (await Deno.readTextFile(r.files.recommendations)).trim().split("\n").slice(1);
    const perUser = new Map<string, number>();
    for (const line of recs) {
      const u = line.slice(0, line.indexOf(","));
      perUser.set(u, (perUser.get(u) ?? 0) + 1);
    }
    assert.ok(Math.max(...perUser.values()) === 5, "top 5 per user");
  });

  await t.step("redoes everything when ratings.csv changed", async () => {
    const text = await Deno.readTextFile(`${data}/ratings.csv`);
    const lines = text.trimEnd().split("\n");
    await Deno.writeTextFile(`${data}/ratings.csv`, lines.slice(0, -10).join("\n") + "\n");
    const r = await runPipeline({ ...base, top: 5 });
    assert.ok(r.steps.every((s) => s.status === "ran"), JSON.stringify(statuses(r)));
    assert.equal(r.steps[0].reason, "input changed: ratings.csv");
    const train = (await Deno.readTextFile(r.files.train)).trim().split("\n").length;
    const test = (await Deno.readTextFile(r.files.test)).trim().split("\n").length;
    assert.equal(train + test, lines.length - 1 - 10);
  });

  await t.step("refuses a data directory without movies.csv before any work", async () => {
    const bare = `${root}/bare`;
    await Deno.mkdir(bare);
    await Deno.copyFile(`${data}/ratings.csv`, `${bare}/ratings.csv`);
    await Deno.copyFile(`${data}/links.csv`, `${bare}/links.csv`);
    await assert.rejects(
      runPipeline({ ...base, data: bare, out: `${root}/bare-out` }),
      (err: Error) => err instanceof MovieLensDirError && err.message.includes("movies.csv"),
    );
    assert.equal(
      await Deno.stat(`${root}/bare-out`).then(() => true, () => false),
      false,
      "nothing was created",
    );
  });

  await t.step("a malformed movies.csv or links.csv fails before the first step runs", async () => {
    for (
      const [file, bad] of [["movies.csv", "movieId,title,genres\n1,,Drama\n"], [
        "links.csv",
        "movieId,imdbId,tmdbId\nx,1,2\n",
      ]]
    ) {
      const dir = `${root}/bad-${file}`;
      await Deno.mkdir(dir);
      for (const name of ["ratings.csv", "movies.csv", "links.csv"]) {
        await Deno.copyFile(`${data}/${name}`, `${dir}/${name}`);
      }
      await Deno.writeTextFile(`${dir}/${file}`, bad);
      const lines: string[] = [];
      await assert.rejects(
        runPipeline({ ...base, data: dir, out: `${dir}-out`, log: (l) => lines.push(l) }),
        (err: Error) => err instanceof MovieLensCsvError && err.file === `${dir}/${file}`,
      );
      assert.deepEqual(lines.filter((l) => /running/.test(l)), [], "no step ran");
    }
  });

  await t.step("warnings go to warn (stderr), not to the step log", async () => {
    const dir = `${root}/latin1`;
    await Deno.mkdir(dir);
    await Deno.copyFile(`${data}/links.csv`, `${dir}/links.csv`);
    // One rating twice: split drops the earlier and warns.
    const ratingsText = await Deno.readTextFile(`${data}/ratings.csv`);
    await Deno.writeTextFile(`${dir}/ratings.csv`, ratingsText + ratingsText.split("\n")[1] + "\n");
    const movies = await Deno.readFile(`${data}/movies.csv`);
    const at = movies.indexOf(44, movies.indexOf(10)) + 2;
    // The first title gains an e-acute in Latin-1 (0xE9): not valid UTF-8.
    const latin1 = new Uint8Array([
      ...movies.subarray(0, at),
      0xe9,
      ...movies.subarray(at),
    ]);
    await Deno.writeFile(`${dir}/movies.csv`, latin1);
    const logged: string[] = [], warned: string[] = [];
    await runPipeline({
      ...base,
      data: dir,
      out: `${dir}-out`,
      log: (l) => logged.push(l),
      warn: (l) => warned.push(l),
    });
    assert.equal(warned.filter((w) => /movies\.csv:2: not valid UTF-8/.test(w)).length, 1);
    assert.equal(warned.filter((w) => /ratings\.csv: 1 duplicated/.test(w)).length, 1);
    assert.deepEqual(logged.filter((l) => /^warning/.test(l)), []);
  });

  await Deno.remove(root, { recursive: true });
});

Deno.test("pipeline serves the blend refit with the weights its training fit learned", async () => {
  const root = await Deno.makeTempDir();
  try {
    const options: PipelineOptions = {
      ...PIPELINE_DEFAULTS,
      data: `${root}/data`,
      out: `${root}/out`,
      k: 10,
      engine: "inproc",
      ratingModel: "blend",
      rankingModel: "popularity",
      workers: 2,
      progress: false,
      log: () => {},
    };
    await synthesize(options.data, { scale: 0.001, seed: 3 });
    const r = await runPipeline(options);
    // What the rating-model step learned on the training split's held-out slice…
    const metrics = JSON.parse(await Deno.readTextFile(r.files.ratingMetrics));
    const row = metrics.rating.find((x: { name: string }) => x.name === "blend");
    const weights = row.learned.weights as number[];
    assert.equal(weights.length, 3, "intercept, bmf, knn-item");
    // …is what serve combines the members refit on all ratings with: recomputed here.
    const all = concatRatings(
      (await readRatingsTable(r.files.train)).table,
      (await readRatingsTable(r.files.test)).table,
    );
    const m = buildRatingMatrix(all);
    const refit = await combineBlend(m, BLEND_MEMBERS, weights);
    const relearned = await fitBlend(m, BLEND_MEMBERS);
    assert.notDeepEqual(Array.from(relearned.weights), weights, "a fresh fit learns others");
    const served = (await Deno.readTextFile(r.files.serving)).trim().split("\n").slice(1);
    assert.ok(served.length > 100);
    let differs = 0;
    for (const line of served.slice(0, 200)) {
      const [u, , i, , prediction] = line.split(",");
      const ui = [denseIndexOf(m.userIndex, +u), denseIndexOf(m.itemIndex, +i)] as const;
      assert.equal(prediction, refit.predict(...ui).toFixed(6), line);
      if (relearned.predict(...ui).toFixed(6) !== prediction) differs++;
    }
    assert.ok(differs > 0, "the served stars are the learned weights', not a refit's");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
