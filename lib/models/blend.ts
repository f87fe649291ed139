/**
 * `blend`: a linear blend of rating models, `r̂ = w₀ + Σ_k w_k r̂_k`, clipped
 * to the training scale (the Netflix-prize habit: models that err
 * differently average out).
 *
 * The weights never see the test set, nor even the ratings the members are
 * fitted on: a validation slice of the *training* matrix (the ratings with
 * `isTestRating(seed, userId, movieId, validation)`) is held out, every
 * member is fitted on the rest, and the weights solve ridge-regularised
 * least squares `min Σ (r − w₀ − Σ w_k r̂_k)² + ρ Σ_k w_k²` over the slice.
 * The members are then refitted on the whole training matrix and combined
 * with those weights.
 *
 * Defaults chosen on ML-100k (five official folds): members bmf and knn-item
 * (lib/models/registry.ts; knn-user is left out, its user–user pairs do not
 * scale to ML-32M); a 10 % slice; ρ = 1 (a few thousand validation ratings per
 * weight, so ρ barely matters; it keeps the system well-posed when two
 * members predict alike).
 *
 * Time: two fits of every member plus O(slice · members²).
 */
import { buildRatingMatrix, denseIndexOf, type RatingMatrix } from "../rating_matrix.ts";
import type { RatingsTable } from "../ratings_table.ts";
import { allocateRatings } from "../ratings_columns.ts";
import { isTestRating } from "../hash.ts";
import type { ModelSpec, RatingModel } from "./model.ts";
import { fitBayesMf } from "./bayes_mf.ts";
import { fitKnnBaseline } from "./knn_baseline.ts";
import { clipToScale, ratingScale } from "./rating_scale.ts";

export interface BlendOptions {
  /** Share of the training ratings held out to fit the weights. Changes output. @default 0.1 */
  validation: number;
  /** Seed of the held-out slice. Changes output. @default 7 */
  seed: number;
  /** Ridge ρ on the member weights (not the intercept). Changes output. @default 1 */
  ridge: number;
}

export const BLEND_DEFAULTS: BlendOptions = { validation: 0.1, seed: 7, ridge: 1 };

/** A member: a name and how to fit it. */
export interface BlendMember {
  name: string;
  fit(m: RatingMatrix): RatingModel | Promise<RatingModel>;
}

export interface BlendModel extends RatingModel {
  /** `[w₀, w_1 … w_K]`, members in the order given. */
  readonly weights: Float64Array;
  readonly members: readonly RatingModel[];
}

/** Splits the training matrix into the members' part and the held-out slice. */
export function validationSplit(
  m: RatingMatrix,
  options: Pick<BlendOptions, "validation" | "seed">,
): { fit: RatingsTable; held: RatingsTable } {
  const n = m.userItems.length;
  const held = new Uint8Array(n);
  let heldCount = 0;
  for (let u = 0; u < m.userIds.length; u++) {
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
      const id = m.itemIds[m.userItems[p]];
      if (isTestRating(options.seed, m.userIds[u], id, options.validation)) {
        held[p] = 1;
        heldCount++;
      }
    }
  }
  const take = (want: number, count: number): RatingsTable => {
    const t = allocateRatings(count);
    let k = 0;
    for (let u = 0; u < m.userIds.length; u++) {
      for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
        if (held[p] !== want) continue;
        t.users[k] = m.userIds[u];
        t.movies[k] = m.itemIds[m.userItems[p]];
        t.ratings[k] = m.userRatings[p];
        k++;
      }
    }
    return t;
  };
  return { fit: take(0, n - heldCount), held: take(1, heldCount) };
}

/** Solves the symmetric positive-definite system `A x = b` (A is d×d, row-major) in place. */
export function solveSpd(A: Float64Array, b: Float64Array, d: number): Float64Array {
  // Cholesky A = L Lᵀ, then two triangular solves.
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j];
      for (let t = 0; t < j; t++) s -= L[i * d + t] * L[j * d + t];
      if (i === j) {
        if (s <= 0) throw new Error("blend: the normal equations are not positive definite");
        L[i * d + i] = Math.sqrt(s);
      } else L[i * d + j] = s / L[j * d + j];
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let t = 0; t < i; t++) s -= L[i * d + t] * y[t];
    y[i] = s / L[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let t = i + 1; t < d; t++) s -= L[t * d + i] * x[t];
    x[i] = s / L[i * d + i];
  }
  return x;
}

