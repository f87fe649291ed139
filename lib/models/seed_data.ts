/**
 * What the seed's neighbour-file models (user- and item-based CF, the
 * formulas of lib/predictors.ts) load before any prediction, for `eval` and
 * `predict` alike: the training matrix (shared arrays, for Workers) and the
 * neighbor file mapped once to dense indices of the model's mode (users for
 * `user`, items for `item`).
 *
 * Cost: reading both files, O(ratings + max id) for the matrix and
 * O(neighbor entries) for the graph.
 *
 * @example
 * ```ts
 * import { loadSeedModel, SEED_MODEL_NAMES } from "./seed_data.ts";
 * const mode = SEED_MODEL_NAMES["user-cosine"]; // "user"
 * const { matrix, graph, maxK } = await loadSeedModel({
 *   train: "train.csv",
 *   neighbors: "user_nb.txt",
 *   model: mode,
 * });
 * ```
 */
import { readRatingsTable } from "../ratings_table.ts";
import { buildRatingMatrix, type RatingMatrix } from "../rating_matrix.ts";
import { denseNeighborGraph, maxListLength, type NeighborGraph } from "../predictors.ts";
import { readVerifiedNeighborFile } from "../neighbor_meta.ts";
import type { DuplicatePolicy } from "../rating_duplicates.ts";
import type { Mode } from "../mode.ts";
import { UsageError } from "../command.ts";

/**
 * The seed's neighbour-file models by their stable names (`user-cosine`,
 * `item-cosine`; `user` and `item` are the older spellings): the formulas of
 * the original design, evaluated from whatever neighbor file is given.
 */
export const SEED_MODEL_NAMES: Readonly<Record<string, Mode>> = {
  "user-cosine": "user",
  "item-cosine": "item",
  user: "user",
  item: "item",
};

/** The `--train` flag of `eval` and `predict`: the ratings every model, seed or not, is fit on. */
export const TRAIN_FLAG = {
  type: "string",
  required: true,
  arg: "<file>",
  doc: "training ratings",
} as const;

/** The `--neighbors` flag of `eval` and `predict`: the neighbor file a seed `--model` reads. */
export const SEED_NEIGHBORS_FLAG = {
  type: "string",
  arg: "<file>",
  doc: "neighbor file of a seed --model",
} as const;

/**
 * The seed model `name` names with its neighbor file (`--neighbors`), or
 * null when `name` is not a seed model; a seed model without a neighbor
 * file is a UsageError.
 */
export function seedModelOf(
  name: string,
  neighbors: string | undefined,
): { model: Mode; neighbors: string } | null {
  const model = SEED_MODEL_NAMES[name];
  if (!model) return null;
  if (!neighbors) throw new UsageError(`--model ${name} needs --neighbors <file>`, "--neighbors");
  return { model, neighbors };
}

/** A neighbor-based model ready to predict. */
export interface LoadedSeedModel {
  matrix: RatingMatrix;
  graph: NeighborGraph;
  /** Neighbor entries dropped because an id is unknown in training. */
  dropped: number;
  /** The longest neighbor list, i.e. the K of "use the whole file". */
  maxK: number;
}

/** Where a seed model's inputs are (the fields `eval`'s and `predict`'s options share). */
export interface SeedModelFiles {
  /** Training ratings (header-less split output or ratings.csv). */
  train: string;
  /** Neighbor file of the model's mode. */
  neighbors: string;
  model: Mode;
  /** A (userId, movieId) rated twice in the ratings read: keep the latest, or fail. @default "latest" */
  duplicates?: DuplicatePolicy;
}

/** Reads the training ratings and the neighbor file of `files.model`'s mode. */
export async function loadSeedModel(files: SeedModelFiles): Promise<LoadedSeedModel> {
  const { train, neighbors, model: mode, duplicates = "latest" } = files;
  // Before the ratings are parsed: a neighbor file of the other mode, of another
  // training file, or cut is refused (lib/neighbor_meta.ts).
  const lists = await readVerifiedNeighborFile(neighbors, mode, train);
  const { table } = await readRatingsTable(train, { duplicates });
  const matrix = buildRatingMatrix(table);
  const { graph, dropped } = mode === "user"
    ? denseNeighborGraph(lists, matrix.userIndex, matrix.userIds.length)
    : denseNeighborGraph(lists, matrix.itemIndex, matrix.itemIds.length);
  return { matrix, graph, dropped, maxK: maxListLength(graph) };
}
