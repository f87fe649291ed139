import assert from "node:assert/strict";
import { LAYOUTS as FIX } from "./fixtures/layouts.ts";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import type { NeighborsOptions } from "../lib/neighbors/options.ts";
import { runLocalMr } from "../mr/mod.ts";
import { evaluateModel } from "../eval/evaluate.ts";
import { predictToFile } from "../lib/recommend/predict.ts";
import { NeighborModeError, readNeighborMeta } from "../lib/neighbor_meta.ts";
import { splitRatings } from "../tools/split.ts";

Deno.test("neighbor files know what they are", async (t) => {
  const dir = await Deno.makeTempDir();
  await splitRatings(`${FIX}/ml-10m/ratings.dat`, dir, {
    testRatio: 0.2,
    seed: 42,
    skipInvalid: false,
  });
  const train = `${dir}/ratings_train.csv`, test = `${dir}/ratings_test.csv`;
  const options: NeighborsOptions = {
    mode: "user",
    k: 3,
    minCommon: 1,
    similarity: "pearson",
    shrink: 10,
    maxRaters: 0,
    workers: 1,
    progress: false,
  };
  const userFile = `${dir}/user_topk_neighbors.txt`;
  await computeNeighborsFile(train, userFile, options);

  await t.step("the engine writes a sidecar with mode, options and the training file", async () => {
    const meta = await readNeighborMeta(userFile);
    const st = await Deno.stat(train);
    assert.deepEqual(meta, {
      mode: "user",
      similarity: "pearson",
      shrink: 10,
      k: 3,
      minCommon: 1,
      maxRaters: 0,
      train: { path: train, size: st.size, mtime: st.mtime!.toISOString() },
    });
  });

  await t.step("eval --model item refuses a user–user neighbor file", async () => {
    await assert.rejects(
      () =>
        evaluateModel({
          train,
          test,
          neighbors: userFile,
          model: "item",
          k: [],
          workers: 1,
          fallback: "baseline",
          top: 10,
          rankUsers: 0,
        }),
      (err: unknown) => {
        assert.ok(err instanceof NeighborModeError, String(err));
        assert.equal(err.expected, "item");
        assert.equal(err.found, "user");
        assert.match(err.message, /a user–user neighbor file .* --model item needs item–item/);
        return true;
      },
    );
  });

  await t.step("predict --model item refuses a user–user neighbor file", async () => {
    await assert.rejects(
      () =>
        predictToFile({
          train,
          neighbors: userFile,
          model: "item",
          out: `${dir}/recs.csv`,
          top: 5,
          k: 0,
          workers: 1,
        }),
      NeighborModeError,
    );
  });

  await t.step(
    "the MR runner writes the same sidecar, plus its counters, beside identical bytes",
    async () => {
      const mrFile = `${dir}/mr_user_topk_neighbors.txt`;
      await runLocalMr(train, mrFile, { ...options, reducers: 2, maps: 2 });
      assert.deepEqual(await Deno.readFile(mrFile), await Deno.readFile(userFile));
      const { counters, ...shared } = (await readNeighborMeta(mrFile))!;
      assert.deepEqual(shared, await readNeighborMeta(userFile));
      // The local runner's counters, under Hadoop's names.
      assert.equal(counters?.runner, "local");
      const trainLines = (await Deno.readTextFile(train)).split("\n").filter((l) => l).length;
      assert.equal(counters!.jobs.mr1["Map input records"], trainLines);
      assert.equal(counters!.jobs.mr1["Launched reduce tasks"], 2);
      assert.equal(
        counters!.jobs.mr2["Map input records"],
        counters!.jobs.mr1["Reduce output records"],
      );
      assert.equal(
        counters!.jobs.mr2["Combine input records"],
        counters!.jobs.mr2["Map output records"],
      );
      assert.equal(counters!.jobs.mr3["Reduce input records"], undefined);
      const lines = (await Deno.readTextFile(mrFile)).split("\n").filter((l) => l).length;
      assert.equal(counters!.jobs.mr4["Reduce output records"], lines);
    },
  );

  await Deno.remove(dir, { recursive: true });
});
