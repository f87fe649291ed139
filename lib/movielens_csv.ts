/**
 * Readers for the small MovieLens CSV files: `movies.csv`
 * (`movieId,title,genres`), `links.csv` (`movieId,imdbId,tmdbId`) and
 * `tags.csv` (`userId,movieId,tag,timestamp`), as GroupLens ships them.
 *
 * Parsing is real RFC 4180 through `csv-parse`: titles and tags may be quoted
 * and contain commas, doubled quotes and line breaks. Accepted: a UTF-8 BOM,
 * LF or CRLF, a missing final newline, Latin-1 instead of UTF-8 (one
 * warning; lib/text_decoding.ts). The header line is required and
 * checked. Records come back in file order. `genres` is split on `|`
 * (`(no genres listed)` → `[]`), `year` is the title's trailing `(YYYY)`, an
 * empty `imdbId`/`tmdbId` is null, a duplicated movieId is an error.
 *
 * A malformed record throws {@link MovieLensCsvError} naming the file, the
 * 1-based line (where the record ends) and the field. Whole-file, in memory:
 * these files are small (ML-32M: 87,585 movies, 2M tags ≈ 70 MB).
 * Time O(bytes).
 */
import { FieldFormatError } from "./file_error.ts";
import { parse } from "csv-parse/sync";
import { readTextFileAnyEncoding } from "./text_decoding.ts";

/** Which part of a record was wrong (`csv` is a quoting/syntax error). */
export type MovieLensCsvField =
  | "csv"
  | "header"
  | "columns"
  | "movieId"
  | "title"
  | "genres"
  | "imdbId"
  | "tmdbId"
  | "userId"
  | "tag"
  | "timestamp";

export class MovieLensCsvError extends FieldFormatError<MovieLensCsvField> {}

/**
 * The genres of `movies.csv` in ml-20m … ml-32m and ml-latest, in GroupLens'
 * README order (a movie without one says "(no genres listed)").
 */
export const GENRES = [
  "Action",
  "Adventure",
  "Animation",
  "Children",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "IMAX",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
] as const;

export interface MovieRecord {
  movieId: number;
  title: string;
  genres: string[];
  /** The title's trailing "(YYYY)", or null. */
  year: number | null;
}

export interface LinkRecord {
  movieId: number;
  /** As shipped (zero-padded digits), or null when empty. */
  imdbId: string | null;
  tmdbId: number | null;
}

export interface TagRecord {
  userId: number;
  movieId: number;
  tag: string;
  /** Unix seconds. */
  timestamp: number;
}

interface CsvRow {
  record: string[];
  info: { lines: number };
}

const INT = /^[0-9]{1,10}$/;

/** Parses a positive id (< 2^31) or throws naming the field. */
function id(file: string, line: number, field: MovieLensCsvField, text: string): number {
  const v = INT.test(text) ? Number(text) : NaN;
  if (!(v > 0 && v <= 0x7fffffff)) {
    throw new MovieLensCsvError(file, line, field, `expected a positive integer, got '${text}'`);
  }
  return v;
}

/** Parses the text of a CSV file into rows after checking the header. */
function parseMovieLensCsv(text: string, file: string, header: readonly string[]): CsvRow[] {
  let rows: CsvRow[];
  try {
    rows = parse(text, { bom: true, info: true, relax_column_count: true }) as unknown as CsvRow[];
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 0;
    const msg = err instanceof Error ? err.message : String(err);
    throw new MovieLensCsvError(file, line, "csv", msg);
  }
  const first = rows[0];
  if (!first || first.record.join(",") !== header.join(",")) {
    throw new MovieLensCsvError(
      file,
      1,
      "header",
      `expected '${header.join(",")}', got '${first ? first.record.join(",") : ""}'`,
    );
  }
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i];
    if (r.record.length !== header.length) {
      throw new MovieLensCsvError(
        file,
        r.info.lines,
        "columns",
        `expected ${header.length} fields, got ${r.record.length}`,
      );
    }
  }
  return rows.slice(1);
}

