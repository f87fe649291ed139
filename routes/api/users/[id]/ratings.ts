/**
 * `GET /api/users/:id/ratings?sort=date|rating|title&order=asc|desc&page=&pageSize=`:
 * one page of the user's training ratings, `{"userId", "total", "page",
 * "pageSize", "sort", "order", "ratings": [{movieId, title, year, genres,
 * posterUrl, overview, rating, timestamp}]}` (the dashboard island's data).
 */
import { type AppContext, parseUserIdParam } from "../../../_http.ts";
import { ratedPage, ratedParams, requireKnownUser } from "../../../_data.ts";

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const userId = parseUserIdParam(c.req.param("id"), "user id");
    const params = ratedParams((name) => c.req.query(name));
    await requireKnownUser(c.var.deps, userId);
    const { rows, ...page } = await ratedPage(c.var.deps, userId, params);
    return c.json({ userId, ...page, ratings: rows });
  },
};
