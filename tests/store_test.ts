/**
 * One behaviour suite for the store, run against each backend: SQLite (a
 * temp file) and MySQL/MariaDB (a fresh database `recsys_test_<random>` on
 * the server of RECSYS_TEST_MYSQL_URL, dropped afterwards, so concurrent
 * runs never collide). Expected values are worked out by hand from the
 * fixture set in tests/fixtures/store/:
 *
 *   train  user 1: m1 4.0 @100, m2 3.5 @200, m3 5.0 @150
 *          user 2: m1 4.5 @110, m2 2.0 @120, m5 4.0 @130, m10 4.0 @140
 *          user 3: m1 3.0 @101, m3 4.0 @102, m5 5.0 @103, m7 1.0 @104
 *          user 4: m2 4.0 @105, m5 3.5 @106           (file not in key order)
 *   user neighbors 1 → 2 (.9), 3 (.5), 4 (-.1);  2 → 1 (.9);  3 → 1 (.5), 2 (.25)
 *   test   user 1: m5 4.0 @300;  user 2: m3 3.0 @301;  user 4: m1 5.0 @302
 *   item neighbors 1 → 2 (.8), 5 (.7);  2 → 1 (.8);  5 → 1 (.7), 3 (.1)
 *   recommendations (similar users) 1: m10 3.9, m5 4.5 (rated in test: dropped), m7 3.9;
 *                                   3: m2 3.2
 *   serving (model) 1: m10 .912 ★4.1 because m3 5.0, m7 .4 ★3.2 because m5 4.0 (test);
 *                   2: m7 .3 ★3.0 (no because)
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { absent, mysqlTestServer } from "./fixtures/services.ts";
import { DatabaseSync } from "node:sqlite";
import { ImportInputError, ImportRefusedError, importStore } from "../tools/import.ts";
import {
  maskStoreUrl,
  openLoader,
  openStore,
  parseStoreUrl,
  StoreUrlError,
} from "../lib/store/open.ts";
import { ImportLockedError } from "../lib/store/loader.ts";
import {
  type Movie,
  type Store,
  StoreArgumentError,
  StoreUnavailableError,
} from "../lib/store/store.ts";
import { RecommendationsFormatError } from "../lib/store/recommendations_csv.ts";
import { NeighborFormatError } from "../lib/neighbor_file.ts";
import { RatingsFormatError, RatingsInputError } from "../lib/ratings_error.ts";
import {
  decodeFoldInState,
  FoldInStateError,
  writeFoldInStateFile,
} from "../lib/models/fold_in_file.ts";
import type { FoldInState } from "../lib/models/fold_in_state.ts";
import { handFoldInState } from "./fixtures/fold_in_states.ts";

/** A fold-in state of `n` movies, all EASE columns, B filled with distinct values. */
function foldInTestState(n: number): FoldInState {
  return handFoldInState({
    itemIds: Int32Array.from({ length: n }, (_, i) => i + 1),
    itemCounts: new Int32Array(n).fill(1),
    scaleMin: 0.5,
    scaleMax: 5,
    ranking: "ease",
    lowRatingWeight: 0.5,
    easeCols: Int32Array.from({ length: n }, (_, i) => i),
    easeB: Float32Array.from({ length: n * n }, (_, k) => (k % 997) / 997),
    mu: 3.5,
    regUser: 15,
    itemBias: new Float64Array(n),
  });
}

function noRatings(err: unknown): void {
  assert.ok(err instanceof RatingsInputError, String(err));
  assert.match(err.message, /ratings_train\.csv: no ratings/);
}

const FIXTURE = new URL("./fixtures/store/", import.meta.url).pathname;

interface Backend {
  url: string;
  /** A URL of the same kind where nothing has been imported yet. */
  emptyUrl: string;
  /** Makes `emptyUrl` reachable (creates the database/file), to test recovery. */
  createEmpty(): Promise<void>;
  cleanup(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = await Deno.makeTempDir({ prefix: "store-test-" });
  return {
    url: `sqlite:${dir}/store.db`,
    emptyUrl: `sqlite:${dir}/later/other.db`,
    createEmpty: () => Promise.resolve(),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

const MYSQL = await mysqlTestServer();

/** A fresh database on the test server. */
async function mysqlBackend(base: string): Promise<Backend> {
  const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  const name = `recsys_test_${suffix}`;
  const later = `recsys_test_${suffix}_later`;
  const admin = await mysql.createConnection({ uri: base, connectTimeout: 3000 });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  const url = (db: string) => {
    const u = new URL(base);
    u.pathname = "/" + db;
    return u.toString();
  };
  return {
    url: url(name),
    emptyUrl: url(later),
    createEmpty: async () => {
      await admin.query(`CREATE DATABASE ${later} CHARACTER SET utf8mb4`);
    },
    cleanup: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`DROP DATABASE IF EXISTS ${later}`);
      await admin.end();
    },
  };
}

/** Copies the fixture set into a temp dir, applying `edits` (file → new content). */
async function fixtureCopy(edits: Record<string, (text: string) => string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "store-fixture-" });
  for await (const e of Deno.readDir(FIXTURE)) {
    const text = await Deno.readTextFile(FIXTURE + e.name);
    await Deno.writeTextFile(`${dir}/${e.name}`, edits[e.name] ? edits[e.name](text) : text);
  }
  return dir;
}

const ids = (movies: { movieId: number }[]) => movies.map((m) => m.movieId);
const itemIds = (items: { movie: Movie }[]) => items.map((i) => i.movie.movieId);

/** Every read method with fixed arguments: equal snapshots mean equal stores. */
async function snapshot(store: Store): Promise<unknown> {
  const page = { sort: "rating" as const, order: "desc" as const, offset: 0, limit: 100 };
  return {
    counts: await store.counts(),
    rated: await Promise.all([1, 2, 3, 4].map((u) => store.ratedMovies(u, page))),
    recs: await Promise.all([1, 2, 3].map((u) => store.recommendations(u, 100))),
    seed: await Promise.all([1, 3].map((u) => store.recommendations(u, 100, "similar-users"))),
    neighbors: await Promise.all([1, 2, 3].map((u) => store.userNeighbors(u, 100))),
    movies: await Promise.all([1, 2, 3, 5, 7, 10].map((m) => store.movie(m))),
    similar: await Promise.all([1, 2, 5].map((m) => store.similarMovies(m, 100))),
    popular: await store.popularMovies(100),
    sample: await store.sampleUserIds(100),
    tmdb: [...(await store.tmdbGet([1, 2, 3, 5, 7, 10])).entries()],
  };
}

