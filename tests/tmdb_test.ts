import assert from "node:assert/strict";
import {
  retryAfterSeconds,
  TmdbClient,
  type TmdbConfig,
  tmdbConfigFromEnv,
  TmdbMetadata,
  TmdbRequestError,
} from "../lib/tmdb.ts";
import { imdbTitleId, movieView } from "../lib/movie_metadata.ts";
import type { Movie, TmdbCache, TmdbEntry } from "../lib/store/store.ts";
import { prefetchTmdb } from "../tools/tmdb_prefetch.ts";

/** A fake TMDB: records requests, answers per path. */
function fakeTmdb() {
  const log: { path: string; apiKey: string | null; auth: string | null }[] = [];
  let attempts429 = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  let aborted = 0;
  // /3/movie/9xx lookups wait for this gate: a page's budget runs out before any can answer.
  let open: () => void = () => {};
  let gate = Promise.resolve();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    log.push({
      path: url.pathname +
        (url.searchParams.has("external_source")
          ? `?external_source=${url.searchParams.get("external_source")}`
          : ""),
      apiKey: url.searchParams.get("api_key"),
      auth: req.headers.get("authorization"),
    });
    const json = (body: unknown, status = 200, headers = {}) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json", ...headers },
      });
    switch (url.pathname) {
      case "/3/movie/862":
        return json({ id: 862, poster_path: "/toy.jpg", overview: "Woody and Buzz." });
      case "/3/movie/111":
        return json({ status_code: 34, status_message: "not found" }, 404);
      case "/3/find/tt0000042":
        return json({ movie_results: [{ id: 5, poster_path: "/found.jpg", overview: "Found." }] });
      case "/3/find/tt0000099":
        return json({ movie_results: [] });
      case "/3/movie/429":
        if (attempts429++ === 0) return json({}, 429, { "retry-after": "1" });
        return json({ id: 429, poster_path: null, overview: "" });
      case "/3/movie/500":
        return json({}, 500);
      case "/3/movie/777":
        // Never answers: waits until the client gives up.
        await new Promise((resolve) => req.signal.addEventListener("abort", resolve));
        aborted++;
        return json({});
      default:
        if (url.pathname.startsWith("/3/movie/9")) {
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          await gate;
          concurrent--;
          const id = Number(url.pathname.slice("/3/movie/".length));
          return json({ id, poster_path: `/p${id}.jpg`, overview: `Movie ${id}` });
        }
        return json({}, 404);
    }
  });
  const base = `http://127.0.0.1:${server.addr.port}/3`;
  return {
    server,
    base,
    log,
    get maxConcurrent() {
      return maxConcurrent;
    },
    /** Requests the client gave up on (the server saw them aborted). */
    get aborted() {
      return aborted;
    },
    /** Lets held /3/movie/9xx lookups answer; `close()` holds the next ones again. */
    openGate() {
      open();
    },
    closeGate() {
      gate = new Promise<void>((resolve) => open = resolve);
    },
    config(extra: Partial<TmdbConfig> = {}): TmdbConfig {
      return { apiBase: base, imageBase: "https://img.test/w185", apiKey: "k3y", ...extra };
    },
  };
}

const DAY_MS = 24 * 3600 * 1000;

/** A TMDB cache in memory (the store's `movies_tmdb` is tested in store_test.ts). */
function memoryCache(): TmdbCache & { tmdb: Map<number, TmdbEntry> } {
  const tmdb = new Map<number, TmdbEntry>();
  return {
    tmdb,
    tmdbGet: (ids) =>
      Promise.resolve(new Map(ids.filter((id) => tmdb.has(id)).map((id) => [id, tmdb.get(id)!]))),
    tmdbPut: (entry) => {
      tmdb.set(entry.movieId, { ...entry });
      return Promise.resolve();
    },
  };
}

const m = (movieId: number, tmdbId: number | null, imdbId: string | null): Movie => ({
  movieId,
  title: `Movie ${movieId} (2000)`,
  genres: ["Drama"],
  year: 2000,
  imdbId,
  tmdbId,
});