const YEAR = /\((\d{4})\)\s*$/;

/** The row's movieId, which must not repeat an earlier row's (`seen` collects them). */
function firstMovieId(file: string, line: number, text: string, seen: Set<number>): number {
  const movieId = id(file, line, "movieId", text);
  if (seen.has(movieId)) {
    throw new MovieLensCsvError(file, line, "movieId", `duplicate movieId ${movieId}`);
  }
  seen.add(movieId);
  return movieId;
}

/** Parses movies.csv text. */
export function parseMovies(text: string, file = "movies.csv"): MovieRecord[] {
  const rows = parseMovieLensCsv(text, file, ["movieId", "title", "genres"]);
  const seen = new Set<number>();
  return rows.map(({ record, info }) => {
    const movieId = firstMovieId(file, info.lines, record[0], seen);
    const title = record[1].trim();
    if (title === "") throw new MovieLensCsvError(file, info.lines, "title", "empty title");
    const g = record[2];
    if (g === "") throw new MovieLensCsvError(file, info.lines, "genres", "empty genres");
    const genres = g === "(no genres listed)" ? [] : g.split("|");
    const m = YEAR.exec(title);
    return { movieId, title, genres, year: m ? Number(m[1]) : null };
  });
}

/** Parses links.csv text. */
export function parseLinks(text: string, file = "links.csv"): LinkRecord[] {
  const rows = parseMovieLensCsv(text, file, ["movieId", "imdbId", "tmdbId"]);
  const seen = new Set<number>();
  return rows.map(({ record, info }) => {
    const movieId = firstMovieId(file, info.lines, record[0], seen);
    const imdb = record[1];
    if (imdb !== "" && !/^[0-9]{1,10}$/.test(imdb)) {
      throw new MovieLensCsvError(file, info.lines, "imdbId", `expected digits, got '${imdb}'`);
    }
    const tmdb = record[2];
    return {
      movieId,
      imdbId: imdb === "" ? null : imdb,
      tmdbId: tmdb === "" ? null : id(file, info.lines, "tmdbId", tmdb),
    };
  });
}

/** Parses tags.csv text. */
export function parseTags(text: string, file = "tags.csv"): TagRecord[] {
  const rows = parseMovieLensCsv(text, file, ["userId", "movieId", "tag", "timestamp"]);
  return rows.map(({ record, info }) => {
    const ts = record[3];
    const timestamp = /^[0-9]{1,10}$/.test(ts) ? Number(ts) : NaN;
    if (!(timestamp <= 0xffffffff)) {
      throw new MovieLensCsvError(file, info.lines, "timestamp", `expected seconds, got '${ts}'`);
    }
    return {
      userId: id(file, info.lines, "userId", record[0]),
      movieId: id(file, info.lines, "movieId", record[1]),
      tag: record[2],
      timestamp,
    };
  });
}

/** Reading options of the files of this module. */
export interface ReadTextOptions {
  /**
   * Receives the one warning when the file is not UTF-8 and was read as
   * Latin-1 (lib/text_decoding.ts). @default console.warn
   */
  warn?: (message: string) => void;
}

/**
 * Reads movies.csv (UTF-8, else Latin-1 with a warning). Throws
 * MovieLensCsvError naming file and line; a missing file is
 * Deno.errors.NotFound (its message names the path).
 */
export async function readMovies(
  path: string,
  options: ReadTextOptions = {},
): Promise<MovieRecord[]> {
  return parseMovies((await readTextFileAnyEncoding(path, options.warn)).text, path);
}

/** Reads links.csv (UTF-8, else Latin-1 with a warning). */
export async function readLinks(
  path: string,
  options: ReadTextOptions = {},
): Promise<LinkRecord[]> {
  return parseLinks((await readTextFileAnyEncoding(path, options.warn)).text, path);
}

/** Reads tags.csv (UTF-8, else Latin-1 with a warning). */
export async function readTags(path: string, options: ReadTextOptions = {}): Promise<TagRecord[]> {
  return parseTags((await readTextFileAnyEncoding(path, options.warn)).text, path);
}
