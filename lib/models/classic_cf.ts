/**
 * `user-cosine` and `item-cosine`: the classic (original design's) neighbour-file formulas as
 * {@link RatingModel}s, so the original design can be compared with the
 * other models on the same footing (docs/ARCHITECTURE.md, "Predictions"):
 *
 * - user-based `μ_u + Σ_v s_uv (r_vi − μ_v) / Σ_v |s_uv|` over u's
 *   neighbours v that rated i;
 * - item-based `Σ_j s_ij r_uj / Σ_j |s_ij|` over i's neighbours j rated by u;
 *
 * computed by lib/predictors.ts from a neighbor file of the matching mode.
 * Where the formula has no usable neighbour the bias baseline answers, so
 * the model covers every rating (the classic model's own coverage is what
 * `eval --model user|item` reports).
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import { DEFAULT_BIAS, fitBaselines } from "../baselines.ts";
import {
  type NeighborGraph,
  predictItemBasedKs,
  predictUserBasedKs,
  rowMeans,
} from "../predictors.ts";
import type { RatingModel } from "./model.ts";
import { clipToScale, ratingScale } from "./rating_scale.ts";
import type { Mode } from "../mode.ts";

/** The classic model of `mode` over `graph` (dense indices of `m`), bias where it has no answer. */
export function classicCfModel(
  m: RatingMatrix,
  graph: NeighborGraph,
  mode: Mode,
): RatingModel {
  const b = fitBaselines(m, DEFAULT_BIAS, false);
  const scale = ratingScale(m);
  const userMean = rowMeans(m.userOffsets, m.userRatings, false);
  const nOther = mode === "user" ? m.userIds.length : m.itemIds.length;
  const scatter = new Uint8Array(nOther);
  let current = -1;
  const ks = [Number.MAX_SAFE_INTEGER];
  const out = new Float64Array(1);
  const fill = (key: number, value: number) => {
    // user mode: the raters of item `key`; item mode: the items of user `key`.
    const [offsets, idx, ratings] = mode === "user"
      ? [m.itemOffsets, m.itemUsers, m.itemRatings]
      : [m.userOffsets, m.userItems, m.userRatings];
    for (let p = offsets[key]; p < offsets[key + 1]; p++) {
      scatter[idx[p]] = value === 0 ? 0 : ratings[p];
    }
  };
  return {
    name: mode === "user" ? "user-cosine" : "item-cosine",
    predict(u, i) {
      const base = b.globalMean + (u >= 0 ? b.userBias[u] : 0) + (i >= 0 ? b.itemBias[i] : 0);
      if (u < 0 || i < 0) return clipToScale(scale, base);
      const key = mode === "user" ? i : u;
      if (key !== current) {
        if (current >= 0) fill(current, 0);
        fill(key, 1);
        current = key;
      }
      if (mode === "user") predictUserBasedKs(graph, userMean, u, scatter, ks, out);
      else predictItemBasedKs(graph, i, scatter, ks, out);
      return clipToScale(scale, Number.isNaN(out[0]) ? base : out[0]);
    },
  };
}
