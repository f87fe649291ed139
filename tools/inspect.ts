/**
 * `inspect --data DIR`: what a GroupLens release directory holds, read
 * exactly as `split` and `import` read it: the layout, users, movies and
 * ratings, the rating scale with its histogram, the duplicated pairs the
 * `--duplicates` policy resolved, movies nobody rated, ratings of movies the
 * movie list lacks, links without a tmdbId (no poster lookup for those) and
 * how the movie list was decoded (UTF-8, else Latin-1 from which line).
 *
 * Memory: the ratings as columns (13 bytes each) plus one byte per possible
 * movieId; time O(ratings + movies).
 */
import { defineCommand, requiredFlag } from "../lib/command.ts";
import {
  type Layout,
  LAYOUT_FLAG,
  readMovieCatalog,
  resolveMovieLensDir,
} from "../lib/movielens_dir.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import {
  type DuplicatePolicy,
  type DuplicateReport,
  DUPLICATES_FLAG,
} from "../lib/rating_duplicates.ts";
import type { TextEncodingName } from "../lib/text_decoding.ts";

export interface InspectOptions {
  /** The release directory. */
  data: string;
  /** @default "auto" */
  layout?: Layout | "auto";
  /** @default "latest" */
  duplicates?: DuplicatePolicy;
  /** Skip and count malformed rating lines. @default false */
  skipInvalid?: boolean;
}

export interface DataReport {
  dir: string;
  layout: Layout;
  releases: string;
  files: { ratings: string; movies: string; links: string | null; tags: string | null };
  /** Distinct users and rated movies, ratings kept (after duplicates). */
  users: number;
  ratedMovies: number;
  ratings: number;
  /** Movies in the movie list. */
  movies: number;
  /** Smallest and largest rating, in stars. */
  scale: { min: number; max: number; halfStars: boolean };
  /** Ratings per value, index = rating·2 (0 unused). */
  histogram: number[];
  duplicates: DuplicateReport;
  /** Malformed lines skipped (only with skipInvalid). */
  skipped: number;
  /** Listed movies without any rating. */
  moviesWithoutRatings: number;
  /** Ratings (and distinct movieIds) missing from the movie list. */
  ratingsOfUnknownMovies: number;
  unknownMovies: number;
  /**
   * Ratings with userId 0 or movieId 0: valid ids here, but GroupLens numbers
   * from 1, so they mark rows someone added (a widely shared ml-100k copy
   * has three for a user 0), and the site's URLs take positive ids only.
   */
  zeroIdRatings: number;
  /**
   * How the movie list and the links file were decoded (UTF-8, else Latin-1;
   * lib/text_decoding.ts); links null without a links file.
   */
  encoding: { movies: TextEncodingName; links: TextEncodingName | null };
  /** The movie list's first line that is not UTF-8 (Latin-1 only). */
  firstLatin1Line: number | null;
  /** Rows of the links file, and those without a tmdbId; null without a links file. */
  links: { rows: number; withoutTmdbId: number } | null;
}

/** Reads the release and counts; see the module doc. */
export async function inspectData(options: InspectOptions): Promise<DataReport> {
  const d = await resolveMovieLensDir(options.data, options.layout ?? "auto");
  const { table, stats, duplicates } = await readRatingsTable(d.ratings, {
    separator: d.separator,
    duplicates: options.duplicates,
    skipInvalid: options.skipInvalid,
    warn: () => {},
  });
  const { movies, links, encoding, firstLatin1Line } = await readMovieCatalog(d, {
    warn: () => {},
  });
  let maxUser = 0, maxMovie = 0;
  for (let i = 0; i < table.length; i++) {
    if (table.users[i] > maxUser) maxUser = table.users[i];
    if (table.movies[i] > maxMovie) maxMovie = table.movies[i];
  }
  for (const m of movies) if (m.movieId > maxMovie) maxMovie = m.movieId;
  const seenUser = new Uint8Array(maxUser + 1);
  // 1: rated, 2: listed, 3: both.
  const movieFlags = new Uint8Array(maxMovie + 1);
  const histogram = new Array<number>(11).fill(0);
  let users = 0;
  for (let i = 0; i < table.length; i++) {
    if (!seenUser[table.users[i]]) {
      seenUser[table.users[i]] = 1;
      users++;
    }
    movieFlags[table.movies[i]] |= 1;
    histogram[table.ratings[i]]++;
  }
  for (const m of movies) movieFlags[m.movieId] |= 2;
  let ratedMovies = 0, moviesWithoutRatings = 0, unknownMovies = 0;
  for (let id = 0; id <= maxMovie; id++) {
    const f = movieFlags[id];
    if (f & 1) ratedMovies++;
    if (f === 2) moviesWithoutRatings++;
    if (f === 1) unknownMovies++;
  }
  let ratingsOfUnknownMovies = 0, zeroIdRatings = 0;
  for (let i = 0; i < table.length; i++) {
    if (movieFlags[table.movies[i]] === 1) ratingsOfUnknownMovies++;
    if (table.users[i] === 0 || table.movies[i] === 0) zeroIdRatings++;
  }
  const values = histogram.map((n, r2) => (n > 0 ? r2 : -1)).filter((r2) => r2 > 0);
  return {
    dir: d.dir,
    layout: d.layout,
    releases: d.releases,
    files: { ratings: d.ratings, movies: d.movies, links: d.links, tags: d.tags },
    users,
    ratedMovies,
    ratings: table.length,
    movies: movies.length,
    scale: {
      min: values[0] / 2,
      max: values[values.length - 1] / 2,
      halfStars: values.some((r2) => r2 % 2 === 1),
    },
    histogram,
    duplicates,
    skipped: stats.skipped,
    moviesWithoutRatings,
    ratingsOfUnknownMovies,
    unknownMovies,
    zeroIdRatings,
    encoding,
    firstLatin1Line,
    links: d.links === null
      ? null
      : { rows: links.length, withoutTmdbId: links.filter((l) => l.tmdbId === null).length },
  };
}

