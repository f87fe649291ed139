/**
 * A per-client rate limit as one middleware factory: at most `limit`
 * requests per client per fixed window of `windowMs`; the next one throws
 * {@link TooManyRequestsError}, which the app's `onError` answers with 429,
 * `Retry-After` (the seconds left in that client's window) and a message
 * saying when to retry. Requests refused do not count, so a client that
 * keeps trying waits no longer than its window.
 *
 * State is in memory, per limiter and per serving thread: with `--threads N`
 * the kernel spreads a client's connections over the threads, so a client
 * gets at most N × `limit` per window. Memory is bounded by `maxClients`
 * windows; beyond it the oldest window is forgotten first (a forgotten
 * client starts a new window: the bound on the map wins over exactness).
 * Cost per request: one Map lookup.
 *
 * The client is the TCP peer address by default (`c.env.remoteAddr` as
 * `Deno.serve` passes it): behind a reverse proxy every client shares the
 * proxy's address, so the limit then applies to all of them together.
 *
 * Used for the login and logout forms (routes/app.ts); reuse it for any
 * route that writes per anonymous request (one limiter per group of routes
 * that should share an allowance).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { rateLimit } from "./_rate_limit.ts";
 * const app = new Hono();
 * app.post("/profiles", rateLimit({ name: "profile", limit: 5, windowMs: 60_000 }), (c) =>
 *   c.text("created"));
 * ```
 */
import type { Context, MiddlewareHandler } from "hono";
import { TooManyRequestsError } from "./_http.ts";

export interface RateLimitOptions {
  /**
   * What is limited, in the 429 message ("Too many login requests …").
   * @default "these"
   */
  name?: string;
  /** Requests allowed per client per window. @default 20 */
  limit?: number;
  /** Window length, ms. @default 60_000 */
  windowMs?: number;
  /**
   * Windows kept at most (distinct clients seen within a window); the oldest
   * goes first beyond it. @default 10_000
   */
  maxClients?: number;
  /**
   * The client a request counts for.
   * @default the peer address (`c.env.remoteAddr.hostname`), else "unknown"
   */
  // deno-lint-ignore no-explicit-any
  key?: (c: Context<any>) => string;
  /** The clock, ms (tests pass a fake one). @default Date.now */
  now?: () => number;
}

interface Window {
  start: number;
  count: number;
}

/** The peer address `Deno.serve` hands to `app.fetch` as the env. */
// deno-lint-ignore no-explicit-any
function peerAddress(c: Context<any>): string {
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return env?.remoteAddr?.hostname ?? "unknown";
}

/** A rate limit per client; see the module doc. */
export function rateLimit({
  name = "these",
  limit = 20,
  windowMs = 60_000,
  maxClients = 10_000,
  key = peerAddress,
  now = Date.now,
}: RateLimitOptions = {}): MiddlewareHandler {
  // Insertion order is window-start order: a window is re-inserted when it restarts.
  const windows = new Map<string, Window>();
  const limitPerClient: MiddlewareHandler = async (c, next) => {
    const client = key(c);
    const t = now();
    let w = windows.get(client);
    if (w && t - w.start >= windowMs) {
      windows.delete(client);
      w = undefined;
    }
    if (!w) {
      while (windows.size >= maxClients) windows.delete(windows.keys().next().value!);
      w = { start: t, count: 0 };
      windows.set(client, w);
    }
    if (w.count >= limit) {
      throw new TooManyRequestsError(name, Math.max(1, Math.ceil((w.start + windowMs - t) / 1000)));
    }
    w.count++;
    await next();
  };
  return limitPerClient;
}
