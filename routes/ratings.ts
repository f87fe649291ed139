/**
 * `POST /ratings`: the star form without JavaScript (islands/StarRating.tsx):
 * `movieId`, `rating` (on the data's scale) or `remove=1`, `back` (a path of
 * this site) and the CSRF token; sets or removes the profile's rating and
 * redirects back (303). Only a profile session may rate: a persona's or no
 * session is sent to the login page.
 */
import { type AppContext, BadRequestError, NotFoundError, parseId } from "./_http.ts";
import { currentProfile, parseFormStars, rateInProfile } from "./_profiles.ts";

/** A same-site path to go back to; anything else (another site, `//host`) goes to the dashboard. */
export function backPath(raw: unknown): string {
  return typeof raw === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(raw) ? raw : "/dashboard";
}

export const handler = {
  async POST(c: AppContext): Promise<Response> {
    const body = await c.req.parseBody();
    const profile = await currentProfile(c);
    if (!profile) return c.redirect("/login", 303);
    const movieId = parseId(typeof body.movieId === "string" ? body.movieId : undefined, "movieId");
    const catalogue = await c.var.deps.store.catalogue();
    if (!catalogue.movies.has(movieId)) throw new NotFoundError("movie", movieId);
    let stars: number | null = null;
    if (body.remove !== "1") {
      if (body.rating === undefined || body.rating === "") {
        throw new BadRequestError("rating", "choose a number of stars");
      }
      stars = parseFormStars(body.rating, catalogue.scale);
    }
    await rateInProfile(c, profile, movieId, stars);
    return c.redirect(backPath(body.back), 303);
  },
};
