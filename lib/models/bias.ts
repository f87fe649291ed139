/**
 * `bias`: the regularised bias baseline `r̂_ui = μ + b_u + b_i` (Koren 2010,
 * §2.1), fitted by alternating least squares as Surprise's `BaselineOnly`
 * (lib/baselines.ts: λ_u = 15, λ_i = 10, 10 passes). The yardstick every
 * rating model is read against: ML-100k, mean of the official folds u1–u5,
 * RMSE 0.946 (the anchor). Unknown users or items contribute 0.
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import { type BiasOptions, DEFAULT_BIAS, fitBaselines } from "../baselines.ts";
import type { ModelSpec, RatingModel } from "./model.ts";
import { clipToScale, ratingScale } from "./rating_scale.ts";

/** Fits the bias baseline; predictions are clipped to the training scale. */
export function fitBias(m: RatingMatrix, options: BiasOptions = DEFAULT_BIAS): RatingModel {
  const b = fitBaselines(m, options, false);
  const scale = ratingScale(m);
  const { globalMean: mu, userBias: bu, itemBias: bi } = b;
  return {
    name: "bias",
    predict: (u, i) => clipToScale(scale, mu + (u >= 0 ? bu[u] : 0) + (i >= 0 ? bi[i] : 0)),
  };
}

export const biasSpec: ModelSpec<RatingModel> = {
  summary: "μ + b_u + b_i, regularised biases (λ_u 15, λ_i 10, 10 ALS passes)",
  scales: true,
  defaults: { ...DEFAULT_BIAS },
  module: import.meta.url,
  fit: (m, o) => fitBias(m, o as unknown as BiasOptions | undefined),
};
