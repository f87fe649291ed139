import assert from "node:assert/strict";
import { type EvalOptions, type EvalResult, evaluateModel } from "../eval/evaluate.ts";
import { synthesize } from "../tools/synth.ts";
import { splitRatings } from "../tools/split.ts";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";

const FIX = new URL("./fixtures/eval/", import.meta.url).pathname;

function fixtureOptions(model: "user" | "item", k: number[], dir: string): EvalOptions {
  return {
    train: FIX + "train.csv",
    test: FIX + "test.csv",
    neighbors: FIX + `${model}_neighbors.txt`,
    model,
    k,
    workers: 2,
    fallback: "baseline",
    top: 2,
    rankUsers: 0,
    json: `${dir}/${model}.json`,
    report: `${dir}/${model}.html`,
    progress: false,
  };
}

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
const rms = (e: number[]) => Math.sqrt(e.reduce((s, x) => s + x * x, 0) / e.length);
const meanAbs = (e: number[]) => e.reduce((s, x) => s + Math.abs(x), 0) / e.length;

/** Cells of each `<tr>` of the table with this id, tags stripped. */
function tableRows(html: string, id: string): string[][] {
  const table = html.match(new RegExp(`<table id="${id}"[^>]*>([\\s\\S]*?)</table>`));
  assert.ok(table, `table #${id} present`);
  return [...table[1].matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((tr) =>
    [...tr[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) =>
      c[1].replace(/<[^>]+>/g, "").replace(/<!--.*?-->/g, "").trim()
    )
  );
}

Deno.test("eval on the hand-written fixture", async (t) => {
  const dir = await Deno.makeTempDir();
  // Training means: user 1 3.5, user 2 11/3, user 3 3, user 4 2.5; global 3.2.
  // Test: (1,30,4.0), (1,40,2.0), (5,10,3.0) unknown user, (2,40,3.0).
  const mu1 = 3.5, mu2 = 11 / 3, mu3 = 3, mu4 = 2.5;
  // User 1's neighbors: 2 (0.8), 4 (0.1), 3 (-0.5).
  const p130 = [mu1 + (4 - mu2), mu1 + (4 - mu2), mu1 + (0.8 * (4 - mu2) - 0.5 * (5 - mu3)) / 1.3];
  const p140 = [NaN, mu1 + (0.5 - mu4), mu1 + (0.1 * (0.5 - mu4) - 0.5 * (1 - mu3)) / 0.6];
  let user: EvalResult;

  await t.step("user-based RMSE, MAE and coverage per K follow the formula", async () => {
    user = await evaluateModel(fixtureOptions("user", [3, 1, 2], dir));
    assert.deepEqual(user.byK.map((x) => x.k), [1, 2, 3]);
    const errs = [
      [p130[0] - 4],
      [p130[1] - 4, p140[1] - 2],
      [p130[2] - 4, p140[2] - 2],
    ];
    for (let k = 0; k < 3; k++) {
      close(user.byK[k].rmse, rms(errs[k]));
      close(user.byK[k].mae, meanAbs(errs[k]));
      assert.equal(user.byK[k].predicted, errs[k].length);
      assert.equal(user.byK[k].coverage, errs[k].length / 4);
    }
    assert.equal(user.k, 3);
    assert.equal(user.rmse, user.byK[2].rmse);
    assert.equal(user.total, 4);
  });

  await t.step("a test rating with an unknown user is counted and not covered", () => {
    // (5,10) unknown user and (2,40) without usable neighbor: 2 of 4 covered at K = 3.
    assert.equal(user.coverage, 0.5);
    assert.equal(user.baselines.globalMean.predicted, 4);
    assert.equal(user.baselines.bias.coverage, 1);
  });

  await t.step(
    "baselines cover every test rating, unknown users fall back to the global mean",
    () => {
      close(user.baselines.globalMean.rmse, rms([3.2 - 4, 3.2 - 2, 3.2 - 3, 3.2 - 3]));
      close(user.baselines.userMean.mae, meanAbs([mu1 - 4, mu1 - 2, 3.2 - 3, mu2 - 3]));
      // Item means: 30 → (4 + 5) / 2, 40 → (1 + 0.5) / 2, 10 → (4 + 5 + 3) / 3.
      close(user.baselines.itemMean.mae, meanAbs([4.5 - 4, 0.75 - 2, 4 - 3, 0.75 - 3]));
    },
  );

  await t.step("the bias fallback fills exactly the uncovered ratings", () => {
    assert.ok(user.fallback);
    assert.equal(user.fallback.coverage, 1);
    assert.equal(user.fallback.predicted, 4);
  });

  await t.step("item-based predictions are clipped and scored", async () => {
    const item = await evaluateModel(fixtureOptions("item", [], dir));
    // (1,30) → 4.0, (1,40) → 3.0, (2,40) → -0.4 clipped to 0.5, (5,10) unknown user.
    const errs = [4 - 4, 3 - 2, 0.5 - 3];
    close(item.rmse, rms(errs));
    close(item.mae, meanAbs(errs));
    assert.equal(item.coverage, 0.75);
    assert.equal(item.k, 2); // the longest list in the file
  });

  await t.step("ranking metrics follow the top-N lists", () => {
    // User 1: candidates 30 (2.935897) and 40 (4.833333) → [40, 30]; relevant {30} (4.0).
    // User 2: no candidate (neighbor 1 rated nothing 2 has not); relevant: none → skipped.
    const r = user.ranking;
    assert.equal(r.testUsers, 2);
    assert.equal(r.sampled, false);
    assert.equal(r.usersWithRelevant, 1);
    close(r.precision, 1 / 2);
    close(r.recall, 1);
    close(r.ndcg, (1 / Math.log2(3)) / 1);
    close(r.map, (1 / 2) / 1);
    assert.equal(r.hitRate, 1);
    close(r.catalogCoverage, 2 / 4);
  });

  await t.step("the JSON file holds the reported keys", async () => {
    const json = JSON.parse(await Deno.readTextFile(`${dir}/user.json`));
    for (const key of ["model", "rmse", "mae", "coverage", "predicted", "total", "seconds"]) {
      assert.ok(key in json, key);
    }
    assert.equal(json.model, "user");
    assert.equal(json.rmse, user.rmse);
    assert.deepEqual(json.options.k, [1, 2, 3]);
    assert.equal(json.baselines.bias.regUser, 15);
  });

  await t.step(
    "the HTML report shows the metrics table with baselines, charts and no external resource",
    async () => {
      const html = await Deno.readTextFile(`${dir}/user.html`);
      const rows = tableRows(html, "metrics");
      assert.deepEqual(rows[0], ["predictor", "K", "RMSE", "MAE", "coverage", "predicted"]);
      const cf3 = rows.find((r) => r[0] === "user-based CF" && r[1] === "3");
      assert.ok(cf3);
      assert.equal(cf3[2], user.rmse.toFixed(4));
      assert.equal(cf3[4], "50.00 %");
      const bias = rows.find((r) => r[0].startsWith("bias"));
      assert.ok(bias);
      assert.equal(bias[2], user.baselines.bias.rmse.toFixed(4));
      assert.ok(rows.some((r) => r[0] === "global mean" && r[4] === "100.00 %"));
      assert.ok(rows.some((r) => r[0] === "CF + bias fallback"));
      const ranking = tableRows(html, "ranking");
      assert.deepEqual(ranking[0], ["precision@2", "0.5000"]);
      for (const id of ["rmse-vs-k", "error-histogram", "coverage"]) {
        assert.match(html, new RegExp(`<svg id="${id}"`));
      }
      assert.equal((html.match(/<circle /g) ?? []).length, 3); // one point per K
      assert.doesNotMatch(html, /<script|<link|src="http|href="http/);
      assert.match(html, /ranked by prediction/);
    },
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("eval on synthetic data gives the same numbers for any worker count", async () => {
  const dir = await Deno.makeTempDir();
  await synthesize(dir, { scale: 0.003, seed: 3 });
  await splitRatings(`${dir}/ratings.csv`, dir, { testRatio: 0.2, seed: 42, skipInvalid: false });
  for (const model of ["user", "item"] as const) {
    const neighbors = `${dir}/${model}.txt`;
    await computeNeighborsFile(`${dir}/ratings_train.csv`, neighbors, {
      mode: model,
      k: 20,
      minCommon: 3,
      similarity: "pearson",
      shrink: 100,
      maxRaters: 0,
      workers: 2,
      progress: false,
    });
    const run = async (workers: number) => {
      const r = await evaluateModel({
        train: `${dir}/ratings_train.csv`,
        test: `${dir}/ratings_test.csv`,
        neighbors,
        model,
        k: [5, 20],
        workers,
        fallback: "baseline",
        top: 10,
        rankUsers: 50,
        progress: false,
      });
      const { seconds: _s, phases: _p, options: _o, ...rest } = r;
      return rest;
    };
    const one = await run(1);
    assert.deepEqual(await run(3), one);
    assert.ok(one.coverage > 0.5, `${model} coverage ${one.coverage}`);
    assert.ok(one.rmse < one.baselines.globalMean.rmse, `${model} beats the global mean`);
    assert.equal(one.ranking.sampledUsers, 50);
    assert.equal(one.ranking.sampled, true);
  }
  await Deno.remove(dir, { recursive: true });
});
