/**
 * The store the web app and the CLI read: two backends (SQLite file by
 * default, MySQL/MariaDB for deployment), the same schema and table names
 * (docs/ARCHITECTURE.md), and one interface per concern: {@link ServingStore}
 * (what an import writes and pages read), {@link TmdbCache} (`movies_tmdb`,
 * filled by the web app and `tmdb prefetch`), {@link SessionStore}
 * (`revoked_sessions`); {@link Store} is all three. Every method is a parameterised query;
 * nothing user-supplied is spliced into SQL. Ratings here are stars
 * (0.5..5.0), not the half-star integers of the compute engines.
 */
import type { RatedSort, SortOrder } from "../movie_view.ts";

/** A movie with its links. `year` is parsed from the title's trailing "(YYYY)". */
export interface Movie {
  movieId: number;
  title: string;
  genres: string[];
  year: number | null;
  /** IMDb id as GroupLens ships it (7 digits, zero-padded), or null. */
  imdbId: string | null;
  tmdbId: number | null;
}

/** A movie the user rated (training or test split). */
export interface RatedMovie {
  movie: Movie;
  /** Stars, 0.5..5.0. */
  rating: number;
  /** Unix seconds. */
  timestamp: number;
}

/** A page of the user's rated movies, with what all of them say about the user. */
export interface RatedPage extends Page<RatedMovie> {
  /** The user's mean stars over all their ratings (both splits); null with none. */
  meanRating: number | null;
}

export interface RatedQuery {
  sort: RatedSort;
  order: SortOrder;
  offset: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** All matching rows, not just this page. */
  total: number;
}

/**
 * Where a recommendation list comes from: `model`, the ranking model refit on
 * all ratings (`user_recommendations`); `similar-users`, the classic user–user
 * list from the training split (`user_item_predictions`).
 */
export type RecommendationSource = "model" | "similar-users";
export const RECOMMENDATION_SOURCES: readonly RecommendationSource[] = ["model", "similar-users"];

/** One recommendation, best first. Which fields are set depends on the list's source. */
export interface Recommendation {
  movie: Movie;
  /** Predicted stars: the rating model's (model list) or the user-based formula's. */
  prediction: number;
  /** The ranking model's score (model list); null on the similar-users list. */
  score: number | null;
  /**
   * Model list: the user's rated movie with the largest contribution to the score, and the
   * user's stars for it; null when the model has no per-item decomposition (popularity),
   * and on the similar-users list.
   */
  because: { movie: Movie; rating: number } | null;
  /**
   * Similar-users list: how many of the user's neighbors rated this movie >= 4.0 in
   * training; null on the model list.
   */
  likedByNeighbors: number | null;
}

/** A user's recommendations and the list they come from. */
export interface RecommendationList {
  source: RecommendationSource;
  items: Recommendation[];
}

/** What the store knows of one user and one movie (the movie page). */
export interface UserMovie {
  /** The user's stars (either split); null when they did not rate it. */
  rating: number | null;
  /** Predicted stars from the user's model list, else their similar-users list; null if in neither. */
  prediction: number | null;
}

export interface UserNeighbor {
  userId: number;
  similarity: number;
  /** Movies both users rated in training. */
  common: number;
}

export interface SimilarMovie {
  movie: Movie;
  similarity: number;
}

/** Cached TMDB metadata; `status: "not_found"` caches a miss. */
export interface TmdbEntry {
  movieId: number;
  status: "ok" | "not_found";
  tmdbId: number | null;
  posterPath: string | null;
  overview: string | null;
  /** Unix milliseconds. */
  fetchedAt: number;
}

/** The stars the imported data uses: ML-100k 1..5 in whole stars, later releases 0.5..5 in halves. */
export interface RatingScale {
  /** Lowest stars given (0.5 or 1). */
  min: number;
  /** Highest stars given (5). */
  max: number;
  /** 0.5 when some rating is a half star, else 1. */
  step: number;
}

/** How a movie was rated, over both splits. */
export interface MovieRatings {
  count: number;
  /** Mean stars; null when nobody rated it. */
  mean: number | null;
}

/**
 * The movie catalogue of one import as the store holds it in memory (one copy
 * per store, reloaded when an import lands): what per-thread indexes (title
 * search, the popularity recommender) are built from. A new object per import,
 * so callers may cache by identity.
 */
export interface MovieCatalogue {
  /** The import's stamp (null: imported before stamps). */
  readonly stamp: number | null;
  readonly movies: ReadonlyMap<number, Movie>;
  /** By movieId; a movie without ratings has count 0 (stores imported before schema 4: all 0). */
  readonly ratings: ReadonlyMap<number, MovieRatings>;
  readonly scale: RatingScale;
}

