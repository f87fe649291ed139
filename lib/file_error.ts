/**
 * The base of every error about an input file (or directory) the project
 * reads: it keeps the path, the 1-based line when there is one, and the
 * reason as fields, and its message starts with `path:line: ` (or `path: `),
 * so a caller branches on fields and a user reads where to look. Each format
 * has its own subclass (RatingsFormatError, MovieLensCsvError, …), named
 * after itself, so `--skip-invalid` can catch exactly one of them.
 *
 * @example
 * ```ts
 * import { FileError } from "./file_error.ts";
 * class ExampleError extends FileError {}
 * const err = new ExampleError("a.csv", "bad header", 1);
 * console.log(err.message, err.name); // "a.csv:1: bad header" "ExampleError"
 * ```
 */
export class FileError extends Error {
  /** The file or directory. */
  readonly file: string;
  /** 1-based line, when the error is about one line. */
  readonly line?: number;
  /** What is wrong, without the location. */
  readonly reason: string;
  /**
   * @param detail what the message shows after the location; defaults to
   * `reason` (a subclass puts its own fields first, e.g. the column).
   */
  constructor(file: string, reason: string, line?: number, detail: string = reason) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${detail}`);
    this.name = new.target.name;
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

/**
 * A {@link FileError} about one field of one line (`path:line: field: reason`):
 * each line format has its own subclass with its own field names.
 */
export class FieldFormatError<Field extends string> extends FileError {
  declare readonly line: number;
  readonly field: Field;
  constructor(file: string, line: number, field: Field, reason: string) {
    super(file, reason, line, `${field}: ${reason}`);
    this.field = field;
  }
}

/**
 * `Deno.stat(path)`, failing with the caller's error, which names the path:
 * `missing` when nothing is there, "cannot read (…)" otherwise.
 */
export async function statInput(
  path: string,
  missing: string,
  fail: (reason: string) => Error,
): Promise<Deno.FileInfo> {
  try {
    return await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw fail(missing);
    throw fail(`cannot read (${(err as Error).message})`);
  }
}
