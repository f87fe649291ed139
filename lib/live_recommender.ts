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

/**
 * One rating given by a user who is not in training: MovieLens movie id and stars.
 *
 * @example
 * ```ts
 * const given: GivenRating[] = [{ movieId: 1, rating: 5 }, { movieId: 32, rating: 3.5 }];
 * ```
 */
export interface GivenRating {
  /** MovieLens movie id. */
  movieId: number;
  /** Stars on the data's own scale (e.g. 0.5..5 in half steps, or 1..5). */
  rating: number;
}

/**
 * One recommended movie, best first.
 *
 * @example
 * ```ts
 * const [best]: LivePick[] = recommender.foldIn(given, 1).items;
 * console.log(best.movieId, best.prediction.toFixed(1), best.because?.movieId);
 * ```
 */
export interface LivePick {
  /** MovieLens movie id. */
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

/**
 * What {@link LiveRecommender.recommend} answers.
 *
 * @example
 * ```ts
 * const r: LiveResult = recommender.foldIn(given, 10, [50]);
 * console.log(r.items.length, r.predictions[0].prediction, r.ignored);
 * ```
 */
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
