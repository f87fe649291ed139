/**
 * Item-kNN on implicit feedback: a rating of any value is a 1.
 *
 *     sim(i, j)  = |U_i ∩ U_j| / sqrt(|U_i| · |U_j|)       (cosine of binary columns)
 *     N(i)       = the k items j ≠ i of largest sim(i, j)  (ties: smaller movieId)
 *     score(u, i) = Σ_{j ∈ I_u ∩ N(i)} sim(i, j)
 *
 * Items with no neighbour among the user's items score 0 (still candidates).
 *
 * Hyper-parameter: `k` (neighbours kept per item), @default 100, issue #13's
 * anchor (NDCG@10 0.329 on ML-100k, mean of the official folds u1–u5).
 *
 * Fit: lib/models/item_cooccurrence.ts (Σ_u |I_u|² accumulations, split over
 * Workers), then the neighbour lists are transposed so that a user is scored
 * from the items they rated: O(Σ_{j ∈ I_u} |{i : j ∈ N(i)}|) ≈ k·|I_u| per
 * user plus O(items) to clear. Memory: 16 bytes per kept pair (both
 * directions): ML-32M shape, k 100: ~140 MB.
 *
 * Measured at synth scale 1 (ML-32M shape: 200,948 users, 86,817 items,
 * 25.6 M training ratings), 2 workers on this project's 2-core machine
 * while shared with other jobs (load ~12): fit 349 s wall at a 28 % CPU
 * share, 108 CPU-seconds for the whole run including reading the file (so
 * ≤ ~55 s of fit on two idle cores); peak RSS 678 MB including the ratings;
 * scoring 0.41 ms per user.
 */
import type { RatingMatrix } from "../rating_matrix.ts";
import { defaultWorkers } from "../worker_pool.ts";
import {
  type ItemRows,
  sumRowsOfUserItems,
  topItemCooccurrence,
  transposeItemRows,
} from "./item_cooccurrence.ts";
import type { Contribution, ModelSpec, RankingModel } from "./model.ts";

export interface ItemKnnImplicitOptions {
  /**
   * Neighbours kept per item. Changes output.
   * @default 100 (issue #13's anchor on ML-100k)
   */
  k?: number;
  /**
   * Worker count; 0 computes on the calling thread. Changes only speed.
   * Workers need the matrix in SharedArrayBuffers (buildRatingMatrix's default).
   * @default the machine's cores
   */
  workers?: number;
}

export class ItemKnnImplicitModel implements RankingModel {
  readonly name = "item-knn-implicit";
  readonly m: RatingMatrix;
  /** N(i): row i lists i's neighbours j with sim(i, j), best first. */
  readonly neighbors: ItemRows;
  /** Row j lists the items i with j ∈ N(i), with sim(i, j). */
  readonly reverse: ItemRows;
  constructor(m: RatingMatrix, neighbors: ItemRows) {
    this.m = m;
    this.neighbors = neighbors;
    this.reverse = transposeItemRows(neighbors);
  }

  scoreUser(u: number, out: Float64Array): void {
    sumRowsOfUserItems(this.m, this.reverse, u, out);
  }

  /** The first of i's neighbours (best first) that u rated (and liked, with `liked`). */
  explain(u: number, i: number, liked?: Uint8Array): Contribution | null {
    const { offsets, items, values } = this.neighbors;
    for (let q = offsets[i]; q < offsets[i + 1]; q++) {
      if (liked && (!liked[items[q]] || !(values[q] > 0))) continue;
      if (userRated(this.m, u, items[q])) return { item: items[q], weight: values[q] };
    }
    return null;
  }
}

/** Whether dense user u rated dense item i in training (binary search of u's sorted row). */
export function userRated(m: RatingMatrix, u: number, i: number): boolean {
  let lo = m.userOffsets[u], hi = m.userOffsets[u + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = m.userItems[mid];
    if (v === i) return true;
    if (v < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Fits the neighbour lists (see module doc). */
export async function fitItemKnnImplicit(
  m: RatingMatrix,
  options: ItemKnnImplicitOptions = {},
): Promise<ItemKnnImplicitModel> {
  const rows = await topItemCooccurrence(m, {
    k: options.k ?? 100,
    userExponent: 0,
    rowExponent: 0.5,
    colExponent: 0.5,
    workers: options.workers ?? defaultWorkers(),
  });
  return new ItemKnnImplicitModel(m, rows);
}

export const itemKnnImplicitSpec: ModelSpec<ItemKnnImplicitModel> = {
  summary: "sum of binary-cosine similarities to the user's movies, 100 neighbours per movie",
  scales: true,
  defaults: { k: 100 },
  module: import.meta.url,
  fit: (m, o, c) => fitItemKnnImplicit(m, { ...o, workers: c?.workers }),
};
