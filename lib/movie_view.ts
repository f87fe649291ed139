/**
 * Movies as the web app shows them, and the only module the browser bundle
 * takes from `lib/` (islands/ import it; it imports nothing, so the islands
 * bundle never reaches server code): the plain serialisable shapes that go
 * into pages, island props and the JSON API, the sort columns of the rated
 * table, and the formatting rules shared by server rendering and islands, so
 * a hydrated island renders exactly what the server sent. Every function is
 * pure and O(length of its input).
 *
 * @example
 * ```ts
 * import { displayTitle, formatStars } from "./movie_view.ts";
 * displayTitle("Heat (1995)"); // "Heat"
 * formatStars(4);              // "4.0"
 * ```
 */

/** A movie with its TMDB poster and overview, when known. */
export interface MovieView {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
  /** Full poster URL, or null for the placeholder. */
  posterUrl: string | null;
  overview: string | null;
  /** The movie on movielens.org; null when the data's ids are not movielens.org's (ML-100k). */
  movielensUrl: string | null;
}

/** The columns the rated-movies table sorts by, in the order `?sort=` lists them. */
export const RATED_SORTS = ["date", "rating", "title"] as const;

/** A column of the rated-movies table (also the store's sort key). */
export type RatedSort = typeof RATED_SORTS[number];

/** A sort direction. */
export type SortOrder = "asc" | "desc";

/** One row of the rated-movies table: the movie and the user's rating of it. */
export interface RatedRow extends MovieView {
  /** Stars, 0.5–5. */
  rating: number;
  /** Unix seconds. */
  timestamp: number;
}

/**
 * The movie's movielens.org page, or null when `movielensIds` is false: only
 * the csv and dat releases number movies as movielens.org does (ML-100k's
 * u.item does not: its 50, Star Wars, is movielens.org's The Usual Suspects).
 */
export function movielensUrl(movieId: number, movielensIds: boolean): string | null {
  return movielensIds ? `https://movielens.org/movies/${movieId}` : null;
}

/** The title without its trailing " (YYYY)", which pages show separately. */
export function displayTitle(title: string): string {
  return title.replace(/\s*\(\d{4}\)\s*$/, "");
}

/** "(no genres listed)" is MovieLens' way of saying none. */
export function genreList(genres: readonly string[]): string {
  const real = genres.filter((g) => g !== "(no genres listed)");
  return real.length ? real.join(", ") : "No genres listed";
}

/** Unix seconds as `YYYY-MM-DD` in UTC (the same on server and client). */
export function formatDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

/** Stars with one decimal place when needed: 4 → "4.0", 3.5 → "3.5". */
export function formatStars(stars: number): string {
  return stars.toFixed(1);
}
