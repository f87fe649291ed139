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
 * or no users is refused before the store is touched; under the import lock,
 * before each table is loaded, one that would leave fewer than
 * `1 - maxDrop` of the served import's users, movies, user or item neighbor
 * rows, or users with a model list, and any empty list file
 * (neighbors, recommendations, serving list) where the store serves rows from
 * it, is refused too ({@link ImportRefusedError}, naming the file, what it
 * holds and what is served): an empty or truncated file must not wipe a live
 * store. The served import's counts are its `import_meta`.
 */
import { defineCommand, UsageError } from "../lib/command.ts";
import { countDistinct, maxOf } from "../lib/counting_order.ts";
import { Progress } from "../lib/progress.ts";
import { readLinks } from "../lib/movielens_csv.ts";
import {
  hasMovielensIds,
  LAYOUT_FLAG,
  readMovieList,
  resolveMovieLensDir,
} from "../lib/movielens_dir.ts";
import { type RatingsTable, readRatingsTable } from "../lib/ratings_table.ts";
import { readVerifiedNeighborFile } from "../lib/neighbor_meta.ts";
import { verifySidecar } from "../lib/file_seal.ts";
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
   * Replace the store even with an empty data set, an empty list file where
   * the store serves rows from it, or one dropping more than `maxDrop`.
   * @default false
   */
  force?: boolean;
  /**
   * The largest fraction of what the served import holds a new import may
   * drop without `force`, checked for each of: users, movies, user and item
   * neighbor rows, users with a model list
   * (0.5: at least half of each must remain).
   * @default 0.5
   */
  maxDrop?: number;
  /** Receives warnings (a movie list read as Latin-1). @default console.warn */
  warn?: (message: string) => void;
}

/** @see ImportOptions.maxDrop */
export const DEFAULT_MAX_DROP = 0.5;

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

/** Names what a sealed input's parameter must be, for {@link verifySidecar}'s messages. */
const label = (key: string) => `the import's ${key === "mode" ? "neighbor file's mode" : key}`;
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
  // The files earlier steps wrote, against their sidecars, before any work (lib/file_seal.ts);
  // each is checked in full (rows, last line) again when it is read.
  const trainInput = { train: files.train };
  for (const [file, mode] of [[files.userNeighbors, "user"], [files.itemNeighbors, "item"]]) {
    await verifySidecar(file, { expected: { mode }, inputs: trainInput, label });
  }
  if (serving) await verifySidecar(servingFile, { inputs: { ...trainInput, test: files.test } });
  const movies = (await readMovieList(files.movies, { warn: options.warn })).movies;
  const links = files.links === null ? [] : await readLinks(files.links, { warn: options.warn });
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
    // A store a newer build imported would be downgraded under its web app: refused.
    const servedSchema = await loader.servedSchema();
    if (servedSchema > SCHEMA_VERSION) {
      throw new ImportRefusedError(
        `the store has schema version ${servedSchema}, newer than this build's ${SCHEMA_VERSION}: ` +
          "import with the build that made it, or into a new store (--db)",
        found,
      );
    }
    const maxDrop = options.maxDrop ?? DEFAULT_MAX_DROP;
    const served = await loader.servedCounts();
    found.servedUsers = served.get("users") ?? 0;
    /**
     * Refuses (without `force`) to replace what the store serves from `source` by
     * `count` of them: none where it serves some, or fewer than `1 - maxDrop` of them.
     */
    const guard = (source: string, metaName: string, count: number, unit: string) => {
      const before = served.get(metaName) ?? 0;
      if (force || before === 0) return;
      if (count === 0) {
        throw new ImportRefusedError(
          `${source} is empty, the store serves ${plural(before, unit)} from it`,
          found,
        );
      }
      if (count >= before * (1 - maxDrop)) return;
      throw new ImportRefusedError(
        `${source} has ${plural(count, unit)}, the store serves ${plural(before, unit)}: ` +
          `replacing it would drop ${((1 - count / before) * 100).toFixed(1)} % of them ` +
          `(at most ${maxDrop * 100} % allowed, --max-drop)`,
        found,
      );
    };
    guard("the split", "users", users, "user");
    guard(files.movies, "movies", movies.length, "movie");
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
    let servingLists = 0;
    if (serving) {
      const rows = servingRows(
        await readServing(servingFile, { train: files.train, test: files.test }),
        rated,
        [files.train, files.test],
        servingFile,
      );
      servingLists = countDistinct(rows.columns[0] as Int32Array);
      guard(servingFile, "user_recommendations_lists", servingLists, "list");
      tables.user_recommendations = await load(rows);
    } else tables.user_recommendations = 0;
    tables.fold_in_state = await load(foldInRows(foldIn?.bytes ?? new Uint8Array(0)));
    const similar = similarUsersList(
      await readVerifiedNeighborFile(files.userNeighbors, "user", files.train),
      train,
      rated,
    );
    guard(
      files.userNeighbors,
      "user_topk_neighbors",
      similar.neighbors.nbrs.length,
      "neighbor row",
    );
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

    const itemLists = await readVerifiedNeighborFile(files.itemNeighbors, "item", files.train);
    guard(files.itemNeighbors, "item_topk_neighbors", itemLists.nids.length, "neighbor row");
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
      // Users with a list, for the drop guard of the next import.
      ["user_recommendations_lists", servingLists],
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
      doc: "replace the store even with no movies/ratings/users, an empty list file, or " +
        "dropping much of what it serves",
    },
    maxDrop: {
      type: "number",
      default: DEFAULT_MAX_DROP,
      min: 0,
      max: 1,
      doc: "largest fraction of the served users, movies, neighbor rows or recommendation " +
        "lists an import may drop without --force",
    },
    maxUserDrop: {
      type: "number",
      arg: "<fraction>",
      min: 0,
      max: 1,
      doc: "old spelling of --max-drop",
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
    if (f.maxUserDrop !== undefined) {
      console.error("import: --max-user-drop is now --max-drop (it guards more than users)");
    }
    const release = f.data === undefined ? null : await resolveMovieLensDir(f.data, f.layout);
    const stats = await importStore({
      db,
      dir: f.run,
      movies: f.movies ?? release?.movies,
      links: f.links ?? release?.links,
      duplicates: f.duplicates,
      force: f.force,
      maxDrop: f.maxUserDrop ?? f.maxDrop,
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
