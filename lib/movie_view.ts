/**
 * Movies as the web app shows them: plain serialisable objects (the same
 * shape goes into pages, island props and the JSON API), the outbound links,
 * and the few formatting rules shared by server rendering and islands (so a
 * hydrated island renders exactly what the server sent).
 */
import type { Movie, TmdbEntry } from "./store/store.ts";
import { imdbTitleId } from "./tmdb.ts";

/** A movie with its TMDB poster and overview, when known. */
export interface MovieView {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
  /** Full poster URL, or null for the placeholder. */
  posterUrl: string | null;
  overview: string | null;
}

/** A movie and its TMDB entry (if any) as a {@link MovieView}. */
export function movieView(
  movie: Movie,
  entry: TmdbEntry | undefined,
  imageBase: string,
): MovieView {
  return {
    movieId: movie.movieId,
    title: movie.title,
    year: movie.year,
    genres: movie.genres,
    posterUrl: entry?.posterPath ? imageBase + entry.posterPath : null,
    overview: entry?.overview ?? null,
  };
}

export function movielensUrl(movieId: number): string {
  return `https://movielens.org/movies/${movieId}`;
}

/** IMDb title page; GroupLens ships the number, IMDb wants `tt` + 7 digits. */
export function imdbUrl(imdbId: string): string {
  return `https://www.imdb.com/title/${imdbTitleId(imdbId)}/`;
}

export function tmdbUrl(tmdbId: number): string {
  return `https://www.themoviedb.org/movie/${tmdbId}`;
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
