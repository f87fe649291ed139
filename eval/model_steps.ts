/**
 * The models' part of the pipeline, one function per step (tools/pipeline.ts
 * composes them):
 *
 * - {@link runRatingModelStep}: fits the rating model (and the bias
 *   baseline) on the training split, writes `test_predictions.csv`, and the
 *   comparison as JSON and HTML;
 * - the ranking-model step is eval/ranking_step.ts (`runRankingModelStep`),
 *   apart because it reaches the ranking code (lib/recommend/model_files.ts);
 * - the serve step is eval/serve_step.ts: it alone runs the fold-in code,
 *   which reaches every model.
 *
 * So a step's code fingerprint (lib/code_fingerprint.ts) names only the
 * code it runs: this module reaches neither the ranking writers nor fold-in.
 */
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import type { RatingModel } from "../lib/models/model.ts";
import {
  compareOnMatrix,
  type ComparePart,
  type CompareResult,
  formatCompare,
  writeCompareFiles,
} from "./compare.ts";
import { writeTestPredictions } from "../lib/recommend/test_predictions_file.ts";

/** The files of a model step: the split it reads, the comparison it writes. */
export interface StepFiles {
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

/** Writes the comparison of a model step as JSON and HTML. */
export async function writeComparison(files: StepFiles, part: ComparePart): Promise<CompareResult> {
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
