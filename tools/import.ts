/**
 * `import`: loads one run's outputs into the store (SQLite file or MySQL),
 * atomically: every table goes into a staging copy and all are swapped in
 * together at the end (lib/store/loader.ts), so the web app sees the old
 * store or the new one, never a mix, and a failure anywhere (missing or
 * malformed file, database error, killed process) leaves the old data
 * serving. Importing the same files twice gives the same store. The TMDB
 * cache (`movies_tmdb`) is kept.
 *
 * Inputs: `movies.csv`, `links.csv` (GroupLens format, default in `--run`),
 * and in `--run`: `ratings_train.csv`, `ratings_test.csv`,
 * `user_topk_neighbors.txt`, `item_topk_neighbors.txt`. All are checked to
 * exist before anything is written (`user_based_recommendations.csv`, the
 * classic list, is not read: the similar-users list is computed here). Optional in `--run`: `serving_recommendations.csv`, the
 * ranking model's list (lib/store/serving_csv.ts) for `user_recommendations`;
 * without it that table is empty and the dashboard serves the similar-users list.
 * Optional too: `fold_in_state.bin` with its sidecar (lib/models/fold_in_file.ts),
 * stored in 1 MiB chunks in `fold_in_state` and swapped in with the lists;
 * a state file whose size or header disagrees with its sidecar (cut, or
 * replaced) fails the import before the store is touched. Without it the
 * table is empty and `web` serves new visitors without fold-in.
 *
 * Rated movies are never recommended: the similar-users list skips every
 * movie the user rated in either split. The serving list is the pipeline's, refit on all
 * ratings, which never lists a rated movie: a line that does is refused
 * (file:line), as are ranks that do not run 1, 2, 3, … per user and a
 * "because" movie the user did not rate with those stars.
 *
 * Work done here rather than per request (lib/store/schema.ts says why):
 * ratings sorted by (user, movie) (two counting sorts, O(n)) so they load
 * in primary-key order; movie popularity ranks; the similar users (the
 * user file's candidates re-ranked by binary cosine, with `common` per pair)
 * and the similar-users list with its support (the dashboard's "liked by N
 * of your similar users") (lib/import/similar_users_list.ts; O(Σ over
 * (user, candidate) pairs of the smaller rating count × log) plus a pass
 * over the kept neighbours' ratings).
 *
 * Memory: the largest input's columns plus a sorted copy (ML-32M training
 * ratings: ~0.8 GB); the serving list (~20M lines at 100 per user) is read,
 * checked and loaded first, while only the ratings are held beside it.
 *
 * Guards (lifted by `force`): a data set with no movies, no training ratings
 * or no users is refused before the store is touched, and one that would
 * leave fewer than `1 - maxUserDrop` of the served import's users (checked
 * under the import lock) is refused too ({@link ImportRefusedError}): an
 * empty or truncated `ratings_train.csv` must not wipe a live store.
 */
import { defineCommand, UsageError } from "../lib/command.ts";
import { maxOf } from "../lib/counting_order.ts";
import { Progress } from "../lib/progress.ts";
import { readLinks } from "../lib/movielens_csv.ts";
import {
  hasMovielensIds,
  LAYOUT_FLAG,
  readMovieList,
  resolveMovieLensDir,
} from "../lib/movielens_dir.ts";
import { type RatingsTable, readRatingsTable } from "../lib/ratings_table.ts";
import { readNeighborFile } from "../lib/neighbor_file.ts";
import { readFoldInStateFile } from "../lib/models/fold_in_file.ts";
import { readServing } from "../lib/store/serving_csv.ts";
import { maskStoreUrl, openLoader } from "../lib/store/open.ts";
import type { StoreLoader, TableData } from "../lib/store/loader.ts";
import { type ImportedTable, SCHEMA_VERSION } from "../lib/store/schema.ts";
import { type DuplicatePolicy, DUPLICATES_FLAG } from "../lib/rating_duplicates.ts";
import { runFiles, STORE_URL_ENV, storeUrl } from "../lib/run_dir.ts";
import {
  type ImportFound,
  ImportInputError,
  ImportRefusedError,
} from "../lib/import/import_errors.ts";
import { ratingsInKeyOrder } from "../lib/import/ratings_order.ts";
import { popularityRanks } from "../lib/import/popularity_ranks.ts";
import { movieStats } from "../lib/import/movie_stats.ts";
import { neighborColumns } from "../lib/import/neighbor_counts.ts";
import { RatedMovies } from "../lib/import/rated_movies.ts";
import { servingRows } from "../lib/import/recommendation_rows.ts";
import { similarUsersList } from "../lib/import/similar_users_list.ts";

export { type ImportFound, ImportInputError, ImportRefusedError };

