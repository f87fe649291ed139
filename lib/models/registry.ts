/**
 * Every model of the product by its stable name, the one list `--model`,
 * `eval`, `accuracy`, `pipeline` and the bench read.
 *
 * Rating models: `bias` (the baseline), `knn-item`, `knn-user`, `bmf`,
 * `blend` (bmf + knn-item). Ranking models: see {@link RANKING_MODELS}.
 * The seed's neighbour-file models keep their names `user-cosine` and
 * `item-cosine` (`user`/`item` too) in `eval` and `predict`, which read
 * the neighbor files the engines write (lib/models/seed_data.ts).
 *
 * The shipped defaults ({@link DEFAULT_RATING_MODEL},
 * {@link DEFAULT_RANKING_MODEL}) won on real data: ML-100k, mean of the
 * official folds u1–u5 (README, Accuracy).
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import type { ModelSpec, RankingModel, RatingModel } from "./model.ts";
import { SEED_MODEL_NAMES } from "./seed_data.ts";
import { biasSpec } from "./bias.ts";
import { fitKnnBaseline, knnItemSpec, knnUserSpec } from "./knn_baseline.ts";
import { bayesMfSpec, fitBayesMf } from "./bayes_mf.ts";
import { type BlendMember, combineBlend, fitBlend } from "./blend.ts";
import { popularitySpec } from "./popularity.ts";
import { itemKnnImplicitSpec } from "./item_knn_implicit.ts";
import { rp3betaSpec } from "./rp3beta.ts";
import { easeSpec, easeWeightedSpec } from "./ease.ts";

/** The blend's members: the two scalable models that err differently. */
export const BLEND_MEMBERS: readonly BlendMember[] = [
  { name: "bmf", fit: (m: RatingMatrix) => fitBayesMf(m) },
  { name: "knn-item", fit: (m: RatingMatrix) => fitKnnBaseline(m, "item") },
];

export const blendSpec: ModelSpec<RatingModel> = {
  summary: "linear blend of bmf and knn-item, weights fit on a held-out 10 % of training",
  scales: true,
  fit: (m) => fitBlend(m, BLEND_MEMBERS),
  refit: (m, learned) => combineBlend(m, BLEND_MEMBERS, learned.weights as number[]),
};

/** Rating models by name, in the order reports list them. */
export const RATING_MODELS: Readonly<Record<string, ModelSpec<RatingModel>>> = {
  bias: biasSpec,
  "knn-item": knnItemSpec,
  "knn-user": knnUserSpec,
  bmf: bayesMfSpec,
  blend: blendSpec,
};

/** Ranking models by name, in the order reports list them. */
export const RANKING_MODELS: Readonly<Record<string, ModelSpec<RankingModel>>> = {
  popularity: popularitySpec,
  "item-knn-implicit": itemKnnImplicitSpec,
  rp3beta: rp3betaSpec,
  ease: easeSpec,
  "ease-weighted": easeWeightedSpec,
};

/** The rating model `pipeline` and `demo` ship (ML-100k: RMSE 0.897 against bias 0.946, bmf 0.901). */
export const DEFAULT_RATING_MODEL = "blend";
/**
 * The ranking model `pipeline` and `demo` ship: EASE with ratings below ★4
 * weighted 0.5 (ML-100k: NDCG@10 0.414, against binary EASE 0.385 and
 * popularity 0.198).
 */
export const DEFAULT_RANKING_MODEL = "ease-weighted";
/** The rating yardstick every rating model is compared with. */
export const RATING_BASELINE = "bias";
/** The ranking yardstick every ranking model is compared with. */
export const RANKING_BASELINE = "popularity";

/** An unknown model name; the message lists the known ones. */
export class UnknownModelError extends Error {
  readonly model: string;
  constructor(model: string) {
    super(
      `unknown model "${model}"; rating models: ${Object.keys(RATING_MODELS).join(", ")}; ` +
        `ranking models: ${Object.keys(RANKING_MODELS).join(", ")}; ` +
        `seed neighbour-file models (eval/predict --neighbors): ${
          Object.keys(SEED_MODEL_NAMES).join(", ")
        }`,
    );
    this.name = "UnknownModelError";
    this.model = model;
  }
}

export function ratingModelSpec(name: string): ModelSpec<RatingModel> {
  const spec = RATING_MODELS[name];
  if (!spec) throw new UnknownModelError(name);
  return spec;
}

export function rankingModelSpec(name: string): ModelSpec<RankingModel> {
  const spec = RANKING_MODELS[name];
  if (!spec) throw new UnknownModelError(name);
  return spec;
}
