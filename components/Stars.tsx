/**
 * The visitor's stars under a movie card or on the movie page: the
 * StarRating island for a profile (editable); a persona's stars read-only
 * (only where it rated the movie); nothing when nobody is signed in.
 */
import type { StarScale } from "../lib/movie_view.ts";
import { displayTitle } from "../lib/movie_view.ts";
import StarRating from "../islands/StarRating.tsx";
import { Island } from "./Island.tsx";

/** What a page that lets the visitor rate passes to its cards. */
export interface RateContext {
  scale: StarScale;
  csrf: string;
  /** Path the plain form redirects back to. */
  back: string;
  /** The visitor's ratings by movieId. */
  ratings: ReadonlyMap<number, number>;
  /** A persona's ratings: shown, never edited. @default false */
  readOnly?: boolean;
}

export function Stars(
  { movie, rate, idPrefix }: {
    movie: { movieId: number; title: string };
    rate: RateContext | null;
    idPrefix: string;
  },
) {
  if (!rate) return null;
  const rating = rate.ratings.get(movie.movieId) ?? null;
  if (rate.readOnly) {
    return rating === null ? null : (
      <StarRating
        movieId={movie.movieId}
        title={displayTitle(movie.title)}
        rating={rating}
        scale={rate.scale}
        csrf=""
        back=""
        idPrefix={idPrefix}
        readOnly
      />
    );
  }
  return (
    <Island
      name="StarRating"
      component={StarRating}
      props={{
        movieId: movie.movieId,
        title: displayTitle(movie.title),
        rating,
        scale: rate.scale,
        csrf: rate.csrf,
        back: rate.back,
        idPrefix,
      }}
    />
  );
}
