/**
 * Duplicated (userId, movieId) ratings: GroupLens releases hold a few (the
 * same pair twice, sometimes with timestamp 0), and every later stage needs
 * one rating per pair. {@link resolveDuplicates} finds them in a ratings
 * table and either keeps the latest of each pair (by timestamp; the later
 * line on a tie) or refuses with both lines' `file:line`.
 *
 * Input: a {@link RatingsTable} in file order and {@link LineNumbers} mapping
 * a row to its line. Output: the table without the dropped rows, file order
 * kept (compacted in place), and what was resolved.
 *
 * Time O(n) when the table is sorted by (user, movie) as GroupLens ships
 * ratings.csv (one scan), else O(n + max id) with two stable counting sorts.
 * Memory: nothing when sorted, else 8 bytes per rating plus 4 per possible id.
 */
import type { FlagSpec } from "./command.ts";
import { countingOrder, maxOf } from "./counting_order.ts";
import type { RatingsTable } from "./ratings_columns.ts";

/** What to do with a pair rated more than once. */
export const DUPLICATE_POLICIES = ["latest", "error"] as const;
export type DuplicatePolicy = typeof DUPLICATE_POLICIES[number];

/** The `--duplicates` flag, the same on every command that reads ratings. */
export const DUPLICATES_FLAG = {
  type: "string",
  default: "latest",
  choices: DUPLICATE_POLICIES,
  doc: "a (userId, movieId) rated twice: keep the latest by timestamp (later line on a tie), " +
    "or fail naming both lines",
} as const satisfies FlagSpec;

/** Line numbers of table rows, kept sparsely: one entry where the row → line offset changes. */
export class LineNumbers {
  #rows: number[] = [];
  #deltas: number[] = [];

  /** Records that row `row` is on line `line`; rows are noted in ascending order. */
  note(row: number, line: number): void {
    const d = line - row;
    const n = this.#deltas.length;
    if (n === 0 || this.#deltas[n - 1] !== d) {
      this.#rows.push(row);
      this.#deltas.push(d);
    }
  }

  /** The line of `row`. */
  lineOf(row: number): number {
    let lo = 0, hi = this.#rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#rows[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    return row + (this.#deltas[lo] ?? 1);
  }
}

/** The first duplicated pair in file order (smallest line of a second rating). */
export interface DuplicatePair {
  userId: number;
  movieId: number;
  /** Line of the pair's first rating. */
  firstLine: number;
  /** Line of its second rating. */
  secondLine: number;
}

export interface DuplicateReport {
  file: string;
  /** Ratings dropped (a pair rated 3 times counts 2). */
  dropped: number;
  /** The first duplicated pair, when any. */
  first: DuplicatePair | null;
}

/** A (userId, movieId) rated twice under `--duplicates error`. */
export class DuplicateRatingsError extends Error {
  readonly file: string;
  readonly pair: DuplicatePair;
  constructor(file: string, pair: DuplicatePair) {
    super(
      `${file}:${pair.secondLine}: duplicate rating for userId ${pair.userId}, movieId ` +
        `${pair.movieId} (first rated at ${file}:${pair.firstLine}; --duplicates latest keeps ` +
        `the latest)`,
    );
    this.name = "DuplicateRatingsError";
    this.file = file;
    this.pair = pair;
  }
}

/** The one-line warning for resolved duplicates (`null` when there were none). */
export function duplicatesWarning(r: DuplicateReport): string | null {
  if (r.dropped === 0 || r.first === null) return null;
  const p = r.first;
  return `warning: ${r.file}: ${r.dropped} duplicated (userId, movieId) rating(s) dropped, ` +
    `the latest of each pair kept; first: ${r.file}:${p.firstLine} and ${r.file}:` +
    `${p.secondLine} (userId ${p.userId}, movieId ${p.movieId})`;
}

/**
 * Applies `policy` to the duplicated pairs of `table` (see the module doc).
 * Throws {@link DuplicateRatingsError} under `"error"`.
 */
export function resolveDuplicates(
  table: RatingsTable,
  lines: LineNumbers,
  policy: DuplicatePolicy,
  file: string,
): { table: RatingsTable; report: DuplicateReport } {
  const { users, movies, timestamps, length: n } = table;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (users[i] < users[i - 1] || (users[i] === users[i - 1] && movies[i] <= movies[i - 1])) {
      sorted = false;
      break;
    }
  }
  const none = { table, report: { file, dropped: 0, first: null } };
  if (sorted) return none;
  // Rows by (user, movie), file order within a pair (both sorts are stable).
  const order = countingOrder(users, countingOrder(movies, null, maxOf(movies)), maxOf(users));
  let drop: Uint8Array | null = null;
  let dropped = 0;
  let first: [number, number] | null = null;
  for (let s = 0; s < n;) {
    const a = order[s];
    let e = s + 1;
    while (e < n && users[order[e]] === users[a] && movies[order[e]] === movies[a]) e++;
    if (e - s > 1) {
      const b = order[s + 1];
      if (first === null || b < first[1]) first = [a, b];
      drop ??= new Uint8Array(n);
      let keep = a;
      for (let j = s + 1; j < e; j++) {
        const r = order[j];
        // Rows of a pair come in file order, so `>=` makes the later line win a tie.
        if (timestamps[r] >= timestamps[keep]) keep = r;
      }
      for (let j = s; j < e; j++) if (order[j] !== keep) drop[order[j]] = 1;
      dropped += e - s - 1;
    }
    s = e;
  }
  if (drop === null || first === null) return none;
  const pair: DuplicatePair = {
    userId: users[first[0]],
    movieId: movies[first[0]],
    firstLine: lines.lineOf(first[0]),
    secondLine: lines.lineOf(first[1]),
  };
  if (policy === "error") throw new DuplicateRatingsError(file, pair);
  let w = 0;
  for (let i = 0; i < n; i++) {
    if (drop[i]) continue;
    users[w] = users[i];
    movies[w] = movies[i];
    table.ratings[w] = table.ratings[i];
    timestamps[w] = timestamps[i];
    w++;
  }
  return {
    table: {
      length: w,
      users: users.subarray(0, w),
      movies: movies.subarray(0, w),
      ratings: table.ratings.subarray(0, w),
      timestamps: timestamps.subarray(0, w),
    },
    report: { file, dropped, first: pair },
  };
}
