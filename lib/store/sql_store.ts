/**
 * The {@link Store} queries, written once for both backends: each backend
 * supplies a {@link SqlRunner} (SQLite: cached prepared statements;
 * MySQL: a reconnecting pool), so both answer every method identically.
 *
 * Every value is a `?` parameter; the only SQL text chosen at run time comes
 * from fixed whitelists (sort column and direction). Ids and limits are
 * checked to be integers before any query ({@link StoreArgumentError}).
 *
 * Cost per call (n = rows returned): every query is a primary-key range or
 * point lookup, except `ratedMovies` (sorts the user's ratings; by title it also joins their
 * movies). `ratedMovies` reads both splits (`ratings_train` and
 * `ratings_test`: the user's ratings are all of them), and its `total` counts
 * both (every rated movie is in `movies` when movies.csv and the ratings come
 * from the same data set).
 *
 * The movie catalogue: `movies` with `links` is held in memory per store
 * (ML-32M's 87,585 movies: ~0.2 s to read once), so ratings, recommendations
 * (with the model list's "because you rated" movies) and similar movies are
 * read as ids and joined in memory (the dashboard's ~50 random movie rows
 * joined in SQL held it to 1,960 pages/s at scale 1 on two threads; joined
 * here, 2,540 pages/s). Each of those queries also
 * returns the stamp of the import that wrote the tables it read
 * (`import_meta.import_id`, a scalar subquery evaluated once per statement,
 * in the statement's snapshot), so a catalogue of an earlier import is never
 * used: the first query after an import reloads it. Rows whose movie is not
 * in `movies` are skipped, as the SQL join skipped them.
 *
 * One import per request ({@link SqlStore.snapshot}): the stamp is read
 * before and after the request's reads, and they run again when it changed.
 * Imports swap every table together with `import_meta` in one step and each
 * draws a new random stamp, so an unchanged stamp means no swap happened in
 * between, on either backend and over any number of connections. A read
 * transaction would give the same on SQLite, but this thread's one
 * connection is shared by all its requests in flight; on MySQL a
 * consistent-snapshot transaction holds metadata locks that the swap's
 * `RENAME TABLE` waits on (and can deadlock with). The cost is two primary-key
 * lookups per request.
 */
import {
  type Movie,
  type MovieCatalogue,
  type MovieRatings,
  type ProfileRating,
  type ProfileRecord,
  type RatedPage,
  type RatedQuery,
  type Recommendation,
  type RecommendationList,
  type RecommendationSource,
  type SimilarMovie,
  type Store,
  StoreArgumentError,
  type StoreCounts,
  StoreSchemaError,
  StoreUnavailableError,
  type TmdbEntry,
  type UserMovie,
  type UserNeighbor,
} from "./store.ts";
import { createTableSql, type Dialect, IMPORTED_TABLES, SCHEMA_VERSION, TABLES } from "./schema.ts";
import { FoldInStateError } from "../models/fold_in_file.ts";

export type Row = Record<string, unknown>;
export type SqlParam = number | string | null;

/** Runs parameterised SQL; raises StoreUnavailableError when the database cannot be reached. */
export interface SqlRunner {
  readonly kind: Dialect;
  all(sql: string, params: readonly SqlParam[]): Promise<Row[]>;
  run(sql: string, params: readonly SqlParam[]): Promise<void>;
  close(): Promise<void>;
}

const MOVIE_COLUMNS = "m.movie_id, m.title, m.genres, m.year, l.imdb_id, l.tmdb_id";
const MOVIE_JOIN = "LEFT JOIN links l ON l.movie_id = m.movie_id";
/** At most this many rows per call, whatever the caller asks. */
const MAX_LIMIT = 1000;
/** The stamp of the import whose tables a statement reads (null: imported before stamps). */
const STAMP = "(SELECT value FROM import_meta WHERE name = 'import_id') AS stamp";
/** The schema version the import recorded (null: imported before versions were). */
const SCHEMA = "(SELECT value FROM import_meta WHERE name = 'schema_version') AS schema_version";

