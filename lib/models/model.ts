/**
 * The models layer: what every recommender of the product is, whatever its
 * formula. A model is fitted once on a training {@link RatingMatrix} (dense
 * user and item indices, ratings as half-star integers `rating*2`) and then
 * answers for dense indices of that matrix:
 *
 * - a {@link RatingModel} predicts the stars user `u` would give item `i`
 *   (clipped to [0.5, 5]; `u` or `i` is −1 when unknown in training, and a
 *   rating model still answers, from its baseline);
 * - a {@link RankingModel} scores every item for user `u` (higher = better);
 *   items it cannot score get `-Infinity`. It does not mask what the user
 *   rated: ranking code drops the user's own training items
 *   (lib/models/rank.ts), so a fold-in never recommends a rated movie.
 *
 * Fitting is separate from scoring (lenskit's habit): `fit` takes the matrix
 * and an options object whose fields document their `@default` and the data
 * they were chosen on (ML-100k, five official folds — never synthetic data).
 */
import type { RatingMatrix } from "../rating_matrix.ts";

/** A fitted rating predictor. */
export interface RatingModel {
  readonly name: string;
  /** Predicted stars in [0.5, 5] for dense user `u` and dense item `i` (−1 = unknown). */
  predict(u: number, i: number): number;
  /**
   * What the fit learned beyond the parameters it refits anyway (a blend's
   * weights), as JSON, for {@link ModelSpec.refit}.
   */
  readonly learned?: Record<string, unknown>;
}

/** The rated item behind a recommendation: dense item index and its share of the score. */
export interface Contribution {
  item: number;
  weight: number;
}

/** A fitted top-N ranker. */
export interface RankingModel {
  readonly name: string;
  /**
   * Writes the score of every dense item for dense user `u` into `out`
   * (length = items); `-Infinity` where the model has no score.
   */
  scoreUser(u: number, out: Float64Array): void;
  /**
   * The training item of `u` that contributed most to item `i`'s score, or
   * null when the score has no per-item decomposition (popularity). With
   * `liked`, only items j with `liked[j] = 1` compete and only a positive
   * contribution counts (the serving list cites only a movie the user
   * liked: lib/models/fold_in.ts `isLiked`).
   */
  explain(u: number, i: number, liked?: Uint8Array): Contribution | null;
}

export type ModelKind = "rating" | "ranking";

/**
 * A model's configuration: every option that changes what the fit learns, by
 * name, as a number. A spec's {@link ModelSpec.defaults} holds each one with
 * its default; its keys are the valid keys of `--model name:key=value`.
 *
 * @example
 * ```ts
 * const options: ModelOptions = { lambda: 300, lowRatingWeight: 0.5, maxItems: 8000 };
 * ```
 */
export type ModelOptions = Readonly<Record<string, number>>;

/** What a fit may use that never changes its result. */
export interface FitContext {
  /**
   * Worker threads; 0 or 1 computes on the calling thread. Changes only speed.
   * @default the machine's cores
   */
  workers?: number;
}

/**
 * How to fit one model: its options with their defaults, and the fit. The
 * registry (lib/models/registry.ts) gives it its stable `--model` name (the
 * key), its kind (the table it is in) and a preset configuration.
 */
export interface ModelSpec<M> {
  /** One line for `--help` and the reports. */
  summary: string;
  /** Whether it fits ML-32M's shape within the targets (≤ 10 min, ≤ 4 GiB on 2 cores). */
  scales: boolean;
  /** Every option with its default (documented in the model's module). */
  defaults: ModelOptions;
  /**
   * URL of the module that implements the model (`import.meta.url`): the
   * code a pipeline step fingerprints (lib/code_fingerprint.ts).
   */
  module: string;
  /**
   * Fits on `m` with `options` (every key of {@link defaults}, resolved by
   * lib/models/registry.ts; absent: the defaults).
   */
  fit(m: RatingMatrix, options?: ModelOptions, context?: FitContext): M | Promise<M>;
  /**
   * Refits on more data (all ratings, for serving) keeping what an earlier
   * fit `learned`; absent when a refit is just {@link fit}.
   */
  refit?(
    m: RatingMatrix,
    learned: Record<string, unknown>,
    options?: ModelOptions,
    context?: FitContext,
  ): M | Promise<M>;
}
