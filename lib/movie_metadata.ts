/**
 * What the web shows of a movie beyond the store's catalogue: a poster and an
 * overview from TMDB. Routes depend on {@link MovieMetadataSource}, the two
 * things they ask of it; lib/tmdb.ts's `TmdbMetadata` (store cache in front
 * of the TMDB API) implements it. {@link movieView} joins a movie and its
 * entry into the {@link MovieView} pages and the API send, and the IMDb and
 * TMDB links are made from the ids here. All functions are pure and O(1).
 *
 * @example
 * ```ts
 * import { imdbUrl, movieView } from "./movie_metadata.ts";
 * imdbUrl("114709"); // "https://www.imdb.com/title/tt0114709/"
 * ```
 */
import type { Movie, TmdbEntry } from "./store/store.ts";
import { movielensUrl, type MovieView } from "./movie_view.ts";

/** Posters and overviews for the movies of a page. */
export interface MovieMetadataSource {
  /** Poster URL prefix: a poster is `imageBase + posterPath`. */
  readonly imageBase: string;
  /**
   * The entries known for `movies` (by movieId; a movie may have none), within
   * the source's time budget. Store errors propagate; lookup failures do not.
   */
  forMovies(movies: readonly Movie[]): Promise<Map<number, TmdbEntry>>;
}

/** A movie and its TMDB entry (if any) as a {@link MovieView}. */
export function movieView(
  movie: Movie,
  entry: TmdbEntry | undefined,
  imageBase: string,
  movielensIds: boolean,
): MovieView {
  return {
    movieId: movie.movieId,
    title: movie.title,
    year: movie.year,
    genres: movie.genres,
    posterUrl: entry?.posterPath ? imageBase + entry.posterPath : null,
    overview: entry?.overview ?? null,
    movielensUrl: movielensUrl(movie.movieId, movielensIds),
  };
}

/** `tt` + the IMDb number zero-padded to 7 digits, as IMDb and TMDB's /find spell it. */
export function imdbTitleId(imdbId: string | number): string {
  return "tt" + String(Number(imdbId)).padStart(7, "0");
}

/** IMDb title page; GroupLens ships the number, IMDb wants `tt` + 7 digits. */
export function imdbUrl(imdbId: string): string {
  return `https://www.imdb.com/title/${imdbTitleId(imdbId)}/`;
}

export function tmdbUrl(tmdbId: number): string {
  return `https://www.themoviedb.org/movie/${tmdbId}`;
}
