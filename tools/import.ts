/**
 * `import`: loads one run's outputs into the store (SQLite file or MySQL),
 * atomically: every table goes into a staging copy and all are swapped in
 * together at the end (lib/store/loader.ts), so the web app sees the old
 * store or the new one, never a mix, and a failure anywhere (missing or
 * malformed file, database error, killed process) leaves the old data
 * serving. Importing the same files twice gives the same store. The TMDB
 * cache (`movies_tmdb`) is kept.
 *
 * Inputs: `movies.csv`, `links.csv` (GroupLens format, default in `--dir`),
 * and in `--dir`: `ratings_train.csv`, `ratings_test.csv`,
 * `user_topk_neighbors.txt`, `item_topk_neighbors.txt`,
 * `user_based_recommendations.csv`. All are checked to exist before anything
 * is written. Optional in `--dir`: `serving_recommendations.csv`, the
 * ranking model's list (lib/store/serving_csv.ts) for `user_recommendations`;
 * without it that table is empty and the dashboard serves the seed's list.
 *
 * Rated movies are never recommended. The seed's list was computed on the
 * training split, so its rows of a movie the user rated (in either split)
 * are dropped and counted. The serving list is the pipeline's, refit on all
 * ratings, which never lists a rated movie: a line that does is refused
 * (file:line), as are ranks that do not run 1, 2, 3, … per user and a
 * "because" movie the user did not rate with those stars.
 *
 * Work done here rather than per request (lib/store/schema.ts says why):
 * ratings sorted by (user, movie) (two counting sorts, O(n)) so they load
 * in primary-key order; movie popularity ranks; prediction ranks per user;
 * `common` per user-neighbor pair and `liked_by_neighbors` per
 * recommendation (the dashboard's "liked by N of your similar users"), both
 * counted in one scan with stamp arrays over the sorted ratings
 * (O(Σ over pairs of the neighbor's rating count)).
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
import { countingOrder, maxOf } from "../lib/counting_order.ts";
import { Progress } from "../lib/progress.ts";
import { readLinks } from "../lib/movielens_csv.ts";
import { readMovieList, resolveMovieLensDir } from "../lib/movielens_dir.ts";
import { type RatingsTable, readRatingsTable } from "../lib/ratings_table.ts";
import { type NeighborLists, readNeighborFile } from "../lib/neighbor_file.ts";
import {
  readRecommendations,
  type RecommendationColumns,
  RecommendationsFormatError,
} from "../lib/store/recommendations_csv.ts";
import { readServing, type ServingColumns } from "../lib/store/serving_csv.ts";
import { maskStoreUrl, openLoader } from "../lib/store/open.ts";
import type { StoreLoader, TableData } from "../lib/store/loader.ts";
import type { ImportedTable } from "../lib/store/schema.ts";
import { type DuplicatePolicy, DUPLICATES_FLAG } from "../lib/rating_duplicates.ts";

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
  /** Rows of `user_based_recommendations.csv` dropped because the user rated the movie. */
  seedRatedDropped: number;
  /**
   * Seconds of the commit: secondary indexes, the swap, dropping the old
   * tables and giving their pages back (SQLite: incremental vacuum).
   */
  commitSeconds: number;
}

/** An input file that is missing or inconsistent (duplicate rating). */
export class ImportInputError extends Error {
  readonly file: string;
  readonly reason: string;
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = "ImportInputError";
    this.file = file;
    this.reason = reason;
  }
}

/** What the data set holds, and the served import's users when that was compared. */
export interface ImportFound {
  movies: number;
  ratings: number;
  users: number;
  servedUsers?: number;
}

/** `import` would wipe or shrink a store and `force` was not given. */
export class ImportRefusedError extends Error {
  readonly found: ImportFound;
  constructor(reason: string, found: ImportFound) {
    super(`import refused: ${reason}; pass --force to import it anyway`);
    this.name = "ImportRefusedError";
    this.found = found;
  }
}

function plural(n: number, what: string): string {
  return `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`;
}

