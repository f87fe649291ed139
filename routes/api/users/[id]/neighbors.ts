/**
 * `GET /api/users/:id/neighbors?limit=` (default 30, at most 200):
 * `{"userId", "neighbors": [{userId, similarity, common}]}`, most similar first.
 */
import { type AppContext, parseIntParam, parseUserIdParam } from "../../../_http.ts";
import { requireKnownUser } from "../../../_data.ts";

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const userId = parseUserIdParam(c.req.param("id"), "user id");
    const limit = parseIntParam(c.req.query("limit"), "limit", 30, 1, 200);
    await requireKnownUser(c.var.deps, userId);
    const neighbors = await c.var.deps.store.userNeighbors(userId, limit);
    return c.json({ userId, neighbors });
  },
};
