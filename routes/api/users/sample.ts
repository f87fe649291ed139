/** `GET /api/users/sample?limit=`: example user ids for the login page's suggestions. */
import { type AppContext, parseIntParam } from "../../_http.ts";

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const limit = parseIntParam(c.req.query("limit"), "limit", 20, 1, 1000);
    const userIds = await c.var.deps.store.sampleUserIds(limit);
    c.header("Cache-Control", "public, max-age=300");
    return c.json({ userIds });
  },
};
