/**
 * The pipeline's serve step (tools/pipeline.ts): refits both models on all
 * ratings (train + test) and writes `serving_recommendations.csv`, what the
 * store serves: the ranking model's list, the rating model's stars and the
 * explanation; and `fold_in_state.bin` (+ sidecar), what fold-in scores a
 * user who is not in the data from (lib/models/fold_in_state.ts), for the
 * web and `POST /api/recommendations`.
 */
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { concatRatings } from "../lib/ratings_table.ts";
import { resolveModel } from "../lib/models/registry.ts";
import type { CompareResult } from "./compare.ts";
import { readSplit } from "./model_steps.ts";
import { writeRecommendations } from "../lib/recommend/model_files.ts";
import { foldInState, FoldInUnsupportedError } from "../lib/models/fold_in_state.ts";
import {
  type FoldInSidecar,
  sidecarPath,
  writeFoldInStateFile,
} from "../lib/models/fold_in_file.ts";

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
  const rating = resolveModel(options.ratingModel, "rating");
  const ranking = resolveModel(options.rankingModel, "ranking");
  const context = { workers: options.workers };
  const rater = learned && rating.spec.refit
    ? await rating.spec.refit(m, learned, rating.options, context)
    : await rating.spec.fit(m, rating.options, context);
  const ranker = await ranking.spec.fit(m, ranking.options, context);
  const { users, lines } = await writeRecommendations(ranker, m, files.out, {
    top: options.top,
    rater,
    workers: options.workers,
    progress: options.progress,
    label: "serve",
    sidecar: {
      params: { rankingModel: options.rankingModel, ratingModel: options.ratingModel },
      inputs: { train: files.train, test: files.test },
    },
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
