/**
 * Movies as the web app shows them, and the only module the browser bundle
 * takes from `lib/` (islands/ import it; it imports nothing, so the islands
 * bundle never reaches server code): the plain serialisable shapes that go
 * into pages, island props and the JSON API, the sort columns of the rated
 * table, and the formatting rules shared by server rendering and islands, so
 * a hydrated island renders exactly what the server sent. Every function is
 * pure and O(length of its input).
 *
 * @example
 * ```ts
 * import { displayTitle, formatStars } from "./movie_view.ts";
 * displayTitle("Heat (1995)"); // "Heat"
 * naturalTitle("Godfather, The (1972)"); // "The Godfather (1972)"
 * formatStars(4);              // "4.0"
 * ```
 */

/** The largest MovieLens id (ids are signed 32-bit in every file and table). */
export const MAX_MOVIELENS_ID = 2_147_483_647;

/**
 * Why `text` is not a MovieLens id, or null when it is one: digits only, no
 * sign, spaces or leading zeros (`01` is refused, not read as 1),
 * 1..{@link MAX_MOVIELENS_ID}; with `zero` (user ids: some data sets have a
 * user 0) also `0`. The one id syntax of URLs, forms and the login island.
 */
export function movieLensIdProblem(
  text: string,
  { zero = false }: { zero?: boolean } = {},
): "empty" | "not digits" | "leading zero" | "range" | null {
  if (text === "") return "empty";
  if (!/^[0-9]+$/.test(text)) return "not digits";
  if (text === "0") return zero ? null : "range";
  if (text[0] === "0") return "leading zero";
  if (text.length > 10 || Number(text) > MAX_MOVIELENS_ID) return "range";
  return null;
}

/** A movie with its TMDB poster and overview, when known. */
export interface MovieView {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
  /** Full poster URL, or null for the placeholder. */
  posterUrl: string | null;
  overview: string | null;
  /** The movie on movielens.org; null when the data's ids are not movielens.org's (ML-100k). */
  movielensUrl: string | null;
}

/** The columns the rated-movies table sorts by, in the order `?sort=` lists them. */
export const RATED_SORTS = ["date", "rating", "title"] as const;

/** A column of the rated-movies table (also the store's sort key). */
export type RatedSort = typeof RATED_SORTS[number];

/** A sort direction. */
export type SortOrder = "asc" | "desc";

/** One row of the rated-movies table: the movie and the user's rating of it. */
export interface RatedRow extends MovieView {
  /** Stars, 0.5–5. */
  rating: number;
  /** Unix seconds. */
  timestamp: number;
}

/**
 * The movie's movielens.org page, or null when `movielensIds` is false: only
 * the csv and dat releases number movies as movielens.org does (ML-100k's
 * u.item does not: its 50, Star Wars, is movielens.org's The Usual Suspects).
 */
export function movielensUrl(movieId: number, movielensIds: boolean): string | null {
  return movielensIds ? `https://movielens.org/movies/${movieId}` : null;
}

/**
 * Articles MovieLens moves behind a title ("Godfather, The"), in the languages
 * its titles use. Not "I", "O", "De" or "To": too often a word of the title itself.
 */
const ARTICLE =
  /^(.+), (The|A|An|Les|La|Le|L'|Il|El|Los|Las|Die|Der|Das|Den|Det|Het|Een|Ein|Eine|Un|Une|Una|Lo|Gli)$/;

/** "Godfather, The" → "The Godfather"; "Ami de mon amie, L'" → "L'Ami de mon amie". */
function articleFirst(part: string): string {
  const m = ARTICLE.exec(part);
  if (!m) return part;
  return m[2].endsWith("'") ? m[2] + m[1] : `${m[2]} ${m[1]}`;
}

/**
 * A MovieLens title in natural word order, stored titles being unchanged:
 * the article moved back in front of the title and of each alternative title
 * in parentheses; the year stays. "City of Lost Children, The (Cité des
 * enfants perdus, La) (1995)" → "The City of Lost Children (La Cité des
 * enfants perdus) (1995)".
 */
export function naturalTitle(title: string): string {
  // Most titles have no moved article: no regex for them (a dashboard formats ~200 titles).
  if (!title.includes(", ")) return title;
  const m = /^(.*?)((?: \([^()]*\))*)$/.exec(title)!;
  const groups = m[2].replace(/\(([^()]*)\)/g, (_, inner: string) => `(${articleFirst(inner)})`);
  return articleFirst(m[1]) + groups;
}

/** The title in natural order without its trailing " (YYYY)", which pages show separately. */
export function displayTitle(title: string): string {
  return naturalTitle(title).replace(/\s*\(\d{4}\)\s*$/, "");
}

/** "(no genres listed)" is MovieLens' way of saying none. */
export function genreList(genres: readonly string[]): string {
  const real = genres.filter((g) => g !== "(no genres listed)");
  return real.length ? real.join(", ") : "No genres listed";
}

/** Unix seconds as `YYYY-MM-DD` in UTC (the same on server and client). */
export function formatDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

/** Stars with one decimal place when needed: 4 → "4.0", 3.5 → "3.5". */
export function formatStars(stars: number): string {
  return stars.toFixed(1);
}

/** The stars the data's ratings use (the store's rating scale). */
export interface StarScale {
  min: number;
  max: number;
  /** 0.5 (half stars) or 1. */
  step: number;
}

/** Every rating a visitor can give on `scale`, lowest first: 0.5, 1, …, 5 or 1, 2, …, 5. */
export function starSteps(scale: StarScale): number[] {
  const out: number[] = [];
  for (let s = scale.min; s <= scale.max + 1e-9; s += scale.step) out.push(Math.round(s * 2) / 2);
  return out;
}

/** One recommendation for a visitor's profile, as pages and the picks island show it. */
export interface PickView extends MovieView {
  /** Predicted stars. */
  prediction: number;
  /** Why it is recommended. */
  reason: string;
}

/** A profile's picks as the picks island shows them (also the rating API's answer). */
export interface PicksView {
  items: PickView[];
  /** Ratings in the profile. */
  rated: number;
  /** The profile's mean stars (shown beside each prediction); null without ratings. */
  mean: number | null;
  /** No rating yet: the list is the most-rated movies. */
  cold: boolean;
  /** Whether a model ranked them (false: popularity, this server has no model for visitors). */
  model: boolean;
}