/**
 * The blend weights `[w₀, w_1 … w_K]`: members fitted on `m` less a held-out
 * slice, ridge least squares over the slice. See the module doc.
 */
export async function fitBlendWeights(
  m: RatingMatrix,
  members: readonly BlendMember[],
  options: BlendOptions = BLEND_DEFAULTS,
): Promise<Float64Array> {
  const { fit, held } = validationSplit(m, options);
  // Shared: the members' fits run on Workers.
  const sub = buildRatingMatrix(fit);
  const d = members.length + 1;
  const X = new Float64Array(held.length * d);
  for (let k = 0; k < held.length; k++) X[k * d] = 1;
  for (const [c, member] of members.entries()) {
    const model = await member.fit(sub);
    // Held-out ratings come grouped by user, so kNN members reuse their scatter.
    for (let k = 0; k < held.length; k++) {
      const u = denseIndexOf(sub.userIndex, held.users[k]);
      const i = denseIndexOf(sub.itemIndex, held.movies[k]);
      X[k * d + c + 1] = model.predict(u, i);
    }
  }
  const A = new Float64Array(d * d), b = new Float64Array(d);
  for (let k = 0; k < held.length; k++) {
    const y = held.ratings[k] * 0.5;
    for (let r = 0; r < d; r++) {
      const xr = X[k * d + r];
      b[r] += xr * y;
      for (let c = 0; c < d; c++) A[r * d + c] += xr * X[k * d + c];
    }
  }
  for (let r = 1; r < d; r++) A[r * d + r] += options.ridge;
  return solveSpd(A, b, d);
}

/** The members fitted on all of `m`, combined with `weights` (one fit each). */
export async function combineBlend(
  m: RatingMatrix,
  members: readonly BlendMember[],
  weights: ArrayLike<number>,
): Promise<BlendModel> {
  if (weights.length !== members.length + 1) {
    throw new RangeError(`blend: ${weights.length} weights for ${members.length} members`);
  }
  const w = Float64Array.from(weights);
  const fitted: RatingModel[] = [];
  for (const member of members) fitted.push(await member.fit(m));
  const scale = ratingScale(m);
  return {
    name: "blend",
    weights: w,
    members: fitted,
    learned: { weights: Array.from(w) },
    predict(u, i) {
      let x = w[0];
      for (let c = 0; c < fitted.length; c++) x += w[c + 1] * fitted[c].predict(u, i);
      return clipToScale(scale, x);
    },
  };
}

/**
 * Fits the blend weights on a held-out slice of `m` (members fitted on the
 * rest), then refits the members on all of `m`. See the module doc.
 */
export async function fitBlend(
  m: RatingMatrix,
  members: readonly BlendMember[],
  options: BlendOptions = BLEND_DEFAULTS,
): Promise<BlendModel> {
  return combineBlend(m, members, await fitBlendWeights(m, members, options));
}

/** The blend's members: the two scalable models that err differently, each with its defaults. */
export const BLEND_MEMBERS: readonly BlendMember[] = [
  { name: "bmf", fit: (m: RatingMatrix) => fitBayesMf(m) },
  { name: "knn-item", fit: (m: RatingMatrix) => fitKnnBaseline(m, "item") },
];

/** `blend`: bmf + knn-item, weights learned on a held-out slice; a refit keeps them. */
export const blendSpec: ModelSpec<RatingModel> = {
  summary: "linear blend of bmf and knn-item, weights fit on a held-out 10 % of training",
  scales: true,
  defaults: { ...BLEND_DEFAULTS },
  module: import.meta.url,
  fit: (m, o) => fitBlend(m, BLEND_MEMBERS, o as unknown as BlendOptions | undefined),
  refit: (m, learned) => combineBlend(m, BLEND_MEMBERS, learned.weights as number[]),
};
