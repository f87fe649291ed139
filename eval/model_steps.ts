/**
 * The models' part of the pipeline, one function per step (tools/pipeline.ts
 * composes them):
 *
 * - {@link runRatingModelStep}: fits the rating model (and the bias
 *   baseline) on the training split, writes `test_predictions.csv`, and the
 *   comparison as JSON and HTML;
 * - {@link runRankingModelStep}: fits the ranking model (and popularity) on
 *   the training split, writes `recommendations.csv` (top N per user), and
 *   the comparison;
 * - {@link runServeStep}: refits both models on all ratings (train + test)
 *   and writes `serving_recommendations.csv`, what the store serves: the
 *   ranking model's list, the rating model's stars and the explanation;
 *   and `fold_in_state.bin` (+ sidecar), what fold-in scores a user who is
 *   not in the data from (lib/models/fold_in_state.ts), for the web and
 *   `POST /api/recommendations`.
 */
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { concatRatings, readRatingsTable } from "../lib/ratings_table.ts";
import type { RankingModel, RatingModel } from "../lib/models/model.ts";
import { rankingModelSpec, ratingModelSpec } from "../lib/models/registry.ts";
import {
  compareOnMatrix,
  type ComparePart,
  type CompareResult,
  formatCompare,
  writeCompareFiles,
} from "./compare.ts";
import { writeRecommendations, writeTestPredictions } from "../lib/recommend/model_files.ts";
import { foldInState, FoldInUnsupportedError } from "../lib/models/fold_in_state.ts";
import {
  type FoldInSidecar,
  sidecarPath,
  writeFoldInStateFile,
} from "../lib/models/fold_in_file.ts";

interface StepFiles {
  train: string;
  test: string;
  json: string;
  report: string;
}

async function readSplit(files: { train: string; test: string }) {
  const [{ table: train }, { table: test }] = await Promise.all([
    readRatingsTable(files.train),
    readRatingsTable(files.test),
  ]);
  return { train, test };
}

async function writeComparison(files: StepFiles, part: ComparePart): Promise<CompareResult> {
  const r: CompareResult = { train: files.train, test: files.test, ...part };
  await writeCompareFiles(r, files);
  return r;
}

/** Fits `model` on the training split; writes test predictions and the comparison with bias. */
export async function runRatingModelStep(
  files: StepFiles & { predictions: string },
  model: string,
  log: (line: string) => void,
): Promise<CompareResult> {
  const { train, test } = await readSplit(files);
  const m = buildRatingMatrix(train);
  const { result, fitted } = await compareOnMatrix(m, test, {
    models: [model],
    top: 10,
    rankUsers: 0,
  });
  await writeTestPredictions(fitted.get(model) as RatingModel, m, test, files.predictions);
  log(formatCompare(result));
  return writeComparison(files, result);
}

/** Fits `model` on the training split; writes its top `top` per user and the comparison with popularity. */
export async function runRankingModelStep(
  files: StepFiles & { recommendations: string },
  options: { model: string; top: number; rankUsers: number; workers?: number; progress?: boolean },
  log: (line: string) => void,
): Promise<CompareResult> {
  const { train, test } = await readSplit(files);
  const m = buildRatingMatrix(train);
  const { result, fitted } = await compareOnMatrix(m, test, {
    models: [options.model],
    top: 10,
    rankUsers: options.rankUsers,
  });
  await writeRecommendations(fitted.get(options.model) as RankingModel, m, files.recommendations, {
    top: options.top,
    workers: options.workers,
    progress: options.progress,
    label: `recommend ${options.model}`,
  });
  log(formatCompare(result));
  return writeComparison(files, result);
}

export interface ServeStats {
  ratings: number;
  users: number;
  lines: number;
  ratingModel: string;
  rankingModel: string;
  /** The fold-in state's sidecar; null when a model has no fold-in (no state file then). */
  foldIn: FoldInSidecar | null;
}

/**
 * Refits both models on all ratings and writes the serving list and the
 * fold-in state; see the module doc. A model without fold-in gets no state
 * file (a stale one is removed) and a line on `log`.
 */
export async function runServeStep(
  files: { train: string; test: string; ratingMetrics: string; out: string; foldIn: string },
  options: {
    ratingModel: string;
    rankingModel: string;
    top: number;
    workers?: number;
    progress?: boolean;
  },
  log: (line: string) => void = () => {},
): Promise<ServeStats> {
  const { train, test } = await readSplit(files);
  const m = buildRatingMatrix(concatRatings(train, test));
  // What the training fit learned (a blend's weights, fit on a held-out slice
  // of the training split) is kept; the parameters are refit on all ratings.
  const evaluated = JSON.parse(await Deno.readTextFile(files.ratingMetrics)) as CompareResult;
  const learned = evaluated.rating.find((r) => r.name === options.ratingModel)?.learned;
  const spec = ratingModelSpec(options.ratingModel);
  const rater = learned && spec.refit ? await spec.refit(m, learned) : await spec.fit(m);
  const ranker = await rankingModelSpec(options.rankingModel).fit(m);
  const { users, lines } = await writeRecommendations(ranker, m, files.out, {
    top: options.top,
    rater,
    workers: options.workers,
    progress: options.progress,
    label: "serve",
  });
  let foldIn: FoldInSidecar | null = null;
  try {
    foldIn = await writeFoldInStateFile(files.foldIn, foldInState(ranker, rater, m), {
      rankingModel: options.rankingModel,
      ratingModel: options.ratingModel,
    });
  } catch (err) {
    if (!(err instanceof FoldInUnsupportedError)) throw err;
    log(`serve: ${err.message}; no ${files.foldIn} (web serves new visitors popular movies)`);
    for (const path of [files.foldIn, sidecarPath(files.foldIn)]) {
      await Deno.remove(path).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    }
  }
  return {
    ratings: m.userItems.length,
    users,
    lines,
    ratingModel: options.ratingModel,
    rankingModel: options.rankingModel,
    foldIn,
  };
}
