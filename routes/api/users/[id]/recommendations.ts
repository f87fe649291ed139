/**
 * `GET /api/users/:id/recommendations?limit=` (default 30, at most 100):
 * `{"userId", "recommendations": [{movieId, title, year, genres, prediction,
 * likedByNeighbors, posterUrl, overview}]}`, best first.
 */
import { type AppContext, parseId, parseIntParam } from "../../../_http.ts";
import { recommendationViews, requireKnownUser } from "../../../_data.ts";

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const userId = parseId(c.req.param("id"), "user id");
    const limit = parseIntParam(c.req.query("limit"), "limit", 30, 1, 100);
    const recommendations = await recommendationViews(c.var.deps, userId, limit);
    // Recommendations are only made for users in the training set, so only an empty
    // list needs the existence check (one query less per request).
    if (recommendations.length === 0) await requireKnownUser(c.var.deps, userId);
    return c.json({ userId, recommendations });
  },
};
