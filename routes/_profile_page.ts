/** What both profile pages (the dashboard and the onboarding page) read for a profile. */
import type { MovieCatalogue, ProfileRating, ProfileRecord } from "../lib/store/store.ts";
import type { MovieView, PicksView } from "../lib/movie_view.ts";
import type { RateContext } from "../components/Stars.tsx";
import type { AppContext } from "./_http.ts";
import { viewsOf } from "./_data.ts";
import { picksFor } from "./_profiles.ts";

export interface ProfilePageData {
  picks: PicksView;
  rate: RateContext;
  /** Movies shown to rate (onboarding) or the profile's rated movies (dashboard). */
  movies: MovieView[];
  ratings: ProfileRating[];
}

/** The profile's picks and the views of `movieIds`, with the rating context for `back`. */
export async function profilePage(
  c: AppContext,
  profile: ProfileRecord,
  back: string,
  movieIds: (catalogue: MovieCatalogue, ratings: ProfileRating[]) => number[],
  picksLimit?: number,
): Promise<ProfilePageData> {
  const deps = c.var.deps;
  const [catalogue, ratings] = await Promise.all([
    deps.store.catalogue(),
    deps.store.profileRatings(profile.profileId),
  ]);
  const ids = movieIds(catalogue, ratings).filter((id) => catalogue.movies.has(id));
  const [picks, movies] = await Promise.all([
    picksFor(deps, catalogue, ratings, picksLimit),
    viewsOf(deps, ids.map((id) => catalogue.movies.get(id)!)),
  ]);
  return {
    picks,
    movies,
    ratings,
    rate: {
      scale: catalogue.scale,
      csrf: c.var.csrfToken,
      back,
      ratings: new Map(ratings.map((r) => [r.movieId, r.rating])),
    },
  };
}
