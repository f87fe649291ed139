import assert from "node:assert/strict";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import type { NeighborsOptions } from "../lib/neighbors/options.ts";
import { predictToFile } from "../lib/recommend/predict.ts";
import { writeRecommendations } from "../lib/recommend/model_files.ts";
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { rankingModelSpec, ratingModelSpec } from "../lib/models/registry.ts";
import { evaluateModel } from "../eval/evaluate.ts";
import { importStore } from "../tools/import.ts";
import { readSealedFile, SealedFileError, writeSidecar } from "../lib/file_seal.ts";

const FIXTURE = new URL("./fixtures/store/", import.meta.url).pathname;

/** Cuts `file` to `keep` of its bytes (mid-line), leaving its sidecar as written. */
async function cut(file: string, keep = 0.5): Promise<void> {
  const bytes = await Deno.readFile(file);
  await Deno.writeFile(file, bytes.subarray(0, Math.floor(bytes.length * keep)));
}

/** The one-line error a sealed reader must give for `file`. */
function namesFile(file: string, what: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof SealedFileError, String(err));
    assert.equal(err.file, file);
    assert.ok(!err.message.includes("\n"), err.message);
    assert.match(err.message, what);
    return true;
  };
}

/** A run directory: the store fixture's split and movies, every sealed file written by the program. */
async function sealedRun(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "file-seal-" });
  for await (const e of Deno.readDir(FIXTURE)) {
    await Deno.copyFile(FIXTURE + e.name, `${dir}/${e.name}`);
  }
  const train = `${dir}/ratings_train.csv`;
  const options: NeighborsOptions = {
    mode: "user",
    k: 3,
    minCommon: 1,
    similarity: "cosine",
    shrink: 0,
    maxRaters: 0,
    workers: 1,
    progress: false,
  };
  await computeNeighborsFile(train, `${dir}/user_topk_neighbors.txt`, options);
  await computeNeighborsFile(train, `${dir}/item_topk_neighbors.txt`, { ...options, mode: "item" });
  await predictToFile({
    train,
    neighbors: `${dir}/user_topk_neighbors.txt`,
    model: "user",
    out: `${dir}/user_based_recommendations.csv`,
    top: 5,
    k: 0,
    workers: 1,
  });
  const [{ table: a }, { table: b }] = await Promise.all([
    readRatingsTable(train),
    readRatingsTable(`${dir}/ratings_test.csv`),
  ]);
  const all = {
    length: a.length + b.length,
    users: Int32Array.from([...a.users, ...b.users]),
    movies: Int32Array.from([...a.movies, ...b.movies]),
    ratings: Uint8Array.from([...a.ratings, ...b.ratings]),
    timestamps: Uint32Array.from([...a.timestamps, ...b.timestamps]),
  };
  const m = buildRatingMatrix(all);
  await writeRecommendations(
    await rankingModelSpec("popularity").fit(m),
    m,
    `${dir}/serving_recommendations.csv`,
    {
      top: 3,
      rater: await ratingModelSpec("bias").fit(m),
      sidecar: {
        params: { rankingModel: "popularity", ratingModel: "bias" },
        inputs: { train, test: `${dir}/ratings_test.csv` },
      },
    },
  );
  return dir;
}

