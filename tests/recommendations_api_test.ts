/**
 * `POST /api/recommendations` (routes/api/recommendations.ts): every 400 and
 * 415 case on a hand-made fold-in state over the web fixture's store, then the
 * route on a store that a tiny pipeline run built and imported (its fold-in
 * state read from the store as `web` reads it).
 */
import assert from "node:assert/strict";
import { createApp, MAX_BODY_BYTES } from "../routes/app.ts";
import { TmdbMetadata } from "../lib/tmdb.ts";
import type { Store } from "../lib/store/store.ts";
import { importStore } from "../tools/import.ts";
import { FoldInRecommender } from "../lib/models/fold_in.ts";
import { decodeFoldInState } from "../lib/models/fold_in_file.ts";
import { RECOMMENDATIONS_MAX_BODY_BYTES } from "../routes/api/recommendations.ts";
import { synthesize } from "../tools/synth.ts";
import { PIPELINE_DEFAULTS, runPipeline } from "../tools/pipeline.ts";
import { openStore } from "../lib/store/open.ts";
import { naturalTitle } from "../lib/movie_view.ts";
import { handFoldInState } from "./fixtures/fold_in_states.ts";

const IMAGE_BASE = "https://image.tmdb.org/t/p/";

// Movies 1..4, all EASE columns; B[j][i] with j the given movie.
// deno-fmt-ignore
const B = Float32Array.of(
  0,   0.1, 0.2, -0.3,
  0.4, 0,   0.9, 0.05,
  0.2, 0.1, 0,   0.6,
  0.1, 0.3, 0.2, 0,
);
const state = handFoldInState({
  itemIds: Int32Array.of(1, 2, 3, 4),
  itemCounts: Int32Array.of(5, 9, 2, 9),
  scaleMin: 1,
  scaleMax: 5,
  ranking: "ease",
  lowRatingWeight: 0.5,
  easeCols: Int32Array.of(0, 1, 2, 3),
  easeB: B,
  mu: 3,
  regUser: 2,
  itemBias: Float64Array.of(0.5, -0.5, 0, 0.25),
});

function appOn(store: Store, live?: FoldInRecommender) {
  return createApp({
    store,
    sessionSecret: "test-secret-0123456789",
    metadata: new TmdbMetadata(store, null, IMAGE_BASE),
    live,
  });
}

// The web fixture's run (no fold-in state file) in a SQLite store, movie 3 retitled with a
// trailing article: titles come from its movies; the fold-in state above is the route's only
// other input.
const fixtureDir = await Deno.makeTempDir({ prefix: "api-fixture-" });
const webFixture = new URL("./fixtures/web/", import.meta.url).pathname;
for await (const e of Deno.readDir(webFixture)) {
  await Deno.copyFile(webFixture + e.name, `${fixtureDir}/${e.name}`);
}
const movies = (await Deno.readTextFile(`${fixtureDir}/movies.csv`)).split("\n");
movies[3] = '3,"Three, The (1999)",Drama';
await Deno.writeTextFile(`${fixtureDir}/movies.csv`, movies.join("\n"));
await importStore({
  db: `sqlite:${fixtureDir}/recsys.db`,
  dir: fixtureDir,
  progress: false,
});
const fixtureStore = await openStore(`sqlite:${fixtureDir}/recsys.db`);
globalThis.addEventListener("unload", () => {
  fixtureStore.close();
  Deno.removeSync(fixtureDir, { recursive: true });
});
const title = async (movieId: number) => (await fixtureStore.movie(movieId))!.title;
const app = appOn(fixtureStore, new FoldInRecommender(state));

