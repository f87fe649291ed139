/**
 * The run directory: the name of every file a run writes into one output
 * directory (`split`, `neighbors`, `eval`, `predict`, `pipeline`, `import`
 * and the web read and write the same names), the header line of every CSV
 * the project writes, and where the store is (`--db`, else `RECSYS_DB`, else
 * a default). Defined once here; every command and the web use it.
 *
 * @example
 * ```ts
 * import { runFiles, storeUrl } from "./run_dir.ts";
 * const f = runFiles("out");   // f.train === "out/ratings_train.csv"
 * const db = storeUrl(undefined, `sqlite:${f.store}`);
 * ```
 */
import type { Mode } from "./mode.ts";

/** File names inside a run directory, by role. */
export const RUN_FILE_NAMES = {
  /** split: header-less `userId,movieId,rating,timestamp`. */
  train: "ratings_train.csv",
  test: "ratings_test.csv",
  /** neighbors / mr: `id<TAB>nid:sim,...` (lib/neighbor_file.ts). */
  userNeighbors: "user_topk_neighbors.txt",
  itemNeighbors: "item_topk_neighbors.txt",
  /** eval of the classic models. */
  userMetrics: "metrics_user.json",
  itemMetrics: "metrics_item.json",
  userReport: "report_user.html",
  itemReport: "report_item.html",
  /** predict of the classic user-based model: {@link CSV_HEADERS.classicRecommendations}. */
  recommendations: "user_based_recommendations.csv",
  /** rating model: {@link CSV_HEADERS.testPredictions}, one line per test rating. */
  testPredictions: "test_predictions.csv",
  /** ranking model on the training split: {@link CSV_HEADERS.modelRecommendations}. */
  modelRecommendations: "recommendations.csv",
  ratingMetrics: "metrics_rating.json",
  ratingReport: "report_rating.html",
  rankingMetrics: "metrics_ranking.json",
  rankingReport: "report_ranking.html",
  /** both models refit on all ratings: {@link CSV_HEADERS.serving}. */
  serving: "serving_recommendations.csv",
  /**
   * both models' fold-in state (lib/models/fold_in_file.ts), and its sidecar
   * (size and counts; a cut state file is refused).
   */
  foldIn: "fold_in_state.bin",
  foldInSidecar: "fold_in_state.json",
  /** lib/step_runner.ts's record of what is up to date. */
  manifest: "manifest.json",
  /** the SQLite store a pipeline imports into unless told otherwise. */
  store: "recsys.db",
} as const;

/** A file's role in a run directory. */
export type RunFile = keyof typeof RUN_FILE_NAMES;

/** Every path of a run directory `dir`, by role. */
export function runFiles(dir: string): Record<RunFile, string> {
  const out = {} as Record<RunFile, string>;
  for (const [role, name] of Object.entries(RUN_FILE_NAMES)) {
    out[role as RunFile] = `${dir}/${name}`;
  }
  return out;
}

/** The neighbor file's name of a mode: `user_topk_neighbors.txt` or `item_topk_neighbors.txt`. */
export function neighborFileName(mode: Mode): string {
  return mode === "user" ? RUN_FILE_NAMES.userNeighbors : RUN_FILE_NAMES.itemNeighbors;
}

/** Header lines (without the newline) of the CSV files the project writes. */
export const CSV_HEADERS = {
  /** GroupLens' `ratings.csv` (written by `synth`; split's outputs have no header). */
  ratings: "userId,movieId,rating,timestamp",
  /** `predict` of a classic model (`user_based_recommendations.csv`). */
  classicRecommendations: "userId,movieId,prediction",
  /** the rating model's predictions of the test ratings. */
  testPredictions: "userId,movieId,prediction",
  /** `predict --model` of a ranking model (`recommendations.csv`). */
  modelRecommendations: "userId,movieId,score",
  /** the served lists (`serving_recommendations.csv`). */
  serving: "userId,rank,movieId,score,prediction,becauseMovieId,becauseRating",
} as const;

/** The store of `web`, `tmdb prefetch` and `demo`'s own when neither `--db` nor `RECSYS_DB` names one. */
export const DEFAULT_STORE_URL = "sqlite:data/recsys.db";

/** The environment variable naming the store. */
export const STORE_URL_ENV = "RECSYS_DB";

/**
 * The store URL: `flag` (`--db`) when given, else `$RECSYS_DB`, else
 * `fallback` (undefined when the command has no default, e.g. `import`).
 */
export function storeUrl(flag: string | undefined, fallback?: string): string | undefined {
  return flag ?? Deno.env.get(STORE_URL_ENV) ?? fallback;
}
