/**
 * The store schema, one definition rendered for both dialects (SQLite and
 * MySQL/MariaDB), with the classic table names (docs/ARCHITECTURE.md).
 *
 * Choices, and why:
 * - Ratings keep `rating2` = stars × 2 (1..10, as the compute engines hold
 *   them): one byte instead of a float, exact comparisons (`>= 8` is 4.0 stars).
 *   The store API converts back to stars.
 * - Neighbor lists are normalised, one row per (id, position) with the
 *   neighbor and its similarity, not the classic one-row-per-id `nid:sim,…`
 *   text: a page of neighbors is then a primary-key range, with nothing to
 *   parse per request. `pos` (0-based,
 *   the file's order: similarity desc, then id asc) is in the primary key, so
 *   "top N" is `ORDER BY pos LIMIT N` on the clustered key.
 * - `user_topk_neighbors.common` (movies both users rated in training) is
 *   computed once at import, since a heavy user's count would otherwise cost
 *   thousands of index probes per neighbor on every dashboard view.
 * - `user_item_predictions.pos` is the rank within the user (prediction desc,
 *   then movieId asc), computed at import, for the same reason.
 * - `user_item_predictions` is the similar-users list computed at import
 *   (lib/models/user_liked.ts); its `liked_by_neighbors` (the user's similar
 *   users who rated the movie >= 4.0 in training) is computed there too: counted
 *   per request it took ~1,500 primary-key probes (30 recommendations × 50
 *   neighbors), most of a dashboard's store time. Stores imported before
 *   this column existed must be imported again ({@link SCHEMA_VERSION}).
 * - `user_recommendations` is the ranking model's list (`serving_recommendations.csv`,
 *   refit on all ratings), one row per (user, pos) like `user_item_predictions`,
 *   with the rated movie that contributed most to each score
 *   (`because_movie_id`, `because_rating2` = the user's stars × 2), both 0 when
 *   the model has no per-item decomposition (popularity): 0, not NULL, so the
 *   import hands the loader typed arrays (NULLs need a JS array per column,
 *   ~160 MB each for ML-32M's 20M rows; ids and ratings are never 0). The
 *   dashboard reads the title from the in-memory catalogue, so a page still
 *   costs one key range.
 * - `movies.popularity_rank` (1 = most training ratings, ties by movieId) and
 *   the `import_meta` counts are computed at import so the popular list and
 *   the status page never scan the 25M-row ratings table.
 * - `movies_tmdb` is a cache filled by the web app and the `tmdb` command; an
 *   import never touches it. Nor `revoked_sessions` (the web app's logouts), nor
 *   `profiles` and `profile_ratings` (visitors' own ratings): {@link KEPT_TABLES}.
 * - `movies.rating_count` and `rating2_sum` (both splits) are counted at import,
 *   so the catalogue every serving thread holds carries them (search ranking,
 *   average ratings) without a scan of the ratings.
 * - `fold_in_state` holds the serve step's `fold_in_state.bin`
 *   (lib/models/fold_in_file.ts) in 1 MiB chunks by `part` (a row fits any
 *   server's packet limit; a scale-1 state is ~600 chunks), imported and
 *   swapped with the lists so a web start never pairs one import's lists
 *   with another's models; `import_meta.fold_in_bytes` is its length. Empty
 *   when the run has no state file.
 * - Every table is clustered on its primary key (SQLite `WITHOUT ROWID`,
 *   InnoDB), which is also the only index the queries need besides
 *   `movies(popularity_rank)`.
 */

export type Dialect = "sqlite" | "mysql";

/**
 * Bumped whenever a table's columns change: a store imported under another
 * version must be imported again (the pipeline re-runs its import step, the
 * web bench rebuilds its cached store).
 */
export const SCHEMA_VERSION = 5;

const COLUMN_TYPES = [
  "int",
  "uint",
  "smallint",
  "tinyint",
  "bigint",
  "double",
  "title",
  "short",
  "text",
  "blob",
] as const;

