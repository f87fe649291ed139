/**
 * `tmdb prefetch`: fills the store's TMDB cache (`movies_tmdb`) ahead of
 * time, most-rated movies first, so pages show posters from the first view.
 * Movies already cached (hit or not_found) are skipped. Requests start at
 * most `--rate` per second with a few in flight (TMDB allows about 50/s;
 * the default stays well below), 429s wait for `Retry-After` (lib/tmdb.ts).
 * A failed lookup (timeout, 5xx) is counted, not cached, and retried by the
 * next run or page view.
 */
import { defineCommand, UsageError } from "../lib/command.ts";
import { Progress } from "../lib/progress.ts";
import { maskStoreUrl, openStore } from "../lib/store/open.ts";
import type { Movie, ServingStore, TmdbCache } from "../lib/store/store.ts";
import { DEFAULT_STORE_URL, STORE_URL_ENV, storeUrl } from "../lib/run_dir.ts";
import { TmdbClient, tmdbConfigFromEnv } from "../lib/tmdb.ts";

export interface PrefetchOptions {
  /** Most-rated movies considered. @default 1000 */
  limit?: number;
  /** Requests started per second, at most. Changes speed only. @default 10 */
  rate?: number;
  /** Lookups in flight at once. Changes speed only. @default 4 */
  concurrency?: number;
  /** Progress bar on stderr. @default whether stderr is a terminal */
  progress?: boolean;
}

export interface PrefetchStats {
  /** Movies considered (the `limit` most rated, or fewer in a small store). */
  considered: number;
  /** Already cached, skipped. */
  cached: number;
  ok: number;
  notFound: number;
  failed: number;
  seconds: number;
}

const CHUNK = 500;

/** Looks up the uncached among the `limit` most-rated movies and stores the results. */
export async function prefetchTmdb(
  store: Pick<ServingStore, "popularMovies"> & TmdbCache,
  client: TmdbClient,
  options: PrefetchOptions = {},
): Promise<PrefetchStats> {
  const t0 = performance.now();
  const rate = options.rate ?? 10;
  const movies = await store.popularMovies(options.limit ?? 1000);
  const todo: Movie[] = [];
  for (let i = 0; i < movies.length; i += CHUNK) {
    const chunk = movies.slice(i, i + CHUNK);
    const have = await store.tmdbGet(chunk.map((m) => m.movieId));
    for (const m of chunk) if (!have.has(m.movieId)) todo.push(m);
  }
  const stats: PrefetchStats = {
    considered: movies.length,
    cached: movies.length - todo.length,
    ok: 0,
    notFound: 0,
    failed: 0,
    seconds: 0,
  };
  const progress = new Progress("tmdb prefetch", todo.length, {
    unit: "movies",
    enabled: options.progress,
  });
  let next = 0;
  let nextStart = performance.now();
  const worker = async () => {
    while (next < todo.length) {
      const movie = todo[next++];
      // Pacing: each request gets its own start slot 1/rate s after the previous one.
      const wait = nextStart - performance.now();
      nextStart = Math.max(nextStart, performance.now()) + 1000 / rate;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      try {
        const entry = await client.lookup(movie);
        await store.tmdbPut(entry);
        if (entry.status === "ok") stats.ok++;
        else stats.notFound++;
      } catch (err) {
        if (stats.failed++ === 0) {
          console.warn(
            `tmdb: ${err instanceof Error ? err.message : err} (counting further failures)`,
          );
        }
      }
      progress.add(1);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  progress.finish();
  stats.seconds = (performance.now() - t0) / 1000;
  return stats;
}

const prefetchCommand = defineCommand({
  name: "prefetch",
  summary: "cache TMDB posters and overviews for the most-rated movies",
  flags: {
    db: {
      type: "string",
      arg: "<url>",
      doc: `store URL (default: $${STORE_URL_ENV}, else ${DEFAULT_STORE_URL})`,
    },
    limit: { type: "integer", default: 1000, min: 1, doc: "most-rated movies to cover" },
    rate: { type: "number", default: 10, above: 0, max: 40, doc: "requests started per second" },
  },
  details: "Needs TMDB_API_KEY (v3) or TMDB_READ_TOKEN (v4); TMDB_API_BASE overrides the API URL.",
  async run(f) {
    const config = tmdbConfigFromEnv();
    if (!config) {
      throw new UsageError("tmdb prefetch: set TMDB_API_KEY or TMDB_READ_TOKEN", "TMDB_API_KEY");
    }
    const db = storeUrl(f.db, DEFAULT_STORE_URL)!;
    const store = await openStore(db);
    try {
      const s = await prefetchTmdb(store, new TmdbClient(config), { limit: f.limit, rate: f.rate });
      console.log(
        `tmdb prefetch ${maskStoreUrl(db)}: ${s.considered} movies, ${s.cached} already cached, ` +
          `${s.ok} found, ${s.notFound} not found, ${s.failed} failed in ${s.seconds.toFixed(1)}s`,
      );
    } finally {
      await store.close();
    }
  },
});

export const tmdbCommand = defineCommand({
  name: "tmdb",
  summary: "TMDB metadata cache (subcommand: prefetch)",
  subcommands: [prefetchCommand],
  flags: {},
  run() {
    throw new UsageError("tmdb: name a subcommand: prefetch (see tmdb --help)");
  },
});