Deno.test("files the program wrote are verified before use", async (t) => {
  const dir = await sealedRun();
  const db = `sqlite:${dir}/store.db`;
  const importRun = (runDir: string) => importStore({ db, dir: runDir, progress: false });

  await t.step("a whole run imports, every sidecar matching its file", async () => {
    const stats = await importRun(dir);
    assert.ok(stats.tables.user_topk_neighbors > 0);
    assert.ok(stats.tables.user_recommendations > 0);
  });

  /** A copy of the run with `edit` applied to it. */
  const withEdit = async (edit: (run: string) => Promise<void>) => {
    const run = await Deno.makeTempDir({ prefix: "file-seal-run-" });
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && !e.name.startsWith("store.db")) {
        await Deno.copyFile(`${dir}/${e.name}`, `${run}/${e.name}`);
      }
    }
    await edit(run);
    return run;
  };

  for (const name of ["user_topk_neighbors.txt", "item_topk_neighbors.txt"]) {
    await t.step(`import refuses ${name} cut mid-line, naming it`, async () => {
      const run = await withEdit((r) => cut(`${r}/${name}`));
      await assert.rejects(importRun(run), namesFile(`${run}/${name}`, /bytes, but .* says/));
    });
  }

  for (const name of ["serving_recommendations.csv"]) {
    await t.step(`import refuses ${name} cut mid-line, naming it`, async () => {
      const run = await withEdit((r) => cut(`${r}/${name}`));
      await assert.rejects(importRun(run), namesFile(`${run}/${name}`, /bytes, but .* says/));
    });
  }

  await t.step("import refuses a user file where the item file belongs", async () => {
    const run = await withEdit(async (r) => {
      for (const ext of ["", ".meta.json"]) {
        await Deno.copyFile(
          `${r}/user_topk_neighbors.txt${ext}`,
          `${r}/item_topk_neighbors.txt${ext}`,
        );
      }
    });
    await assert.rejects(
      importRun(run),
      (err: unknown) => err instanceof Error && /item_topk_neighbors\.txt/.test(err.message),
    );
  });

  await t.step("import refuses neighbors computed from another training file", async () => {
    const run = await withEdit((r) =>
      Deno.writeTextFile(`${r}/ratings_train.csv`, "1,1,4.0,1\n", { append: true })
    );
    await assert.rejects(
      importRun(run),
      namesFile(`${run}/user_topk_neighbors.txt`, /train .*ratings_train\.csv/),
    );
  });

  await t.step("eval and predict refuse a cut neighbor file, naming it", async () => {
    const run = await withEdit((r) => cut(`${r}/user_topk_neighbors.txt`, 0.7));
    const neighbors = `${run}/user_topk_neighbors.txt`;
    const train = `${run}/ratings_train.csv`;
    await assert.rejects(
      evaluateModel({
        train,
        test: `${run}/ratings_test.csv`,
        neighbors,
        model: "user",
        k: [],
        workers: 1,
        fallback: "baseline",
        top: 10,
        rankUsers: 0,
      }),
      namesFile(neighbors, /cut/),
    );
    await assert.rejects(
      predictToFile({
        train,
        neighbors,
        model: "user",
        out: `${run}/out.csv`,
        top: 5,
        k: 0,
        workers: 1,
      }),
      namesFile(neighbors, /cut/),
    );
  });

  await t.step("a file cut exactly at a line end fails on its row count and size", async () => {
    const file = `${dir}/lines.txt`;
    await Deno.writeTextFile(file, "a\nb\nc\n");
    await writeSidecar(file, { kind: "letters" }, { bytes: 6, rows: 3 });
    const parse = (bytes: Uint8Array) => {
      const lines = new TextDecoder().decode(bytes).split("\n").slice(0, -1);
      return { value: lines, rows: lines.length };
    };
    assert.deepEqual((await readSealedFile(file, parse, { expected: { kind: "letters" } })).value, [
      "a",
      "b",
      "c",
    ]);
    await Deno.writeTextFile(file, "a\nb\n");
    await assert.rejects(readSealedFile(file, parse), namesFile(file, /4 bytes, but .* 6/));
    await writeSidecar(file, { kind: "letters" }, { bytes: 4, rows: 3 });
    await assert.rejects(readSealedFile(file, parse), namesFile(file, /2 rows, but .* 3/));
    await assert.rejects(
      readSealedFile(file, parse, { expected: { kind: "digits" } }),
      namesFile(file, /written with kind "letters" .* is "digits"/),
    );
    await Deno.writeTextFile(`${file}.meta.json`, '{"kind": "let');
    await assert.rejects(readSealedFile(file, parse), namesFile(file, /not a JSON object/));
  });

  await Deno.remove(dir, { recursive: true });
});