export interface ImportOptions {
  /** Store URL: `sqlite:<path>` or `mysql://user:pass@host:port/db`. */
  db: string;
  /** Directory with the ratings split, neighbor files and recommendations. */
  dir: string;
  /** movies.csv, movies.dat or u.item (lib/movielens_dir.ts). @default `<dir>/movies.csv` */
  movies?: string;
  /** links.csv; null for a release without one (no links rows). @default `<dir>/links.csv` */
  links?: string | null;
  /** A (userId, movieId) rated twice in the split files: keep the latest, or fail. @default "latest" */
  duplicates?: DuplicatePolicy;
  /**
   * Progress bars with rows/s on stderr. Output unchanged.
   * @default whether stderr is a terminal
   */
  progress?: boolean;
  /**
   * Replace the store even with an empty data set or one dropping more than
   * `maxUserDrop` of its users.
   * @default false
   */
  force?: boolean;
  /**
   * The largest fraction of the served import's users a new import may drop
   * without `force` (0.5: at least half of them must remain, counted as users).
   * @default 0.5
   */
  maxUserDrop?: number;
}

/** @see ImportOptions.maxUserDrop */
export const DEFAULT_MAX_USER_DROP = 0.5;

export interface ImportStats {
  /** Wall seconds, reading files included. */
  seconds: number;
  /** Rows written, all tables. */
  rows: number;
  /** Rows per table. */
  tables: Record<ImportedTable, number>;
  /** Seconds spent writing each table (file reading and sorting excluded). */
  loadSeconds: Record<ImportedTable, number>;
  /**
   * Seconds of the commit: secondary indexes, the swap, dropping the old
   * tables and giving their pages back (SQLite: incremental vacuum).
   */
  commitSeconds: number;
}

function plural(n: number, what: string): string {
  return `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`;
}

/** Records as a table's rows, one column per getter. */
function recordRows<T>(
  table: ImportedTable,
  records: readonly T[],
  ...columns: ((record: T) => string | number | null)[]
): TableData {
  return { table, length: records.length, columns: columns.map((get) => records.map(get)) };
}

/** A split's ratings as rows of its table. */
function ratingRows(table: "ratings_train" | "ratings_test", t: RatingsTable): TableData {
  return { table, length: t.length, columns: [t.users, t.movies, t.ratings, t.timestamps] };
}

/** A random 48-bit import stamp. */
function importId(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2));
  return (hi & 0xffff) * 2 ** 32 + lo;
}

/** Runs `loader.load` behind a progress bar (rows/s). */
async function loadWithProgress(
  loader: StoreLoader,
  data: TableData,
  progress: boolean | undefined,
  loadSeconds: Record<string, number>,
): Promise<number> {
  const t0 = performance.now();
  const bar = new Progress(`import ${data.table}`, data.length, {
    unit: "rows",
    enabled: progress,
  });
  await loader.load(data, (done) => bar.update(done));
  bar.finish();
  loadSeconds[data.table] = (performance.now() - t0) / 1000;
  return data.length;
}

/** Bytes per `fold_in_state` row: below every MySQL/MariaDB default packet limit (4 MiB+). */
export const FOLD_IN_CHUNK = 1 << 20;

/** The state's bytes as `fold_in_state` rows: (part, chunk) views, no copy. */
function foldInRows(bytes: Uint8Array): TableData {
  const parts: number[] = [], chunks: Uint8Array[] = [];
  for (let at = 0, part = 0; at < bytes.length; at += FOLD_IN_CHUNK, part++) {
    parts.push(part);
    chunks.push(bytes.subarray(at, Math.min(bytes.length, at + FOLD_IN_CHUNK)));
  }
  return { table: "fold_in_state", length: parts.length, columns: [parts, chunks] };
}

async function checkInputs(files: string[]): Promise<void> {
  for (const f of files) {
    try {
      const st = await Deno.stat(f);
      if (!st.isFile) throw new ImportInputError(f, "not a file");
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) throw new ImportInputError(f, "missing input file");
      throw err;
    }
  }
}

