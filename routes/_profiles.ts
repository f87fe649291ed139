/**
 * Visitors' private profiles: who may reach one, the caps that keep a flood
 * from filling the disk, and what the pages show for one (picks from the
 * visitor's own ratings, the onboarding list, the catalogue's indexes).
 *
 * - A profile is reached only through the signed session cookie that carries
 *   its id (routes/_middleware.ts, `p<id>.<issued>.<session>`): 128 random
 *   bits, so it cannot be guessed, and a revoked or expired session reaches
 *   nothing. No URL or parameter names a profile.
 * - Caps ({@link PROFILE_LIMITS}): ratings per profile, new profiles per client
 *   address and hour (the address is kept only as an HMAC) and in total; a
 *   profile unused for 90 days is deleted (swept at most hourly when a profile
 *   is created, and on the spot when its cookie comes back).
 * - Picks come from the app's `live` recommender (the models' fold-in), else
 *   from the catalogue's popularity ({@link PopularityRecommender}), which the
 *   pages then say plainly.
 */
import type { MovieCatalogue, ProfileRating, ProfileRecord } from "../lib/store/store.ts";
import type { LiveRecommender } from "../lib/live_recommender.ts";
import { PopularityRecommender } from "../lib/popularity_live.ts";
import { MovieSearchIndex } from "../lib/movie_search.ts";
import { displayTitle, formatStars, type PicksView, type StarScale } from "../lib/movie_view.ts";
import { type AppContext, type AppDeps, BadRequestError } from "./_http.ts";
import { viewsOf } from "./_data.ts";
import { clientAddress } from "./_rate_limit.ts";

/** The caps on visitors' profiles (docs/ARCHITECTURE.md §7, Security). */
export const PROFILE_LIMITS = {
  /** Ratings one profile may hold. */
  ratingsPerProfile: 5_000,
  /** New profiles one client address may start per hour. */
  perClientPerHour: 20,
  /** Profiles the store may hold. */
  total: 200_000,
  /** Days without a visit after which a profile is deleted. */
  idleDays: 90,
} as const;

const DAY = 24 * 3600;
const IDLE_SECONDS = PROFILE_LIMITS.idleDays * DAY;

