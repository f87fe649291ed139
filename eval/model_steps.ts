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
 * - the serve step is eval/serve_step.ts: it alone runs the fold-in code,
 *   which reaches every model, so a step's code fingerprint
 *   (lib/code_fingerprint.ts) names only the models it fits.
 */
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import type { RankingModel, RatingModel } from "../lib/models/model.ts";
import {
  compareOnMatrix,
  type ComparePart,
  type CompareResult,
  formatCompare,
  writeCompareFiles,
} from "./compare.ts";
import { writeRecommendations, writeTestPredictions } from "../lib/recommend/model_files.ts";

interface StepFiles {
  train: string;
  test: string;
  json: string;
  report: string;
}

/** Reads the training and test splits. */
export async function readSplit(files: { train: string; test: string }) {
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
  workers?: number,
): Promise<CompareResult> {
  const { train, test } = await readSplit(files);
  const m = buildRatingMatrix(train);
  const { result, fitted } = await compareOnMatrix(m, test, {
    models: [model],
    top: 10,
    rankUsers: 0,
    workers,
  });
  await writeTestPredictions(fitted.get(model) as RatingModel, m, test, files.predictions);
  log(formatCompare(result));
  return writeComparison(files, result);
}

/** Fits `model` on the training split; writes its top `top` per user and the comparison with popularity. */
export async function runRankingModelStep(
  files: StepFiles & { recommendations: string },
  options: {
    model: string;
    /** List length of recommendations.csv. */
    top: number;
    /** N of the @N metrics. @default 10 */
    cutoff?: number;
    rankUsers: number;
    workers?: number;
    progress?: boolean;
  },
  log: (line: string) => void,
): Promise<CompareResult> {
  const { train, test } = await readSplit(files);
  const m = buildRatingMatrix(train);
  const { result, fitted } = await compareOnMatrix(m, test, {
    models: [options.model],
    top: options.cutoff ?? 10,
    rankUsers: options.rankUsers,
    workers: options.workers,
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
