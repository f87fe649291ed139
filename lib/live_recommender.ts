/**
 * The contract between the models' fold-in (lib/models/) and everything that
 * recommends for someone who is not in the training data: a site visitor's
 * profile, a persona's ratings copied into a profile, or any client of
 * `POST /api/recommendations`. The user is known only by the ratings given,
 * by MovieLens ids and in stars; nothing is refit.
 *
 * `recommend` is synchronous and pure: the same ratings give the same answer,
 * and no state is kept between calls.
 */

/** One rating given by a user who is not in training: MovieLens movie id and stars. */
export interface GivenRating {
  movieId: number;
  /** Stars on the data's own scale (e.g. 0.5..5 in half steps, or 1..5). */
  rating: number;
}

/** One recommended movie, best first. */
export interface LivePick {
  movieId: number;
  /** The ranking model's score (higher is better; only the order is meaningful). */
  score: number;
  /** The rating model's predicted stars for this movie. */
  prediction: number;
  /**
   * The given rating that contributed most to this pick, or null when the
   * ranking has no per-movie decomposition (e.g. popularity).
   */
  because: GivenRating | null;
}

/** What {@link LiveRecommender.recommend} answers. */
export interface LiveResult {
  /** At most `limit` picks, best first; never a movie in the given ratings. */
  items: LivePick[];
  /** One per asked movie, in the order asked (a movie the models do not know gets the baseline). */
  predictions: { movieId: number; prediction: number }[];
  /** Given ratings of movies the models do not know (not used). */
  ignored: number;
}

/** Recommends for a user known only by the ratings given (fold-in, no refit). */
export interface LiveRecommender {
  /**
   * The data's rating scale in stars (what a given rating must lie in; the
   * API refuses one outside it). Absent: 0.5..5.
   */
  readonly scale?: { min: number; max: number };
  recommend(
    ratings: readonly GivenRating[],
    limit: number,
    predict?: readonly number[],
  ): LiveResult;
}
