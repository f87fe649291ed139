/**
 * `GET /api/movies/:id`: `{movieId, title, year, genres, imdbId, tmdbId,
 * posterUrl, overview, links: {movielens, imdb, tmdb}}`.
 */
import { movielensUrl } from "../../../lib/movie_view.ts";
import { imdbUrl, movieView, tmdbUrl } from "../../../lib/movie_metadata.ts";
import { type AppContext, NotFoundError, parseId } from "../../_http.ts";

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const deps = c.var.deps;
    const movieId = parseId(c.req.param("id"), "movie id");
    const movie = await deps.store.movie(movieId);
    if (!movie) throw new NotFoundError("movie", movieId);
    const entry = (await deps.metadata.forMovies([movie])).get(movieId);
    const tmdbId = entry?.tmdbId ?? movie.tmdbId;
    return c.json({
      ...movieView(movie, entry, deps.metadata.imageBase),
      imdbId: movie.imdbId,
      tmdbId,
      links: {
        movielens: movielensUrl(movieId),
        imdb: movie.imdbId ? imdbUrl(movie.imdbId) : null,
        tmdb: tmdbId !== null ? tmdbUrl(tmdbId) : null,
      },
    });
  },
};