/** A cap was reached: 429 (per client, retry later) or 409 (the profile is full) or 503 (total). */
export class ProfileLimitError extends Error {
  readonly status: 409 | 429 | 503;
  /** Seconds until trying again may succeed (429, 503). */
  readonly retryAfter: number | null;
  constructor(status: 409 | 429 | 503, message: string, retryAfter: number | null = null) {
    super(message);
    this.name = "ProfileLimitError";
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

const now = () => Math.floor(Date.now() / 1000);

/** The address as stored: an HMAC under the session key (the address itself is never kept). */
function clientKey(c: AppContext): string {
  return c.var.deps.session.signer.sign(`client:${clientAddress(c)}`).split(".").pop()!.slice(
    0,
    32,
  );
}

/** 128 random bits as 32 lowercase hex digits. */
function newProfileId(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Per store: when idle profiles were last swept (unix s). */
const lastSweep = new WeakMap<object, number>();

/** Creates a profile for this client within the caps; returns its id. */
export async function createProfile(c: AppContext): Promise<string> {
  const store = c.var.deps.store;
  const t = now();
  if ((lastSweep.get(store) ?? 0) < t - 3600) {
    lastSweep.set(store, t);
    await store.expireProfiles(t - IDLE_SECONDS);
  }
  const client = clientKey(c);
  const counts = await store.profileCounts(client, t - 3600);
  if (counts.total >= PROFILE_LIMITS.total) {
    throw new ProfileLimitError(503, "There is no room for new profiles right now", 3600);
  }
  if (counts.fromClient >= PROFILE_LIMITS.perClientPerHour) {
    throw new ProfileLimitError(
      429,
      `At most ${PROFILE_LIMITS.perClientPerHour} new profiles an hour from one address`,
      3600,
    );
  }
  const profileId = newProfileId();
  await store.createProfile({ profileId, client, createdAt: t, lastSeen: t });
  return profileId;
}

/**
 * The session's profile, or null (no profile session; forgotten; idle past the
 * expiry, which deletes it now). Marks it seen, at most once a day.
 */
export async function currentProfile(c: AppContext): Promise<ProfileRecord | null> {
  const id = c.var.profileId;
  if (id === null) return null;
  const store = c.var.deps.store;
  const profile = await store.profile(id);
  if (!profile) return null;
  const t = now();
  if (profile.lastSeen < t - IDLE_SECONDS) {
    await store.deleteProfile(id);
    return null;
  }
  if (profile.lastSeen < t - DAY) await store.touchProfile(id, t);
  return profile;
}

const popularity = new WeakMap<MovieCatalogue, PopularityRecommender>();
const searchIndexes = new WeakMap<MovieCatalogue, MovieSearchIndex>();

/** The catalogue's popularity recommender, built once per import. */
export function popularityOf(catalogue: MovieCatalogue): PopularityRecommender {
  let p = popularity.get(catalogue);
  if (!p) {
    p = new PopularityRecommender(
      [...catalogue.ratings].map(([movieId, r]) => ({ movieId, count: r.count, mean: r.mean })),
    );
    popularity.set(catalogue, p);
  }
  return p;
}

/** The catalogue's title search index, built once per import and serving thread. */
export function searchIndexOf(catalogue: MovieCatalogue): MovieSearchIndex {
  let index = searchIndexes.get(catalogue);
  if (!index) {
    index = new MovieSearchIndex(
      [...catalogue.movies.values()].map((m) => ({
        movieId: m.movieId,
        title: m.title,
        ratings: catalogue.ratings.get(m.movieId)?.count ?? 0,
      })),
    );
    searchIndexes.set(catalogue, index);
  }
  return index;
}

/** The recommender for visitors: the models' fold-in when loaded, else popularity. */
export function liveOf(deps: AppDeps, catalogue: MovieCatalogue): {
  live: LiveRecommender;
  model: boolean;
} {
  return deps.live
    ? { live: deps.live, model: true }
    : { live: popularityOf(catalogue), model: false };
}

/** A form field's stars ("4", "4.5"), checked by {@link parseStars}. */
export function parseFormStars(raw: unknown, scale: StarScale): number {
  return parseStars(
    typeof raw === "string" && /^[0-9](\.[05])?$/.test(raw) ? Number(raw) : raw,
    scale,
  );
}

/**
 * Stars as a JSON number on the data's scale: from `scale.min` to `scale.max`
 * in its steps; anything else is a {@link BadRequestError}.
 */
export function parseStars(stars: unknown, scale: StarScale, param = "rating"): number {
  if (
    typeof stars !== "number" || !Number.isFinite(stars) || stars < scale.min ||
    stars > scale.max || !Number.isInteger(Math.round((stars - scale.min) / scale.step * 1e6) / 1e6)
  ) {
    throw new BadRequestError(
      param,
      `${param} must be from ${scale.min} to ${scale.max} in steps of ${scale.step}`,
    );
  }
  return stars;
}

/** Sets or removes a profile's rating within the per-profile cap. */
export async function rateInProfile(
  c: AppContext,
  profile: ProfileRecord,
  movieId: number,
  stars: number | null,
): Promise<void> {
  const store = c.var.deps.store;
  if (stars !== null) {
    const ratings = await store.profileRatings(profile.profileId);
    if (
      ratings.length >= PROFILE_LIMITS.ratingsPerProfile &&
      !ratings.some((r) => r.movieId === movieId)
    ) {
      throw new ProfileLimitError(
        409,
        `A profile holds at most ${PROFILE_LIMITS.ratingsPerProfile} ratings`,
      );
    }
  }
  // No touch here: currentProfile marked the profile seen today.
  await store.setProfileRating(profile.profileId, movieId, stars, now());
}

/** How many picks pages show. */
export const PICKS_SHOWN = 30;

/**
 * The profile's picks from its ratings, as the pages and the picks island
 * show them. A reason cites a rated movie only when the visitor liked it (at
 * or above their own mean and at least 3.5 stars).
 */
export async function picksFor(
  deps: AppDeps,
  catalogue: MovieCatalogue,
  ratings: readonly ProfileRating[],
  limit = PICKS_SHOWN,
): Promise<PicksView> {
  const { live, model } = liveOf(deps, catalogue);
  const result = live.recommend(
    ratings.map((r) => ({ movieId: r.movieId, rating: r.rating })),
    limit,
  );
  const picked = result.items.filter((p) => catalogue.movies.has(p.movieId));
  const views = await viewsOf(deps, picked.map((p) => catalogue.movies.get(p.movieId)!));
  const mean = ratings.length ? ratings.reduce((s, r) => s + r.rating, 0) / ratings.length : 0;
  const liked = Math.max(3.5, mean);
  return {
    items: picked.map((p, i) => {
      const because = p.because && catalogue.movies.get(p.because.movieId);
      const reason = because && p.because!.rating >= liked
        ? `Because you rated ${displayTitle(because.title)} ★${formatStars(p.because!.rating)}`
        : model && ratings.length
        ? "Picked from your ratings"
        : "Popular with everyone";
      return { ...views[i], prediction: p.prediction, reason };
    }),
    rated: ratings.length,
    mean: ratings.length ? mean : null,
    cold: ratings.length === 0,
    model,
  };
}

/**
 * Movies for a new visitor to rate: the most-rated ones, taken in turn from
 * each main genre (a movie's first listed genre) so the list is varied, none
 * the profile rated.
 */
export function onboardingMovies(
  catalogue: MovieCatalogue,
  rated: ReadonlySet<number>,
  count: number,
): number[] {
  const popular = popularityOf(catalogue).recommend([], 600).items.map((p) => p.movieId)
    .filter((id) => !rated.has(id));
  const byGenre = new Map<string, number[]>();
  for (const id of popular) {
    const genre = catalogue.movies.get(id)?.genres[0] ?? "";
    const list = byGenre.get(genre);
    if (list) list.push(id);
    else byGenre.set(genre, [id]);
  }
  const queues = [...byGenre.values()];
  const out: number[] = [];
  for (let round = 0; out.length < count && queues.some((q) => q.length > round); round++) {
    for (const q of queues) if (round < q.length && out.length < count) out.push(q[round]);
  }
  return out;
}
