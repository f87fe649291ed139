/**
 * `GET /api/users/:id/recommendations?source=model|similar-users&limit=`
 * (limit: default 30, at most 100): `{"userId", "source", "recommendations":
 * [{movieId, title, year, genres, prediction, score, because, likedByNeighbors,
 * reason, posterUrl, overview}]}`, best first. `source=model` (the default)
 * is the ranking model's list, with `score` and `because` (`{movieId, title,
 * rating}` of the rated movie that contributed most, or null); without
 * `source`, a user the model has no list for gets the similar-users list, and
 * `source` in the answer says which was served. `similar-users` is the classic
 * user–user list, with `likedByNeighbors`.
 */
import { type AppContext, parseIntParam, parseUserIdParam } from "../../../_http.ts";
import { recommendationSource, recommendationViews, requireKnownUser } from "../../../_data.ts";

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const userId = parseUserIdParam(c.req.param("id"), "user id");
    const limit = parseIntParam(c.req.query("limit"), "limit", 30, 1, 100);
    const source = recommendationSource(c.req.query("source"), "source");
    const list = await recommendationViews(c.var.deps, userId, limit, source);
    // Recommendations are only made for users with ratings, so only an empty
    // list needs the existence check (one query less per request).
    if (list.items.length === 0) await requireKnownUser(c.var.deps, userId);
    return c.json({ userId, source: list.source, recommendations: list.items });
  },
};
