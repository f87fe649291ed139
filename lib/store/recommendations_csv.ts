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

export class RecommendationsFormatError extends Error {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  constructor(file: string, line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.name = "RecommendationsFormatError";
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

export interface RecommendationColumns {
  length: number;
  users: Int32Array;
  movies: Int32Array;
  predictions: Float64Array;
}

const NL = 10, CR = 13, COMMA = 44;
const HEADER = "userId,movieId,prediction";

/** Parses the whole file's bytes. */
export function parseRecommendations(bytes: Uint8Array, file: string): RecommendationColumns {
  let p = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let lines = 0;
  for (let i = p; i < bytes.length; i++) if (bytes[i] === NL) lines++;
  const cap = lines + 1;
  const users = new Int32Array(cap), movies = new Int32Array(cap);
  const predictions = new Float64Array(cap);
  let n = 0, lineNo = 0;
  while (p < bytes.length) {
    lineNo++;
    let nl = bytes.indexOf(NL, p);
    if (nl < 0) nl = bytes.length;
    const end = nl > p && bytes[nl - 1] === CR ? nl - 1 : nl;
    if (lineNo === 1) {
      const head = new TextDecoder().decode(bytes.subarray(p, end));
      if (head !== HEADER) {
        throw new RecommendationsFormatError(file, 1, `expected header '${HEADER}', got '${head}'`);
      }
    } else if (end === p) {
      if (nl < bytes.length - 1) {
        throw new RecommendationsFormatError(file, lineNo, "blank line");
      }
    } else {
      const c1 = bytes.indexOf(COMMA, p);
      const c2 = c1 < 0 ? -1 : bytes.indexOf(COMMA, c1 + 1);
      if (c1 < 0 || c1 >= end || c2 < 0 || c2 >= end) {
        throw new RecommendationsFormatError(file, lineNo, "expected 3 fields");
      }
      const u = parseIdBytes(bytes, p, c1), m = parseIdBytes(bytes, c1 + 1, c2);
      const v = parseDecimalBytes(bytes, c2 + 1, end);
      if (u < 0) throw new RecommendationsFormatError(file, lineNo, "bad userId");
      if (m < 0) throw new RecommendationsFormatError(file, lineNo, "bad movieId");
      if (Number.isNaN(v)) throw new RecommendationsFormatError(file, lineNo, "bad prediction");
      users[n] = u;
      movies[n] = m;
      predictions[n] = v;
      n++;
    }
    p = nl + 1;
  }
  if (lineNo === 0) throw new RecommendationsFormatError(file, 1, "empty file (no header)");
  return {
    length: n,
    users: users.subarray(0, n),
    movies: movies.subarray(0, n),
    predictions: predictions.subarray(0, n),
  };
}

/** A positive decimal id < 2^31, or -1. */
/** Reads and parses the file. */
export async function readRecommendations(path: string): Promise<RecommendationColumns> {
  return parseRecommendations(await Deno.readFile(path), path);
}
