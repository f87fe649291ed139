/**
 * The pipeline's ranking-model step (tools/pipeline.ts composes it): fits the
 * ranking model (and popularity) on the training split, writes
 * `recommendations.csv` (top N per user, lib/recommend/model_files.ts) and
 * the comparison as JSON and HTML. Apart from eval/model_steps.ts so the
 * rating-model step's code fingerprint does not reach the ranking code.
 */
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import type { RankingModel } from "../lib/models/model.ts";
import { compareOnMatrix, type CompareResult, formatCompare } from "./compare.ts";
import { writeRecommendations } from "../lib/recommend/model_files.ts";
import { readSplit, type StepFiles, writeComparison } from "./model_steps.ts";

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
