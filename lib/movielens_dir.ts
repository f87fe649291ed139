/**
 * A GroupLens release directory as shipped, in any of its three layouts,
 * resolved to the files the product reads:
 *
 * | layout | releases | ratings | movies | links |
 * |---|---|---|---|---|
 * | `csv` | ml-20m, ml-25m, ml-32m, ml-latest, ml-latest-small | `ratings.csv` (`,`, header) | `movies.csv` | `links.csv` |
 * | `dat` | ml-1m, ml-10m | `ratings.dat` (`::`) | `movies.dat` | none |
 * | `u-data` | ml-100k | `u.data` (TAB) | `u.item` (`\|`, 19 genre flags) | none |
 *
 * The layout is detected from which ratings file is present (`csv` first)
 * or forced. Ratings are read by the byte parser with the layout's separator
 * (lib/ratings_parser.ts) and `split` writes them in the one internal form
 * (header-less `userId,movieId,rating,timestamp` CSV) that every later stage
 * reads; movies of every layout come back as the same {@link MovieRecord}s.
 * Without a links file there are no IMDb/TMDB ids, so the web app shows
 * placeholders instead of posters (its TMDB lookup needs one of those ids).
 */
import { FileError, statInput } from "./file_error.ts";
import type { FlagSpec } from "./command.ts";
import {
  type LinkRecord,
  type MovieRecord,
  parseLinks,
  parseMovies,
  type ReadTextOptions,
} from "./movielens_csv.ts";
import { parseMoviesDat, parseUItem } from "./movielens_legacy.ts";
import { readTextFileAnyEncoding, type TextEncodingName } from "./text_decoding.ts";
import type { RatingsSeparator } from "./ratings_parser.ts";

export const LAYOUTS = ["csv", "dat", "u-data"] as const;
export type Layout = typeof LAYOUTS[number];

/** The `--layout` flag of the commands that read a release directory. */
export const LAYOUT_FLAG = {
  type: "string",
  default: "auto",
  choices: ["auto", ...LAYOUTS],
  doc: "release layout: csv (ml-20m…ml-32m, ml-latest*), dat (ml-1m, ml-10m), u-data (ml-100k); " +
    "auto detects it from the files",
} as const satisfies FlagSpec;

interface LayoutFiles {
  ratings: string;
  separator: RatingsSeparator;
  movies: string;
  links: string | null;
  tags: string | null;
  releases: string;
}

const FILES: Record<Layout, LayoutFiles> = {
  csv: {
    ratings: "ratings.csv",
    separator: ",",
    movies: "movies.csv",
    links: "links.csv",
    tags: "tags.csv",
    releases: "ml-20m, ml-25m, ml-32m, ml-latest, ml-latest-small",
  },
  dat: {
    ratings: "ratings.dat",
    separator: "::",
    movies: "movies.dat",
    links: null,
    tags: "tags.dat",
    releases: "ml-1m, ml-10m",
  },
  "u-data": {
    ratings: "u.data",
    separator: "\t",
    movies: "u.item",
    links: null,
    tags: null,
    releases: "ml-100k",
  },
};

/** A release directory resolved to its files; absent optional files are null. */
export interface MovieLensDir {
  dir: string;
  layout: Layout;
  /** The GroupLens releases shipped in this layout, for messages. */
  releases: string;
  ratings: string;
  separator: RatingsSeparator;
  movies: string;
  links: string | null;
  tags: string | null;
}