/** Imports a run's outputs into the store at `options.db`; see the module doc. */
export async function importStore(options: ImportOptions): Promise<ImportStats> {
  const t0 = performance.now();
  const dir = options.dir;
  const run = runFiles(dir);
  const files = {
    movies: options.movies ?? `${dir}/movies.csv`,
    links: options.links === undefined ? `${dir}/links.csv` : options.links,
    train: run.train,
    test: run.test,
    userNeighbors: run.userNeighbors,
    itemNeighbors: run.itemNeighbors,
  };
  await checkInputs(Object.values(files).filter((f) => f !== null));
  const servingFile = run.serving;
  const serving = await Deno.stat(servingFile).then(() => true, (err) => {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  });
  const foldInFile = run.foldIn;
  const foldIn = await Deno.stat(foldInFile).then(
    () => readFoldInStateFile(foldInFile),
    (err) => {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    },
  );
  const movies = await readMovieList(files.movies);
  const links = files.links === null ? [] : await readLinks(files.links);
  const train = ratingsInKeyOrder(
    (await readRatingsTable(files.train, { duplicates: options.duplicates })).table,
    files.train,
  );
  const test = ratingsInKeyOrder(
    (await readRatingsTable(files.test, { duplicates: options.duplicates })).table,
    files.test,
  );
  // Users with ratings in either split (Store.userExists; import_meta.users,
  // which the drop guard compares with).
  const hasRatings = new Uint8Array(Math.max(maxOf(train.users), maxOf(test.users)) + 1);
  for (const t of [train, test]) for (let i = 0; i < t.length; i++) hasRatings[t.users[i]] = 1;
  let users = 0;
  for (let u = 0; u < hasRatings.length; u++) users += hasRatings[u];
  const found: ImportFound = { movies: movies.length, ratings: train.length, users };
  const force = options.force ?? false;
  if (!force && (found.movies === 0 || found.ratings === 0)) {
    throw new ImportRefusedError(
      `the data set is empty: ${files.movies} has ${plural(found.movies, "movie")}, ` +
        `${files.train} has ${plural(found.ratings, "rating")} from ${plural(users, "user")}`,
      found,
    );
  }
  const tables = {} as Record<ImportedTable, number>;
  const loadSeconds = {} as Record<ImportedTable, number>;
  const progress = options.progress;
  const loader = openLoader(options.db);
  const load = (data: TableData) => loadWithProgress(loader, data, progress, loadSeconds);
  let commitSeconds = 0;
  try {
    await loader.begin();
    const maxDrop = options.maxUserDrop ?? DEFAULT_MAX_USER_DROP;
    // A store a newer build imported would be downgraded under its web app: refused.
    const served = await loader.servedSchema();
    if (served > SCHEMA_VERSION) {
      throw new ImportRefusedError(
        `the store has schema version ${served}, newer than this build's ${SCHEMA_VERSION}: ` +
          "import with the build that made it, or into a new store (--db)",
        found,
      );
    }
    found.servedUsers = await loader.servedUsers();
    if (!force && users < found.servedUsers * (1 - maxDrop)) {
      const dropped = 1 - users / found.servedUsers;
      throw new ImportRefusedError(
        `the split has ${plural(users, "user")}, the store serves ` +
          `${plural(found.servedUsers, "user")}: replacing it would drop ` +
          `${(dropped * 100).toFixed(1)} % of them (at most ${maxDrop * 100} % allowed, ` +
          "--max-user-drop)",
        found,
      );
    }
    const rank = popularityRanks(movies.map((m) => m.movieId), train);
    const stats = movieStats([train, test]);
    tables.movies = await load(recordRows(
      "movies",
      movies,
      (m) => m.movieId,
      (m) => m.title,
      (m) => m.genres.join("|"),
      (m) => m.year,
      (m) => rank.get(m.movieId)!,
      (m) => stats.count(m.movieId),
      (m) => stats.sum2(m.movieId),
    ));
    tables.links = await load(
      recordRows("links", links, (l) => l.movieId, (l) => l.imdbId, (l) => l.tmdbId),
    );
    tables.ratings_train = await load(ratingRows("ratings_train", train));

    const rated = new RatedMovies([train, test]);

    // First, while little else is held: the file and its columns (~1.6 GB at 20M lines) are
    // garbage once loaded.
    tables.user_recommendations = serving
      ? await load(
        servingRows(await readServing(servingFile), rated, [files.train, files.test], servingFile),
      )
      : 0;
    tables.fold_in_state = await load(foldInRows(foldIn?.bytes ?? new Uint8Array(0)));
    const similar = similarUsersList(await readNeighborFile(files.userNeighbors), train, rated);
    tables.user_topk_neighbors = await load({
      table: "user_topk_neighbors",
      length: similar.neighbors.nbrs.length,
      columns: [
        similar.neighborUsers,
        similar.neighborPos,
        similar.neighbors.nbrs,
        similar.similarities,
        similar.neighbors.common,
      ],
    });

    tables.ratings_test = await load(ratingRows("ratings_test", test));

    const itemLists = await readNeighborFile(files.itemNeighbors);
    const [iIds, iPos] = neighborColumns(itemLists);
    tables.item_topk_neighbors = await load({
      table: "item_topk_neighbors",
      length: itemLists.nids.length,
      columns: [iIds, iPos, itemLists.nids, itemLists.sims],
    });

    tables.user_item_predictions = await load({
      table: "user_item_predictions",
      length: similar.list.users.length,
      columns: [
        similar.list.users,
        similar.list.pos,
        similar.list.movies,
        similar.list.predictions,
        similar.list.support,
      ],
    });

    const meta: [string, number][] = [
      ["movies", movies.length],
      ["users", users],
      ["ratings_train", tables.ratings_train],
      ["ratings_test", tables.ratings_test],
      ["user_topk_neighbors", tables.user_topk_neighbors],
      ["item_topk_neighbors", tables.item_topk_neighbors],
      ["user_item_predictions", tables.user_item_predictions],
      ["user_recommendations", tables.user_recommendations],
      // The data's rating scale (Store.catalogue().scale): the site's stars offer these steps.
      ["rating2_min", stats.minRating2],
      ["rating2_max", stats.maxRating2],
      ["half_stars", stats.halfStars ? 1 : 0],
      // Whether movie ids are movielens.org's (Store.movielensIds): links to it only then.
      ["movielens_ids", hasMovielensIds(files.movies) ? 1 : 0],
      ["fold_in_bytes", foldIn?.bytes.length ?? 0],
      // Tells readers which import their rows came from (lib/store/sql_store.ts: the
      // in-memory movie catalogue is reloaded when it changes). 48 random bits: exact
      // as a JS number and a BIGINT.
      ["import_id", importId()],
      // What readers check before serving (lib/store/sql_store.ts: StoreSchemaError).
      ["schema_version", SCHEMA_VERSION],
    ];
    tables.import_meta = await load({
      table: "import_meta",
      length: meta.length,
      columns: [meta.map((m) => m[0]), meta.map((m) => m[1])],
    });
    const tc = performance.now();
    await loader.commit();
    commitSeconds = (performance.now() - tc) / 1000;
  } catch (err) {
    try {
      await loader.abort();
    } catch { /* the original error matters; leftovers are dropped by the next import */ }
    throw err;
  } finally {
    await loader.close();
  }
  const rows = Object.values(tables).reduce((a, b) => a + b, 0);
  return {
    seconds: (performance.now() - t0) / 1000,
    rows,
    tables,
    loadSeconds,
    commitSeconds,
  };
}