/** A visitor's profile (routes/_profiles.ts); its id is 128 random bits, 32 lowercase hex digits. */
export interface ProfileRecord {
  profileId: string;
  /** HMAC of the client address it was created from (per-client cap). */
  client: string;
  /** Unix seconds. */
  createdAt: number;
  /** Unix seconds of the last rating or visit. */
  lastSeen: number;
}

/** One of a profile's ratings. */
export interface ProfileRating {
  movieId: number;
  /** Stars, 0.5..5 in half steps. */
  rating: number;
  /** Unix seconds. */
  timestamp: number;
}

/** Row counts as of the last import (neighbors: (id, neighbor) pairs), plus the TMDB cache size. */
export interface StoreCounts {
  movies: number;
  users: number;
  ratingsTrain: number;
  ratingsTest: number;
  userNeighbors: number;
  itemNeighbors: number;
  predictions: number;
  /** Rows of the ranking model's list (0 when imported without serving_recommendations.csv). */
  recommendations: number;
  tmdbCached: number;
}

/** What an import writes and pages read (every table but the TMDB cache and the sessions). */
export interface ServingStore {
  /** "sqlite" or "mysql", for status pages and logs. */
  readonly kind: "sqlite" | "mysql";
  /**
   * The schema version the store was imported with (lib/store/schema.ts,
   * `import_meta.schema_version`): 0 for a store imported before versions
   * were recorded. Reads of a store of another version than this build's
   * throw {@link StoreSchemaError}.
   */
  schemaVersion(): Promise<number>;
  /** Whether the user has ratings (training or test split). */
  userExists(userId: number): Promise<boolean>;
  /**
   * A page of the user's ratings, training and test split; a rated movie the movie list
   * lacks is listed under a stand-in title ("Movie 123"), so the page and `total` agree.
   */
  ratedMovies(userId: number, query: RatedQuery): Promise<RatedPage>;
  /**
   * The user's top `limit` from `source`; without one, the model list when it has rows
   * for the user, else the similar-users list. Never a movie the user rated (the import
   * refuses or drops those rows).
   */
  recommendations(
    userId: number,
    limit: number,
    source?: RecommendationSource,
  ): Promise<RecommendationList>;
  userNeighbors(userId: number, limit: number): Promise<UserNeighbor[]>;
  /** The user's rating of the movie, or its predicted stars when listed for them. */
  userMovie(userId: number, movieId: number): Promise<UserMovie>;
  movie(movieId: number): Promise<Movie | null>;
  /**
   * Movies by id from the in-memory catalogue of the import being served
   * (one stamp lookup, no row reads); ids the catalogue lacks are absent.
   */
  moviesById(movieIds: readonly number[]): Promise<Map<number, Movie>>;
  similarMovies(movieId: number, limit: number): Promise<SimilarMovie[]>;
  /**
   * Whether the imported release numbers movies as movielens.org does
   * (`import_meta.movielens_ids`: the csv and dat layouts do, ML-100k's u.item does not;
   * true for a store imported before it was recorded). Read with the catalogue: no query
   * once a request has read movies.
   */
  movielensIds(): Promise<boolean>;
  /** Most-rated movies first (TMDB prefetch order). */
  popularMovies(limit: number): Promise<Movie[]>;
  /** A deterministic sample of user ids that have similar users (login page). */
  sampleUserIds(limit: number): Promise<number[]>;
  counts(): Promise<StoreCounts>;
  /** The movie catalogue of the import served now, with rating counts, means and scale. */
  catalogue(): Promise<MovieCatalogue>;
  /** Adds a profile (its id must be new). */
  createProfile(profile: ProfileRecord): Promise<void>;
  /** The profile, or null when there is none (never created, forgotten or expired). */
  profile(profileId: string): Promise<ProfileRecord | null>;
  /** Sets the profile's `lastSeen`. */
  touchProfile(profileId: string, lastSeen: number): Promise<void>;
  /** Profiles in the store, and those created from `client` at or after `since` (unix s). */
  profileCounts(client: string, since: number): Promise<{ total: number; fromClient: number }>;
  /** The profile's ratings, newest first (ties: smaller movieId). */
  profileRatings(profileId: string): Promise<ProfileRating[]>;
  /** Sets (or, with `rating` null, removes) the profile's rating of a movie. */
  setProfileRating(
    profileId: string,
    movieId: number,
    rating: number | null,
    timestamp: number,
  ): Promise<void>;
  /** Adds ratings to the profile (replacing any of the same movies). */
  addProfileRatings(profileId: string, ratings: readonly ProfileRating[]): Promise<void>;
  /** Deletes the profile and its ratings. */
  deleteProfile(profileId: string): Promise<void>;
  /** Deletes every profile last seen before `idleSince` (unix s) and its ratings; how many. */
  expireProfiles(idleSince: number): Promise<number>;
  /**
   * The fold-in state of the import being served (the bytes of the serve
   * step's `fold_in_state.bin`, lib/models/fold_in_file.ts), on a
   * SharedArrayBuffer when `shared`; null when the store has none (imported
   * from a run without one, or before schema 4). Read once by `web` at start.
   */
  foldInState(shared: boolean): Promise<Uint8Array | null>;
  /**
   * Runs `read` (store calls of one request) so that all its calls see one
   * import: `read` runs again, up to 3 times, when an import was swapped in
   * while it ran; a store re-imported during each try is a
   * StoreUnavailableError. `read` may therefore run more than once: it
   * should only read.
   */
  snapshot<T>(read: () => Promise<T>): Promise<T>;
  /**
   * Reads what the store keeps in memory (the movie catalogue) ahead of the
   * first request; later imports are picked up on their own.
   */
  preload(): Promise<void>;
}

