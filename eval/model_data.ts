/**
 * What `eval` and `predict` load before any prediction: the training
 * matrix (shared arrays, for Workers) and the neighbor file mapped once to
 * dense indices of the model's kind (users for `user`, items for `item`).
 */
import { readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix, type RatingMatrix } from "../lib/rating_matrix.ts";
import { readNeighborFile } from "../lib/neighbor_file.ts";
import { denseNeighborGraph, maxListLength, type NeighborGraph } from "../lib/predictors.ts";
import { checkNeighborFile } from "../lib/neighbor_meta.ts";
import type { DuplicatePolicy } from "../lib/rating_duplicates.ts";

export type ModelKind = "user" | "item";
export const MODEL_KINDS: readonly ModelKind[] = ["user", "item"];

/**
 * The seed's neighbour-file models by their stable names (`user-cosine`,
 * `item-cosine`; `user` and `item` are the older spellings): the formulas of
 * the original design, evaluated from whatever neighbor file is given.
 */
export const SEED_MODEL_NAMES: Readonly<Record<string, ModelKind>> = {
  "user-cosine": "user",
  "item-cosine": "item",
  user: "user",
  item: "item",
};

/** A neighbor-based model ready to predict. */
export interface LoadedModel {
  matrix: RatingMatrix;
  graph: NeighborGraph;
  /** Neighbor entries dropped because an id is unknown in training. */
  dropped: number;
  /** The longest neighbor list, i.e. the K of "use the whole file". */
  maxK: number;
}

/** Reads the training ratings and the neighbor file of `model`. */
export async function loadModel(
  train: string,
  neighbors: string,
  model: ModelKind,
  duplicates: DuplicatePolicy = "latest",
): Promise<LoadedModel> {
  // Before any work: a neighbor file of the other mode is refused (lib/neighbor_meta.ts).
  const stale = await checkNeighborFile(neighbors, model, train);
  if (stale !== null) console.warn(stale);
  const [{ table }, lists] = await Promise.all([
    readRatingsTable(train, { duplicates }),
    readNeighborFile(neighbors),
  ]);
  const matrix = buildRatingMatrix(table);
  const { graph, dropped } = model === "user"
    ? denseNeighborGraph(lists, matrix.userIndex, matrix.userIds.length)
    : denseNeighborGraph(lists, matrix.itemIndex, matrix.itemIds.length);
  return { matrix, graph, dropped, maxK: maxListLength(graph) };
}

/** Id → dense index, −1 when the id is unknown (or beyond the map). */
export function denseIndex(index: Int32Array, id: number): number {
  return id >= 0 && id < index.length ? index[id] : -1;
}