type ColumnType = typeof COLUMN_TYPES[number];

interface Column {
  name: string;
  type: ColumnType;
  nullable?: boolean;
}

/** Whether a table has a blob column (loaded a row per statement: each row is up to 1 MiB). */
export function hasBlobColumn(def: TableDef): boolean {
  return def.columns.some((c) => c.type === "blob");
}

export interface TableDef {
  name: TableName;
  columns: readonly Column[];
  primaryKey: readonly string[];
  /** Secondary indexes, built after the load. */
  indexes: readonly (readonly string[])[];
}

/** The tables an import replaces, in load order. */
export const IMPORTED_TABLES = [
  "movies",
  "links",
  "ratings_train",
  "ratings_test",
  "user_topk_neighbors",
  "item_topk_neighbors",
  "user_item_predictions",
  "user_recommendations",
  "fold_in_state",
  "import_meta",
] as const;

export type ImportedTable = (typeof IMPORTED_TABLES)[number];
/** Tables the web app writes and every import keeps (created on first use on an older store). */
export const KEPT_TABLES = [
  "movies_tmdb",
  "revoked_sessions",
  "profiles",
  "profile_ratings",
] as const;

export type TableName = ImportedTable | (typeof KEPT_TABLES)[number];

/**
 * A table from compact column specs, `"name type"` or `"name type?"` for a
 * nullable column (checked here, once, when the module loads).
 */
function table(
  name: TableName,
  columns: readonly string[],
  primaryKey: readonly string[],
  indexes: readonly (readonly string[])[] = [],
): TableDef {
  return {
    name,
    columns: columns.map((spec) => {
      const [col, type] = spec.split(" ");
      const t = type.replace(/\?$/, "") as ColumnType;
      if (!(COLUMN_TYPES as readonly string[]).includes(t)) {
        throw new Error(`schema: ${name}.${col}: unknown type ${type}`);
      }
      return type.endsWith("?") ? { name: col, type: t, nullable: true } : { name: col, type: t };
    }),
    primaryKey,
    indexes,
  };
}

const RATINGS = ["user_id int", "movie_id int", "rating2 tinyint", "ts uint"];

