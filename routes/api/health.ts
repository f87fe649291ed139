/**
 * `GET /api/health`: 200 with the store's row counts when the store answers
 * what pages read ({@link Store.check}: a primary-key read of every served
 * table), else 503 with `Retry-After` and one log line. The answer is
 * computed at most once per {@link HEALTH_CACHE_MS} per store, so a poller
 * (or many) costs the store a few indexed reads a second at most.
 */
import { type Store, StoreUnavailableError } from "../../lib/store/store.ts";
import type { AppContext } from "../_http.ts";
import { RETRY_AFTER_SECONDS } from "../_http.ts";

/** How long one health answer is reused. */
export const HEALTH_CACHE_MS = 1000;

interface Health {
  at: number;
  status: 200 | 503;
  body: Record<string, unknown>;
}

const cached = new WeakMap<Store, Promise<Health>>();

async function probe(store: Store): Promise<Health> {
  const at = performance.now();
  try {
    await store.check();
    const counts = await store.counts();
    return { at, status: 200, body: { status: "ok", store: store.kind, counts } };
  } catch (err) {
    if (!(err instanceof StoreUnavailableError)) throw err;
    console.error(`store unavailable (health): ${err.message.split("\n")[0]}`);
    return {
      at,
      status: 503,
      body: { status: "unavailable", store: store.kind, error: err.message },
    };
  }
}

export const handler = {
  async GET(c: AppContext): Promise<Response> {
    const store = c.var.deps.store;
    c.header("Cache-Control", "no-store");
    let health = cached.get(store);
    if (!health || performance.now() - (await health).at >= HEALTH_CACHE_MS) {
      health = probe(store);
      cached.set(store, health);
      // A failure other than "unavailable" is not kept: the next request tries again.
      health.catch(() => cached.delete(store));
    }
    const { status, body } = await health;
    if (status === 503) c.header("Retry-After", String(RETRY_AFTER_SECONDS));
    return c.json(body, status);
  },
};
