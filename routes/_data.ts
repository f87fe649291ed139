/**
 * Store reads shared by pages and the JSON API, returning the plain view
 * objects both render, with TMDB metadata attached within its time budget.
 */
import type {
  Movie,
  RatedMovie,
  RatedQuery,
  Recommendation,
  RecommendationSource,
  SimilarMovie,
} from "../lib/store/store.ts";
import { RECOMMENDATION_SOURCES } from "../lib/store/store.ts";
import {
  displayTitle,
  formatStars,
  type MovieView,
  RATED_SORTS,
  type RatedRow,
  type RatedSort,
  type SortOrder,
} from "../lib/movie_view.ts";
import { movieView } from "../lib/movie_metadata.ts";
import { type AppDeps, NotFoundError, parseChoice, parseIntParam } from "./_http.ts";

export const RATED_PAGE_SIZE = 20;

export interface RatedParams {
  sort: RatedSort;
  order: SortOrder;
  page: number;
  pageSize: number;
}

/** `?sort=&order=&page=&pageSize=`; the default order is the natural one of the column. */
export function ratedParams(q: (name: string) => string | undefined): RatedParams {
  const sort = parseChoice<RatedSort>(q("sort"), "sort", RATED_SORTS, "date");
  const order = parseChoice<SortOrder>(
    q("order"),
    "order",
    ["asc", "desc"],
    sort === "title" ? "asc" : "desc",
  );
  return {
    sort,
    order,
    page: parseIntParam(q("page"), "page", 1, 1, 1_000_000),
    pageSize: parseIntParam(q("pageSize"), "pageSize", RATED_PAGE_SIZE, 1, 100),
  };
}

/** Throws {@link NotFoundError} unless the user is in the store. */
export async function requireKnownUser(deps: AppDeps, userId: number): Promise<void> {
  if (!(await deps.store.userExists(userId))) throw new NotFoundError("user", userId);
}

/** Views of `movies`, TMDB metadata looked up for all of them at once. */
export async function viewsOf(deps: AppDeps, movies: readonly Movie[]): Promise<MovieView[]> {
  const [meta, ids] = await Promise.all([
    deps.metadata.forMovies(movies),
    deps.store.movielensIds(),
  ]);
  return movies.map((m) => movieView(m, meta.get(m.movieId), deps.metadata.imageBase, ids));
}

export interface RatedPage extends RatedParams {
  rows: RatedRow[];
  total: number;
  /** The user's mean stars over all their ratings; null with none. */
  meanRating: number | null;
}