/** The TMDB cache (`movies_tmdb`): kept across imports. */
export interface TmdbCache {
  tmdbGet(movieIds: readonly number[]): Promise<Map<number, TmdbEntry>>;
  tmdbPut(entry: TmdbEntry): Promise<void>;
}

/** Ended sessions (`revoked_sessions`): kept across imports. */
export interface SessionStore {
  /** Whether session `sessionId` was ended by {@link revokeSession}. */
  sessionRevoked(sessionId: string): Promise<boolean>;
  /**
   * Ends session `sessionId` for good (logout); `expiresAt` (unix seconds)
   * is when its cookie expires anyway, after which the record may go.
   */
  revokeSession(sessionId: string, expiresAt: number): Promise<void>;
}

/** A store connection: every concern, and closing it. */
export interface Store extends ServingStore, TmdbCache, SessionStore {
  close(): Promise<void>;
}

/**
 * A bad argument to a store method (an id that is not a non-negative
 * integer, an unknown sort key): the web app answers 400. Checked before any
 * query runs.
 */
export class StoreArgumentError extends Error {
  readonly argument: string;
  readonly value: unknown;
  constructor(argument: string, value: unknown) {
    super(`invalid ${argument}: ${JSON.stringify(value) ?? String(value)}`);
    this.name = "StoreArgumentError";
    this.argument = argument;
    this.value = value;
  }
}

/** The store cannot be reached (database down, file missing): the web app answers 503. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

/**
 * The store was imported under another schema version than this build's
 * (lib/store/schema.ts): its tables may lack columns the queries read. The
 * message is one line naming the command that rebuilds it; the web app
 * answers 503 with it.
 */
export class StoreSchemaError extends StoreUnavailableError {
  /** The store's version (0: imported before versions were recorded). */
  readonly found: number;
  /** This build's version. */
  readonly expected: number;
  constructor(found: number, expected: number, url = "<store url>", options?: ErrorOptions) {
    super(
      found < expected
        ? `the store ${url} was imported with schema version ${found}, older than this build's ` +
          `${expected}: rebuild it with 'deno task recsys import --db ${url} --run <run dir>'`
        : `the store ${url} has schema version ${found}, newer than this build's ${expected}: ` +
          "serve it with the build that imported it, or import into it again with this one",
      options,
    );
    this.name = "StoreSchemaError";
    this.found = found;
    this.expected = expected;
  }
}

/**
 * The process may not read or write the SQLite file (Deno's `--allow-read`/
 * `--allow-write`, or the file system's permissions): a set-up error, never
 * a 503, since it does not heal by waiting.
 */
export class StorePermissionError extends Error {
  readonly path: string;
  readonly permission: "read" | "write";
  /** "deno": the Deno permission flags; "os": the file's owner and mode. */
  readonly by: "deno" | "os";
  constructor(path: string, permission: "read" | "write", by: "deno" | "os") {
    super(
      `SQLite store ${path}: no ${permission} permission` +
        (by === "deno"
          ? ` (Deno --allow-${permission} does not cover it; the 'web' task allows writing under ` +
            ".cache/ and data/ only: run 'deno task recsys web' for a store elsewhere)"
          : " (file system: check the file's and its directory's owner and mode)"),
    );
    this.name = "StorePermissionError";
    this.path = path;
    this.permission = permission;
    this.by = by;
  }
}
