/**
 * Reads `serving_recommendations.csv`, the ranking model's list as the
 * pipeline writes it from the model refit on all ratings:
 *
 * ```
 * userId,rank,movieId,score,prediction,becauseMovieId,becauseRating
 * 1,1,2571,0.834512,4.512345,1196,4.5
 * 1,2,318,0.80001,4.390000,,
 * ```
 *
 * `rank` is 1-based, best first; `score` the ranking model's score;
 * `prediction` the rating model's stars; `becauseMovieId`/`becauseRating` the
 * user's rated movie that contributed most to the score and the user's stars
 * for it, both empty when the model has no per-item decomposition
 * (popularity). One byte-level pass into columns (~20M lines on ML-32M at 100
 * per user): no string per line. Accepts a UTF-8 BOM, LF or CRLF, a missing
 * final newline. A malformed line throws {@link RecommendationsFormatError}
 * naming file and line; checks that need the ratings (rated movies, ranks
 * per user) are the import's.
 */
import { parseDecimalBytes, parseIdBytes } from "../decimal_bytes.ts";
import { CSV_HEADERS } from "../run_dir.ts";
import { readSealedFile } from "../file_seal.ts";
import { csvRecordCapacity, RecommendationsFormatError, scanCsvRecords } from "./csv_records.ts";

/** The file's rows in file order; `line[i]` is row i's line number, for messages. */
export interface ServingColumns {
  length: number;
  users: Int32Array;
  ranks: Int32Array;
  movies: Int32Array;
  scores: Float64Array;
  predictions: Float64Array;
  /** 0 where the file leaves it empty. */
  becauseMovies: Int32Array;
  /** Stars × 2 (1..10); 0 where the file leaves it empty. */
  becauseRatings2: Uint8Array;
  lines: Int32Array;
}

const FIELDS = 7;

/** Parses the whole file's bytes. */
export function parseServing(bytes: Uint8Array, file: string): ServingColumns {
  const cap = csvRecordCapacity(bytes);
  const out: ServingColumns = {
    length: 0,
    users: new Int32Array(cap),
    ranks: new Int32Array(cap),
    movies: new Int32Array(cap),
    scores: new Float64Array(cap),
    predictions: new Float64Array(cap),
    becauseMovies: new Int32Array(cap),
    becauseRatings2: new Uint8Array(cap),
    lines: new Int32Array(cap),
  };
  let n = 0;
  const fail = (line: number, reason: string) => new RecommendationsFormatError(file, line, reason);
  scanCsvRecords(bytes, file, CSV_HEADERS.serving, FIELDS, ({ starts, ends, line }) => {
    const u = parseIdBytes(bytes, starts[0], ends[0]);
    const rank = parseIdBytes(bytes, starts[1], ends[1]);
    const m = parseIdBytes(bytes, starts[2], ends[2]);
    const score = parseDecimalBytes(bytes, starts[3], ends[3]);
    const prediction = parseDecimalBytes(bytes, starts[4], ends[4]);
    if (u < 0) throw fail(line, "bad userId");
    if (rank <= 0) throw fail(line, "bad rank (1-based)");
    if (m < 0) throw fail(line, "bad movieId");
    if (Number.isNaN(score)) throw fail(line, "bad score");
    if (Number.isNaN(prediction)) throw fail(line, "bad prediction");
    const emptyMovie = ends[5] === starts[5], emptyRating = ends[6] === starts[6];
    if (emptyMovie !== emptyRating) {
      throw fail(line, "becauseMovieId and becauseRating must both be given or both be empty");
    }
    if (!emptyMovie) {
      const bm = parseIdBytes(bytes, starts[5], ends[5]);
      const stars = parseDecimalBytes(bytes, starts[6], ends[6]);
      if (bm <= 0) throw fail(line, "bad becauseMovieId");
      const r2 = stars * 2;
      if (!Number.isInteger(r2) || r2 < 1 || r2 > 10) {
        throw fail(line, "bad becauseRating (half stars 0.5..5.0)");
      }
      out.becauseMovies[n] = bm;
      out.becauseRatings2[n] = r2;
    }
    out.users[n] = u;
    out.ranks[n] = rank;
    out.movies[n] = m;
    out.scores[n] = score;
    out.predictions[n] = prediction;
    out.lines[n] = line;
    n++;
  });
  return {
    length: n,
    users: out.users.subarray(0, n),
    ranks: out.ranks.subarray(0, n),
    movies: out.movies.subarray(0, n),
    scores: out.scores.subarray(0, n),
    predictions: out.predictions.subarray(0, n),
    becauseMovies: out.becauseMovies.subarray(0, n),
    becauseRatings2: out.becauseRatings2.subarray(0, n),
    lines: out.lines.subarray(0, n),
  };
}

/**
 * Reads and parses the file after verifying it against its sidecar
 * (lib/file_seal.ts: whole, as many rows as written, computed from the
 * ratings files given in `inputs`); a file without a sidecar is read
 * unchecked.
 */
export async function readServing(
  path: string,
  inputs: Record<string, string> = {},
): Promise<ServingColumns> {
  const { value } = await readSealedFile(path, (bytes) => {
    const columns = parseServing(bytes, path);
    return { value: columns, rows: columns.length };
  }, { inputs });
  return value;
}
