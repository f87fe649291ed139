/**
 * The error for a malformed line in a MovieLens ratings file. It carries the
 * file, the 1-based line number and the field so callers (and
 * `--skip-invalid`) branch on fields, never on message text.
 */
import { FieldFormatError, FileError, statInput } from "./file_error.ts";

/** Which part of a ratings line was wrong. */
export type RatingsField =
  | "userId"
  | "movieId"
  | "rating"
  | "timestamp"
  | "columns"
  | "line";

export class RatingsFormatError extends FieldFormatError<RatingsField> {}

/**
 * A ratings input that cannot be used as a whole: not a readable file, or
 * holding no rating at all (0 bytes, a header only, blank lines only, or
 * every line skipped as malformed). The message starts with the path.
 */
export class RatingsInputError extends FileError {
  constructor(file: string, reason: string) {
    super(file, reason);
  }
}

/**
 * Opens a ratings input for reading, naming the path in every failure (a
 * directory would otherwise fail later as a bare "Is a directory (os error 21)").
 */
export async function openRatingsInput(path: string): Promise<Deno.FsFile> {
  const info = await statInput(path, "no such file", (why) => new RatingsInputError(path, why));
  if (info.isDirectory) throw new RatingsInputError(path, "is a directory, not a ratings file");
  try {
    return await Deno.open(path, { read: true });
  } catch (err) {
    throw new RatingsInputError(path, `cannot read (${(err as Error).message})`);
  }
}
