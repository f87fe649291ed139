/**
 * Reads `user_based_recommendations.csv` (header `userId,movieId,prediction`,
 * written by `predict`) into columns, in one byte-level pass: with `--top
 * 100` on ML-32M it holds ~20M lines, too many for a string per line.
 * Accepts a UTF-8 BOM, LF or CRLF, a missing final newline. Predictions are
 * plain decimals (`-?digits[.digits]`, at most 15 digits, parsed exactly as
 * `Number()` would). A malformed line throws
 * {@link RecommendationsFormatError} naming file and line.
 */
import { parseDecimalBytes, parseIdBytes } from "../decimal_bytes.ts";
import { CSV_HEADERS } from "../run_dir.ts";
import { csvRecordCapacity, RecommendationsFormatError, scanCsvRecords } from "./csv_records.ts";

export { RecommendationsFormatError };

export interface RecommendationColumns {
  length: number;
  users: Int32Array;
  movies: Int32Array;
  predictions: Float64Array;
}

/** Parses the whole file's bytes. */
export function parseRecommendations(bytes: Uint8Array, file: string): RecommendationColumns {
  const cap = csvRecordCapacity(bytes);
  const users = new Int32Array(cap), movies = new Int32Array(cap);
  const predictions = new Float64Array(cap);
  let n = 0;
  scanCsvRecords(bytes, file, CSV_HEADERS.classicRecommendations, 3, ({ starts, ends, line }) => {
    const u = parseIdBytes(bytes, starts[0], ends[0]), m = parseIdBytes(bytes, starts[1], ends[1]);
    const v = parseDecimalBytes(bytes, starts[2], ends[2]);
    if (u < 0) throw new RecommendationsFormatError(file, line, "bad userId");
    if (m < 0) throw new RecommendationsFormatError(file, line, "bad movieId");
    if (Number.isNaN(v)) throw new RecommendationsFormatError(file, line, "bad prediction");
    users[n] = u;
    movies[n] = m;
    predictions[n] = v;
    n++;
  });
  return {
    length: n,
    users: users.subarray(0, n),
    movies: movies.subarray(0, n),
    predictions: predictions.subarray(0, n),
  };
}

/** Reads and parses the file. */
export async function readRecommendations(path: string): Promise<RecommendationColumns> {
  return parseRecommendations(await Deno.readFile(path), path);
}