/**
 * The table sorted by (user, movie), the primary key's order. Already sorted
 * files (GroupLens ships them so) are returned as they are.
 * Throws ImportInputError on a duplicate (user, movie).
 */
function sortRatings(t: RatingsTable, file: string): RatingsTable {
  const { users, movies, length: n } = t;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (users[i] < users[i - 1] || (users[i] === users[i - 1] && movies[i] <= movies[i - 1])) {
      sorted = false;
      break;
    }
  }
  let out = t;
  if (!sorted) {
    const order = countingOrder(users, countingOrder(movies, null, maxOf(movies)), maxOf(users));
    out = {
      length: n,
      users: new Int32Array(n),
      movies: new Int32Array(n),
      ratings: new Uint8Array(n),
      timestamps: new Uint32Array(n),
    };
    for (let j = 0; j < n; j++) {
      const i = order[j];
      out.users[j] = users[i];
      out.movies[j] = movies[i];
      out.ratings[j] = t.ratings[i];
      out.timestamps[j] = t.timestamps[i];
    }
  }
  for (let i = 1; i < n; i++) {
    if (out.users[i] === out.users[i - 1] && out.movies[i] === out.movies[i - 1]) {
      throw new ImportInputError(
        file,
        `duplicate rating for userId ${out.users[i]}, movieId ${out.movies[i]}`,
      );
    }
  }
  return out;
}

/** `rank[movieId]` = 1 + number of movies with more training ratings (ties: smaller id first). */
function popularityRanks(movieIds: readonly number[], train: RatingsTable): Map<number, number> {
  const counts = new Int32Array(maxOf(train.movies) + 1);
  for (let i = 0; i < train.length; i++) counts[train.movies[i]]++;
  const count = (id: number) => (id < counts.length ? counts[id] : 0);
  const order = [...movieIds].sort((a, b) => count(b) - count(a) || a - b);
  return new Map(order.map((id, i) => [id, i + 1]));
}

/**
 * Per-user neighbor counts, in one pass over the neighbors' ratings (`train`
 * sorted by user; `rec` sorted by user, as {@link rankRecommendations} leaves it):
 * - `common[e]`: for each (user, neighbor) entry, the movies both rated in training;
 * - `liked[j]`: for each recommendation row, the user's neighbors who rated
 *   its movie >= 4.0 stars (rating2 >= 8) in training.
 * The user's rated movies are stamped with the user id and their recommended
 * movies with the user id and row, then each neighbor's ratings are scanned
 * once for both. Cost: Σ over (user, neighbor) pairs of the neighbor's rating
 * count, the same scan `common` alone needs.
 */
function neighborCounts(
  lists: NeighborLists,
  train: RatingsTable,
  rec: { users: Int32Array; movies: Int32Array },
): { common: Int32Array; liked: Int32Array } {
  const maxUser = Math.max(maxOf(train.users), maxOf(lists.ids), maxOf(lists.nids));
  const start = new Int32Array(maxUser + 2);
  for (let i = 0; i < train.length; i++) start[train.users[i] + 1]++;
  for (let u = 1; u <= maxUser + 1; u++) start[u] += start[u - 1];
  const maxMovie = Math.max(maxOf(train.movies), maxOf(rec.movies));
  const stamp = new Int32Array(maxMovie + 1);
  const recStamp = new Int32Array(maxMovie + 1);
  const recRow = new Int32Array(maxMovie + 1);
  const { movies, ratings } = train;
  const common = new Int32Array(lists.nids.length);
  const liked = new Int32Array(rec.users.length);
  let j = 0;
  for (let r = 0; r < lists.ids.length; r++) {
    const u = lists.ids[r];
    // Stamps are row + 1, so the arrays' initial 0 never matches.
    const mark = r + 1;
    for (let i = start[u]; i < start[u + 1]; i++) stamp[movies[i]] = mark;
    while (j < rec.users.length && rec.users[j] < u) j++;
    for (; j < rec.users.length && rec.users[j] === u; j++) {
      recStamp[rec.movies[j]] = mark;
      recRow[rec.movies[j]] = j;
    }
    for (let e = lists.offsets[r]; e < lists.offsets[r + 1]; e++) {
      const v = lists.nids[e];
      let c = 0;
      for (let i = start[v]; i < start[v + 1]; i++) {
        const m = movies[i];
        if (stamp[m] === mark) c++;
        if (recStamp[m] === mark && ratings[i] >= 8) liked[recRow[m]]++;
      }
      common[e] = c;
    }
  }
  return { common, liked };
}

