/**
 * `POST /start`: "Start without an account" (the login page's second form,
 * CSRF-checked): creates a private profile within the caps
 * (routes/_profiles.ts), binds it to a new session cookie and goes to the
 * onboarding page. From a persona's dashboard (`persona=1`, that persona's
 * session) the new profile starts with a copy of the persona's ratings
 * (newest first, up to the per-profile cap); the persona's session ends.
 */
import type { ProfileRating } from "../lib/store/store.ts";
import type { AppContext } from "./_http.ts";
import { endSession, startProfileSession } from "./_middleware.ts";
import { createProfile, PROFILE_LIMITS } from "./_profiles.ts";

/** Persona ratings read per store call (the store caps a page at 1,000 rows). */
const PAGE = 1000;

async function personaRatings(c: AppContext, userId: number): Promise<ProfileRating[]> {
  const out: ProfileRating[] = [];
  while (out.length < PROFILE_LIMITS.ratingsPerProfile) {
    const { items } = await c.var.deps.store.ratedMovies(userId, {
      sort: "date",
      order: "desc",
      offset: out.length,
      limit: Math.min(PAGE, PROFILE_LIMITS.ratingsPerProfile - out.length),
    });
    for (const r of items) {
      out.push({ movieId: r.movie.movieId, rating: r.rating, timestamp: r.timestamp });
    }
    if (items.length < PAGE) break;
  }
  return out;
}

export const handler = {
  async POST(c: AppContext): Promise<Response> {
    const body = await c.req.parseBody();
    const persona = body.persona === "1" ? c.var.userId : null;
    const copied = persona === null ? [] : await personaRatings(c, persona);
    const profileId = await createProfile(c);
    if (copied.length) await c.var.deps.store.addProfileRatings(profileId, copied);
    // A persona's or an older profile's session ends for good: one session, one profile.
    if (c.var.sessionId) await endSession(c, c.var.deps.session);
    startProfileSession(c, profileId, c.var.deps.session);
    return c.redirect(copied.length ? "/dashboard" : "/welcome", 303);
  },
};
