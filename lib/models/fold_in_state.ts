/**
 * What fold-in (lib/models/fold_in.ts) needs of the shipped models, as plain
 * typed arrays: everything a user who is not in training is scored from,
 * with no refit and no ratings matrix. Built by the pipeline's serve step
 * from the models it fits on all ratings, written beside the serving list
 * (lib/models/fold_in_file.ts), loaded by `import` into the store and by
 * `web` at start.
 *
 * Items are the dense items of the fitted matrix (`itemIds[i]` is item i's
 * MovieLens id, ascending). Parts:
 *
 * - ranking: `ease` — B of the modelled columns (`easeCols[c]` = the dense
 *   item of column c, B row-major `easeCols.length`², Float32) and the X
 *   entry of a rating below 4 stars; or `popularity` (no columns). The
 *   training counts `itemCounts` rank a user with no usable rating.
 * - knn: the bias baseline (μ, `b_i`, λ_u) and knn-item's similarity lists
 *   (empty for the `bias` rating model, which is this baseline alone).
 * - bmf: the kept Gibbs samples of the item side with each sample's noise
 *   precision and user priors (none when the rating model has no bmf).
 * - `ratingWeights` `[w₀, w_bmf, w_knn]`: the blend's learned weights;
 *   `bmf` alone is `[0, 1, 0]`, `knn-item` and `bias` `[0, 0, 1]`.
 *
 * Memory: 4·M² bytes for B (M 8,000: 256 MB) + samples · items · (k + 1) · 4
 * for bmf (ML-32M's shape: 9 samples · 87,585 · 33 · 4 = 104 MB) + 8 bytes
 * per similarity entry (≤ 300 per item: ≤ 210 MB) + a few arrays of items.
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import type { RankingModel, RatingModel } from "./model.ts";
import type { BayesMfModel } from "./bayes_mf.ts";
import type { KnnBaselineModel } from "./knn_baseline.ts";
import type { BlendModel } from "./blend.ts";
import { EaseModel } from "./ease.ts";
import { DEFAULT_BIAS, fitBaselines } from "../baselines.ts";
import { ratingScale } from "./rating_scale.ts";

export interface FoldInState {
  /** Dense item → MovieLens id, ascending. */
  itemIds: Int32Array;
  /** Ratings per item in the fitted data (the cold-start list: most rated first). */
  itemCounts: Int32Array;
  /** The data's scale in stars (predictions clip to it; the API checks ratings against it). */
  scaleMin: number;
  scaleMax: number;
  ranking: "ease" | "popularity";
  /** X entry of a rating below 4 stars (EASE; a rating ≥ 4 is 1). */
  lowRatingWeight: number;
  /** Column → dense item, ascending; empty for popularity. */
  easeCols: Int32Array;
  /** B, row-major, easeCols.length². */
  easeB: Float32Array;
  /** μ of the bias baseline. */
  mu: number;
  /** λ_u of the bias baseline (a new user's b_u is shrunk by it). */
  regUser: number;
  /** b_i per dense item. */
  itemBias: Float64Array;
  /** K of knn-item (neighbours per prediction). */
  knnK: number;
  /** knn-item's lists: item i's neighbours at `knnOffsets[i] .. knnOffsets[i+1]`, best first. */
  knnOffsets: Int32Array;
  knnNeighbors: Int32Array;
  knnSims: Float32Array;
  /** Kept bmf samples (0: no bmf part). */
  bmfSamples: number;
  bmfFactors: number;
  bmfW0: Float64Array;
  bmfAlpha: Float64Array;
  /** Per sample 2(k+1) values: μ_w, λ_w, then μ_vf, λ_vf per factor. */
  bmfUserPriors: Float64Array;
  /** Per sample, item biases: sample t's at `t·items ..`. */
  bmfItemBias: Float32Array;
  /** Per sample, item factors: sample t's item i at `(t·items + i)·k ..`. */
  bmfItemFactors: Float32Array;
  /** `[w₀, w_bmf, w_knn]`. */
  ratingWeights: Float64Array;
}

/** A model whose fold-in is not written (it has no closed form here): the step names it. */
export class FoldInUnsupportedError extends Error {
  readonly model: string;
  constructor(model: string) {
    super(
      `fold-in: model ${model} has no fold-in; supported: ranking ease, ease-weighted, ` +
        "popularity; rating blend, bmf, knn-item, bias",
    );
    this.name = "FoldInUnsupportedError";
    this.model = model;
  }
}

/** Ranking models {@link foldInState} folds in, by registry name. */
export const FOLD_IN_RANKING_MODELS: readonly string[] = ["ease", "ease-weighted", "popularity"];
/** Rating models {@link foldInState} folds in, by registry name. */
export const FOLD_IN_RATING_MODELS: readonly string[] = ["blend", "bmf", "knn-item", "bias"];