/** The last page of `total` rows (1 when there are none). */
export function lastPage(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** The store query of a rated-movies page. */
export function ratedQuery(p: RatedParams): RatedQuery {
  return { sort: p.sort, order: p.order, offset: (p.page - 1) * p.pageSize, limit: p.pageSize };
}

export function ratedRow(r: RatedMovie, view: MovieView): RatedRow {
  return { ...view, rating: r.rating, timestamp: r.timestamp };
}

/**
 * A page of the user's rated movies; a page past the last one is the last one
 * (one more query, only then).
 */
export async function ratedPage(deps: AppDeps, userId: number, p: RatedParams): Promise<RatedPage> {
  let page = p;
  let rated = await deps.store.ratedMovies(userId, ratedQuery(page));
  const last = lastPage(rated.total, p.pageSize);
  if (p.page > last) {
    page = { ...p, page: last };
    rated = await deps.store.ratedMovies(userId, ratedQuery(page));
  }
  const views = await viewsOf(deps, rated.items.map((r) => r.movie));
  return {
    ...page,
    rows: rated.items.map((r, i) => ratedRow(r, views[i])),
    total: rated.total,
    meanRating: rated.meanRating,
  };
}

/** `?list=` or `?source=`: which recommendation list; absent, the store's default. */
export function recommendationSource(
  raw: string | undefined,
  param: string,
): RecommendationSource | undefined {
  return raw === undefined || raw === ""
    ? undefined
    : parseChoice(raw, param, RECOMMENDATION_SOURCES, "model");
}

export interface RecommendationView extends MovieView {
  /** Predicted stars. */
  prediction: number;
  /** The ranking model's score; null on the similar-users list. */
  score: number | null;
  /**
   * The rated movie that contributed most, with the user's stars; null when none, or when
   * the user did not like it ({@link likedEnough}).
   */
  because: { movieId: number; title: string; rating: number } | null;
  /** Neighbors who liked it; null on the model list. */
  likedByNeighbors: number | null;
  /** Why it is recommended, true to the list it comes from ({@link recommendationReason}). */
  reason: string;
}

/** The least stars a cited movie must have, whatever the user's average. */
export const LIKED_STARS = 3.5;

/**
 * Whether `rating` says the user liked the movie: at or above their own mean
 * and at least ★3.5. A reason cites only such a movie ("because you rated
 * Gandhi ★2.0" is no reason), whichever list or store version it came from.
 */
export function likedEnough(rating: number, meanRating: number | null): boolean {
  return rating >= LIKED_STARS && (meanRating === null || rating >= meanRating);
}

/** `userMean`: the user's mean stars ({@link likedEnough}). */
export function recommendationView(
  r: Recommendation,
  view: MovieView,
  source: RecommendationSource,
  userMean: number | null,
): RecommendationView {
  const liked = r.because !== null && likedEnough(r.because.rating, userMean) ? r.because : null;
  const because = liked &&
    { movieId: liked.movie.movieId, title: liked.movie.title, rating: liked.rating };
  return {
    ...view,
    prediction: r.prediction,
    score: r.score,
    because,
    likedByNeighbors: r.likedByNeighbors,
    reason: recommendationReason(source, { because: liked, likedByNeighbors: r.likedByNeighbors }),
  };
}

export interface RecommendationViews {
  source: RecommendationSource;
  items: RecommendationView[];
}

export async function recommendationViews(
  deps: AppDeps,
  userId: number,
  limit: number,
  source?: RecommendationSource,
): Promise<RecommendationViews> {
  // The user's mean (the reason rule) rides on an empty page of their ratings.
  const [list, rated] = await deps.store.snapshot(() =>
    Promise.all([
      deps.store.recommendations(userId, limit, source),
      deps.store.ratedMovies(userId, { sort: "date", order: "desc", offset: 0, limit: 0 }),
    ])
  );
  const views = await viewsOf(deps, list.items.map((r) => r.movie));
  return {
    source: list.source,
    items: list.items.map((r, i) => recommendationView(r, views[i], list.source, rated.meanRating)),
  };
}

export interface SimilarMovieView extends MovieView {
  similarity: number;
}

/** The movie (null when unknown) and its similar movies, read from one import. */
export function movieAndSimilar(
  deps: AppDeps,
  movieId: number,
  limit: number,
): Promise<[Movie | null, SimilarMovie[]]> {
  return deps.store.snapshot(() =>
    Promise.all([deps.store.movie(movieId), deps.store.similarMovies(movieId, limit)])
  );
}

export async function similarMovieViews(
  deps: AppDeps,
  similar: readonly SimilarMovie[],
): Promise<SimilarMovieView[]> {
  const views = await viewsOf(deps, similar.map((s) => s.movie));
  return similar.map((s, i) => ({ ...views[i], similarity: s.similarity }));
}

/**
 * The reason line under a recommendation, saying what produced it: on the
 * model list the rated movie with the largest contribution to its score when
 * the user liked it (the caller passes null otherwise), else that it was
 * ranked from all the user's ratings; on the similar-users list the similar
 * users who liked it.
 */
export function recommendationReason(
  source: RecommendationSource,
  r: Pick<Recommendation, "because" | "likedByNeighbors">,
): string {
  if (source === "model") {
    if (r.because === null) return "Picked from all your ratings";
    const { movie, rating } = r.because;
    return `Because you rated ${displayTitle(movie.title)} ★${formatStars(rating)}`;
  }
  if (!r.likedByNeighbors) return "From your similar users' ratings";
  return `Liked by ${r.likedByNeighbors} of your similar users`;
}