/** Neighbor lists as rows: (id, pos, neighbor, similarity). */
function neighborColumns(lists: NeighborLists): [Int32Array, Int32Array] {
  const ids = new Int32Array(lists.nids.length);
  const pos = new Int32Array(lists.nids.length);
  for (let r = 0; r < lists.ids.length; r++) {
    for (let e = lists.offsets[r]; e < lists.offsets[r + 1]; e++) {
      ids[e] = lists.ids[r];
      pos[e] = e - lists.offsets[r];
    }
  }
  return [ids, pos];
}

/**
 * Recommendations ordered by user, then prediction desc, then movieId asc,
 * with `pos` = rank within the user (0-based).
 */
function rankRecommendations(
  rec: RecommendationColumns,
): { users: Int32Array; pos: Int32Array; movies: Int32Array; predictions: Float64Array } {
  const n = rec.length;
  const order = countingOrder(rec.users, null, maxOf(rec.users));
  const users = new Int32Array(n), movies = new Int32Array(n), pos = new Int32Array(n);
  const predictions = new Float64Array(n);
  const byScore = (a: number, b: number) =>
    rec.predictions[b] - rec.predictions[a] || rec.movies[a] - rec.movies[b];
  for (let s = 0; s < n;) {
    let e = s + 1;
    while (e < n && rec.users[order[e]] === rec.users[order[s]]) e++;
    let seg = order.subarray(s, e);
    // `predict` writes each user's list best first; sort only when it is not.
    for (let k = 1; k < seg.length; k++) {
      if (byScore(seg[k - 1], seg[k]) > 0) {
        seg = seg.sort(byScore);
        break;
      }
    }
    for (let k = 0; k < seg.length; k++) {
      const i = seg[k];
      users[s + k] = rec.users[i];
      movies[s + k] = rec.movies[i];
      predictions[s + k] = rec.predictions[i];
      pos[s + k] = k;
    }
    s = e;
  }
  return { users, pos, movies, predictions };
}

/**
 * Every user's rated movies over both splits (tables sorted by user), for
 * one user at a time: {@link mark} stamps a user's movies, then
 * {@link ratingOf} answers in O(1). Memory: two arrays over movie ids plus
 * one over user ids per split.
 */
class RatedMovies {
  #tables: readonly RatingsTable[];
  #starts: Int32Array[];
  #stamp: Int32Array;
  #rating2: Uint8Array;
  #split: Uint8Array;
  #epoch = 0;

  constructor(tables: readonly RatingsTable[]) {
    this.#tables = tables;
    this.#starts = tables.map((t) => {
      const start = new Int32Array(maxOf(t.users) + 2);
      for (let i = 0; i < t.length; i++) start[t.users[i] + 1]++;
      for (let u = 1; u < start.length; u++) start[u] += start[u - 1];
      return start;
    });
    const maxMovie = Math.max(...tables.map((t) => maxOf(t.movies)));
    this.#stamp = new Int32Array(maxMovie + 1);
    this.#rating2 = new Uint8Array(maxMovie + 1);
    this.#split = new Uint8Array(maxMovie + 1);
  }

  /** Makes {@link ratingOf} answer for user `u`. */
  mark(u: number): void {
    const e = ++this.#epoch;
    for (let s = 0; s < this.#tables.length; s++) {
      const start = this.#starts[s], t = this.#tables[s];
      if (u + 1 >= start.length) continue;
      for (let i = start[u]; i < start[u + 1]; i++) {
        this.#stamp[t.movies[i]] = e;
        this.#rating2[t.movies[i]] = t.ratings[i];
        this.#split[t.movies[i]] = s;
      }
    }
  }

  /** The marked user's stars × 2 for movie `m`, 0 when they did not rate it. */
  ratingOf(m: number): number {
    return m < this.#stamp.length && this.#stamp[m] === this.#epoch ? this.#rating2[m] : 0;
  }

  /** Index of the split (table) holding the marked user's rating of `m`. */
  splitOf(m: number): number {
    return this.#split[m];
  }
}

