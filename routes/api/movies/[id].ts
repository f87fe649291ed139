/**
 * `GET /api/movies/:id`: `{movieId, title, year, genres, imdbId, tmdbId,
 * posterUrl, overview, movielensUrl, links: {movielens, imdb, tmdb}}`; `movielens` is
 * null when the data's ids are not movielens.org's (ML-100k).
 */
import { imdbUrl, movieView, tmdbUrl } from "../../../lib/movie_metadata.ts";
import { type AppContext, NotFoundError, parseId } from "../../_http.ts";

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const deps = c.var.deps;
    const movieId = parseId(c.req.param("id"), "movie id");
    const movie = await deps.store.movie(movieId);
    if (!movie) throw new NotFoundError("movie", movieId);
    const [meta, movielensIds] = await Promise.all([
      deps.metadata.forMovies([movie]),
      deps.store.movielensIds(),
    ]);
    const entry = meta.get(movieId);
    const tmdbId = entry?.tmdbId ?? movie.tmdbId;
    const view = movieView(movie, entry, deps.metadata.imageBase, movielensIds);
    return c.json({
      ...view,
      imdbId: movie.imdbId,
      tmdbId,
      links: {
        movielens: view.movielensUrl,
        imdb: movie.imdbId ? imdbUrl(movie.imdbId) : null,
        tmdb: tmdbId !== null ? tmdbUrl(tmdbId) : null,
      },
    });
  },
};
