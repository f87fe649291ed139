/** Title search over the catalogue this thread holds (routes/_profiles.ts keeps its index). */
import type { Movie } from "../lib/store/store.ts";
import type { AppDeps } from "./_http.ts";
import { searchIndexOf } from "./_profiles.ts";

export interface SearchResult {
  movie: Movie;
  ratingCount: number;
}

/** The best `limit` titles for `query`, best first ([] for an empty or one-letter query). */
export async function searchMovies(
  deps: AppDeps,
  query: string,
  limit: number,
): Promise<SearchResult[]> {
  const catalogue = await deps.store.catalogue();
  return searchIndexOf(catalogue).search(query, limit).map((h) => ({
    movie: catalogue.movies.get(h.movieId)!,
    ratingCount: h.ratings,
  }));
}