type RankedRecommendations = ReturnType<typeof rankRecommendations>;

/** The ranked seed list without the movies each user rated, `pos` renumbered. */
function dropRated(
  rec: RankedRecommendations,
  rated: RatedMovies,
): { rec: RankedRecommendations; dropped: number } {
  const n = rec.users.length;
  const keep = new Uint8Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || rec.users[i] !== rec.users[i - 1]) rated.mark(rec.users[i]);
    if (rated.ratingOf(rec.movies[i]) === 0) {
      keep[i] = 1;
      kept++;
    }
  }
  if (kept === n) return { rec, dropped: 0 };
  const out = {
    users: new Int32Array(kept),
    pos: new Int32Array(kept),
    movies: new Int32Array(kept),
    predictions: new Float64Array(kept),
  };
  for (let i = 0, k = 0; i < n; i++) {
    if (!keep[i]) continue;
    out.users[k] = rec.users[i];
    out.movies[k] = rec.movies[i];
    out.predictions[k] = rec.predictions[i];
    out.pos[k] = k > 0 && out.users[k - 1] === rec.users[i] ? out.pos[k - 1] + 1 : 0;
    k++;
  }
  return { rec: out, dropped: n - kept };
}

/**
 * The serving list as `user_recommendations` rows, ordered by (user, rank),
 * after checking it against the ratings (module doc). The file's columns are
 * reused when it is already in that order, as the pipeline writes it.
 */
