/**
 * recsys32m as a library: read a MovieLens release, split it, fit the
 * models of the `pipeline` by name (with options), list and predict by
 * MovieLens ids, recommend for someone not in training from the ratings
 * they give (fold-in, `Recommender.foldIn`), compute neighbor lists, and
 * evaluate, all in memory.
 *
 * ```ts
 * import { fitRecommender, readRatings } from "./mod.ts";
 * const recommender = await fitRecommender(await readRatings("data/ml-100k"));
 * for (const p of recommender.recommend(1, 10)) console.log(p.movieId, p.stars.toFixed(1));
 * ```
 *
 * A model is a name of the registry (`ease-weighted`, `blend`, …) or a
 * configuration `name:key=value,…` (`ease:lambda=300,lowRatingWeight=0.5`);
 * {@link MODELS} lists every name with its options' defaults.
 *
 * @module
 */
export {
  computeNeighbors,
  type FitOptions,
  fitRankingModel,
  fitRatingModel,
  fitRecommender,
  FittedModel,
  type GivenRating,
  type LivePick,
  type LiveResult,
  type Movie,
  type Neighbor,
  type NeighborOptions,
  Neighbors,
  type Pick,
  Ranker,
  RatingPredictor,
  type RatingsTable,
  readMovies,
  type ReadOptions,
  readRatings,
  Recommender,
  type RecommenderModels,
  type Scored,
  type Split,
  type SplitOptions,
  splitRatings,
} from "./lib/toolkit.ts";
export {
  evaluate,
  type Evaluation,
  type EvaluationOptions,
  type RankingRow,
  type RatingRow,
} from "./eval/mod.ts";
export {
  type ModelInfo,
  ModelOptionError,
  MODELS,
  UnknownModelError,
} from "./lib/models/registry.ts";
export type { RankingResult } from "./lib/models/rank.ts";
export type { ModelOptions } from "./lib/models/model.ts";
