import assert from "node:assert/strict";
import { synthesize } from "../tools/synth.ts";
import { PIPELINE_DEFAULTS, type PipelineOptions, runPipeline } from "../tools/pipeline.ts";
import { readManifest } from "../lib/step_runner.ts";
import { openStore } from "../lib/store/open.ts";
import { MovieLensDirError } from "../lib/movielens_dir.ts";

const STEPS = [
  "split",
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

  await Deno.remove(root, { recursive: true });
});
