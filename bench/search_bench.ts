/**
 * Bench entry `search`: the web app's title search (lib/movie_search.ts) as a
 * serving thread runs it: the index built from the context's `movies.csv`
 * with each movie's rating count from the split (both files), then a fixed
 * set of queries answered as `GET /api/movies/search` does (the best 20,
 * their display titles), each timed on its own. Queries, from 1,000 titles
 * drawn with a fixed seed: the whole title, its first word, that word's
 * first two letters (the widest prefixes), the first word and two letters
 * of the second, "the" before a title stored with its article behind, and
 * an accented word typed without accents. Target: p99 ≤ 20 ms at scale 1
 * (87,585 titles).
 */
import { readMovieList } from "../lib/movielens_dir.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { MovieSearchIndex } from "../lib/movie_search.ts";
import { naturalTitle } from "../lib/movie_view.ts";
import { hash3 } from "../lib/hash.ts";
import type { BenchContext, BenchEntry, BenchMeasure } from "./context.ts";

const TITLES = 1000, LIMIT = 20;

/** The query forms of one title (stored form, e.g. "Big Winter, The (1933)"). */
function queriesOf(title: string): string[] {
  const bare = title.replace(/\s*\(\d{4}\)$/, "");
  const words = bare.replace(/[^\p{L}\p{N} ]/gu, " ").split(/\s+/).filter(Boolean);
  const out = [bare, words[0], words[0].slice(0, 2)];
  if (words.length > 1) out.push(`${words[0]} ${words[1].slice(0, 2)}`);
  const article = /^(.*), The$/.exec(bare);
  if (article) out.push(`the ${article[1]}`);
  const plain = bare.normalize("NFD").replace(/\p{M}/gu, "");
  if (plain !== bare) out.push(plain.toLowerCase());
  return out;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function runSearch(ctx: BenchContext): Promise<BenchMeasure> {
  const movies = await readMovieList(`${ctx.dir}/movies.csv`);
  const counts = new Map<number, number>();
  for (const file of [ctx.files.train, ctx.files.test]) {
    const { table } = await readRatingsTable(file);
    for (let i = 0; i < table.length; i++) {
      counts.set(table.movies[i], (counts.get(table.movies[i]) ?? 0) + 1);
    }
  }
  return measureSearch(movies, counts);
}

/** The entry's measurement over any titles and rating counts. */
export function measureSearch(
  movies: readonly { movieId: number; title: string }[],
  counts: ReadonlyMap<number, number>,
): BenchMeasure {
  const t0 = performance.now();
  const index = new MovieSearchIndex(
    movies.map((m) => ({
      movieId: m.movieId,
      title: m.title,
      ratings: counts.get(m.movieId) ?? 0,
    })),
  );
  const buildMs = performance.now() - t0;
  const titleOf = new Map(movies.map((m) => [m.movieId, m.title]));
  const queries: string[] = [];
  for (let i = 0; i < TITLES; i++) {
    queries.push(...queriesOf(movies[hash3(11, i, 0) % movies.length].title));
  }
  // One pass to warm the JIT, then each query timed alone.
  for (const q of queries) index.search(q, LIMIT);
  const times: number[] = [];
  let hits = 0;
  const t1 = performance.now();
  for (const q of queries) {
    const s = performance.now();
    const items = index.search(q, LIMIT).map((h) => ({
      movieId: h.movieId,
      title: naturalTitle(titleOf.get(h.movieId)!),
      ratingCount: h.ratings,
    }));
    times.push(performance.now() - s);
    hits += items.length;
  }
  const seconds = (performance.now() - t1) / 1000;
  times.sort((a, b) => a - b);
  return {
    seconds,
    work: queries.length,
    unit: "queries",
    extra: {
      titles: movies.length,
      buildMs: Math.round(buildMs),
      p50Ms: Number(percentile(times, 0.5).toFixed(3)),
      p99Ms: Number(percentile(times, 0.99).toFixed(3)),
      maxMs: Number(times.at(-1)!.toFixed(3)),
      hitsPerQuery: Number((hits / queries.length).toFixed(1)),
    },
  };
}

export const searchEntry: BenchEntry = {
  name: "search",
  description: "title search index: build from movies.csv, then per-query latency (p99 ≤ 20 ms)",
  run: runSearch,
};