/** Tries of {@link SqlStore.snapshot} before it gives up. */
const SNAPSHOT_TRIES = 3;

/** The movies of one import, by id. */
type Catalogue = MovieCatalogue & { movies: Map<number, Movie>; movielensIds: boolean };

/** The tables the web app writes, created on first use on a store imported before they existed. */
const WEB_TABLES = ["revoked_sessions", "profiles", "profile_ratings"] as const;

/**
 * A profile id: 128 random bits in lowercase hex (32 characters): hex, not base64url,
 * because MySQL's `_ci` collation would compare base64url ids case-insensitively.
 */
const PROFILE_ID = /^[0-9a-f]{32}$/;

function checkProfileId(value: unknown): string {
  if (typeof value !== "string" || !PROFILE_ID.test(value)) {
    throw new StoreArgumentError("profileId", value);
  }
  return value;
}

/** Stars as rating2 (1..10): half steps from 0.5 to 5. */
function checkStars(value: unknown): number {
  const r2 = typeof value === "number" ? value * 2 : NaN;
  if (!Number.isInteger(r2) || r2 < 1 || r2 > 10) throw new StoreArgumentError("rating", value);
  return r2;
}

function stampOf(r: Row | undefined): number | null {
  const v = r?.stamp;
  return v === null || v === undefined ? null : Number(v);
}

function checkInt(argument: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new StoreArgumentError(argument, value);
  }
  return value;
}

function limitOf(value: unknown): number {
  return Math.min(checkInt("limit", value, 0), MAX_LIMIT);
}

function movieOf(r: Row): Movie {
  const genres = r.genres as string;
  return {
    movieId: r.movie_id as number,
    title: r.title as string,
    genres: genres === "" ? [] : genres.split("|"),
    year: (r.year as number | null) ?? null,
    imdbId: (r.imdb_id as string | null) ?? null,
    tmdbId: (r.tmdb_id as number | null) ?? null,
  };
}

/** A rated movie that movies.csv does not list (never the case for a GroupLens release). */
function unknownMovie(movieId: number): Movie {
  return { movieId, title: `Movie ${movieId}`, genres: [], year: null, imdbId: null, tmdbId: null };
}

export class SqlStore implements Store {
  readonly kind: Dialect;
  #db: SqlRunner;
  /** Case-insensitive title order: SQLite needs NOCASE, MySQL's collation is already `_ci`. */
  #titleOrder: string;

  #catalogue: Catalogue | null = null;
  /** The web app's tables exist (created here for stores imported before they did). */
  #webTablesReady: Promise<void> | null = null;
  #loading: Promise<Catalogue> | null = null;
  /** The last import stamp whose schema version was checked (undefined: none yet). */
  #checkedStamp: number | null | undefined = undefined;