const int = (n: number) => n.toLocaleString("en-US");

/** The report as printed by `inspect`. */
export function formatDataReport(r: DataReport): string {
  const lines = [
    `data        ${r.dir}`,
    `layout      ${r.layout} (the layout of ${r.releases})`,
    `files       ${
      [r.files.ratings, r.files.movies, r.files.links, r.files.tags]
        .filter((f) => f !== null).map((f) => f!.slice(f!.lastIndexOf("/") + 1)).join(", ")
    }`,
    `encoding    ${r.files.movies.slice(r.files.movies.lastIndexOf("/") + 1)}: ` +
    (r.encoding.movies === "utf-8"
      ? "UTF-8"
      : `Latin-1 (not valid UTF-8 from line ${r.firstLatin1Line})`) +
    (r.encoding.links === null
      ? ""
      : `; links: ${r.encoding.links === "utf-8" ? "UTF-8" : "Latin-1"}`),
    `users       ${int(r.users)}`,
    `movies      ${int(r.movies)} listed, ${int(r.ratedMovies)} rated`,
    `ratings     ${int(r.ratings)}` +
    (r.skipped > 0 ? ` (${int(r.skipped)} malformed lines skipped)` : ""),
    `scale       ${r.scale.min.toFixed(1)}–${r.scale.max.toFixed(1)} stars, ` +
    (r.scale.halfStars ? "half stars" : "whole stars only"),
    "histogram",
  ];
  const peak = Math.max(...r.histogram);
  for (let r2 = 1; r2 <= 10; r2++) {
    const n = r.histogram[r2];
    if (n === 0 && (r2 % 2 === 1 && !r.scale.halfStars)) continue;
    const bar = "#".repeat(Math.round((n / Math.max(1, peak)) * 40));
    const pct = r.ratings ? ((n / r.ratings) * 100).toFixed(1) : "0.0";
    lines.push(
      `  ${(r2 / 2).toFixed(1)}  ${int(n).padStart(12)}  ${pct.padStart(5)} %  ${bar}`,
    );
  }
  const dup = r.duplicates;
  lines.push(
    `duplicates  ${int(dup.dropped)} rating(s) of a repeated (userId, movieId) dropped` +
      (dup.first
        ? `, the latest kept; first: lines ${dup.first.firstLine} and ${dup.first.secondLine} ` +
          `(userId ${dup.first.userId}, movieId ${dup.first.movieId})`
        : ""),
    `movies without ratings      ${int(r.moviesWithoutRatings)}`,
    `ratings of unknown movies   ${int(r.ratingsOfUnknownMovies)}` +
      (r.unknownMovies > 0 ? ` (${int(r.unknownMovies)} movieIds not in the movie list)` : ""),
    `ratings with id 0           ${int(r.zeroIdRatings)}` +
      (r.zeroIdRatings > 0 ? " (GroupLens ids start at 1: rows added to this copy)" : ""),
    r.links === null
      ? "links       no links file: no IMDb/TMDB ids, the site shows no posters"
      : `links without tmdbId        ${int(r.links.withoutTmdbId)} of ${int(r.links.rows)}`,
  );
  return lines.join("\n");
}

export const inspectCommand = defineCommand({
  name: "inspect",
  summary: "what a GroupLens release directory holds: layout, counts, scale, dirty rows",
  flags: {
    data: requiredFlag("<dir>", "GroupLens release directory"),
    layout: LAYOUT_FLAG,
    duplicates: DUPLICATES_FLAG,
    skipInvalid: { type: "boolean", doc: "skip and count malformed rating lines" },
  },
  details: "Reads the directory as split and import do, and changes nothing.",
  async run(f) {
    console.log(formatDataReport(await inspectData(f)));
  },
});
