/**
 * `GET /api/movies/search?q=…&limit=…`: title search (lib/movie_search.ts),
 * `limit` 1–50 (default 20; anything else is a 400). An empty or one-letter
 * query answers an empty list. Each hit: `movieId`, `title` (display title in
 * natural order, with its year), `year`, `genres`, `ratingCount`.
 */
import { naturalTitle } from "../../../lib/movie_view.ts";
import { type AppContext, BadRequestError, parseIntParam } from "../../_http.ts";
import { searchMovies } from "../../_search.ts";

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const q = c.req.query("q") ?? "";
    const limit = parseIntParam(c.req.query("limit"), "limit", 20, 1, 50);
    if (q.length > 200) throw new BadRequestError("q", "q must be at most 200 characters");
    const hits = await searchMovies(c.var.deps, q, limit);
    return c.json({
      query: q,
      items: hits.map(({ movie, ratingCount }) => ({
        movieId: movie.movieId,
        title: naturalTitle(movie.title),
        year: movie.year,
        genres: movie.genres,
        ratingCount,
      })),
    });
  },
};