Deno.test("TMDB client", async (t) => {
  const fake = fakeTmdb();
  try {
    await t.step("a hit by tmdbId gives poster and overview, with the v3 key", async () => {
      const client = new TmdbClient(fake.config());
      const before = Date.now();
      const e = await client.lookup(m(1, 862, "0114709"));
      assert.equal(e.status, "ok");
      assert.equal(e.tmdbId, 862);
      assert.equal(e.posterPath, "/toy.jpg");
      assert.equal(e.overview, "Woody and Buzz.");
      assert.ok(e.fetchedAt >= before && e.fetchedAt <= Date.now(), "stamped when fetched");
      assert.deepEqual(fake.log.at(-1), { path: "/3/movie/862", apiKey: "k3y", auth: null });
    });

    await t.step("a v4 read token is sent as a bearer header", async () => {
      const client = new TmdbClient(fake.config({ apiKey: undefined, readToken: "tok" }));
      await client.lookup(m(1, 862, null));
      assert.deepEqual(fake.log.at(-1), { path: "/3/movie/862", apiKey: null, auth: "Bearer tok" });
    });

    await t.step("a miss by tmdbId falls back to /find with tt + 7 digits", async () => {
      const client = new TmdbClient(fake.config());
      const e = await client.lookup(m(2, 111, "42"));
      assert.deepEqual(fake.log.slice(-2).map((l) => l.path), [
        "/3/movie/111",
        "/3/find/tt0000042?external_source=imdb_id",
      ]);
      assert.equal(e.status, "ok");
      assert.equal(e.tmdbId, 5);
      assert.equal(e.posterPath, "/found.jpg");
    });

    await t.step("no tmdbId goes straight to /find; nothing found is not_found", async () => {
      const client = new TmdbClient(fake.config());
      const e = await client.lookup(m(3, null, "0000099"));
      assert.equal(fake.log.at(-1)!.path, "/3/find/tt0000099?external_source=imdb_id");
      assert.equal(e.status, "not_found");
      assert.equal(e.posterPath, null);
    });

    await t.step("429 is retried after Retry-After", async () => {
      const waits: number[] = [];
      const client = new TmdbClient(fake.config(), fetch, (ms) => {
        waits.push(ms);
        return Promise.resolve();
      });
      const e = await client.lookup(m(4, 429, null));
      assert.equal(e.status, "ok");
      assert.equal(e.overview, null, "an empty overview is stored as null");
      assert.deepEqual(waits, [1000], "one wait of Retry-After's 1 s");
      assert.equal(fake.log.filter((l) => l.path === "/3/movie/429").length, 2);
    });

    await t.step("5xx and timeouts throw TmdbRequestError", async () => {
      const client = new TmdbClient(fake.config({ timeoutMs: 150 }));
      await assert.rejects(
        client.lookup(m(5, 500, null)),
        (e) => e instanceof TmdbRequestError && e.status === 500 && e.path === "/movie/500",
      );
      const abortedBefore = fake.aborted;
      await assert.rejects(
        client.lookup(m(6, 777, null)),
        (e) => e instanceof TmdbRequestError && e.status === 0 && /timed out/.test(e.message),
      );
      // The server never answers: only the client's timeout ends the request.
      while (fake.aborted === abortedBefore) await new Promise((r) => setTimeout(r, 5));
      assert.equal(fake.aborted, abortedBefore + 1);
    });
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("TMDB metadata cache", async (t) => {
  const fake = fakeTmdb();
  const quiet = console.warn;
  console.warn = () => {};
  try {
    await t.step("cached entries are served from the store without asking TMDB", async () => {
      const store = memoryCache();
      store.tmdb.set(1, {
        movieId: 1,
        status: "ok",
        tmdbId: 862,
        posterPath: "/c.jpg",
        overview: "c",
        fetchedAt: Date.now() - 29 * DAY_MS,
      });
      const meta = new TmdbMetadata(store, new TmdbClient(fake.config()), "https://img.test/w185");
      const before = fake.log.length;
      const got = await meta.forMovies([m(1, 862, null)]);
      assert.equal(got.get(1)!.posterPath, "/c.jpg");
      assert.equal(
        movieView(m(1, 862, null), got.get(1), meta.imageBase, true).posterUrl,
        "https://img.test/w185/c.jpg",
      );
      assert.equal(meta.pending, 0);
      assert.equal(fake.log.length, before);
    });

    await t.step(
      "entries older than 30 days are shown, then refreshed in the background",
      async () => {
        const store = memoryCache();
        const old = Date.now() - 31 * DAY_MS;
        store.tmdb.set(1, {
          movieId: 1,
          status: "ok",
          tmdbId: 862,
          posterPath: "/old.jpg",
          overview: "old",
          fetchedAt: old,
        });
        store.tmdb.set(3, {
          movieId: 3,
          status: "not_found",
          tmdbId: null,
          posterPath: null,
          overview: null,
          fetchedAt: old,
        });
        const meta = new TmdbMetadata(
          store,
          new TmdbClient(fake.config()),
          "https://img.test/w185",
        );
        const got = await meta.forMovies([m(1, 862, null), m(3, null, "42")]);
        assert.equal(got.get(1)!.posterPath, "/old.jpg", "the page gets the cached entry");
        assert.equal(got.get(3)!.status, "not_found");
        await meta.idle();
        assert.equal(store.tmdb.get(1)!.posterPath, "/toy.jpg");
        assert.ok(store.tmdb.get(1)!.fetchedAt > old);
        assert.equal(store.tmdb.get(3)!.status, "ok", "a movie TMDB lacked is found later");
        assert.equal(store.tmdb.get(3)!.posterPath, "/found.jpg");
      },
    );

    await t.step("misses are fetched and stored, a 404 as not_found", async () => {
      const store = memoryCache();
      const meta = new TmdbMetadata(store, new TmdbClient(fake.config()), "https://img.test/w185");
      const got = await meta.forMovies([m(1, 862, null), m(3, null, "99"), m(8, 111, null)]);
      assert.equal(got.get(1)!.status, "ok");
      assert.equal(store.tmdb.get(1)!.posterPath, "/toy.jpg");
      assert.equal(store.tmdb.get(3)!.status, "not_found");
      assert.equal(store.tmdb.get(8)!.status, "not_found");
      const before = fake.log.length;
      await meta.forMovies([m(3, null, "99")]);
      assert.equal(fake.log.length, before, "a cached not_found is not asked again");
    });

    await t.step("TMDB errors are neither cached nor thrown", async () => {
      const store = memoryCache();
      const meta = new TmdbMetadata(store, new TmdbClient(fake.config()), "https://img.test/w185");
      const got = await meta.forMovies([m(5, 500, null)]);
      assert.equal(got.size, 0);
      assert.equal(store.tmdb.has(5), false);
    });

    await t.step("a page waits at most the budget; the rest lands in the store later", async () => {
      const store = memoryCache();
      const meta = new TmdbMetadata(store, new TmdbClient(fake.config()), "https://img.test/w185", {
        budgetMs: 50,
        concurrency: 2,
      });
      const movies = [901, 902, 903, 904, 905, 906].map((id) => m(id, id, null));
      fake.closeGate();
      // Every lookup is held until the page has returned: only the budget can end forMovies.
      const got = await meta.forMovies(movies);
      assert.equal(got.size, 0, "no lookup answered within the budget");
      assert.equal(meta.pending, 6, "all six are still queued or running");
      fake.openGate();
      await meta.idle();
      assert.deepEqual([...store.tmdb.keys()].sort(), [901, 902, 903, 904, 905, 906]);
      assert.equal(store.tmdb.get(904)!.posterPath, "/p904.jpg");
      assert.ok(fake.maxConcurrent <= 2, `max concurrent ${fake.maxConcurrent}`);
    });

    await t.step("without a client only the cache is used", async () => {
      const store = memoryCache();
      const meta = new TmdbMetadata(store, null, "https://img.test/w185");
      assert.equal((await meta.forMovies([m(1, 862, null)])).size, 0);
      assert.equal(meta.pending, 0);
    });
  } finally {
    console.warn = quiet;
    await fake.server.shutdown();
  }
});

Deno.test("TMDB helpers", async (t) => {
  await t.step("IMDb ids become tt plus 7 zero-padded digits", () => {
    assert.equal(imdbTitleId("114709"), "tt0114709");
    assert.equal(imdbTitleId("0114709"), "tt0114709");
    assert.equal(imdbTitleId(12345678), "tt12345678");
  });

  await t.step("Retry-After is read as seconds or as an HTTP date", () => {
    assert.equal(retryAfterSeconds("3"), 3);
    assert.equal(retryAfterSeconds(null), 1);
    assert.equal(
      retryAfterSeconds("Wed, 21 Oct 2015 07:28:10 GMT", Date.UTC(2015, 9, 21, 7, 28, 0)),
      10,
    );
  });

  await t.step("configuration comes from the environment; no key means no client", () => {
    const env = (vars: Record<string, string>) => ({ get: (k: string) => vars[k] });
    assert.equal(tmdbConfigFromEnv(env({})), null);
    assert.deepEqual(
      tmdbConfigFromEnv(env({ TMDB_READ_TOKEN: "t", TMDB_API_BASE: "http://x/3" })),
      {
        apiBase: "http://x/3",
        imageBase: "https://image.tmdb.org/t/p/w185",
        apiKey: undefined,
        readToken: "t",
      },
    );
  });
});

Deno.test("tmdb prefetch", async (t) => {
  const fake = fakeTmdb();
  try {
    await t.step("looks up the most-rated uncached movies first and stores them", async () => {
      const movies = [m(901, 901, null), m(902, 902, null), m(903, 903, null), m(1, 862, null)];
      // The store's order (most-rated first, store_test.ts): 903, 901, 902, 1.
      const byPopularity = [movies[2], movies[0], movies[1], movies[3]];
      const store = {
        ...memoryCache(),
        popularMovies: (limit: number) => Promise.resolve(byPopularity.slice(0, limit)),
      };
      store.tmdb.set(903, {
        movieId: 903,
        status: "ok",
        tmdbId: 903,
        posterPath: "/x.jpg",
        overview: null,
        fetchedAt: 1,
      });
      const before = fake.log.length;
      const s = await prefetchTmdb(store, new TmdbClient(fake.config()), {
        limit: 3,
        rate: 40,
        concurrency: 1,
        progress: false,
      });
      assert.deepEqual(
        {
          considered: s.considered,
          cached: s.cached,
          ok: s.ok,
          notFound: s.notFound,
          failed: s.failed,
        },
        { considered: 3, cached: 1, ok: 2, notFound: 0, failed: 0 },
      );
      assert.deepEqual(fake.log.slice(before).map((l) => l.path), ["/3/movie/901", "/3/movie/902"]);
      assert.equal(store.tmdb.get(902)!.posterPath, "/p902.jpg");
      assert.equal(store.tmdb.has(1), false, "beyond --limit");
    });
  } finally {
    await fake.server.shutdown();
  }
});
