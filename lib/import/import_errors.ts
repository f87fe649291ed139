/**
 * The errors of an import: an input file missing or inconsistent
 * ({@link ImportInputError}), and a data set refused because it would wipe
 * or shrink the store ({@link ImportRefusedError}, lifted by `--force`).
 */
import { FileError } from "../file_error.ts";

/** An input file that is missing or inconsistent (duplicate rating). */
export class ImportInputError extends FileError {
  constructor(file: string, reason: string) {
    super(file, reason);
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
