/**
 * The error for a malformed line in a MovieLens ratings file. It carries the
 * file, the 1-based line number and the field so callers (and
 * `--skip-invalid`) branch on fields, never on message text.
 */
import { FileError } from "./file_error.ts";

/** Which part of a ratings line was wrong. */
export type RatingsField =
  | "userId"
  | "movieId"
  | "rating"
  | "timestamp"
  | "columns"
  | "line";

export class RatingsFormatError extends FileError {
  declare readonly line: number;
  readonly field: RatingsField;
  constructor(file: string, line: number, field: RatingsField, reason: string) {
    super(file, reason, line, `${field}: ${reason}`);
    this.field = field;
  }
}

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
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new RatingsInputError(path, "no such file");
    throw new RatingsInputError(path, `cannot read (${(err as Error).message})`);
  }
  if (info.isDirectory) throw new RatingsInputError(path, "is a directory, not a ratings file");
  try {
    return await Deno.open(path, { read: true });
  } catch (err) {
    throw new RatingsInputError(path, `cannot read (${(err as Error).message})`);
  }
}
