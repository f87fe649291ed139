/**
 * What shapes a neighbor file, declared once for both engines (the
 * in-process engine, lib/neighbors/engine.ts, and the MR jobs, mr/): the
 * options type, their bounds, and the ONE flag table that `neighbors`, `mr`,
 * `mr emr-plan`, the MR task binary and `pipeline` put on their command
 * lines, so a flag means the same and documents itself the same everywhere.
 *
 * A command whose defaults differ (`pipeline`: Pearson, shrinkage 100) takes
 * the table from {@link neighborFlags} with its own defaults.
 *
 * @example
 * ```ts
 * import { parseFlags } from "../command.ts";
 * import { neighborFlags, NEIGHBOR_FLAGS } from "./options.ts";
 * parseFlags("neighbors", NEIGHBOR_FLAGS, ["--k", "20"]).k; // 20
 * neighborFlags({ similarity: "pearson", shrink: 100 }).shrink.default; // 100
 * ```
 */
import type { FlagSpec, FlagTable } from "../command.ts";
import { type Mode, MODES } from "../mode.ts";
import type { DuplicatePolicy } from "../rating_duplicates.ts";
import { SIMILARITY_KINDS, type SimilarityKind } from "../similarity.ts";

/** The options that decide a neighbor file's bytes; both engines honour all of them alike. */
export interface NeighborParams {
  /** Rows are users (`user_topk_neighbors.txt`) or items. Changes output. */
  mode: Mode;
  /** Neighbors kept per id (>= 1). Changes output. @default 50 */
  k: number;
  /** Least co-rated count for a pair to be scored (>= 1). Changes output. @default 5 */
  minCommon: number;
  /** Similarity formula (lib/similarity.ts). Changes output. @default "cosine" */
  similarity: SimilarityKind;
  /** Shrinkage λ: sim·n/(n+λ) (>= 0). Changes output. @default 0 */
  shrink: number;
  /** Cap members per group before pairing (lib/rater_cap.ts), 0 = none. Changes output. @default 0 */
  maxRaters: number;
}

/** Options of the in-process engine: the file's parameters and how to run. */
export interface NeighborsOptions extends NeighborParams {
  /** Worker count (>= 1). Changes only speed. @default the number of cores */
  workers: number;
  /** Progress bar on stderr; defaults to whether stderr is a terminal. Output unchanged. */
  progress?: boolean;
  /** A (userId, movieId) rated twice: keep the latest, or fail. Changes output. @default "latest" */
  duplicates?: DuplicatePolicy;
}

/** The defaults of the options a neighbor flag table offers (`neighbors`, `mr`). */
export const NEIGHBOR_DEFAULTS: Omit<NeighborParams, "mode"> = {
  k: 50,
  minCommon: 5,
  similarity: "cosine",
  shrink: 0,
  maxRaters: 0,
};

/** `--mode`, required wherever a neighbor file is made. */
export const MODE_FLAG = {
  type: "string",
  required: true,
  choices: MODES,
  doc: "user: neighbors of users (groups are movies); item: neighbors of movies",
} as const satisfies FlagSpec;

/**
 * `--k --min-common --similarity --shrink --max-raters`, with
 * {@link NEIGHBOR_DEFAULTS} overridden by `defaults` (docs and bounds stay).
 */
export function neighborFlags(defaults: Partial<Omit<NeighborParams, "mode">> = {}) {
  const d = { ...NEIGHBOR_DEFAULTS, ...defaults };
  return {
    k: { type: "integer", default: d.k, min: 1, doc: "neighbors kept per id" },
    minCommon: {
      type: "integer",
      default: d.minCommon,
      min: 1,
      doc: "least co-rated count of a pair",
    },
    similarity: {
      type: "string",
      default: d.similarity,
      choices: SIMILARITY_KINDS,
      doc: "similarity formula",
    },
    shrink: { type: "number", default: d.shrink, min: 0, doc: "shrinkage λ: sim·n/(n+λ)" },
    maxRaters: {
      type: "integer",
      default: d.maxRaters,
      min: 0,
      doc: "keep at most N members per item (user mode) or user (item mode); 0 = no cap",
    },
  } as const satisfies FlagTable;
}

/** The neighbor flags with {@link NEIGHBOR_DEFAULTS}. */
export const NEIGHBOR_FLAGS = neighborFlags();

/** Options that make no sense as values (programmatic callers; the CLI checks the same bounds). */
export class NeighborsOptionsError extends RangeError {
  readonly option: string;
  constructor(option: string, message: string) {
    super(`neighbors: ${option} ${message}`);
    this.name = "NeighborsOptionsError";
    this.option = option;
  }
}

/** Throws {@link NeighborsOptionsError} naming the first option out of its bounds. */
export function checkNeighborsOptions(o: NeighborsOptions): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) {
      throw new NeighborsOptionsError(name, `must be an integer >= ${min}, got ${v}`);
    }
  };
  int("k", o.k, 1);
  int("minCommon", o.minCommon, 1);
  int("maxRaters", o.maxRaters, 0);
  int("workers", o.workers, 1);
  if (!(o.shrink >= 0) || !Number.isFinite(o.shrink)) {
    throw new NeighborsOptionsError("shrink", `must be a number >= 0, got ${o.shrink}`);
  }
  if (!SIMILARITY_KINDS.includes(o.similarity)) {
    throw new NeighborsOptionsError("similarity", `must be one of ${SIMILARITY_KINDS.join(", ")}`);
  }
}
