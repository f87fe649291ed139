/**
 * What the classic neighbour-file models (user- and item-based CF, the
 * original design's formulas, lib/predictors.ts) load before any prediction, for `eval` and
 * `predict` alike: the training matrix (shared arrays, for Workers) and the
 * neighbor file mapped once to dense indices of the model's mode (users for
 * `user`, items for `item`).
 *
 * Cost: reading both files, O(ratings + max id) for the matrix and
 * O(neighbor entries) for the graph.
 *
 * @example
 * ```ts
 * import { CLASSIC_MODEL_NAMES, loadClassicModel } from "./classic_data.ts";
 * const mode = CLASSIC_MODEL_NAMES["user-cosine"]; // "user"
 * const { matrix, graph, maxK, warning } = await loadClassicModel({
 *   train: "train.csv",
 *   neighbors: "user_nb.txt",
 *   model: mode,
 * });
 * ```
 */
import { readRatingsTable } from "../ratings_table.ts";
import { buildRatingMatrix, type RatingMatrix } from "../rating_matrix.ts";
import { readNeighborFile } from "../neighbor_file.ts";
import { denseNeighborGraph, maxListLength, type NeighborGraph } from "../predictors.ts";
import { checkNeighborFile } from "../neighbor_meta.ts";
import type { DuplicatePolicy } from "../rating_duplicates.ts";
import type { Mode } from "../mode.ts";

/**
 * The classic neighbour-file models by their stable names (`user-cosine`,
 * `item-cosine`; `user` and `item` are the older spellings): the formulas of
 * the original design, evaluated from whatever neighbor file is given.
 */
export const CLASSIC_MODEL_NAMES: Readonly<Record<string, Mode>> = {
  "user-cosine": "user",
  "item-cosine": "item",
  user: "user",
  item: "item",
};

/** A neighbor-based model ready to predict. */
export interface LoadedClassicModel {
  matrix: RatingMatrix;
  graph: NeighborGraph;
  /** Neighbor entries dropped because an id is unknown in training. */
  dropped: number;
  /** The longest neighbor list, i.e. the K of "use the whole file". */
  maxK: number;
  /** Why the neighbor file may not match the training file (lib/neighbor_meta.ts), or null. */
  warning: string | null;
}

/** Where a classic model's inputs are (the fields `eval`'s and `predict`'s options share). */
export interface ClassicModelFiles {
  /** Training ratings (header-less split output or ratings.csv). */
  train: string;
  /** Neighbor file of the model's mode. */
  neighbors: string;
  model: Mode;
  /** A (userId, movieId) rated twice in the ratings read: keep the latest, or fail. @default "latest" */
  duplicates?: DuplicatePolicy;
}

/** Reads the training ratings and the neighbor file of `files.model`'s mode. */
export async function loadClassicModel(files: ClassicModelFiles): Promise<LoadedClassicModel> {
  const { train, neighbors, model: mode, duplicates = "latest" } = files;
  // Before any work: a neighbor file of the other mode is refused (lib/neighbor_meta.ts).
  const warning = await checkNeighborFile(neighbors, mode, train);
  const [{ table }, lists] = await Promise.all([
    readRatingsTable(train, { duplicates }),
    readNeighborFile(neighbors),
  ]);
  const matrix = buildRatingMatrix(table);
  const { graph, dropped } = mode === "user"
    ? denseNeighborGraph(lists, matrix.userIndex, matrix.userIds.length)
    : denseNeighborGraph(lists, matrix.itemIndex, matrix.itemIds.length);
  return { matrix, graph, dropped, maxK: maxListLength(graph), warning };
}