function post(body: unknown, headers: Record<string, string> = {}) {
  return app.request("/api/recommendations", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

Deno.test("POST /api/recommendations on a fold-in state", async (t) => {
  await t.step("answers items best first with titles, reasons and predictions", async () => {
    const res = await post({
      ratings: [{ movieId: 1, rating: 5 }, { movieId: 2, rating: 2 }, { movieId: 99, rating: 4 }],
      predict: [4, 99, 1],
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    // Movie 3: 0.2 + 0.5·0.9 = 0.65, cites movie 1 (movie 2 ★2 is not liked); movie 4: −0.275.
    assert.deepEqual(body.items.map((p: { movieId: number }) => p.movieId), [3, 4]);
    // Display titles, article first.
    assert.equal(body.items[0].title, "The Three (1999)");
    assert.deepEqual(body.items[0].because, { movieId: 1, title: await title(1), rating: 5 });
    assert.equal(body.items[1].because, null);
    assert.ok(Math.abs(body.items[0].score - 0.65) < 1e-6);
    assert.equal(body.ignored, 1);
    // b_u = ((5 − 3 − 0.5) + (2 − 3 + 0.5)) / (2 + 2) = 0.25 (movie 99 is not known).
    assert.deepEqual(body.predictions.map((p: { movieId: number }) => p.movieId), [4, 99, 1]);
    assert.ok(Math.abs(body.predictions[0].prediction - 3.5) < 1e-9);
    assert.ok(Math.abs(body.predictions[1].prediction - 3.25) < 1e-9);
    assert.ok(Math.abs(body.predictions[2].prediction - 3.75) < 1e-9);
  });
  await t.step("limit cuts the list; the default is 30", async () => {
    const one = await (await post({ ratings: [{ movieId: 3, rating: 4 }], limit: 1 })).json();
    assert.deepEqual(one.items.map((p: { movieId: number }) => p.movieId), [4]);
    const all = await (await post({ ratings: [] })).json();
    // No rating: the most rated first (2 and 4: 9 ratings, then 1, then 3).
    assert.deepEqual(all.items.map((p: { movieId: number }) => p.movieId), [2, 4, 1, 3]);
    assert.deepEqual(all.predictions, []);
  });
  await t.step("accepts a charset parameter and a cross-origin post (no session)", async () => {
    const res = await post({ ratings: [] }, {
      "Content-Type": "application/json; charset=utf-8",
      Origin: "https://elsewhere.example",
      Cookie: "recsys_session=forged",
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("set-cookie"), null);
  });

  const cases: [string, unknown, string][] = [
    ["a body that is not JSON", "{ratings:", "body"],
    ["a body that is not an object", [1, 2], "body"],
    ["no ratings", {}, "ratings"],
    ["ratings not an array", { ratings: { movieId: 1 } }, "ratings"],
    ["a rating entry that is not an object", { ratings: [5] }, "ratings[0]"],
    [
      "a movieId that is not a whole number",
      { ratings: [{ movieId: 1.5, rating: 3 }] },
      "ratings[0].movieId",
    ],
    ["a movieId as a string", { ratings: [{ movieId: "318", rating: 3 }] }, "ratings[0].movieId"],
    [
      "a rating that is not a number",
      { ratings: [{ movieId: 1, rating: "5" }] },
      "ratings[0].rating",
    ],
    ["a rating missing", { ratings: [{ movieId: 1 }] }, "ratings[0].rating"],
    ["a rating above the scale", {
      ratings: [{ movieId: 1, rating: 3 }, { movieId: 2, rating: 6 }],
    }, "ratings[1].rating"],
    [
      "a rating below the scale (1..5 here)",
      { ratings: [{ movieId: 1, rating: 0.5 }] },
      "ratings[0].rating",
    ],
    ["a movie twice", {
      ratings: [{ movieId: 1, rating: 3 }, { movieId: 2, rating: 3 }, { movieId: 1, rating: 4 }],
    }, "ratings[2].movieId"],
    ["over 5,000 ratings", {
      ratings: Array.from({ length: 5001 }, (_, k) => ({ movieId: k + 1, rating: 3 })),
    }, "ratings"],
    ["predict not an array", { ratings: [], predict: 3 }, "predict"],
    ["a predict id that is not a movie id", { ratings: [], predict: [1, -2] }, "predict[1]"],
    ["over 1,000 predict ids", {
      ratings: [],
      predict: Array.from({ length: 1001 }, (_, k) => k + 1),
    }, "predict"],
    ["limit 0", { ratings: [], limit: 0 }, "limit"],
    ["limit 101", { ratings: [], limit: 101 }, "limit"],
    ["limit not a whole number", { ratings: [], limit: 2.5 }, "limit"],
    ["limit as a string", { ratings: [], limit: "10" }, "limit"],
  ];
  for (const [what, body, field] of cases) {
    await t.step(`400 naming ${field}: ${what}`, async () => {
      const res = await post(body);
      assert.equal(res.status, 400);
      const json = await res.json();
      assert.equal(json.field, field);
      assert.ok(json.error.startsWith(`${field}:`), json.error);
    });
  }

  await t.step("415 for another content type, or none", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", ""]) {
      const res = await app.request("/api/recommendations", {
        method: "POST",
        headers: type ? { "Content-Type": type } : {},
        body: JSON.stringify({ ratings: [] }),
      });
      assert.equal(res.status, 415, type);
      assert.match((await res.json()).error, /application\/json/);
    }
  });
  await t.step("takes 5,000 ratings in a body over the 16 KB cap of other routes", async () => {
    const ratings = Array.from({ length: 5000 }, (_, k) => ({ movieId: 1000 + k, rating: 4.5 }));
    const text = JSON.stringify({ ratings });
    assert.ok(text.length > MAX_BODY_BYTES && text.length < RECOMMENDATIONS_MAX_BODY_BYTES);
    const res = await post(text);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).ignored, 5000);
  });
  await t.step("413 over 256 KiB", async () => {
    const res = await post(
      JSON.stringify({ ratings: [] }) + " ".repeat(RECOMMENDATIONS_MAX_BODY_BYTES),
    );
    assert.equal(res.status, 413);
  });
  await t.step("other routes keep the 16 KB cap", async () => {
    const res = await app.request("/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "x=" + "a".repeat(MAX_BODY_BYTES),
    });
    assert.equal(res.status, 413);
  });
  await t.step("503 on a store without fold-in state", async () => {
    const res = await appOn(fixtureStore).request("/api/recommendations", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ratings: [] }),
    });
    assert.equal(res.status, 503);
    assert.match((await res.json()).error, /fold-in state/);
  });
});

