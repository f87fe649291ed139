/**
 * Readers for the movie lists of the older GroupLens releases, into the same
 * {@link MovieRecord}s as `movies.csv` (lib/movielens_csv.ts):
 *
 * - ml-100k `u.item`: `movieId|title|release date|video release date|IMDb URL|`
 *   then 19 genre flags (0/1) in the order of `u.genre` ({@link GENRES_100K};
 *   the `unknown` flag means no genre). Latin-1.
 * - ml-1m and ml-10m `movies.dat`: `movieId::title::genres`, genres split on
 *   `|` (`(no genres listed)` → `[]`). ml-1m is Latin-1, ml-10m UTF-8.
 *
 * The caller decodes the text (lib/text_decoding.ts: UTF-8 when valid, else
 * Latin-1), so either release reads right without a flag. Empty lines
 * are skipped; records come back in file order; a malformed record or a
 * repeated movieId throws {@link MovieLensCsvError} naming file, line and
 * field. Neither release ships IMDb or TMDB ids (u.item's IMDb URL is a title
 * search), so there are no links. Whole-file, in memory; time O(bytes).
 */
import { GENRES, MovieLensCsvError, type MovieRecord } from "./movielens_csv.ts";

/**
 * ml-100k's genres, in the order of u.item's flags (u.genre): "unknown", then
 * the later releases' list ({@link GENRES}) without IMAX, "Children's" spelled so.
 */
export const GENRES_100K: readonly string[] = [
  "unknown",
  ...GENRES.filter((g) => g !== "IMAX").map((g) => g === "Children" ? "Children's" : g),
];

const YEAR = /\((\d{4})\)\s*$/;

function movieId(file: string, line: number, text: string, seen: Set<number>): number {
  const v = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(v > 0 && v <= 0x7fffffff)) {
    throw new MovieLensCsvError(
      file,
      line,
      "movieId",
      `expected a positive integer, got '${text}'`,
    );
  }
  if (seen.has(v)) throw new MovieLensCsvError(file, line, "movieId", `duplicate movieId ${v}`);
  seen.add(v);
  return v;
}

function record(movieId: number, title: string, genres: string[]): MovieRecord {
  const m = YEAR.exec(title);
  return { movieId, title, genres, year: m ? Number(m[1]) : null };
}

/** Calls `each(fields, line)` for every non-empty line split on `sep`. */
function eachLine(text: string, sep: string, each: (fields: string[], line: number) => void) {
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    if (l !== "") each(l.split(sep), i + 1);
  }
}

/** Parses ml-100k's u.item text. */
export function parseUItem(text: string, file = "u.item"): MovieRecord[] {
  const out: MovieRecord[] = [];
  const seen = new Set<number>();
  eachLine(text, "|", (f, line) => {
    if (f.length !== 5 + GENRES_100K.length) {
      throw new MovieLensCsvError(
        file,
        line,
        "columns",
        `expected ${5 + GENRES_100K.length} '|'-separated fields, got ${f.length}`,
      );
    }
    const id = movieId(file, line, f[0], seen);
    const title = f[1].trim();
    if (title === "") throw new MovieLensCsvError(file, line, "title", "empty title");
    const genres: string[] = [];
    for (let g = 0; g < GENRES_100K.length; g++) {
      const flag = f[5 + g];
      if (flag !== "0" && flag !== "1") {
        throw new MovieLensCsvError(file, line, "genres", `genre flag '${flag}' is not 0 or 1`);
      }
      if (flag === "1" && g > 0) genres.push(GENRES_100K[g]);
    }
    out.push(record(id, title, genres));
  });
  return out;
}

/** Parses ml-1m's or ml-10m's movies.dat text. */
export function parseMoviesDat(text: string, file = "movies.dat"): MovieRecord[] {
  const out: MovieRecord[] = [];
  const seen = new Set<number>();
  eachLine(text, "::", (f, line) => {
    if (f.length !== 3) {
      throw new MovieLensCsvError(
        file,
        line,
        "columns",
        `expected 3 '::'-separated fields (movieId::title::genres), got ${f.length}`,
      );
    }
    const id = movieId(file, line, f[0], seen);
    const title = f[1].trim();
    if (title === "") throw new MovieLensCsvError(file, line, "title", "empty title");
    if (f[2] === "") throw new MovieLensCsvError(file, line, "genres", "empty genres");
    out.push(record(id, title, f[2] === "(no genres listed)" ? [] : f[2].split("|")));
  });
  return out;
}
