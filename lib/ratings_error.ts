/**
 * The error for a malformed line in a MovieLens ratings file. It carries the
 * file, the 1-based line number and the field so callers (and
 * `--skip-invalid`) branch on fields, never on message text.
 */

/** Which part of a ratings line was wrong. */
export type RatingsField =
  | "userId"
  | "movieId"
  | "rating"
  | "timestamp"
  | "columns"
  | "line";

export class RatingsFormatError extends Error {
  readonly file: string;
  readonly line: number;
  readonly field: RatingsField;
  readonly reason: string;
  constructor(file: string, line: number, field: RatingsField, reason: string) {
    super(`${file}:${line}: ${field}: ${reason}`);
    this.name = "RatingsFormatError";
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason;
  }
}
