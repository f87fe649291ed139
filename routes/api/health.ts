/** `GET /api/health`: 200 with the store's row counts, or 503 when it cannot be reached. */
import { StoreUnavailableError } from "../../lib/store/store.ts";
import type { AppContext } from "../_http.ts";

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const store = c.var.deps.store;
    c.header("Cache-Control", "no-store");
    try {
      const counts = await store.counts();
      return c.json({ status: "ok", store: store.kind, counts });
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      return c.json({ status: "unavailable", store: store.kind, error: err.message }, 503);
    }
  },
};