function servingRows(
  sv: ServingColumns,
  rated: RatedMovies,
  ratingFiles: readonly string[],
  file: string,
): TableData {
  const n = sv.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    sorted = sv.users[i] > sv.users[i - 1] ||
      (sv.users[i] === sv.users[i - 1] && sv.ranks[i] > sv.ranks[i - 1]);
  }
  let c = sv;
  if (!sorted) {
    const order = countingOrder(
      sv.users,
      countingOrder(sv.ranks, null, maxOf(sv.ranks)),
      maxOf(sv.users),
    );
    const pick = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const o = new (a.constructor as { new (n: number): T })(n);
      for (let j = 0; j < n; j++) o[j] = a[order[j]];
      return o;
    };
    c = {
      length: n,
      users: pick(sv.users),
      ranks: pick(sv.ranks),
      movies: pick(sv.movies),
      scores: pick(sv.scores),
      predictions: pick(sv.predictions),
      becauseMovies: pick(sv.becauseMovies),
      becauseRatings2: pick(sv.becauseRatings2),
      lines: pick(sv.lines),
    };
  }
  const seen = new Int32Array(maxOf(c.movies) + 1);
  let expected = 1;
  const fail = (i: number, reason: string) =>
    new RecommendationsFormatError(file, c.lines[i], `userId ${c.users[i]}: ${reason}`);
  for (let i = 0; i < n; i++) {
    const u = c.users[i], m = c.movies[i];
    if (i === 0 || u !== c.users[i - 1]) {
      rated.mark(u);
      expected = 1;
    }
    if (c.ranks[i] !== expected) {
      throw fail(
        i,
        `rank ${c.ranks[i]} where ${expected} was expected (ranks run 1, 2, 3, … once)`,
      );
    }
    expected++;
    if (rated.ratingOf(m) !== 0) {
      throw fail(
        i,
        `movieId ${m} is rated in ${ratingFiles[rated.splitOf(m)]}; rated movies are never served`,
      );
    }
    // Stamped with row + 1 per user: a repeat within the user's rows matches.
    if (seen[m] > 0 && c.users[seen[m] - 1] === u) throw fail(i, `movieId ${m} listed twice`);
    seen[m] = i + 1;
    const bm = c.becauseMovies[i];
    if (bm === 0) continue;
    const r2 = rated.ratingOf(bm);
    if (r2 === 0) throw fail(i, `becauseMovieId ${bm} is not a movie the user rated`);
    if (r2 !== c.becauseRatings2[i]) {
      throw fail(
        i,
        `becauseRating ${c.becauseRatings2[i] / 2} but the user rated movieId ${bm} ${r2 / 2}`,
      );
    }
  }
  // pos is 0-based, as in user_item_predictions; ranks are checked to be 1..n per user.
  const pos = c.ranks;
  for (let i = 0; i < n; i++) pos[i]--;
  // No "because": 0 in both columns, as parsed (lib/store/schema.ts says why not NULL).
  return {
    table: "user_recommendations",
    length: n,
    columns: [
      c.users,
      pos,
      c.movies,
      c.scores,
      c.predictions,
      c.becauseMovies,
      c.becauseRatings2,
    ],
  };
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
  const files = {
    movies: options.movies ?? `${dir}/movies.csv`,
    links: options.links === undefined ? `${dir}/links.csv` : options.links,
    train: `${dir}/ratings_train.csv`,
    test: `${dir}/ratings_test.csv`,
    userNeighbors: `${dir}/user_topk_neighbors.txt`,
    itemNeighbors: `${dir}/item_topk_neighbors.txt`,
    recommendations: `${dir}/user_based_recommendations.csv`,
  };
  await checkInputs(Object.values(files).filter((f) => f !== null));
  const servingFile = `${dir}/serving_recommendations.csv`;
  const serving = await Deno.stat(servingFile).then(() => true, (err) => {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  });
  const movies = await readMovieList(files.movies);
  const links = files.links === null ? [] : await readLinks(files.links);
  const train = sortRatings(
    (await readRatingsTable(files.train, { duplicates: options.duplicates })).table,
    files.train,
  );
  const test = sortRatings(
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
  let seedRatedDropped = 0;
  let commitSeconds = 0;
  try {
    await loader.begin();
    const maxDrop = options.maxUserDrop ?? DEFAULT_MAX_USER_DROP;
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
    tables.movies = await loadWithProgress(
      loader,
      {
        table: "movies",
        length: movies.length,
        columns: [
          movies.map((m) => m.movieId),
          movies.map((m) => m.title),
          movies.map((m) => m.genres.join("|")),
          movies.map((m) => m.year),
          movies.map((m) => rank.get(m.movieId)!),
        ],
      },
      progress,
      loadSeconds,
    );
    tables.links = await loadWithProgress(
      loader,
      {
        table: "links",
        length: links.length,
        columns: [
          links.map((l) => l.movieId),
          links.map((l) => l.imdbId),
          links.map((l) => l.tmdbId),
        ],
      },
      progress,
      loadSeconds,
    );
    tables.ratings_train = await loadWithProgress(
      loader,
      {
        table: "ratings_train",
        length: train.length,
        columns: [train.users, train.movies, train.ratings, train.timestamps],
      },
      progress,
      loadSeconds,
    );

    const rated = new RatedMovies([train, test]);

    // First, while little else is held: the file and its columns (~1.6 GB at 20M lines) are
    // garbage once loaded.
    tables.user_recommendations = serving
      ? await loadWithProgress(
        loader,
        servingRows(await readServing(servingFile), rated, [files.train, files.test], servingFile),
        progress,
        loadSeconds,
      )
      : 0;
    const userLists = await readNeighborFile(files.userNeighbors);
    const [uIds, uPos] = neighborColumns(userLists);
    const { rec, dropped } = dropRated(
      rankRecommendations(await readRecommendations(files.recommendations)),
      rated,
    );
    seedRatedDropped = dropped;
    const counts = neighborCounts(userLists, train, rec);
    tables.user_topk_neighbors = await loadWithProgress(
      loader,
      {
        table: "user_topk_neighbors",
        length: userLists.nids.length,
        columns: [uIds, uPos, userLists.nids, userLists.sims, counts.common],
      },
      progress,
      loadSeconds,
    );

    tables.ratings_test = await loadWithProgress(
      loader,
      {
        table: "ratings_test",
        length: test.length,
        columns: [test.users, test.movies, test.ratings, test.timestamps],
      },
      progress,
      loadSeconds,
    );

    const itemLists = await readNeighborFile(files.itemNeighbors);
    const [iIds, iPos] = neighborColumns(itemLists);
    tables.item_topk_neighbors = await loadWithProgress(
      loader,
      {
        table: "item_topk_neighbors",
        length: itemLists.nids.length,
        columns: [iIds, iPos, itemLists.nids, itemLists.sims],
      },
      progress,
      loadSeconds,
    );

    tables.user_item_predictions = await loadWithProgress(
      loader,
      {
        table: "user_item_predictions",
        length: rec.users.length,
        columns: [rec.users, rec.pos, rec.movies, rec.predictions, counts.liked],
      },
      progress,
      loadSeconds,
    );

    const meta: [string, number][] = [
      ["movies", movies.length],
      ["users", users],
      ["ratings_train", tables.ratings_train],
      ["ratings_test", tables.ratings_test],
      ["user_topk_neighbors", tables.user_topk_neighbors],
      ["item_topk_neighbors", tables.item_topk_neighbors],
      ["user_item_predictions", tables.user_item_predictions],
      ["user_recommendations", tables.user_recommendations],
      // Tells readers which import their rows came from (lib/store/sql_store.ts: the
      // in-memory movie catalogue is reloaded when it changes). 48 random bits: exact
      // as a JS number and a BIGINT.
      ["import_id", importId()],
    ];
    tables.import_meta = await loadWithProgress(
      loader,
      {
        table: "import_meta",
        length: meta.length,
        columns: [meta.map((m) => m[0]), meta.map((m) => m[1])],
      },
      progress,
      loadSeconds,
    );
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
    seedRatedDropped,
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
    dir: {
      type: "string",
      required: true,
      arg: "<dir>",
      doc: "directory with ratings_{train,test}.csv, *_topk_neighbors.txt, recommendations " +
        "(user_based_recommendations.csv; serving_recommendations.csv when present)",
    },
    data: {
      type: "string",
      arg: "<dir>",
      doc: "GroupLens release directory (any layout) to take movies and links from",
    },
    movies: {
      type: "string",
      arg: "<file>",
      doc: "movies.csv, movies.dat or u.item (default: from --data, else <dir>/movies.csv)",
    },
    links: {
      type: "string",
      arg: "<file>",
      doc: "links.csv (default: from --data, else <dir>/links.csv)",
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
    const db = f.db ?? Deno.env.get("RECSYS_DB");
    if (!db) throw new UsageError("import: no store given (--db <url> or RECSYS_DB)", "--db");
    const release = f.data === undefined ? null : await resolveMovieLensDir(f.data);
    const stats = await importStore({
      db,
      dir: f.dir,
      movies: f.movies ?? release?.movies,
      links: f.links ?? release?.links,
      duplicates: f.duplicates,
      force: f.force,
      maxUserDrop: f.maxUserDrop,
    });
    for (const [table, n] of Object.entries(stats.tables)) {
      console.log(`${table.padEnd(22)} ${String(n).padStart(12)} rows`);
    }
    if (stats.seedRatedDropped > 0) {
      console.log(
        `dropped ${stats.seedRatedDropped} rows of user_based_recommendations.csv: ` +
          "movies the user rated",
      );
    }
    console.log(
      `imported ${stats.rows} rows into ${maskStoreUrl(db)} in ${stats.seconds.toFixed(1)} s ` +
        `(${Math.round(stats.rows / stats.seconds)} rows/s; commit ${
          stats.commitSeconds.toFixed(1)
        } s)`,
    );
  },
});
