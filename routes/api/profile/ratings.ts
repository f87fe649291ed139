/**
 * The signed-in profile's ratings, for the star island:
 * `PUT /api/profile/ratings/:movieId` with `{"rating": 4.5}` sets one,
 * `DELETE` removes it; both answer `{"movieId", "rating", "picks"}` with the
 * profile's new picks (routes/_profiles.ts), so the page shows them without
 * another request. `GET /api/profile/recommendations?limit=` answers the
 * picks alone. JSON only (415 otherwise), from this site only (the Origin
 * check, routes/_middleware.ts `jsonOrigin`); no profile session: 401.
 */
import { HTTPException } from "hono/http-exception";
import type { ProfileRecord } from "../../../lib/store/store.ts";
import {
  type AppContext,
  BadRequestError,
  NotFoundError,
  parseId,
  parseIntParam,
} from "../../_http.ts";
import {
  currentProfile,
  parseStars,
  PICKS_SHOWN,
  picksFor,
  rateInProfile,
} from "../../_profiles.ts";

async function requireProfile(c: AppContext): Promise<ProfileRecord> {
  const profile = await currentProfile(c);
  if (!profile) {
    throw new HTTPException(401, { message: "no profile: start one without an account first" });
  }
  return profile;
}

async function answer(c: AppContext, profile: ProfileRecord, movieId: number) {
  const deps = c.var.deps;
  const [catalogue, ratings] = await Promise.all([
    deps.store.catalogue(),
    deps.store.profileRatings(profile.profileId),
  ]);
  const picks = await picksFor(deps, catalogue, ratings);
  const rating = ratings.find((r) => r.movieId === movieId)?.rating ?? null;
  return c.json({ movieId, rating, picks });
}

async function movieOf(c: AppContext): Promise<number> {
  const movieId = parseId(c.req.param("movieId"), "movieId");
  const catalogue = await c.var.deps.store.catalogue();
  if (!catalogue.movies.has(movieId)) throw new NotFoundError("movie", movieId);
  return movieId;
}

export const handler = {
  async PUT(c: AppContext): Promise<Response> {
    const profile = await requireProfile(c);
    const movieId = await movieOf(c);
    if (!(c.req.header("content-type") ?? "").startsWith("application/json")) {
      throw new HTTPException(415, { message: "send the rating as application/json" });
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new BadRequestError("body", "the body is not JSON");
    }
    const raw = typeof body === "object" && body !== null
      ? (body as { rating?: unknown }).rating
      : undefined;
    const { scale } = await c.var.deps.store.catalogue();
    await rateInProfile(c, profile, movieId, parseStars(raw, scale));
    return answer(c, profile, movieId);
  },
  async DELETE(c: AppContext): Promise<Response> {
    const profile = await requireProfile(c);
    const movieId = await movieOf(c);
    await rateInProfile(c, profile, movieId, null);
    return answer(c, profile, movieId);
  },
};

/** `GET /api/profile/recommendations?limit=` (1–100, default 30). */
export const recommendations = {
  async GET(c: AppContext): Promise<Response> {
    const profile = await requireProfile(c);
    const limit = parseIntParam(c.req.query("limit"), "limit", PICKS_SHOWN, 1, 100);
    const deps = c.var.deps;
    const [catalogue, ratings] = await Promise.all([
      deps.store.catalogue(),
      deps.store.profileRatings(profile.profileId),
    ]);
    return c.json(await picksFor(deps, catalogue, ratings, limit));
  },
};