/** A data directory that is missing, not a directory, or not a GroupLens release. */
export class MovieLensDirError extends FileError {
  /** The directory (also `file`). */
  readonly dir: string;
  constructor(dir: string, reason: string) {
    super(dir, reason);
    this.dir = dir;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/**
 * Resolves `dir` in `layout` (`"auto"`: the first layout whose ratings file
 * is there). The ratings and movies files are required; links and tags are
 * null when the layout has none or the file is absent.
 */
export async function resolveMovieLensDir(
  dir: string,
  layout: Layout | "auto" = "auto",
): Promise<MovieLensDir> {
  const info = await statInput(dir, "no such directory", (why) => new MovieLensDirError(dir, why));
  if (!info.isDirectory) {
    throw new MovieLensDirError(dir, "not a directory (give the release's directory)");
  }
  let found: Layout | undefined;
  if (layout === "auto") {
    for (const l of LAYOUTS) {
      if (await isFile(`${dir}/${FILES[l].ratings}`)) {
        found = l;
        break;
      }
    }
    if (found === undefined) {
      throw new MovieLensDirError(
        dir,
        `no ${LAYOUTS.map((l) => FILES[l].ratings).join(", ")}: not a GroupLens MovieLens release`,
      );
    }
  } else found = layout;
  const f = FILES[found];
  for (const name of [f.ratings, f.movies]) {
    if (!(await isFile(`${dir}/${name}`))) {
      throw new MovieLensDirError(dir, `no ${name} (layout ${found}: ${f.releases})`);
    }
  }
  const optional = async (name: string | null) =>
    name !== null && await isFile(`${dir}/${name}`) ? `${dir}/${name}` : null;
  return {
    dir,
    layout: found,
    releases: f.releases,
    ratings: `${dir}/${f.ratings}`,
    separator: f.separator,
    movies: `${dir}/${f.movies}`,
    links: await optional(f.links),
    tags: await optional(f.tags),
  };
}

/**
 * Whether a movie list numbers movies as movielens.org does, by its layout:
 * ML-100k's `u.item` has ids of its own (its 50, Star Wars, is movielens.org's
 * 50, The Usual Suspects). The csv releases' README says their movieId is
 * movielens.org's ("Toy Story has the link https://movielens.org/movies/1");
 * ML-1M's and ML-10M's `movies.dat` number movies the same way (1 Toy Story,
 * 2 Jumanji, 260 Star Wars: Episode IV, as in the csv releases).
 */
export function hasMovielensIds(moviesPath: string): boolean {
  return moviesPath.slice(moviesPath.lastIndexOf("/") + 1) !== "u.item";
}

/** A movie list's records and how its file was decoded. */
export interface MovieList {
  movies: MovieRecord[];
  encoding: TextEncodingName;
  /** The first line that was not UTF-8 (Latin-1 only). */
  firstLatin1Line: number | null;
}

/**
 * Reads a movie list in any layout, chosen by its file name (u.item, *.dat,
 * else CSV), as UTF-8 when valid, else Latin-1 with one warning to `warn`.
 */
export async function readMovieList(
  path: string,
  options: ReadTextOptions = {},
): Promise<MovieList> {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const { text, encoding, firstLatin1Line } = await readTextFileAnyEncoding(path, options.warn);
  const movies = name === "u.item"
    ? parseUItem(text, path)
    : name.endsWith(".dat")
    ? parseMoviesDat(text, path)
    : parseMovies(text, path);
  return { movies, encoding, firstLatin1Line };
}

/** The movies and links of a release (links empty when it ships none), and their encodings. */
export async function readMovieCatalog(
  d: Pick<MovieLensDir, "movies" | "links">,
  options: ReadTextOptions = {},
): Promise<{
  movies: MovieRecord[];
  links: LinkRecord[];
  encoding: { movies: TextEncodingName; links: TextEncodingName | null };
  firstLatin1Line: number | null;
}> {
  const list = await readMovieList(d.movies, options);
  let links: LinkRecord[] = [];
  let linksEncoding: TextEncodingName | null = null;
  if (d.links !== null) {
    const decoded = await readTextFileAnyEncoding(d.links, options.warn);
    links = parseLinks(decoded.text, d.links);
    linksEncoding = decoded.encoding;
  }
  return {
    movies: list.movies,
    links,
    encoding: { movies: list.encoding, links: linksEncoding },
    firstLatin1Line: list.firstLatin1Line,
  };
}
