/**
 * Popularity: every user gets the same list, the items with the most
 * training ratings (any star value counts as one).
 *
 * score(u, i) = |U_i|, the number of training ratings of item i; ties rank
 * by the smaller movieId (lib/models/rank.ts). No hyper-parameters.
 *
 * The floor any personalised ranker must clear: NDCG@10 0.198 on ML-100k
 * (mean of the official folds u1–u5, issue #13's protocol).
 *
 * Fit: O(items) from the item offsets. Scoring: O(items) per user (a copy).
 * Memory: 8 bytes per item.
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import type { Contribution, ModelSpec, RankingModel } from "./model.ts";

export class PopularityModel implements RankingModel {
  readonly name = "popularity";
  /** Training ratings per dense item. */
  readonly counts: Float64Array;
  constructor(counts: Float64Array) {
    this.counts = counts;
  }
  scoreUser(_u: number, out: Float64Array): void {
    out.set(this.counts);
  }
  explain(_u: number, _i: number): Contribution | null {
    return null;
  }
}

/** Counts each item's training ratings. */
export function fitPopularity(m: RatingMatrix): PopularityModel {
  const n = m.itemIds.length;
  const counts = new Float64Array(n);
  for (let i = 0; i < n; i++) counts[i] = m.itemOffsets[i + 1] - m.itemOffsets[i];
  return new PopularityModel(counts);
}

export const popularitySpec: ModelSpec<PopularityModel> = {
  summary: "most-rated movies first, the same list for everyone (the ranking baseline)",
  scales: true,
  defaults: {},
  module: import.meta.url,
  fit: (m) => fitPopularity(m),
};