  constructor(runner: SqlRunner) {
    // A query that fails on a store of another schema (a column it lacks) says so in one line.
    // (The SQLite runner may throw before it returns a promise: awaited inside try.)
    this.#db = {
      kind: runner.kind,
      all: async (sql, params) => {
        try {
          return await runner.all(sql, params);
        } catch (err) {
          return this.#explain(runner, err);
        }
      },
      run: async (sql, params) => {
        try {
          return await runner.run(sql, params);
        } catch (err) {
          return this.#explain(runner, err);
        }
      },
      close: () => runner.close(),
    };
    this.kind = runner.kind;
    this.#titleOrder = runner.kind === "sqlite" ? "m.title COLLATE NOCASE" : "m.title";
  }

  /** Reads `movies` and `links` whole, with the stamp of the import they came from. */
  async #loadCatalogue(): Promise<Catalogue> {
    const rows = await this.#db.all(
      `SELECT ${STAMP}, ${MOVIE_COLUMNS}, m.rating_count, m.rating2_sum ` +
        `FROM movies m ${MOVIE_JOIN}`,
      [],
    );
    const stamp = rows.length ? stampOf(rows[0]) : await this.#currentStamp();
    const movies = new Map<number, Movie>();
    const ratings = new Map<number, MovieRatings>();
    for (const r of rows) {
      const id = r.movie_id as number;
      movies.set(id, movieOf(r));
      const count = Number(r.rating_count);
      ratings.set(id, { count, mean: count ? Number(r.rating2_sum) / count / 2 : null });
    }
    // The scale rows of the same import (the stamp is re-checked by every reader).
    const meta = new Map<string, number>();
    for (
      const r of await this.#db.all(
        "SELECT name, value FROM import_meta WHERE name IN " +
          "('rating2_min', 'rating2_max', 'half_stars')",
        [],
      )
    ) meta.set(r.name as string, Number(r.value));
    // A store imported before the scale was recorded: MovieLens' half stars.
    const scale = meta.has("rating2_max")
      ? {
        min: meta.get("rating2_min")! / 2,
        max: meta.get("rating2_max")! / 2,
        step: meta.get("half_stars") ? 0.5 : 1,
      }
      : { min: 0.5, max: 5, step: 0.5 };
    const ids = await this.#db.all(
      "SELECT value FROM import_meta WHERE name = 'movielens_ids'",
      [],
    );
    const movielensIds = ids.length === 0 || Number(ids[0].value) === 1;
    return { stamp, movies, ratings, scale, movielensIds };
  }

  /**
   * The stamp of the import the store holds now; the first time a stamp is
   * seen, its schema version is checked too (same statement, no extra query).
   */
  async #currentStamp(): Promise<number | null> {
    const row = (await this.#db.all(`SELECT ${STAMP}, ${SCHEMA}`, []))[0];
    const stamp = stampOf(row);
    if (stamp !== this.#checkedStamp) {
      const found = row?.schema_version == null ? 0 : Number(row.schema_version);
      if (found !== SCHEMA_VERSION) throw new StoreSchemaError(found, SCHEMA_VERSION);
      this.#checkedStamp = stamp;
    }
    return stamp;
  }

  /** `err` as a StoreSchemaError when the store's version is not this build's, else `err`. */
  async #explain(runner: SqlRunner, err: unknown): Promise<never> {
    if (err instanceof StoreUnavailableError) throw err;
    let found: number;
    try {
      const row = (await runner.all(`SELECT ${SCHEMA}`, []))[0];
      found = row?.schema_version == null ? 0 : Number(row.schema_version);
    } catch {
      throw err; // no import_meta at all: not a schema question
    }
    if (found !== SCHEMA_VERSION) {
      throw new StoreSchemaError(found, SCHEMA_VERSION, undefined, { cause: err });
    }
    throw err;
  }

  async schemaVersion(): Promise<number> {
    const row = (await this.#db.all(`SELECT ${SCHEMA}`, []))[0];
    return row?.schema_version == null ? 0 : Number(row.schema_version);
  }

  /** The catalogue of the import stamped `stamp`, loaded once per import (shared while loading). */
  async #catalogueOf(stamp: number | null): Promise<Catalogue> {
    if (this.#catalogue?.stamp === stamp) return this.#catalogue;
    this.#loading ??= this.#loadCatalogue().finally(() => this.#loading = null);
    this.#catalogue = await this.#loading;
    return this.#catalogue;
  }

  /**
   * Runs a query whose rows carry `stamp` and `movie_id`, and pairs each row with its movie
   * from the same import. When an import lands between the query and the catalogue's
   * reading, the query is read again.
   */
  async #withMovies(
    sql: string,
    params: readonly SqlParam[],
    keepUnknown = false,
  ): Promise<[Row, Movie][]> {
    for (let attempt = 0;; attempt++) {
      const rows = await this.#db.all(sql, params);
      if (rows.length === 0) return [];
      const stamp = stampOf(rows[0]);
      // Rows of an import not seen yet: its schema version is checked first.
      if (stamp !== this.#checkedStamp) await this.#currentStamp();
      const { stamp: read, movies } = await this.#catalogueOf(stamp);
      if (read !== stamp && attempt < 2) continue;
      const out: [Row, Movie][] = [];
      for (const r of rows) {
        const movie = movies.get(r.movie_id as number) ??
          (keepUnknown ? unknownMovie(r.movie_id as number) : undefined);
        if (movie) out.push([r, movie]);
      }
      return out;
    }
  }

  async snapshot<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 1;; attempt++) {
      const before = await this.#currentStamp();
      const result = await read();
      if ((await this.#currentStamp()) === before) return result;
      if (attempt === SNAPSHOT_TRIES) {
        throw new StoreUnavailableError(
          `the store was re-imported during each of ${SNAPSHOT_TRIES} tries to read one page`,
        );
      }
    }
  }

  async preload(): Promise<void> {
    await this.#catalogueOf(await this.#currentStamp());
  }

  async userExists(userId: number): Promise<boolean> {
    const id = checkInt("userId", userId, 0);
    const rows = await this.#db.all(
      "SELECT 1 AS x FROM ratings_train WHERE user_id = ? " +
        "UNION ALL SELECT 1 AS x FROM ratings_test WHERE user_id = ? LIMIT 1",
      [id, id],
    );
    return rows.length > 0;
  }

  async ratedMovies(userId: number, query: RatedQuery): Promise<RatedPage> {
    const id = checkInt("userId", userId, 0);
    const byTitle = query.sort === "title";
    const key = query.sort === "rating"
      ? "r.rating2"
      : query.sort === "date"
      ? "r.ts"
      : byTitle
      ? this.#titleOrder
      : null;
    if (key === null) throw new StoreArgumentError("sort", query.sort);
    if (query.order !== "asc" && query.order !== "desc") {
      throw new StoreArgumentError("order", query.order);
    }
    // The page is chosen from the user's key ranges alone (joining movies only to sort by
    // title): a heavy user's page costs one sort of (movie, rating, ts) tuples, not a join
    // per rating (measured 6.4 → 0.8 ms for 6k ratings). The total rides along. Both
    // splits: the user rated the test split's movies too.
    // Count and rating sum (the mean: the reason rule and "your average") in one scan of each
    // split's key range: count · 2^32 + sum, exact below 2^53 (sum ≤ 10 · count).
    const count = "((SELECT COUNT(*) * 4294967296 + COALESCE(SUM(rating2), 0) FROM ratings_train " +
      "WHERE user_id = ?) + (SELECT COUNT(*) * 4294967296 + COALESCE(SUM(rating2), 0) " +
      "FROM ratings_test WHERE user_id = ?)) AS packed";
    const rated = "(SELECT movie_id, rating2, ts FROM ratings_train WHERE user_id = ? " +
      "UNION ALL SELECT movie_id, rating2, ts FROM ratings_test WHERE user_id = ?) r";
    const rows = await this.#withMovies(
      `SELECT r.movie_id, r.rating2, r.ts, ${count}, ${STAMP} ` +
        `FROM ${rated}${byTitle ? " LEFT JOIN movies m ON m.movie_id = r.movie_id" : ""} ` +
        `ORDER BY ${key} ${query.order.toUpperCase()}, r.movie_id ASC LIMIT ? OFFSET ?`,
      [id, id, id, id, limitOf(query.limit), checkInt("offset", query.offset, 0)],
      true,
    );
    // An empty page (offset past the end, or no ratings) still needs the total.
    const [first] = rows.length ? rows[0] : await this.#db.all(`SELECT ${count}`, [id, id]);
    const packed = Number(first.packed);
    const total = Math.floor(packed / 4294967296);
    const sum2 = packed - total * 4294967296;
    return {
      items: rows.map(([r, movie]) => ({
        movie,
        rating: (r.rating2 as number) / 2,
        timestamp: r.ts as number,
      })),
      total,
      meanRating: total > 0 ? sum2 / (2 * total) : null,
    };
  }

  async recommendations(
    userId: number,
    limit: number,
    source?: RecommendationSource,
  ): Promise<RecommendationList> {
    if (source !== undefined && source !== "model" && source !== "similar-users") {
      throw new StoreArgumentError("source", source);
    }
    const id = checkInt("userId", userId, 0);
    const n = limitOf(limit);
    if (source !== "similar-users") {
      const items = await this.#modelRecommendations(id, n);
      if (items.length > 0 || source === "model") return { source: "model", items };
    }
    // likedByNeighbors was counted at import (lib/store/schema.ts).
    const rows = await this.#withMovies(
      `SELECT movie_id, prediction, liked_by_neighbors AS liked, ${STAMP} ` +
        "FROM user_item_predictions WHERE user_id = ? ORDER BY pos LIMIT ?",
      [id, n],
    );
    return {
      source: "similar-users",
      items: rows.map(([r, movie]) => ({
        movie,
        prediction: r.prediction as number,
        score: null,
        because: null,
        likedByNeighbors: Number(r.liked),
      })),
    };
  }

  /** The ranking model's list; the "because" movie comes from the same catalogue as the rows'. */
  async #modelRecommendations(userId: number, limit: number): Promise<Recommendation[]> {
    const rows = await this.#withMovies(
      "SELECT movie_id, score, prediction, because_movie_id, because_rating2, " +
        `${STAMP} FROM user_recommendations WHERE user_id = ? ORDER BY pos LIMIT ?`,
      [userId, limit],
    );
    if (rows.length === 0) return [];
    // Already loaded for this stamp by #withMovies: no query.
    const { movies } = await this.#catalogueOf(stampOf(rows[0][0]));
    return rows.map(([r, movie]) => {
      // 0: the model has no per-item decomposition (lib/store/schema.ts).
      const becauseId = r.because_movie_id as number;
      return {
        movie,
        prediction: r.prediction as number,
        score: r.score as number,
        because: becauseId === 0 ? null : {
          // The import checked the user rated it; a movie missing from movies.csv keeps its id.
          movie: movies.get(becauseId) ?? unknownMovie(becauseId),
          rating: (r.because_rating2 as number) / 2,
        },
        likedByNeighbors: null,
      };
    });
  }

  async userNeighbors(userId: number, limit: number): Promise<UserNeighbor[]> {
    const rows = await this.#db.all(
      "SELECT neighbor_id, similarity, common FROM user_topk_neighbors " +
        "WHERE user_id = ? ORDER BY pos LIMIT ?",
      [checkInt("userId", userId, 0), limitOf(limit)],
    );
    return rows.map((r) => ({
      userId: r.neighbor_id as number,
      similarity: r.similarity as number,
      common: r.common as number,
    }));
  }

  async userMovie(userId: number, movieId: number): Promise<UserMovie> {
    const u = checkInt("userId", userId, 0), m = checkInt("movieId", movieId, 0);
    // Point lookups on the ratings' keys; the lists are scanned within the user's key range
    // (at most their 100 rows each).
    const [r] = await this.#db.all(
      "SELECT (SELECT rating2 FROM ratings_train WHERE user_id = ? AND movie_id = ?) AS tr, " +
        "(SELECT rating2 FROM ratings_test WHERE user_id = ? AND movie_id = ?) AS te, " +
        "(SELECT MIN(prediction) FROM user_recommendations WHERE user_id = ? AND movie_id = ?) " +
        "AS mp, (SELECT MIN(prediction) FROM user_item_predictions " +
        "WHERE user_id = ? AND movie_id = ?) AS sp",
      [u, m, u, m, u, m, u, m],
    );
    const rating2 = (r.tr ?? r.te ?? null) as number | null;
    const prediction = (r.mp ?? r.sp ?? null) as number | null;
    return {
      rating: rating2 === null ? null : Number(rating2) / 2,
      prediction: prediction === null ? null : Number(prediction),
    };
  }

  async movie(movieId: number): Promise<Movie | null> {
    const rows = await this.#db.all(
      `SELECT ${MOVIE_COLUMNS} FROM movies m ${MOVIE_JOIN} WHERE m.movie_id = ?`,
      [checkInt("movieId", movieId, 0)],
    );
    return rows.length ? movieOf(rows[0]) : null;
  }

  async moviesById(movieIds: readonly number[]): Promise<Map<number, Movie>> {
    const { movies } = await this.#catalogueOf(await this.#currentStamp());
    const out = new Map<number, Movie>();
    for (const id of movieIds) {
      const movie = movies.get(id);
      if (movie) out.set(id, movie);
    }
    return out;
  }

  async similarMovies(movieId: number, limit: number): Promise<SimilarMovie[]> {
    const rows = await this.#withMovies(
      `SELECT neighbor_id AS movie_id, similarity, ${STAMP} FROM item_topk_neighbors ` +
        "WHERE movie_id = ? ORDER BY pos LIMIT ?",
      [checkInt("movieId", movieId, 0), limitOf(limit)],
    );
    return rows.map(([r, movie]) => ({ movie, similarity: r.similarity as number }));
  }

  async movielensIds(): Promise<boolean> {
    // The catalogue this request's reads loaded (or checked) is the current import's.
    const c = this.#catalogue ?? await this.#catalogueOf(await this.#currentStamp());
    return c.movielensIds;
  }

  async popularMovies(limit: number): Promise<Movie[]> {
    const rows = await this.#db.all(
      `SELECT ${MOVIE_COLUMNS} FROM movies m ${MOVIE_JOIN} ORDER BY m.popularity_rank LIMIT ?`,
      [limitOf(limit)],
    );
    return rows.map(movieOf);
  }

  async sampleUserIds(limit: number): Promise<number[]> {
    // Every user with similar users has a row at pos 0; the lowest ids, deterministic.
    const rows = await this.#db.all(
      "SELECT user_id FROM user_topk_neighbors WHERE pos = 0 ORDER BY user_id LIMIT ?",
      [limitOf(limit)],
    );
    return rows.map((r) => r.user_id as number);
  }

  async tmdbGet(movieIds: readonly number[]): Promise<Map<number, TmdbEntry>> {
    const out = new Map<number, TmdbEntry>();
    const ids = movieIds.map((id) => checkInt("movieId", id, 0));
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await this.#db.all(
        "SELECT movie_id, status, tmdb_id, poster_path, overview, fetched_at FROM movies_tmdb " +
          `WHERE movie_id IN (${chunk.map(() => "?").join(",")})`,
        chunk,
      );
      for (const r of rows) {
        out.set(r.movie_id as number, {
          movieId: r.movie_id as number,
          status: r.status === "ok" ? "ok" : "not_found",
          tmdbId: (r.tmdb_id as number | null) ?? null,
          posterPath: (r.poster_path as string | null) ?? null,
          overview: (r.overview as string | null) ?? null,
          fetchedAt: Number(r.fetched_at),
        });
      }
    }
    return out;
  }

  async tmdbPut(entry: TmdbEntry): Promise<void> {
    if (entry.status !== "ok" && entry.status !== "not_found") {
      throw new StoreArgumentError("status", entry.status);
    }
    const text = (v: unknown, name: string) => {
      if (v !== null && typeof v !== "string") throw new StoreArgumentError(name, v);
      return v;
    };
    // REPLACE INTO is the upsert both SQLite and MySQL understand.
    await this.#db.run(
      "REPLACE INTO movies_tmdb (movie_id, status, tmdb_id, poster_path, overview, fetched_at) " +
        "VALUES (?, ?, ?, ?, ?, ?)",
      [
        checkInt("movieId", entry.movieId, 0),
        entry.status,
        entry.tmdbId === null ? null : checkInt("tmdbId", entry.tmdbId, 0),
        text(entry.posterPath, "posterPath"),
        text(entry.overview, "overview"),
        checkInt("fetchedAt", entry.fetchedAt, 0),
      ],
    );
  }

  #webTables(): Promise<void> {
    this.#webTablesReady ??= (async () => {
      for (const t of WEB_TABLES) await this.#db.run(createTableSql(this.kind, TABLES[t]), []);
    })().catch((err) => {
      this.#webTablesReady = null;
      throw err;
    });
    return this.#webTablesReady;
  }

  async sessionRevoked(sessionId: string): Promise<boolean> {
    if (typeof sessionId !== "string") throw new StoreArgumentError("sessionId", sessionId);
    await this.#webTables();
    const rows = await this.#db.all(
      "SELECT 1 AS x FROM revoked_sessions WHERE session_id = ?",
      [sessionId],
    );
    return rows.length > 0;
  }

  async revokeSession(sessionId: string, expiresAt: number): Promise<void> {
    if (typeof sessionId !== "string") throw new StoreArgumentError("sessionId", sessionId);
    const expires = checkInt("expiresAt", expiresAt, 0);
    await this.#webTables();
    await this.#db.run(
      "REPLACE INTO revoked_sessions (session_id, expires_at) VALUES (?, ?)",
      [sessionId, expires],
    );
    await this.#db.run("DELETE FROM revoked_sessions WHERE expires_at < ?", [
      Math.floor(Date.now() / 1000),
    ]);
  }

  async counts(): Promise<StoreCounts> {
    const meta = new Map<string, number>();
    for (const r of await this.#db.all("SELECT name, value FROM import_meta", [])) {
      meta.set(r.name as string, Number(r.value));
    }
    const tmdb = await this.#db.all("SELECT COUNT(*) AS n FROM movies_tmdb", []);
    return {
      movies: meta.get("movies") ?? 0,
      users: meta.get("users") ?? 0,
      ratingsTrain: meta.get("ratings_train") ?? 0,
      ratingsTest: meta.get("ratings_test") ?? 0,
      userNeighbors: meta.get("user_topk_neighbors") ?? 0,
      itemNeighbors: meta.get("item_topk_neighbors") ?? 0,
      predictions: meta.get("user_item_predictions") ?? 0,
      recommendations: meta.get("user_recommendations") ?? 0,
      tmdbCached: Number(tmdb[0].n),
    };
  }

  async check(): Promise<void> {
    for (const name of [...IMPORTED_TABLES, "movies_tmdb" as const]) {
      const key = TABLES[name].primaryKey[0];
      // MIN and MAX of the leading key column: two descents of the primary-key B-tree.
      await this.#db.all(`SELECT MIN(${key}) AS lo, MAX(${key}) AS hi FROM ${name}`, []);
    }
  }

  async catalogue(): Promise<MovieCatalogue> {
    return await this.#catalogueOf(await this.#currentStamp());
  }

  async createProfile(p: ProfileRecord): Promise<void> {
    if (typeof p.client !== "string" || p.client.length > 64) {
      throw new StoreArgumentError("client", p.client);
    }
    await this.#webTables();
    await this.#db.run(
      "INSERT INTO profiles (profile_id, client, created_at, last_seen) VALUES (?, ?, ?, ?)",
      [
        checkProfileId(p.profileId),
        p.client,
        checkInt("createdAt", p.createdAt, 0),
        checkInt("lastSeen", p.lastSeen, 0),
      ],
    );
  }

  async profile(profileId: string): Promise<ProfileRecord | null> {
    const id = checkProfileId(profileId);
    await this.#webTables();
    const [r] = await this.#db.all(
      "SELECT profile_id, client, created_at, last_seen FROM profiles WHERE profile_id = ?",
      [id],
    );
    return r
      ? {
        profileId: r.profile_id as string,
        client: r.client as string,
        createdAt: Number(r.created_at),
        lastSeen: Number(r.last_seen),
      }
      : null;
  }

  async touchProfile(profileId: string, lastSeen: number): Promise<void> {
    const id = checkProfileId(profileId);
    await this.#webTables();
    await this.#db.run("UPDATE profiles SET last_seen = ? WHERE profile_id = ?", [
      checkInt("lastSeen", lastSeen, 0),
      id,
    ]);
  }

  async profileCounts(
    client: string,
    since: number,
  ): Promise<{ total: number; fromClient: number }> {
    if (typeof client !== "string") throw new StoreArgumentError("client", client);
    await this.#webTables();
    // A scan of `profiles` (bounded by the total cap); only profile creation asks.
    const [r] = await this.#db.all(
      "SELECT COUNT(*) AS total, " +
        "COALESCE(SUM(CASE WHEN client = ? AND created_at >= ? THEN 1 ELSE 0 END), 0) AS mine " +
        "FROM profiles",
      [client, checkInt("since", since, 0)],
    );
    return { total: Number(r.total), fromClient: Number(r.mine) };
  }

  async profileRatings(profileId: string): Promise<ProfileRating[]> {
    const id = checkProfileId(profileId);
    await this.#webTables();
    const rows = await this.#db.all(
      "SELECT movie_id, rating2, ts FROM profile_ratings WHERE profile_id = ? " +
        "ORDER BY ts DESC, movie_id ASC",
      [id],
    );
    return rows.map((r) => ({
      movieId: r.movie_id as number,
      rating: (r.rating2 as number) / 2,
      timestamp: Number(r.ts),
    }));
  }

  async setProfileRating(
    profileId: string,
    movieId: number,
    rating: number | null,
    timestamp: number,
  ): Promise<void> {
    const id = checkProfileId(profileId);
    const movie = checkInt("movieId", movieId, 0);
    await this.#webTables();
    if (rating === null) {
      await this.#db.run("DELETE FROM profile_ratings WHERE profile_id = ? AND movie_id = ?", [
        id,
        movie,
      ]);
      return;
    }
    await this.#db.run(
      "REPLACE INTO profile_ratings (profile_id, movie_id, rating2, ts) VALUES (?, ?, ?, ?)",
      [id, movie, checkStars(rating), checkInt("timestamp", timestamp, 0)],
    );
  }

  async addProfileRatings(profileId: string, ratings: readonly ProfileRating[]): Promise<void> {
    const id = checkProfileId(profileId);
    const rows = ratings.map((r) => [
      id,
      checkInt("movieId", r.movieId, 0),
      checkStars(r.rating),
      checkInt("timestamp", r.timestamp, 0),
    ]);
    await this.#webTables();
    // 250 rows (1,000 parameters) per statement: within both backends' limits.
    for (let i = 0; i < rows.length; i += 250) {
      const chunk = rows.slice(i, i + 250);
      await this.#db.run(
        "REPLACE INTO profile_ratings (profile_id, movie_id, rating2, ts) VALUES " +
          chunk.map(() => "(?, ?, ?, ?)").join(", "),
        chunk.flat(),
      );
    }
  }

  async deleteProfile(profileId: string): Promise<void> {
    const id = checkProfileId(profileId);
    await this.#webTables();
    await this.#db.run("DELETE FROM profile_ratings WHERE profile_id = ?", [id]);
    await this.#db.run("DELETE FROM profiles WHERE profile_id = ?", [id]);
  }

  async expireProfiles(idleSince: number): Promise<number> {
    const since = checkInt("idleSince", idleSince, 0);
    await this.#webTables();
    const idle = await this.#db.all("SELECT profile_id FROM profiles WHERE last_seen < ?", [
      since,
    ]);
    for (const r of idle) await this.deleteProfile(r.profile_id as string);
    return idle.length;
  }

  foldInState(shared: boolean): Promise<Uint8Array | null> {
    return this.snapshot(async () => {
      const meta = await this.#db.all(
        "SELECT value FROM import_meta WHERE name = 'fold_in_bytes'",
        [],
      );
      const total = meta.length > 0 ? Number(meta[0].value) : 0;
      if (total === 0) return null;
      const out = new Uint8Array(shared ? new SharedArrayBuffer(total) : new ArrayBuffer(total));
      let at = 0;
      // Chunk by chunk: never the whole state twice in memory.
      for (let part = 0; at < total; part++) {
        const rows = await this.#db.all("SELECT bytes FROM fold_in_state WHERE part = ?", [part]);
        if (rows.length === 0) break;
        const chunk = rows[0].bytes as Uint8Array;
        if (at + chunk.length > total) break;
        out.set(chunk, at);
        at += chunk.length;
      }
      if (at !== total) {
        throw new FoldInStateError(
          "store",
          `fold_in_state holds ${at === total ? "more than" : at} of the ${total} bytes ` +
            "import_meta records: import the run again",
        );
      }
      return out;
    });
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}
