/**
 * `GET /api/movies/:id/similar?limit=` (default 20, at most 100):
 * `{"movieId", "similar": [{movieId, title, year, genres, posterUrl, overview,
 * similarity}]}`, most similar first (item-item neighbors).
 */
import { type AppContext, NotFoundError, parseId, parseIntParam } from "../../../_http.ts";
import { movieAndSimilar, similarMovieViews } from "../../../_data.ts";

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const movieId = parseId(c.req.param("id"), "movie id");
    const limit = parseIntParam(c.req.query("limit"), "limit", 20, 1, 100);
    const [movie, similarMovies] = await movieAndSimilar(c.var.deps, movieId, limit);
    if (!movie) throw new NotFoundError("movie", movieId);
    const similar = await similarMovieViews(c.var.deps, similarMovies);
    return c.json({ movieId, similar });
  },
};