/** Whether the serve step writes a fold-in state for these registry models. */
export function hasFoldIn(ratingModel: string, rankingModel: string): boolean {
  return FOLD_IN_RATING_MODELS.includes(ratingModel) &&
    FOLD_IN_RANKING_MODELS.includes(rankingModel);
}

function isBmf(x: RatingModel): x is BayesMfModel {
  return (x as Partial<BayesMfModel>).samples !== undefined;
}
function isKnnItem(x: RatingModel): x is KnnBaselineModel {
  return x.name === "knn-item" && (x as Partial<KnnBaselineModel>).lists !== undefined;
}
function isBlend(x: RatingModel): x is BlendModel {
  return (x as Partial<BlendModel>).weights !== undefined &&
    (x as Partial<BlendModel>).members !== undefined;
}

/**
 * The fold-in state of `ranker` and `rater`, both fitted on `m`. Throws
 * {@link FoldInUnsupportedError} for a model without fold-in. Arrays are
 * copied where the models' own layout differs (bmf's samples are
 * concatenated), shared otherwise.
 */
export function foldInState(
  ranker: RankingModel,
  rater: RatingModel,
  m: RatingMatrix,
): FoldInState {
  const nItems = m.itemIds.length;
  const itemCounts = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) itemCounts[i] = m.itemOffsets[i + 1] - m.itemOffsets[i];
  const scale = ratingScale(m);

  let ranking: FoldInState["ranking"];
  let easeCols: Int32Array = new Int32Array(0), easeB: Float32Array = new Float32Array(0);
  let lowRatingWeight = 1;
  if (ranker instanceof EaseModel) {
    ranking = "ease";
    easeCols = ranker.colItems;
    easeB = ranker.b;
    lowRatingWeight = ranker.lowRatingWeight;
  } else if (ranker.name === "popularity") ranking = "popularity";
  else throw new FoldInUnsupportedError(ranker.name);

  let bmf: BayesMfModel | null = null, knn: KnnBaselineModel | null = null;
  let weights: Float64Array;
  if (isBlend(rater)) {
    const [a, b] = rater.members;
    if (rater.members.length !== 2 || !isBmf(a) || !isKnnItem(b)) {
      throw new FoldInUnsupportedError(`blend of ${rater.members.map((x) => x.name).join("+")}`);
    }
    bmf = a;
    knn = b;
    weights = Float64Array.from(rater.weights);
  } else if (isBmf(rater)) {
    bmf = rater;
    weights = Float64Array.of(0, 1, 0);
  } else if (isKnnItem(rater)) {
    knn = rater;
    weights = Float64Array.of(0, 0, 1);
  } else if (rater.name === "bias") weights = Float64Array.of(0, 0, 1);
  else throw new FoldInUnsupportedError(rater.name);

  let mu: number, itemBias: Float64Array, regUser: number;
  let knnK = 0, knnOffsets: Int32Array = new Int32Array(nItems + 1);
  let knnNeighbors: Int32Array = new Int32Array(0), knnSims: Float32Array = new Float32Array(0);
  if (knn) {
    ({ mu, itemBias, regUser } = knn.baseline);
    knnK = knn.k;
    ({ offsets: knnOffsets, neighbors: knnNeighbors, sims: knnSims } = knn.lists);
  } else {
    // The baseline alone: bias's own fit (the same λs and passes as knn-item's).
    const b = fitBaselines(m, DEFAULT_BIAS, false);
    mu = b.globalMean;
    itemBias = b.itemBias;
    regUser = DEFAULT_BIAS.regUser;
  }

  let bmfSamples = 0, bmfFactors = 0;
  let bmfW0 = new Float64Array(0), bmfAlpha = new Float64Array(0);
  let bmfUserPriors = new Float64Array(0);
  let bmfItemBias = new Float32Array(0), bmfItemFactors = new Float32Array(0);
  if (bmf) {
    const s = bmf.samples;
    bmfSamples = s.count;
    bmfFactors = s.factors;
    bmfW0 = Float64Array.from(s.w0);
    bmfAlpha = Float64Array.from(s.alpha);
    bmfUserPriors = Float64Array.from(s.userPriors);
    bmfItemBias = new Float32Array(s.count * nItems);
    bmfItemFactors = new Float32Array(s.count * nItems * s.factors);
    for (let t = 0; t < s.count; t++) {
      bmfItemBias.set(s.itemBias[t], t * nItems);
      bmfItemFactors.set(s.itemFactors[t], t * nItems * s.factors);
    }
  }

  return {
    itemIds: m.itemIds,
    itemCounts,
    scaleMin: scale.min,
    scaleMax: scale.max,
    ranking,
    lowRatingWeight,
    easeCols,
    easeB,
    mu,
    regUser,
    itemBias,
    knnK,
    knnOffsets,
    knnNeighbors,
    knnSims,
    bmfSamples,
    bmfFactors,
    bmfW0,
    bmfAlpha,
    bmfUserPriors,
    bmfItemBias,
    bmfItemFactors,
    ratingWeights: weights,
  };
}