Deno.test({
  name: "POST /api/recommendations on a store a pipeline run imported",
  async fn(t) {
    const root = await Deno.makeTempDir({ prefix: "api-pipeline-" });
    try {
      const data = `${root}/data`;
      await synthesize(data, { scale: 0.002, seed: 3 });
      const r = await runPipeline({
        ...PIPELINE_DEFAULTS,
        k: 20,
        minCommon: 3,
        data,
        out: `${root}/out`,
        engine: "inproc",
        // EASE and knn-item: the shipped ranking and one blend member, quick on tiny data.
        ratingModel: "knn-item",
        rankingModel: "ease",
        workers: 1,
        progress: false,
        log: () => {},
      });
      const store = await openStore(r.db);
      try {
        const bytes = await store.foldInState(true);
        assert.ok(bytes, "the import stored the serve step's state");
        const live = new FoldInRecommender(decodeFoldInState(bytes, "store"));
        const api = appOn(store, live);

        // A training user's own ratings, sent as a visitor's.
        const train = (await Deno.readTextFile(r.files.train)).trim().split("\n")
          .map((l) => l.split(",").map(Number));
        const test = (await Deno.readTextFile(r.files.test)).trim().split("\n")
          .map((l) => l.split(",").map(Number));
        const user = train[0][0];
        const given = [...train, ...test].filter((x) => x[0] === user)
          .map(([, movieId, rating]) => ({ movieId, rating }));

        await t.step("answers a list without the given movies, titled from the store", async () => {
          const res = await api.request("/api/recommendations", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ ratings: given, limit: 10, predict: [given[0].movieId] }),
          });
          assert.equal(res.status, 200);
          const body = await res.json();
          assert.equal(body.items.length, 10);
          assert.equal(body.ignored, 0);
          const rated = new Set(given.map((g) => g.movieId));
          const mean = given.reduce((a, g) => a + g.rating, 0) / given.length;
          for (const p of body.items) {
            assert.ok(!rated.has(p.movieId));
            assert.equal(p.title, naturalTitle((await store.movie(p.movieId))!.title));
            if (p.because) {
              const g = given.find((x) => x.movieId === p.because.movieId)!;
              assert.ok(g.rating >= mean && g.rating >= 3.5, "cites only a liked movie");
            }
          }
          assert.equal(body.predictions.length, 1);
        });

        await t.step("the user's own ratings give back the served list (same fit)", async () => {
          const served = await store.recommendations(user, 10);
          const { items } = live.recommend(given, 10);
          assert.deepEqual(items.map((p) => p.movieId), served.items.map((x) => x.movie.movieId));
          served.items.forEach((x, k) => {
            assert.ok(Math.abs(x.prediction - items[k].prediction) < 1e-5);
            assert.equal(items[k].because?.movieId ?? null, x.because?.movie.movieId ?? null);
          });
        });

        await t.step("the served reasons cite only movies the user liked", async () => {
          const lines = (await Deno.readTextFile(r.files.serving)).trim().split("\n").slice(1);
          const ratings = new Map<string, number>();
          const sums = new Map<number, [number, number]>();
          for (const [u, mId, stars] of [...train, ...test]) {
            ratings.set(`${u},${mId}`, stars);
            const s = sums.get(u) ?? [0, 0];
            sums.set(u, [s[0] + stars, s[1] + 1]);
          }
          let cited = 0;
          for (const line of lines) {
            const [u, , , , , because] = line.split(",");
            if (because === "") continue;
            cited++;
            const stars = ratings.get(`${u},${because}`)!;
            const [sum, n] = sums.get(Number(u))!;
            assert.ok(stars >= sum / n && stars >= 3.5, line);
          }
          assert.ok(cited > 0);
        });
      } finally {
        await store.close();
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
