/**
 * What every route shares: the Hono environment (per-request variables and
 * the app's dependencies), the error classes the one `onError` maps to
 * statuses, and parameter parsing done once at the edge.
 */
import type { Context } from "hono";
import type { Store } from "../lib/store/store.ts";
import type { LiveRecommender } from "../lib/live_recommender.ts";
import type { MovieMetadataSource } from "../lib/movie_metadata.ts";
import type { Assets } from "./_assets.ts";
import type { SessionOptions } from "./_session.ts";

/** What route handlers reach through `c.var.deps`. */
export interface AppDeps {
  store: Store;
  /** Posters and overviews. */
  metadata: MovieMetadataSource;
  assets: Assets;
  /** Cookie signing key and flags. */
  session: SessionOptions;
  /**
   * Fold-in for users not in the data (visitors' profiles, the stateless API); absent: a
   * store without fold-in state, and profiles get popularity (routes/_profiles.ts).
   */
  live?: LiveRecommender;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    /** The logged-in user, from the signed session cookie; null when logged out. */
    userId: number | null;
    /**
     * The visitor's own profile (routes/_profiles.ts), from a profile session's cookie;
     * null for a persona's session or none. Its record may still be gone (forgotten,
     * expired): `currentProfile` checks.
     */
    profileId: string | null;
    /** The random id of the logged-in session (what a logout revokes); null when logged out. */
    sessionId: string | null;
    /** The CSRF token every POST form of this response must carry as `_csrf`. */
    csrfToken: string;
  };
}

export type AppContext = Context<AppEnv>;

/** A malformed request parameter: 400. */
export class BadRequestError extends Error {
  /** The parameter at fault (`id`, `limit`, `sort`, …). */
  readonly param: string;
  constructor(param: string, message: string) {
    super(message);
    this.name = "BadRequestError";
    this.param = param;
  }
}

/** A well-formed id that names nothing: 404. */
export class NotFoundError extends Error {
  /** What was looked for: "user", "movie" or "page". */
  readonly what: string;
  readonly id: string;
  constructor(what: string, id: string | number) {
    super(`no ${what} ${id}`);
    this.name = "NotFoundError";
    this.what = what;
    this.id = String(id);
  }
}

/** A POST without a valid CSRF token or from another origin: 403. */
export class CsrfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CsrfError";
  }
}

/** A client over a rate limit (routes/_rate_limit.ts): 429 with `Retry-After`. */
export class TooManyRequestsError extends Error {
  /** Seconds until the client may try again. */
  readonly retryAfter: number;
  constructor(message: string, retryAfter: number) {
    super(message);
    this.name = "TooManyRequestsError";
    this.retryAfter = retryAfter;
  }
}

const MAX_ID = 2_147_483_647;

/** A MovieLens id in a URL or form: a positive integer without sign, spaces or leading zeros. */
export function parseId(raw: string | undefined, param: string): number {
  if (raw === undefined || !/^[1-9][0-9]{0,9}$/.test(raw) || Number(raw) > MAX_ID) {
    throw new BadRequestError(param, `${param} must be a positive whole number`);
  }
  return Number(raw);
}

/** A user id path segment: like {@link parseId}, but 0 too (ML-32M-style data may have a user 0). */
export function parseUserIdParam(raw: string | undefined, param: string): number {
  return raw === "0" ? 0 : parseId(raw, param);
}

/** An optional integer query parameter within [min, max]. */
export function parseIntParam(
  raw: string | undefined,
  param: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw === "") return fallback;
  if (!/^[0-9]{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new BadRequestError(param, `${param} must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

/** An optional query parameter restricted to `choices`. */
export function parseChoice<T extends string>(
  raw: string | undefined,
  param: string,
  choices: readonly T[],
  fallback: T,
): T {
  if (raw === undefined || raw === "") return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new BadRequestError(param, `${param} must be one of ${choices.join(", ")}`);
  }
  return raw as T;
}
