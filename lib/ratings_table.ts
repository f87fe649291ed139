/**
 * Ratings held as parallel typed-array columns, filled from a ratings file by
 * the byte parser. Row `i` is `(users[i], movies[i], ratings[i],
 * timestamps[i])` in file order; ratings are half-star integers 1..10.
 *
 * Memory: 13 bytes per rating (ML-32M: ~420 MB). With `shared`, the columns
 * live in `SharedArrayBuffer`s so Workers can read them without copying.
 */
import {
  parseRatingsFile,
  type RatingSink,
  type RatingsParseStats,
  type RatingsSeparator,
} from "./ratings_parser.ts";
import {
  type DuplicatePolicy,
  type DuplicateReport,
  duplicatesWarning,
  LineNumbers,
  resolveDuplicates,
} from "./rating_duplicates.ts";
import type { RatingsTable } from "./ratings_columns.ts";

export type { RatingsTable };

export interface ReadRatingsOptions {
  /**
   * Skip and count malformed lines instead of failing. Changes output.
   * @default false
   */
  skipInvalid?: boolean;
  /**
   * Allocate columns in SharedArrayBuffers (for Workers). Output unchanged.
   * @default false
   */
  shared?: boolean;
  /** Called after each chunk with bytes read so far (progress display). */
  onChunk?: (bytesRead: number) => void;
  /** Field separator (lib/ratings_parser.ts). @default "," */
  separator?: RatingsSeparator;
  /**
   * A (userId, movieId) rated twice: keep the latest (by timestamp, the later
   * line on a tie) or throw naming both lines (lib/rating_duplicates.ts).
   * Changes output.
   * @default "latest"
   */
  duplicates?: DuplicatePolicy;
  /**
   * Receives the one-line warning when duplicates were dropped.
   * @default console.warn
   */
  warn?: (message: string) => void;
}

/** A RatingSink that appends to growable typed-array columns. */
export class RatingsTableBuilder implements RatingSink {
  length = 0;
  #shared: boolean;
  users: Int32Array;
  movies: Int32Array;
  ratings: Uint8Array;
  timestamps: Uint32Array;
  /** The line of each row, for messages about a row (duplicates). */
  readonly lines: LineNumbers = new LineNumbers();

  constructor(capacity = 1 << 16, shared = false) {
    this.#shared = shared;
    capacity = Math.max(16, capacity);
    this.users = new Int32Array(this.#buffer(capacity * 4));
    this.movies = new Int32Array(this.#buffer(capacity * 4));
    this.ratings = new Uint8Array(this.#buffer(capacity));
    this.timestamps = new Uint32Array(this.#buffer(capacity * 4));
  }

  #buffer(bytes: number): ArrayBuffer | SharedArrayBuffer {
    return this.#shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  }

  #grow(): void {
    const cap = this.users.length * 2;
    const users = new Int32Array(this.#buffer(cap * 4));
    users.set(this.users);
    const movies = new Int32Array(this.#buffer(cap * 4));
    movies.set(this.movies);
    const ratings = new Uint8Array(this.#buffer(cap));
    ratings.set(this.ratings);
    const timestamps = new Uint32Array(this.#buffer(cap * 4));
    timestamps.set(this.timestamps);
    this.users = users;
    this.movies = movies;
    this.ratings = ratings;
    this.timestamps = timestamps;
  }

  rating(
    user: number,
    movie: number,
    rating2: number,
    timestamp: number,
    _buf: Uint8Array,
    _start: number,
    _end: number,
    line: number,
  ): void {
    const i = this.length;
    if (i === this.users.length) this.#grow();
    this.lines.note(i, line);
    this.users[i] = user;
    this.movies[i] = movie;
    this.ratings[i] = rating2;
    this.timestamps[i] = timestamp;
    this.length = i + 1;
  }

  /** The filled prefix of each column (views, no copy). */
  table(): RatingsTable {
    const n = this.length;
    return {
      length: n,
      users: this.users.subarray(0, n),
      movies: this.movies.subarray(0, n),
      ratings: this.ratings.subarray(0, n),
      timestamps: this.timestamps.subarray(0, n),
    };
  }
}

/**
 * Reads a whole ratings file (header or not) into columns, duplicated pairs
 * resolved by `options.duplicates`. Throws RatingsFormatError on the first
 * malformed line unless `skipInvalid`, RatingsInputError for a path that is
 * no readable file or holds no rating, DuplicateRatingsError under
 * `duplicates: "error"`.
 */
export async function readRatingsTable(
  path: string,
  options: ReadRatingsOptions = {},
): Promise<{ table: RatingsTable; stats: RatingsParseStats; duplicates: DuplicateReport }> {
  let size = 0;
  try {
    size = (await Deno.stat(path)).size;
  } catch { /* parseRatingsFile names the path in its error */ }
  // MovieLens lines are >= 18 bytes (avg ~27); /16 over-allocates so the
  // columns are never regrown (a regrowth copies every column).
  const builder = new RatingsTableBuilder(Math.ceil(size / 16) + 16, options.shared ?? false);
  const stats = await parseRatingsFile(path, builder, {
    skipInvalid: options.skipInvalid,
    onChunk: options.onChunk,
    separator: options.separator,
  });
  const { table, report } = resolveDuplicates(
    builder.table(),
    builder.lines,
    options.duplicates ?? "latest",
    path,
  );
  const warning = duplicatesWarning(report);
  if (warning !== null) (options.warn ?? console.warn)(warning);
  return { table, stats, duplicates: report };
}

/** The rows of `a` followed by the rows of `b` (e.g. train and test: all ratings). */
export function concatRatings(a: RatingsTable, b: RatingsTable): RatingsTable {
  const n = a.length + b.length;
  const users = new Int32Array(n), movies = new Int32Array(n);
  const ratings = new Uint8Array(n), timestamps = new Uint32Array(n);
  users.set(a.users.subarray(0, a.length));
  users.set(b.users.subarray(0, b.length), a.length);
  movies.set(a.movies.subarray(0, a.length));
  movies.set(b.movies.subarray(0, b.length), a.length);
  ratings.set(a.ratings.subarray(0, a.length));
  ratings.set(b.ratings.subarray(0, b.length), a.length);
  timestamps.set(a.timestamps.subarray(0, a.length));
  timestamps.set(b.timestamps.subarray(0, b.length), a.length);
  return { length: n, users, movies, ratings, timestamps };
}
