/**
 * A {@link LiveRecommender} from the movie catalogue alone: the most-rated
 * movies the user has not rated (ties by smaller movieId), each predicted at
 * its own mean rating (the mean of all ratings for a movie nobody rated). It
 * is the cold-start list, and the web app's recommender for visitors when no
 * model state is loaded. `because` is always null: popularity has no
 * per-movie decomposition.
 *
 * Build: O(m log m) for m movies; recommend: O(limit + given + predict) on
 * average (the rated set is skipped while walking the popularity order).
 */
import type { GivenRating, LivePick, LiveRecommender, LiveResult } from "./live_recommender.ts";

/** What the recommender is built from: a movie, its rating count and mean stars. */
export interface PopularMovie {
  movieId: number;
  count: number;
  /** Mean stars; null when nobody rated it. */
  mean: number | null;
}

export class PopularityRecommender implements LiveRecommender {
  /** Rated movies, most ratings first, ties by smaller movieId. */
  readonly #order: PopularMovie[];
  readonly #byId: Map<number, PopularMovie>;
  /** The mean of every rating: the prediction for a movie without its own. */
  readonly #globalMean: number;

  constructor(movies: Iterable<PopularMovie>) {
    this.#byId = new Map();
    let sum = 0, count = 0;
    for (const m of movies) {
      this.#byId.set(m.movieId, m);
      if (m.count > 0 && m.mean !== null) {
        sum += m.mean * m.count;
        count += m.count;
      }
    }
    this.#order = [...this.#byId.values()].filter((m) => m.count > 0)
      .sort((a, b) => b.count - a.count || a.movieId - b.movieId);
    this.#globalMean = count ? sum / count : 0;
  }

  #prediction(movieId: number): number {
    return this.#byId.get(movieId)?.mean ?? this.#globalMean;
  }

  recommend(
    ratings: readonly GivenRating[],
    limit: number,
    predict: readonly number[] = [],
  ): LiveResult {
    const rated = new Set<number>();
    let ignored = 0;
    for (const r of ratings) {
      if (this.#byId.has(r.movieId)) rated.add(r.movieId);
      else ignored++;
    }
    const items: LivePick[] = [];
    for (const m of this.#order) {
      if (items.length >= limit) break;
      if (rated.has(m.movieId)) continue;
      items.push({
        movieId: m.movieId,
        score: m.count,
        prediction: this.#prediction(m.movieId),
        because: null,
      });
    }
    return {
      items,
      predictions: predict.map((movieId) => ({ movieId, prediction: this.#prediction(movieId) })),
      ignored,
    };
  }
}