export const TABLES: Record<TableName, TableDef> = {
  movies: table(
    "movies",
    [
      "movie_id int",
      "title title",
      // '|'-joined as in movies.csv; '' for "(no genres listed)".
      "genres title",
      "year smallint?",
      "popularity_rank int",
      // Ratings of the movie in both splits, and the sum of their rating2 (the mean is
      // rating2_sum / rating_count / 2): the search's ranking, the movie page's average.
      "rating_count int",
      "rating2_sum bigint",
    ],
    ["movie_id"],
    [["popularity_rank"]],
  ),
  links: table(
    "links",
    [
      "movie_id int",
      "imdb_id short?",
      "tmdb_id int?",
    ],
    ["movie_id"],
  ),
  ratings_train: table(
    "ratings_train",
    RATINGS,
    ["user_id", "movie_id"],
  ),
  ratings_test: table(
    "ratings_test",
    RATINGS,
    ["user_id", "movie_id"],
  ),
  user_topk_neighbors: table(
    "user_topk_neighbors",
    [
      "user_id int",
      "pos smallint",
      "neighbor_id int",
      "similarity double",
      "common int",
    ],
    ["user_id", "pos"],
  ),
  item_topk_neighbors: table(
    "item_topk_neighbors",
    [
      "movie_id int",
      "pos smallint",
      "neighbor_id int",
      "similarity double",
    ],
    ["movie_id", "pos"],
  ),
  user_item_predictions: table(
    "user_item_predictions",
    [
      "user_id int",
      "pos int",
      "movie_id int",
      "prediction double",
      "liked_by_neighbors int",
    ],
    ["user_id", "pos"],
  ),
  user_recommendations: table(
    "user_recommendations",
    [
      "user_id int",
      // 0-based: the file's rank - 1.
      "pos int",
      "movie_id int",
      "score double",
      "prediction double",
      // 0: none (above).
      "because_movie_id int",
      "because_rating2 tinyint",
    ],
    ["user_id", "pos"],
  ),
  fold_in_state: table(
    "fold_in_state",
    [
      // 0-based chunk number; the chunks in order are the state file's bytes.
      "part int",
      "bytes blob",
    ],
    ["part"],
  ),
  import_meta: table(
    "import_meta",
    [
      "name short",
      "value bigint",
    ],
    ["name"],
  ),
  movies_tmdb: table(
    "movies_tmdb",
    [
      "movie_id int",
      "status short",
      "tmdb_id int?",
      "poster_path title?",
      "overview text?",
      "fetched_at bigint",
    ],
    ["movie_id"],
  ),
  // Sessions ended by logout before their cookie expired (routes/_middleware.ts); kept by
  // imports like the TMDB cache, created by the web app on a store imported before it.
  revoked_sessions: table(
    "revoked_sessions",
    [
      "session_id short",
      // Unix seconds when the cookie expires anyway: the row can go then.
      "expires_at bigint",
    ],
    ["session_id"],
  ),
  // A visitor's private profile (routes/_profiles.ts): 128 random bits, reached only
  // through the signed session cookie that carries it. `client` is an HMAC of the
  // client's address (the per-client creation cap), never the address itself.
  profiles: table(
    "profiles",
    [
      "profile_id short",
      "client short",
      // Unix seconds.
      "created_at bigint",
      // Unix seconds of the last rating or visit (updated at most daily): idle expiry.
      "last_seen bigint",
    ],
    ["profile_id"],
  ),
  profile_ratings: table(
    "profile_ratings",
    [
      "profile_id short",
      "movie_id int",
      "rating2 tinyint",
      // Unix seconds.
      "ts bigint",
    ],
    ["profile_id", "movie_id"],
  ),
};

const MYSQL_TYPES: Record<ColumnType, string> = {
  int: "INT",
  uint: "INT UNSIGNED",
  smallint: "SMALLINT",
  tinyint: "TINYINT",
  bigint: "BIGINT",
  double: "DOUBLE",
  // VARCHAR, not TEXT: MySQL sorts TEXT through on-disk temporary tables
  // (a heavy user's page by title took 69 ms with TEXT).
  title: "VARCHAR(1000)",
  short: "VARCHAR(64)",
  text: "TEXT",
  // ≤ 16 MiB per value; the import writes 1 MiB chunks.
  blob: "MEDIUMBLOB",
};

function sqliteType(t: ColumnType): string {
  if (t === "double") return "REAL";
  if (t === "title" || t === "short" || t === "text") return "TEXT";
  if (t === "blob") return "BLOB";
  return "INTEGER";
}

/** `CREATE TABLE` for `def` under the name `as` (staging tables use another name). */
export function createTableSql(dialect: Dialect, def: TableDef, as: string = def.name): string {
  const cols = def.columns.map((c) =>
    `${c.name} ${dialect === "sqlite" ? sqliteType(c.type) : MYSQL_TYPES[c.type]}` +
    (c.nullable ? "" : " NOT NULL")
  );
  cols.push(`PRIMARY KEY (${def.primaryKey.join(", ")})`);
  const body = cols.join(", ");
  return dialect === "sqlite"
    ? `CREATE TABLE IF NOT EXISTS ${as} (${body}) WITHOUT ROWID`
    : `CREATE TABLE IF NOT EXISTS ${as} (${body}) ENGINE=InnoDB ` +
      "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
}

/** `CREATE INDEX` statements for `def`'s secondary indexes on table `as`. */
export function createIndexSql(def: TableDef, as: string = def.name): string[] {
  return def.indexes.map((cols) =>
    `CREATE INDEX ${as}_${cols.join("_")} ON ${as} (${cols.join(", ")})`
  );
}