export const importCommand = defineCommand({
  name: "import",
  summary: "load ratings, neighbors and recommendations into the store (atomic swap)",
  flags: {
    db: {
      type: "string",
      arg: "<url>",
      doc: "sqlite:<path> or mysql://user:pass@host:port/db (default: $RECSYS_DB)",
    },
    run: {
      type: "string",
      required: true,
      arg: "<dir>",
      was: ["dir"],
      doc: "pipeline run directory to read: ratings_{train,test}.csv, *_topk_neighbors.txt, " +
        "serving_recommendations.csv and fold_in_state.bin when present",
    },
    data: {
      type: "string",
      arg: "<dir>",
      doc: "GroupLens release directory to take movies and links from",
    },
    layout: LAYOUT_FLAG,
    movies: {
      type: "string",
      arg: "<file>",
      doc: "movies.csv, movies.dat or u.item (default: from --data, else <run>/movies.csv)",
    },
    links: {
      type: "string",
      arg: "<file>",
      doc: "links.csv (default: from --data, else <run>/links.csv)",
    },
    duplicates: DUPLICATES_FLAG,
    force: {
      type: "boolean",
      doc: "replace the store even with no movies/ratings/users, or dropping many of its users",
    },
    maxUserDrop: {
      type: "number",
      default: DEFAULT_MAX_USER_DROP,
      min: 0,
      max: 1,
      doc: "largest fraction of the served users an import may drop without --force",
    },
  },
  details: "The store keeps serving its previous data until the whole import succeeded. " +
    "One import at a time per store; a killed import's lock and staging tables are taken " +
    "over by the next one.",
  async run(f) {
    const db = storeUrl(f.db);
    if (!db) {
      throw new UsageError(`import: no store given (--db <url> or ${STORE_URL_ENV})`, "--db");
    }
    const release = f.data === undefined ? null : await resolveMovieLensDir(f.data, f.layout);
    const stats = await importStore({
      db,
      dir: f.run,
      movies: f.movies ?? release?.movies,
      links: f.links ?? release?.links,
      duplicates: f.duplicates,
      force: f.force,
      maxUserDrop: f.maxUserDrop,
    });
    for (const [table, n] of Object.entries(stats.tables)) {
      console.log(`${table.padEnd(22)} ${String(n).padStart(12)} rows`);
    }
    console.log(
      `imported ${stats.rows} rows into ${maskStoreUrl(db)} in ${stats.seconds.toFixed(1)} s ` +
        `(${Math.round(stats.rows / stats.seconds)} rows/s; commit ${
          stats.commitSeconds.toFixed(1)
        } s)`,
    );
  },
});