async function contract(t: Deno.TestContext, backend: Backend): Promise<void> {
  let store!: Store;

  await t.step("imports the fixture set, counting rows per table", async () => {
    const stats = await importStore({ db: backend.url, dir: FIXTURE, progress: false });
    assert.deepEqual(stats.tables, {
      movies: 6,
      links: 6,
      ratings_train: 13,
      user_topk_neighbors: 6,
      ratings_test: 3,
      item_topk_neighbors: 5,
      // No movie is liked by two of any user's similar users and unrated by the user
      // (see "serves the similar-users list …").
      user_item_predictions: 0,
      user_recommendations: 3,
      // The fixture run has no fold_in_state.bin.
      fold_in_state: 0,
      // Row counts, the users with a model list, the rating scale's 3 rows, movielens_ids,
      // fold_in_bytes, the stamp and schema_version.
      import_meta: 16,
    });
    store = await openStore(backend.url);
  });

  await t.step("counts rows as imported", async () => {
    assert.deepEqual(await store.counts(), {
      movies: 6,
      users: 4,
      ratingsTrain: 13,
      ratingsTest: 3,
      userNeighbors: 6,
      itemNeighbors: 5,
      predictions: 0,
      recommendations: 3,
      tmdbCached: 0,
    });
  });

  await t.step(
    "imports the fold-in state in chunks with the lists; a cut state file is refused",
    async () => {
      assert.equal(await store.foldInState(false), null);
      const dir = await fixtureCopy({});
      try {
        // 600 EASE columns: B alone is 1.44 MB, so the state spans two 1 MiB rows.
        const state = foldInTestState(600);
        const path = `${dir}/fold_in_state.bin`;
        await writeFoldInStateFile(path, state, { rankingModel: "ease", ratingModel: "bias" });
        const file = await Deno.readFile(path);
        const stats = await importStore({ db: backend.url, dir, progress: false });
        assert.equal(stats.tables.fold_in_state, 2);
        const bytes = await store.foldInState(true);
        assert.ok(bytes && bytes.buffer instanceof SharedArrayBuffer);
        assert.deepEqual(bytes, new Uint8Array(file));
        assert.deepEqual(
          Array.from(decodeFoldInState(bytes, "store").easeB),
          Array.from(state.easeB),
        );

        await Deno.writeFile(path, file.subarray(0, file.length - 100));
        await assert.rejects(
          () => importStore({ db: backend.url, dir, progress: false }),
          (err) => err instanceof FoldInStateError && /cut/.test(err.message),
        );
        assert.deepEqual(await store.foldInState(false), new Uint8Array(file));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
      // The fixture again, as the next steps expect: a run without a state empties the table.
      await importStore({ db: backend.url, dir: FIXTURE, progress: false });
      assert.equal(await store.foldInState(false), null);
    },
  );

  await t.step("knows which users exist", async () => {
    assert.equal(await store.userExists(1), true);
    assert.equal(await store.userExists(4), true);
    assert.equal(await store.userExists(5), false);
  });

  await t.step(
    "pages all of a user's rated movies, both splits, by rating, title or date",
    async () => {
      const q = (
        sort: "rating" | "title" | "date",
        order: "asc" | "desc",
        offset = 0,
        limit = 10,
      ) => store.ratedMovies(1, { sort, order, offset, limit });
      const byRating = await q("rating", "desc");
      assert.equal(byRating.total, 4);
      // (4 + 3.5 + 5 + 4) / 4 over both splits.
      assert.equal(byRating.meanRating, 4.125);
      // m5 @300 is user 1's test-split rating; equal ratings (m1, m5 at 4.0) by movieId.
      assert.deepEqual(
        byRating.items.map((r) => [r.movie.movieId, r.rating, r.timestamp]),
        [[3, 5, 150], [1, 4, 100], [5, 4, 300], [2, 3.5, 200]],
      );
      assert.deepEqual(itemIds((await q("title", "asc")).items), [3, 2, 1, 5]);
      assert.deepEqual(itemIds((await q("title", "desc")).items), [5, 1, 2, 3]);
      assert.deepEqual(itemIds((await q("date", "desc")).items), [5, 2, 3, 1]);
      const page = await q("rating", "asc", 1, 1);
      assert.deepEqual(itemIds(page.items), [1]);
      assert.equal(page.total, 4);
      assert.deepEqual(await q("date", "desc", 10, 10), {
        items: [],
        total: 4,
        meanRating: 4.125,
      });
      // Equal ratings (m5, m10 at 4.0) are ordered by movieId; m3 3.0 is from the test split.
      const u2 = await store.ratedMovies(2, {
        sort: "rating",
        order: "desc",
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(itemIds(u2.items), [1, 5, 10, 3, 2]);
      const none = await store.ratedMovies(99, {
        sort: "date",
        order: "asc",
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(none, { items: [], total: 0, meanRating: null });
    },
  );

  await t.step("serves the model list best first, with the rated movie behind each", async () => {
    const recs = await store.recommendations(1, 10);
    assert.equal(recs.source, "model");
    assert.deepEqual(
      recs.items.map((r) => [
        r.movie.movieId,
        r.score,
        r.prediction,
        r.because && [r.because.movie.title, r.because.rating],
        r.likedByNeighbors,
      ]),
      [
        [10, 0.912, 4.1, ['"Great" Escape (1963)', 5], null],
        // Because of a test-split rating: the model was refit on all ratings.
        [7, 0.4, 3.2, ["Zoë (2001)", 4], null],
      ],
    );
    assert.deepEqual(itemIds((await store.recommendations(1, 1)).items), [10]);
    // No per-item decomposition (popularity): no "because".
    const u2 = await store.recommendations(2, 10, "model");
    assert.deepEqual(u2.items.map((r) => [r.movie.movieId, r.because]), [[7, null]]);
  });

  await t.step(
    "serves the movies two similar users liked, never one the user rated or one liked once",
    async () => {
      // User 1's similar users 2, 3, 4 liked m5 together (2: 4.0, 3: 5.0), but user 1 rated
      // m5 in the test split; every other movie only one of them liked.
      assert.deepEqual(await store.recommendations(1, 10, "similar-users"), {
        source: "similar-users",
        items: [],
      });
      const dir = await fixtureCopy({
        "user_topk_neighbors.txt": (s) => s + "4\t1:0.200000,2:0.200000,3:0.200000\n",
      });
      try {
        await importStore({ db: backend.url, dir, progress: false });
        const recs = await store.recommendations(4, 10, "similar-users");
        assert.equal(recs.source, "similar-users");
        // 4 rated m2, m5 (training) and m1 (test). Liked by two: m1 (1, 2), m3 (1: 5.0, 3:
        // 4.0), m5 (2, 3); m10 by 2 alone. Only m3 remains.
        assert.deepEqual(
          recs.items.map((r) => [r.movie.movieId, r.likedByNeighbors, r.score, r.because]),
          [[3, 2, null, null]],
        );
        // The classic formula over the same neighbours, binary cosine 1/sqrt(2·3) (user 1)
        // and 1/sqrt(2·4) (user 3), who rated m3: μ4 + Σ s (r − μv) / Σ s.
        const [s1, s3] = [0.408248, 0.353553];
        const [mu4, mu1, mu3] = [(4 + 3.5) / 2, (4 + 3.5 + 5) / 3, (3 + 4 + 5 + 1) / 4];
        const expected = mu4 + (s1 * (5 - mu1) + s3 * (4 - mu3)) / (s1 + s3);
        assert.ok(Math.abs(recs.items[0].prediction - expected) < 1e-9);
        // The panel's rows are the list's neighbours: 2 (2/sqrt(2·4)) first.
        assert.deepEqual(await store.userNeighbors(4, 10), [
          { userId: 2, similarity: 0.707107, common: 2 },
          { userId: 1, similarity: 0.408248, common: 1 },
          { userId: 3, similarity: 0.353553, common: 1 },
        ]);
      } finally {
        await importStore({ db: backend.url, dir: FIXTURE, progress: false });
        await Deno.remove(dir, { recursive: true });
      }
    },
  );

  await t.step("falls back to the similar-users list when the model has none", async () => {
    assert.deepEqual((await store.recommendations(3, 10)).source, "similar-users");
    // 3's similar users 1 and 2 both liked only m1, which 3 rated.
    assert.deepEqual(itemIds((await store.recommendations(3, 10)).items), []);
    assert.deepEqual(await store.recommendations(3, 10, "model"), { source: "model", items: [] });
    assert.deepEqual(await store.recommendations(4, 10), { source: "similar-users", items: [] });
  });

  await t.step("lists a user's neighbors with the movies they have in common", async () => {
    // User 1 rated {1,2,3}; 2 rated {1,2,5,10}, 3 {1,3,5,7}, 4 {2,5} in training. The file's
    // candidates re-ranked by binary cosine common / sqrt(n_u · n_v), ties by id.
    assert.deepEqual(await store.userNeighbors(1, 10), [
      { userId: 2, similarity: 0.57735, common: 2 },
      { userId: 3, similarity: 0.57735, common: 2 },
      { userId: 4, similarity: 0.408248, common: 1 },
    ]);
    assert.deepEqual(await store.userNeighbors(3, 1), [
      { userId: 1, similarity: 0.57735, common: 2 },
    ]);
    assert.deepEqual(await store.userNeighbors(4, 10), []);
  });

  await t.step("returns a movie with its links, genres and year", async () => {
    assert.deepEqual(await store.movie(1), {
      movieId: 1,
      title: "Toy Story (1995)",
      genres: ["Adventure", "Animation", "Children"],
      year: 1995,
      imdbId: "0114709",
      tmdbId: 862,
    });
    assert.deepEqual(await store.movie(3), {
      movieId: 3,
      title: '"Great" Escape (1963)',
      genres: ["Action"],
      year: 1963,
      imdbId: "0057115",
      tmdbId: null,
    });
    assert.deepEqual(await store.movie(7), {
      movieId: 7,
      title: "Untitled",
      genres: [],
      year: null,
      imdbId: null,
      tmdbId: null,
    });
    assert.equal(await store.movie(4), null);
  });

  await t.step("round-trips unicode titles", async () => {
    assert.equal((await store.movie(5))?.title, "Zoë (2001)");
    assert.equal((await store.movie(2))?.title, "American President, The (1995)");
  });

  await t.step("lists similar movies in neighbor-file order", async () => {
    const similar = await store.similarMovies(5, 10);
    assert.deepEqual(similar.map((s) => [s.movie.movieId, s.similarity]), [[1, 0.7], [3, 0.1]]);
    assert.equal(similar[1].movie.title, '"Great" Escape (1963)');
    assert.deepEqual(
      (await store.similarMovies(1, 1)).map((s) => [s.movie.movieId, s.similarity]),
      [[2, 0.8]],
    );
    assert.deepEqual(await store.similarMovies(10, 10), []);
  });

  await t.step("lists popular movies by training ratings, ties by id", async () => {
    // Counts: m1 3, m2 3, m5 3, m3 2, m7 1, m10 1.
    assert.deepEqual(ids(await store.popularMovies(10)), [1, 2, 5, 3, 7, 10]);
    assert.deepEqual(ids(await store.popularMovies(2)), [1, 2]);
  });

  await t.step("samples users that have similar users", async () => {
    assert.deepEqual(await store.sampleUserIds(10), [1, 2, 3]);
    assert.deepEqual(await store.sampleUserIds(1), [1]);
  });

  await t.step("caches TMDB entries, including misses, and updates them", async () => {
    assert.equal((await store.tmdbGet([1, 3])).size, 0);
    await store.tmdbPut({
      movieId: 1,
      status: "ok",
      tmdbId: 862,
      posterPath: "/a.jpg",
      overview: "Jouets animés 🎬",
      fetchedAt: 1_700_000_000_123,
    });
    await store.tmdbPut({
      movieId: 3,
      status: "not_found",
      tmdbId: null,
      posterPath: null,
      overview: null,
      fetchedAt: 1_700_000_000_000,
    });
    const latest = {
      movieId: 1,
      status: "ok" as const,
      tmdbId: 862,
      posterPath: "/b.jpg",
      overview: "Jouets animés 🎬",
      fetchedAt: 1_700_000_000_456,
    };
    await store.tmdbPut(latest);
    const got = await store.tmdbGet([1, 3, 5]);
    assert.deepEqual([...got.keys()].sort(), [1, 3]);
    assert.deepEqual(got.get(1), latest);
    assert.equal(got.get(3)?.status, "not_found");
    assert.equal((await store.counts()).tmdbCached, 2);
    assert.equal((await store.tmdbGet([])).size, 0);
  });

  await t.step("resists SQL injection through every string parameter", async () => {
    const evilText = "'); DROP TABLE movies_tmdb; --\\";
    await store.tmdbPut({
      movieId: 10,
      status: "ok",
      tmdbId: 555,
      posterPath: evilText,
      overview: evilText,
      fetchedAt: 1,
    });
    assert.equal((await store.tmdbGet([10])).get(10)?.overview, evilText);
    const before = await snapshot(store);
    for (
      const evil of [
        "'; DROP TABLE movies; --",
        "' OR '1'='1",
        '" OR ""="',
        "\\'; DELETE FROM ratings_train; --",
        "x%' UNION SELECT 1,2,3,4,5,6 --",
      ]
    ) {
      // Session ids are the one string a request hands the store.
      assert.equal(await store.sessionRevoked(evil), false);
    }
    // Ids given as strings are rejected before any SQL runs.
    const asNumber = (s: string) => s as unknown as number;
    await assert.rejects(store.userExists(asNumber("1 OR 1=1")), StoreArgumentError);
    await assert.rejects(store.movie(asNumber("1; DROP TABLE movies")), StoreArgumentError);
    await assert.rejects(store.recommendations(asNumber("1"), 10), StoreArgumentError);
    await assert.rejects(
      store.recommendations(1, 10, "model'; --" as "model"),
      StoreArgumentError,
    );
    await assert.rejects(store.userNeighbors(1, asNumber("10; --")), StoreArgumentError);
    await assert.rejects(store.similarMovies(asNumber("5 --"), 10), StoreArgumentError);
    await assert.rejects(store.tmdbGet([asNumber("1) OR (1=1")]), StoreArgumentError);
    await assert.rejects(
      store.ratedMovies(1, {
        sort: "title; DROP TABLE movies" as "title",
        order: "asc",
        offset: 0,
        limit: 10,
      }),
      StoreArgumentError,
    );
    await assert.rejects(
      store.ratedMovies(1, { sort: "date", order: "asc; --" as "asc", offset: 0, limit: 10 }),
      StoreArgumentError,
    );
    await assert.rejects(
      store.tmdbPut({
        movieId: 7,
        status: "ok'; --" as "ok",
        tmdbId: null,
        posterPath: null,
        overview: null,
        fetchedAt: 1,
      }),
      StoreArgumentError,
    );
    assert.deepEqual(await snapshot(store), before);
  });

  await t.step(
    "importing the same files again gives the same store and keeps the TMDB cache",
    async () => {
      const before = await snapshot(store);
      await importStore({ db: backend.url, dir: FIXTURE, progress: false });
      assert.deepEqual(await snapshot(store), before);
      assert.equal((await store.tmdbGet([1])).get(1)?.posterPath, "/b.jpg");
    },
  );

  await t.step("a malformed line deep in the last file leaves the old data serving", async () => {
    const before = await snapshot(store);
    const dir = await fixtureCopy({
      "movies.csv": (s) => s.replace("Toy Story", "Changed Title"),
      "ratings_train.csv": (s) => s + "9,1,4.0,1\n",
      // The item neighbor file is read after most tables are loaded.
      "item_topk_neighbors.txt": (s) => s + "7\t1:0.100000\n8\tnot-an-entry\n",
    });
    try {
      await assert.rejects(
        importStore({ db: backend.url, dir, progress: false }),
        (err: unknown) =>
          err instanceof NeighborFormatError && err.line === 5 &&
          err.file === `${dir}/item_topk_neighbors.txt`,
      );
      assert.deepEqual(await snapshot(store), before);
      assert.equal((await store.movie(1))?.title, "Toy Story (1995)");
      assert.equal(await store.userExists(9), false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("a malformed ratings line or a missing file names the file", async () => {
    const before = await snapshot(store);
    const bad = await fixtureCopy({ "ratings_test.csv": (s) => s + "4,2,6.0,1\n" });
    const missing = await fixtureCopy({});
    await Deno.remove(`${missing}/item_topk_neighbors.txt`);
    try {
      await assert.rejects(
        importStore({ db: backend.url, dir: bad, progress: false }),
        (err: unknown) =>
          err instanceof RatingsFormatError && err.line === 4 &&
          err.file === `${bad}/ratings_test.csv`,
      );
      await assert.rejects(
        importStore({ db: backend.url, dir: missing, progress: false }),
        (err: unknown) =>
          err instanceof ImportInputError && err.file === `${missing}/item_topk_neighbors.txt`,
      );
      assert.deepEqual(await snapshot(store), before);
    } finally {
      await Deno.remove(bad, { recursive: true });
      await Deno.remove(missing, { recursive: true });
    }
  });

  await t.step("a new import replaces every table at once", async () => {
    const dir = await fixtureCopy({
      "ratings_train.csv": (s) => s.split("\n").filter((l) => !l.startsWith("4,")).join("\n"),
      "user_topk_neighbors.txt": (s) => s.replace(",4:-0.100000", ""),
    });
    try {
      await importStore({ db: backend.url, dir, progress: false });
      const counts = await store.counts();
      // User 4 is left with a test-split rating only: still counted.
      assert.equal(counts.users, 4);
      assert.equal(counts.ratingsTrain, 11);
      assert.equal(counts.userNeighbors, 5);
      // User 4 keeps a test-split rating (m1): still a user, with one rated movie.
      assert.equal(await store.userExists(4), true);
      assert.equal(
        (await store.ratedMovies(4, { sort: "date", order: "asc", offset: 0, limit: 10 })).total,
        1,
      );
      assert.deepEqual(await store.userNeighbors(1, 10), [
        { userId: 2, similarity: 0.57735, common: 2 },
        { userId: 3, similarity: 0.57735, common: 2 },
      ]);
      assert.equal(counts.tmdbCached, 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("an open store shows a new import's movies from its first query", async () => {
    const titles = async () => ({
      recs: (await store.recommendations(1, 10)).items.flatMap((r) => [
        r.movie.title,
        r.because?.movie.title ?? "",
      ]),
      rated: (await store.ratedMovies(1, { sort: "title", order: "asc", offset: 0, limit: 10 }))
        .items.map((r) => r.movie.title),
      similar: (await store.similarMovies(1, 10)).map((s) => s.movie.title),
    });
    const before = await titles();
    assert.ok(before.recs.includes("Zoë (2001)"));
    const dir = await fixtureCopy({
      "movies.csv": (s) =>
        s.replace("5,Zoë (2001)", "5,Zoë Returns (2001)")
          .replace('2,"American President, The (1995)"', '2,"Zzz, The (1995)"'),
    });
    try {
      await importStore({ db: backend.url, dir, progress: false });
      const after = await titles();
      assert.deepEqual(after.recs, before.recs.map((t) => t.replace("Zoë", "Zoë Returns")));
      // Sorted by the new title: "Zzz, The" moves to the end of user 1's ratings.
      assert.equal(after.rated.at(-1), "Zzz, The (1995)");
      assert.equal(after.rated.length, before.rated.length);
      assert.deepEqual(after.similar, ["Zzz, The (1995)", "Zoë Returns (2001)"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("counts each user's own similar users who liked a movie", async () => {
    const dir = await fixtureCopy({
      "user_topk_neighbors.txt": (s) =>
        s.replace("3\t1:0.500000,2:0.250000", "3\t1:0.500000,4:0.250000") +
        "4\t1:0.300000,3:0.200000\n",
    });
    // The classic list is not an input of the served one any more.
    await Deno.remove(`${dir}/user_based_recommendations.csv`);
    try {
      await importStore({ db: backend.url, dir, progress: false });
      const liked = async (u: number) =>
        (await store.recommendations(u, 10, "similar-users")).items.map((
          r,
        ) => [r.movie.movieId, r.likedByNeighbors]);
      // 3 → {1, 4}: 1 liked m1, m3; 4 liked m2: no movie twice.
      assert.deepEqual(await liked(3), []);
      // 4 → {1, 3}: m3 (1: 5.0, 3: 4.0); m1 by 1 alone, m5 by 3 alone (and 4 rated it).
      assert.deepEqual(await liked(4), [[3, 2]]);
      // 2 → {1}: one similar user can never list a movie.
      assert.deepEqual(await liked(2), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("refuses a serving line of a rated movie, naming file and line", async () => {
    await importStore({ db: backend.url, dir: FIXTURE, progress: false });
    const before = await snapshot(store);
    const refused = async (line: string, reason: RegExp) => {
      const dir = await fixtureCopy({ "serving_recommendations.csv": (s) => s + line + "\n" });
      try {
        await assert.rejects(
          importStore({ db: backend.url, dir, progress: false }),
          (err: unknown) => {
            assert.ok(err instanceof RecommendationsFormatError, String(err));
            assert.equal(err.file, `${dir}/serving_recommendations.csv`);
            assert.equal(err.line, 5);
            assert.match(err.reason, reason);
            return true;
          },
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    };
    // User 2 rated m3 in the test split, m5 in training.
    await refused("2,2,3,0.2,3.0,,", /movieId 3 is rated in .*ratings_test\.csv/);
    await refused("2,2,5,0.2,3.0,,", /movieId 5 is rated in .*ratings_train\.csv/);
    await refused("2,3,10,0.2,3.0,,", /rank 3 where 2 was expected/);
    await refused("2,1,7,0.2,3.0,,", /rank 1 where 2 was expected/);
    // User 3 did not rate m2, and rated m1 3.0, not 4.0.
    await refused("3,1,10,0.2,3.0,2,4.0", /becauseMovieId 2 is not a movie the user rated/);
    await refused("3,1,10,0.2,3.0,1,4.0", /becauseRating 4 but the user rated movieId 1 3/);
    await refused("3,1,x,0.2,3.0,,", /bad movieId/);
    assert.deepEqual(await snapshot(store), before);
  });

  await t.step("accepts a serving file in any line order, one user's movies once", async () => {
    const dir = await fixtureCopy({
      "serving_recommendations.csv": (s) => {
        const [head, ...lines] = s.trim().split("\n");
        return [head, ...lines.reverse(), "3,2,2,0.1,3.0,,", "3,1,10,0.2,3.0,7,1.0"].join("\n");
      },
    });
    try {
      await importStore({ db: backend.url, dir, progress: false });
      assert.deepEqual(itemIds((await store.recommendations(1, 10)).items), [10, 7]);
      const u3 = await store.recommendations(3, 10);
      assert.deepEqual(u3.items.map((r) => [r.movie.movieId, r.because?.movie.movieId]), [
        [10, 7],
        [2, undefined],
      ]);
      const twice = await fixtureCopy({
        "serving_recommendations.csv": (s) => s + "3,1,10,0.2,3.0,,\n3,2,10,0.1,3.0,,\n",
      });
      await assert.rejects(
        importStore({ db: backend.url, dir: twice, progress: false }),
        (err: unknown) =>
          err instanceof RecommendationsFormatError && err.line === 6 &&
          /movieId 10 listed twice/.test(err.reason),
      );
      await Deno.remove(twice, { recursive: true });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("a snapshot reads again when an import lands between its queries", async () => {
    const dir = await fixtureCopy({
      "user_topk_neighbors.txt": (s) => s.replace("1\t2:0.900000,", "1\t"),
    });
    try {
      let tries = 0;
      const page = await store.snapshot(async () => {
        tries++;
        const recs = await store.recommendations(1, 10, "similar-users");
        if (tries === 1) await importStore({ db: backend.url, dir, progress: false });
        const neighbors = await store.userNeighbors(1, 10);
        return { recs, neighbors };
      });
      assert.equal(tries, 2);
      assert.deepEqual(page.neighbors.map((n) => n.userId), [3, 4]);
      assert.equal(page.recs.source, "similar-users");
      // Restores the state the next steps expect.
      await importStore({ db: backend.url, dir: FIXTURE, progress: false });
      assert.equal(await store.snapshot(() => store.userExists(1)), true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step(
    "a run without serving_recommendations.csv serves the similar-users list",
    async () => {
      const dir = await fixtureCopy({ "ratings_test.csv": (s) => s + "9,1,4.0,1\n" });
      await Deno.remove(`${dir}/serving_recommendations.csv`);
      try {
        const stats = await importStore({ db: backend.url, dir, progress: false });
        assert.equal(stats.tables.user_recommendations, 0);
        assert.equal((await store.counts()).recommendations, 0);
        const recs = await store.recommendations(1, 10);
        assert.equal(recs.source, "similar-users");
        assert.deepEqual(itemIds(recs.items), []);
        // A user with test-split ratings only exists and lists them.
        assert.equal(await store.userExists(9), true);
        assert.equal((await store.counts()).users, 5);
        const rated = await store.ratedMovies(9, {
          sort: "date",
          order: "asc",
          offset: 0,
          limit: 5,
        });
        assert.deepEqual([itemIds(rated.items), rated.total], [[1], 1]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );

  await t.step(
    "an empty ratings_train.csv or movies.csv is refused; the store keeps serving",
    async () => {
      const before = await snapshot(store);
      // An empty ratings file is the reader's error (file: no ratings); a
      // catalogue with no movie is the import's guard.
      const empties: Array<[Record<string, (text: string) => string>, (err: unknown) => void]> = [
        [{ "ratings_train.csv": () => "" }, noRatings],
        [{ "ratings_train.csv": () => "userId,movieId,rating,timestamp\n" }, noRatings],
        [{ "movies.csv": () => "movieId,title,genres\n" }, (err) => {
          assert.ok(err instanceof ImportRefusedError, String(err));
          assert.match(err.message, /empty: .*movies\.csv has 0 movies, .* has \d+ ratings?/);
          assert.match(err.message, /--force/);
          assert.equal(err.found.movies, 0);
        }],
      ];
      for (const [edits, check] of empties) {
        const dir = await fixtureCopy(edits);
        try {
          await assert.rejects(importStore({ db: backend.url, dir, progress: false }), (err) => {
            check(err);
            return true;
          });
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      }
      assert.deepEqual(await snapshot(store), before);
    },
  );

  await t.step("an import dropping over half the served users needs --force", async () => {
    const before = await snapshot(store);
    const onlyUser1 = (s: string) => s.split("\n").filter((l) => l.startsWith("1,")).join("\n");
    const dir = await fixtureCopy({
      "ratings_train.csv": onlyUser1,
      "ratings_test.csv": onlyUser1,
      "serving_recommendations.csv": (s) =>
        s.split("\n").filter((l) => l.startsWith("1,") || l.startsWith("userId")).join("\n"),
    });
    try {
      await assert.rejects(
        importStore({ db: backend.url, dir, progress: false }),
        (err: unknown) => {
          assert.ok(err instanceof ImportRefusedError, String(err));
          assert.deepEqual(err.found, { movies: 6, ratings: 3, users: 1, servedUsers: 5 });
          assert.match(err.message, /1 user, the store serves 5 users: .* drop 80\.0 %/);
          return true;
        },
      );
      assert.deepEqual(await snapshot(store), before);
      await importStore({ db: backend.url, dir, progress: false, maxDrop: 0.8 });
      assert.equal((await store.counts()).users, 1);
      await importStore({ db: backend.url, dir: FIXTURE, progress: false });
      await importStore({ db: backend.url, dir, progress: false, force: true });
      assert.equal((await store.counts()).users, 1);
      await importStore({ db: backend.url, dir: FIXTURE, progress: false });
      assert.equal((await store.counts()).users, 4);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step(
    "an import dropping most served movies, neighbor rows or lists, or emptying a list file, " +
      "needs --force",
    async () => {
      const before = await snapshot(store);
      const header = (s: string) => s.split("\n")[0] + "\n";
      const cases: Array<[Record<string, (text: string) => string>, RegExp]> = [
        // One movie of six (and its link): the ratings of the others have no title.
        [
          { "movies.csv": (s) => s.split("\n").slice(0, 2).join("\n") + "\n" },
          /1 movie, the store serves 6 movies: .* drop 83\.3 % .*--max-drop/,
        ],
        [{ "user_topk_neighbors.txt": () => "" }, /user_topk_neighbors\.txt is empty/],
        [{ "item_topk_neighbors.txt": () => "" }, /item_topk_neighbors\.txt is empty/],
        [{ "serving_recommendations.csv": header }, /serving_recommendations\.csv is empty/],
        [
          { "item_topk_neighbors.txt": (s) => s.split("\n")[0] + "\n" },
          /item_topk_neighbors\.txt has 2 neighbor rows, the store serves 5 neighbor rows: .* 60\.0 %/,
        ],
      ];
      for (const [edits, message] of cases) {
        const dir = await fixtureCopy(edits);
        try {
          await assert.rejects(
            importStore({ db: backend.url, dir, progress: false }),
            (err: unknown) => {
              assert.ok(err instanceof ImportRefusedError, String(err));
              assert.match(err.message, message);
              assert.match(err.message, /--force/);
              return true;
            },
          );
          assert.deepEqual(await snapshot(store), before);
          await importStore({ db: backend.url, dir, progress: false, force: true });
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
        await importStore({ db: backend.url, dir: FIXTURE, progress: false });
      }
      assert.deepEqual(await snapshot(store), before);
    },
  );

  await t.step(
    "a second import while one runs is refused, naming the holder and its start",
    async () => {
      const first = openLoader(backend.url);
      const t0 = Date.now();
      await first.begin();
      try {
        await assert.rejects(
          importStore({ db: backend.url, dir: FIXTURE, progress: false }),
          (err: unknown) => {
            assert.ok(err instanceof ImportLockedError, String(err));
            assert.equal(err.holder?.pid, Deno.pid);
            assert.ok(err.holder!.startedAt >= t0 - 1000 && err.holder!.startedAt <= Date.now());
            assert.match(
              err.message,
              new RegExp(`pid ${Deno.pid} on .*since \\d{4}-\\d\\d-\\d\\dT`),
            );
            return true;
          },
        );
        // The refused import left the first one's staging tables alone.
        await first.load({ table: "links", length: 1, columns: [[1], ["0114709"], [862]] });
      } finally {
        await first.abort();
        await first.close();
      }
      await importStore({ db: backend.url, dir: FIXTURE, progress: false });
    },
  );

  await t.step("a killed import's lock is taken over by the next import", async () => {
    // Above any pid_max (2^22 on Linux): no process has it.
    const deadPid = 2_000_000_000;
    const target = parseStoreUrl(backend.url);
    if (target.kind === "sqlite") {
      // A real process holding the flock, killed with SIGKILL as an import would be.
      const holder = new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `const f = Deno.openSync(${JSON.stringify(target.path + ".import-lock")}, ` +
          "{ read: true, write: true, create: true });" +
          "if (!f.tryLockSync(true)) Deno.exit(3);" +
          "f.writeSync(new TextEncoder().encode(JSON.stringify({ pid: Deno.pid, " +
          "host: Deno.hostname(), startedAt: Date.now() })));" +
          "console.log('locked'); setTimeout(() => {}, 60000);",
        ],
        stdout: "piped",
      }).spawn();
      const reader = holder.stdout.getReader();
      const { value } = await reader.read();
      assert.equal(new TextDecoder().decode(value).trim(), "locked");
      await assert.rejects(
        importStore({ db: backend.url, dir: FIXTURE, progress: false }),
        ImportLockedError,
      );
      holder.kill("SIGKILL");
      await holder.status;
      reader.releaseLock();
      await holder.stdout.cancel();
    } else {
      // A session holding the lock for a process of this host that is gone; the server
      // releases it a moment later, as when it has rolled a killed import's session back.
      const conn = await mysql.createConnection({ uri: backend.url });
      await conn.query("SELECT GET_LOCK(?, 0)", [`recsys_import_${target.database}`]);
      await conn.query(
        "REPLACE INTO import_lock (id, connection_id, pid, host, started_at) " +
          "VALUES (1, CONNECTION_ID(), ?, ?, ?)",
        [deadPid, Deno.hostname(), Date.now() - 5000],
      );
      setTimeout(() => conn.destroy(), 1000);
    }
    const quiet = console.error;
    console.error = () => {};
    try {
      await importStore({ db: backend.url, dir: FIXTURE, progress: false });
    } finally {
      console.error = quiet;
    }
    assert.equal((await store.counts()).users, 4);
  });

  await t.step(
    "leftover staging tables of a killed import are dropped by the next one",
    async () => {
      const target = parseStoreUrl(backend.url);
      const tables = ["movies__stage_0badc0ffee", "links__old_0badc0ffee"];
      if (target.kind === "sqlite") {
        const db = new DatabaseSync(target.path);
        for (const name of tables) db.exec(`CREATE TABLE ${name} (a INTEGER)`);
        db.close();
      } else {
        const conn = await mysql.createConnection({ uri: backend.url });
        for (const name of tables) await conn.query(`CREATE TABLE ${name} (a INT)`);
        await conn.end();
      }
      await importStore({ db: backend.url, dir: FIXTURE, progress: false });
      let left: unknown[] = ["unset"];
      if (target.kind === "sqlite") {
        const db = new DatabaseSync(target.path);
        left = db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%0badc0ffee'").all();
        db.close();
      } else {
        const conn = await mysql.createConnection({ uri: backend.url });
        const [rows] = await conn.query(
          "SELECT table_name FROM information_schema.tables " +
            "WHERE table_schema = DATABASE() AND table_name LIKE '%0badc0ffee'",
        );
        left = rows as unknown[];
        await conn.end();
      }
      assert.deepEqual(left, []);
    },
  );

  await t.step("holds the catalogue with rating counts and means over both splits", async () => {
    const cat = await store.catalogue();
    // Movie 1: 4.0, 3.0, 4.5 in training and 5.0 in test.
    assert.deepEqual(cat.ratings.get(1), { count: 4, mean: (4 + 3 + 4.5 + 5) / 4 });
    // Movie 10: one 4.0.
    assert.deepEqual(cat.ratings.get(10), { count: 1, mean: 4 });
    assert.equal(cat.movies.get(1)?.movieId, 1);
    // The fixture's ratings run from 1.0 to 5.0 with half stars (3.5).
    assert.deepEqual(cat.scale, { min: 1, max: 5, step: 0.5 });
    assert.equal(await store.catalogue(), cat, "the same object until an import lands");
  });

  await t.step("keeps profiles and their ratings, across connections and imports", async () => {
    const a = "0123456789abcdef0123456789abcdef", b = "f".repeat(32);
    await store.createProfile({ profileId: a, client: "c1", createdAt: 1000, lastSeen: 1000 });
    await store.createProfile({ profileId: b, client: "c2", createdAt: 2000, lastSeen: 2000 });
    assert.deepEqual(await store.profile(a), {
      profileId: a,
      client: "c1",
      createdAt: 1000,
      lastSeen: 1000,
    });
    assert.equal(await store.profile("0".repeat(32)), null);
    await store.setProfileRating(a, 1, 4.5, 1001);
    await store.setProfileRating(a, 2, 3, 1002);
    await store.setProfileRating(a, 1, 2, 1003);
    await store.addProfileRatings(b, [
      { movieId: 5, rating: 5, timestamp: 7 },
      { movieId: 7, rating: 0.5, timestamp: 7 },
    ]);
    assert.deepEqual(await store.profileRatings(a), [
      { movieId: 1, rating: 2, timestamp: 1003 },
      { movieId: 2, rating: 3, timestamp: 1002 },
    ]);
    await importStore({ db: backend.url, dir: FIXTURE, progress: false });
    const other = await openStore(backend.url);
    try {
      await other.setProfileRating(a, 2, null, 1004);
      assert.deepEqual(await store.profileRatings(a), [{ movieId: 1, rating: 2, timestamp: 1003 }]);
      assert.deepEqual((await other.profileRatings(b)).map((r) => r.movieId), [5, 7]);
      assert.deepEqual(await other.profileCounts("c1", 1000), { total: 2, fromClient: 1 });
      assert.deepEqual(await other.profileCounts("c1", 1001), { total: 2, fromClient: 0 });
      await other.touchProfile(a, 5000);
      assert.equal((await store.profile(a))?.lastSeen, 5000);
      // b was last seen at 2000: idle since 3000 means gone, with its ratings.
      assert.equal(await other.expireProfiles(3000), 1);
      assert.equal(await store.profile(b), null);
      assert.deepEqual(await store.profileRatings(b), []);
      await store.deleteProfile(a);
      assert.equal(await other.profile(a), null);
      assert.deepEqual(await other.profileRatings(a), []);
    } finally {
      await other.close();
    }
  });

  await t.step("refuses a malformed profile id or rating before any query", async () => {
    const a = "a".repeat(32);
    await assert.rejects(store.profile("A".repeat(32)), StoreArgumentError);
    await assert.rejects(store.profile("x' OR '1'='1"), StoreArgumentError);
    await assert.rejects(store.setProfileRating(a, 1, 4.2, 1), StoreArgumentError);
    await assert.rejects(store.setProfileRating(a, 1, 0, 1), StoreArgumentError);
    await assert.rejects(store.setProfileRating(a, 1, 5.5, 1), StoreArgumentError);
  });

  await t.step("keeps revoked sessions across connections and imports", async () => {
    const later = Math.floor(Date.now() / 1000) + 3600;
    assert.equal(await store.sessionRevoked("s-one"), false);
    await store.revokeSession("s-one", later);
    await store.revokeSession("s-gone", 1);
    await importStore({ db: backend.url, dir: FIXTURE, progress: false });
    const other = await openStore(backend.url);
    try {
      assert.equal(await other.sessionRevoked("s-one"), true);
      assert.equal(await other.sessionRevoked("s-two"), false);
      await other.revokeSession("s-two", later);
      assert.equal(await store.sessionRevoked("s-two"), true);
      // Expired records are dropped: their cookies are refused by age anyway.
      assert.equal(await store.sessionRevoked("s-gone"), false);
      assert.equal(await store.sessionRevoked("x' OR '1'='1"), false);
    } finally {
      await other.close();
    }
  });

  await t.step("an unreachable store raises StoreUnavailableError and recovers", async () => {
    const later = await openStore(backend.emptyUrl);
    await assert.rejects(later.userExists(1), StoreUnavailableError);
    await assert.rejects(later.counts(), StoreUnavailableError);
    await backend.createEmpty();
    await importStore({ db: backend.emptyUrl, dir: FIXTURE, progress: false });
    assert.equal(await later.userExists(1), true);
    await later.close();
  });

  await store.close();
}

for (const kind of ["sqlite", "mysql"] as const) {
  const name = `store contract (${kind})`;
  Deno.test({
    name,
    ignore: kind === "mysql" && absent(name, "reason" in MYSQL ? MYSQL.reason : null),
    // mysql2 keeps sockets and timers the sanitizers would flag after close().
    sanitizeOps: false,
    sanitizeResources: false,
    async fn(t) {
      if (kind === "mysql" && "reason" in MYSQL) {
        throw new Error(`RECSYS_REQUIRE_SERVICES=1 but ${MYSQL.reason}`);
      }
      const backend = "url" in MYSQL && kind === "mysql"
        ? await mysqlBackend(MYSQL.url)
        : await sqliteBackend();
      try {
        await contract(t, backend);
      } finally {
        await backend.cleanup();
      }
    },
  });
}

Deno.test("SQLite store file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "store-file-" });
  const pragma = (path: string, name: string) => {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return Number((db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[name]);
    } finally {
      db.close();
    }
  };
  try {
    await t.step("a swap gives the old tables' pages back to the file system", async () => {
      const path = `${dir}/store.db`;
      await importStore({ db: `sqlite:${path}`, dir: FIXTURE, progress: false });
      const pages = pragma(path, "page_count");
      for (let i = 0; i < 3; i++) {
        await importStore({ db: `sqlite:${path}`, dir: FIXTURE, progress: false });
        assert.equal(pragma(path, "freelist_count"), 0);
        assert.equal(pragma(path, "page_count"), pages);
      }
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
        "store.db",
        "store.db-shm",
        "store.db-wal",
      ]);
    });

    await t.step("a file made without auto-vacuum is imported into, and says so", async () => {
      const path = `${dir}/old.db`;
      const db = new DatabaseSync(path);
      db.exec("PRAGMA auto_vacuum = NONE");
      db.exec("CREATE TABLE filler (x BLOB)");
      db.exec("INSERT INTO filler VALUES (zeroblob(1000000))");
      db.exec("DROP TABLE filler");
      db.close();
      const logged: string[] = [];
      const quiet = console.error;
      console.error = (...args: unknown[]) => logged.push(args.join(" "));
      try {
        await importStore({ db: `sqlite:${path}`, dir: FIXTURE, progress: false });
      } finally {
        console.error = quiet;
      }
      assert.equal(logged.length, 1);
      assert.match(logged[0], /created without auto-vacuum: its 1 MB of free pages/);
      const store = await openStore(`sqlite:${path}`);
      assert.equal((await store.counts()).users, 4);
      await store.close();
    });

    await t.step(
      "two connections both see a deleted file as unavailable within a second",
      async () => {
        const path = `${dir}/deleted.db`;
        await importStore({ db: `sqlite:${path}`, dir: FIXTURE, progress: false });
        const threads = [await openStore(`sqlite:${path}`), await openStore(`sqlite:${path}`)];
        try {
          for (const s of threads) assert.equal(await s.userExists(1), true);
          for (const f of [path, `${path}-wal`, `${path}-shm`]) {
            await Deno.remove(f).catch(() => {});
          }
          // The bound the serving threads promise (docs/ARCHITECTURE.md §6), not a timing measure.
          await new Promise((r) => setTimeout(r, 1000));
          for (const s of threads) {
            await assert.rejects(s.userExists(1), StoreUnavailableError);
            await assert.rejects(s.check(), StoreUnavailableError);
          }
        } finally {
          for (const s of threads) await s.close();
        }
      },
    );

    await t.step("a failed import into a new path leaves no file behind", async () => {
      const bad = await fixtureCopy({
        "item_topk_neighbors.txt": (s) => s + "8\tnot-an-entry\n",
      });
      try {
        await assert.rejects(
          importStore({ db: `sqlite:${dir}/fresh/new.db`, dir: bad, progress: false }),
          NeighborFormatError,
        );
        assert.deepEqual([...Deno.readDirSync(`${dir}/fresh`)], []);
      } finally {
        await Deno.remove(bad, { recursive: true });
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unreachable MySQL server raises StoreUnavailableError", {
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const store = await openStore("mysql://root:secret@127.0.0.1:1/test");
  await assert.rejects(store.userExists(1), (err: unknown) => {
    assert.ok(err instanceof StoreUnavailableError);
    assert.ok(!err.message.includes("secret"), "password masked");
    return true;
  });
  await store.close();
});

Deno.test("store URLs", async (t) => {
  await t.step("parses sqlite: and mysql:// URLs", () => {
    assert.deepEqual(parseStoreUrl("sqlite:data/recsys.db"), {
      kind: "sqlite",
      path: "data/recsys.db",
    });
    assert.deepEqual(parseStoreUrl("mysql://app:p%40ss@db.local/recsys"), {
      kind: "mysql",
      host: "db.local",
      port: 3306,
      user: "app",
      password: "p@ss",
      database: "recsys",
      maskedUrl: "mysql://app:***@db.local/recsys",
    });
  });

  await t.step("never shows the password in an error", () => {
    assert.throws(() => parseStoreUrl("mysql://u:hunter2@host:3306/"), (err: unknown) => {
      assert.ok(err instanceof StoreUrlError);
      assert.ok(!err.message.includes("hunter2"), err.message);
      return true;
    });
    assert.equal(maskStoreUrl("mysql://u:a@b/c@h/db"), "mysql://u:***@h/db");
    assert.throws(() => parseStoreUrl("postgres://x/y"), StoreUrlError);
  });
});
