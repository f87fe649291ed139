/**
 * Per-client rate limiting, one middleware factory for every route that
 * needs it (profile creation and ratings here; login and logout may share
 * it): at most `limit` requests per client address in each window of
 * `windowSeconds`, counted per serving thread (so a server with N threads
 * lets up to N × `limit` through: a flood bound, not an exact quota; the
 * store-side caps of routes/_profiles.ts are exact). Over it: 429 with
 * `Retry-After` (the seconds until the window ends), before the handler runs.
 *
 * Memory: one small record per client seen in the current window; expired
 * records are dropped whenever the table passes {@link RATE_TABLE_MAX}
 * entries, and when it is still that full the oldest go.
 */
import type { Context, MiddlewareHandler } from "hono";
import { type AppEnv, TooManyRequestsError } from "./_http.ts";

/** Clients remembered per limiter before expired ones are swept. */
export const RATE_TABLE_MAX = 10_000;

/**
 * The client's address: the connection's peer, or behind the proxy that
 * `--public-origin` names, the last address it appended to X-Forwarded-For.
 */
export function clientAddress(c: Context<AppEnv>): string {
  if (c.var.deps.session.origin) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return env?.remoteAddr?.hostname ?? "unknown";
}

export interface RateLimitOptions {
  /** Requests allowed per client and window. */
  limit: number;
  /** The window's length. @default 60 */
  windowSeconds?: number;
  /** Which client a request counts for. @default {@link clientAddress} */
  key?: (c: Context<AppEnv>) => string;
  /** What the 429 says. @default "Too many requests: try again in a moment" */
  message?: string;
}

/** A 429 answering over-limit clients, with `Retry-After`. */
export function rateLimit(
  {
    limit,
    windowSeconds = 60,
    key = clientAddress,
    message = "Too many requests: try again in a moment",
  }: RateLimitOptions,
) {
  const windows = new Map<string, { start: number; count: number }>();
  const limitRate: MiddlewareHandler<AppEnv> = async (c, next) => {
    const now = Date.now() / 1000;
    const k = key(c);
    let w = windows.get(k);
    if (!w || now - w.start >= windowSeconds) {
      if (!w && windows.size >= RATE_TABLE_MAX) {
        for (const [name, old] of windows) {
          if (now - old.start >= windowSeconds) windows.delete(name);
        }
        // Still full: the oldest windows go (Map keeps insertion order).
        for (const name of windows.keys()) {
          if (windows.size < RATE_TABLE_MAX) break;
          windows.delete(name);
        }
      }
      w = { start: now, count: 0 };
      windows.delete(k);
      windows.set(k, w);
    }
    if (++w.count > limit) {
      const retry = Math.max(1, Math.ceil(w.start + windowSeconds - now));
      throw new TooManyRequestsError(message, retry);
    }
    await next();
  };
  return limitRate;
}
