/**
 * mod.ts, the library surface: the same answers as the commands it stands
 * for (split, neighbors), models by name and by configuration, and a doc
 * comment with an example on every symbol it exports.
 */
import assert from "node:assert/strict";
import {
  computeNeighbors,
  fitRankingModel,
  fitRatingModel,
  fitRecommender,
  ModelOptionError,
  MODELS,
  readRatings,
  splitRatings,
  UnknownModelError,
} from "../mod.ts";
import { splitRatings as splitCommand } from "../tools/split.ts";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import { readNeighborFile } from "../lib/neighbor_file.ts";
import { synthesize } from "../tools/synth.ts";

const FIXTURE = new URL("./fixtures/layouts/ml-latest-small", import.meta.url).pathname;

interface Symbol {
  name: string;
  declarations: { jsDoc?: { doc?: string; tags?: { kind: string }[] } }[];
}

const rows = (t: { length: number; users: Int32Array; movies: Int32Array; ratings: Uint8Array }) =>
  Array.from({ length: t.length }, (_, k) => `${t.users[k]},${t.movies[k]},${t.ratings[k]}`);

Deno.test("mod.ts", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mod-test-" });
  try {
    await t.step("splitRatings draws the split command's test set", async () => {
      const ratings = await readRatings(FIXTURE);
      const mine = splitRatings(ratings, { seed: 3, testRatio: 0.3 });
      await splitCommand(`${FIXTURE}/ratings.csv`, `${dir}/split`, {
        seed: 3,
        testRatio: 0.3,
        skipInvalid: false,
      });
      const test = await readRatings(`${dir}/split/ratings_test.csv`);
      const train = await readRatings(`${dir}/split/ratings_train.csv`);
      assert.deepEqual(rows(mine.test), rows(test));
      assert.deepEqual(rows(mine.train), rows(train));
      assert.ok(mine.test.length > 0 && mine.train.length > 0);
    });

    await t.step("computeNeighbors gives the neighbor file's lists", async () => {
      const ratings = await readRatings(FIXTURE);
      const mine = await computeNeighbors(ratings, { mode: "item", k: 3, minCommon: 1 });
      await computeNeighborsFile(`${FIXTURE}/ratings.csv`, `${dir}/item.txt`, {
        mode: "item",
        k: 3,
        minCommon: 1,
        similarity: "cosine",
        shrink: 0,
        maxRaters: 0,
        workers: 1,
        progress: false,
      });
      const file = await readNeighborFile(`${dir}/item.txt`);
      assert.ok(file.ids.length > 0);
      for (let r = 0; r < file.ids.length; r++) {
        const expected = [];
        for (let p = file.offsets[r]; p < file.offsets[r + 1]; p++) {
          expected.push({ id: file.nids[p], similarity: file.sims[p] });
        }
        assert.deepEqual(mine.of(file.ids[r]), expected);
      }
      assert.deepEqual(mine.of(999999), []);
    });

    await synthesize(`${dir}/synth`, { scale: 0.002, seed: 2 });
    const ratings = await readRatings(`${dir}/synth`);

    await t.step("a preset name and its configuration written out fit the same model", async () => {
      const preset = await fitRankingModel(ratings, "ease-weighted");
      const written = await fitRankingModel(ratings, "ease:lambda=300,lowRatingWeight=0.5");
      const binary = await fitRankingModel(ratings, "ease");
      assert.deepEqual(written.options, preset.options);
      const user = ratings.users[0];
      assert.deepEqual(written.recommend(user, 20), preset.recommend(user, 20));
      assert.notDeepEqual(binary.recommend(user, 20), preset.recommend(user, 20));
    });

    await t.step("fold-in from a training user's own ratings gives their EASE list", async () => {
      const recommender = await fitRecommender(ratings, {
        ranking: "ease-weighted",
        rating: "bias",
      });
      const user = ratings.users[0];
      const given = [];
      for (let k = 0; k < ratings.length; k++) {
        if (ratings.users[k] === user) {
          given.push({ movieId: ratings.movies[k], rating: ratings.ratings[k] / 2 });
        }
      }
      // EASE scores a user by x_u · B alone: folded in, the same ratings give the same list.
      const folded = recommender.foldIn(given, 10, [given[0].movieId]);
      assert.deepEqual(
        folded.items.map((p) => p.movieId),
        recommender.recommend(user, 10).map((p) => p.movieId),
      );
      assert.equal(folded.ignored, 0);
      assert.equal(folded.predictions.length, 1);
      const unknown = recommender.foldIn([{ movieId: 987654321, rating: 4 }], 5);
      assert.equal(unknown.ignored, 1);
    });

    await t.step("recommend never lists a movie the user rated, best first", async () => {
      const ranker = await fitRankingModel(ratings, "popularity");
      const user = ratings.users[0];
      const rated = new Set<number>();
      for (let k = 0; k < ratings.length; k++) {
        if (ratings.users[k] === user) rated.add(ratings.movies[k]);
      }
      const list = ranker.recommend(user, 15);
      assert.equal(list.length, 15);
      for (const p of list) assert.ok(!rated.has(p.movieId));
      for (let r = 1; r < list.length; r++) assert.ok(list[r - 1].score >= list[r].score);
      assert.deepEqual(ranker.recommend(-5, 10), []);
    });

    await t.step("predict answers by MovieLens ids, the baseline for unknown ones", async () => {
      const bias = await fitRatingModel(ratings, "bias");
      const stars = bias.predict(ratings.users[0], ratings.movies[0]);
      assert.ok(stars >= 0.5 && stars <= 5);
      // An unknown user and movie: μ alone (b_u = b_i = 0), the mean of all ratings.
      let sum = 0;
      for (let k = 0; k < ratings.length; k++) sum += ratings.ratings[k];
      assert.ok(Math.abs(bias.predict(-1, -1) - sum / ratings.length / 2) < 1e-9);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }

  await t.step("an unknown option names the model's valid keys", async () => {
    const empty = await readRatings(`${FIXTURE}/ratings.csv`);
    await assert.rejects(() => fitRankingModel(empty, "ease:lamda=3"), (err) => {
      assert.ok(err instanceof ModelOptionError);
      assert.deepEqual(err.validKeys, Object.keys(MODELS.find((m) => m.name === "ease")!.options));
      assert.match(err.message, /valid keys: lambda, lowRatingWeight, minRatings, maxItems/);
      return true;
    });
    await assert.rejects(() => fitRankingModel(empty, "ease:lambda=big"), ModelOptionError);
    await assert.rejects(() => fitRankingModel(empty, "blend"), UnknownModelError);
    await assert.rejects(() => fitRatingModel(empty, "nope"), UnknownModelError);
  });

  await t.step("MODELS lists every model with its preset applied", () => {
    const byName = new Map(MODELS.map((m) => [m.name, m]));
    assert.equal(byName.get("ease")!.options.lambda, 500);
    assert.equal(byName.get("ease-weighted")!.options.lambda, 300);
    assert.equal(byName.get("ease-weighted")!.options.lowRatingWeight, 0.5);
    assert.equal(byName.get("blend")!.kind, "rating");
  });

  await t.step("every exported symbol has a doc comment with an example", async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["doc", "--json", new URL("../mod.ts", import.meta.url).pathname],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    // `deno doc --json`: nodes by module URL, each with its exported symbols and their declarations.
    const doc = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      nodes: Record<string, { symbols: Symbol[] }>;
    };
    const nodes = Object.values(doc.nodes).flatMap((m) => m.symbols);
    const named = nodes.filter((n) => n.name);
    assert.ok(named.length >= 20, `${named.length} symbols`);
    const missing = named.filter((n) => {
      const js = n.declarations[0]?.jsDoc;
      return !js?.doc || !(js.tags ?? []).some((t) => t.kind === "example");
    }).map((n) => n.name);
    assert.deepEqual(missing, []);
  });
});
