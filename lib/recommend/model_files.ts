/**
 * The files the pipeline writes from fitted ranking models, read by outside checks
 * (docs/ARCHITECTURE.md, "Pipeline outputs"); `predict --model <ranking
 * model>` writes the second:
 *
 * - `recommendations.csv`: header `userId,movieId,score`, the ranking
 *   model's top N (100) per training user, users ascending, best first
 *   (score desc, then movieId asc; lib/models/rank.ts), scores with 6
 *   decimals; never a movie the user rated in training;
 * - `serving_recommendations.csv`: what the store serves, from both models
 *   refit on all ratings: `userId,rank,movieId,score,prediction,
 *   becauseMovieId,becauseRating`: the movie the user liked (≥ the user's
 *   mean and ≥ 3.5 stars) that contributed most to the pick, empty when
 *   none did or the ranking model has no per-item decomposition); never a
 *   movie the user rated.
 *
 * (`test_predictions.csv` is lib/recommend/test_predictions_file.ts, apart
 * so the rating-model step's code fingerprint does not reach the ranking
 * code.) Every file is written through lib/atomic_file.ts. Cost: one top-N
 * ranking (lib/models/rank.ts) per user.
 *
 * @example
 * ```ts
 * import { writeRecommendations } from "./model_files.ts";
 * const { users, lines } = await writeRecommendations(ranker, m, "recommendations.csv", {
 *   top: 100,
 * });
 * ```
 */
import { AtomicFileWriter } from "../atomic_file.ts";
import { sealFile, type SidecarValue } from "../file_seal.ts";
import type { RatingMatrix } from "../rating_matrix.ts";
import { CSV_HEADERS } from "../run_dir.ts";
import type { RankingModel, RatingModel } from "../models/model.ts";
import { rankUsers } from "./ranked_users.ts";
import { defaultWorkers } from "../worker_pool.ts";
import { Progress } from "../progress.ts";

export interface RecommendationsFileOptions {
  /** Recommendations per user. Changes output. @default 100 */
  top: number;
  /**
   * Ranking Workers (lib/recommend/ranked_users.ts); 1 ranks on this thread.
   * Changes only speed. @default the machine's cores
   */
  workers?: number;
  /** Progress bar on a terminal. */
  progress?: boolean;
  /** The label of the progress bar. */
  label?: string;
  /**
   * Seal the file (lib/file_seal.ts): its sidecar holds `params`, `top`, a
   * stamp of each input and what was written, so the import can verify it.
   * @default no sidecar
   */
  sidecar?: { params: Record<string, SidecarValue>; inputs: Record<string, string> };
}

/**
 * Writes the top-N of every training user. With `rater`, the serving form
 * (rank, predicted stars and the explanation); without, `recommendations.csv`.
 * Lists come in blocks of users from lib/recommend/ranked_users.ts (on
 * Workers when the model can be shared); the rater predicts on this thread.
 */
export async function writeRecommendations(
  ranker: RankingModel,
  m: RatingMatrix,
  out: string,
  options: RecommendationsFileOptions & { rater?: RatingModel },
): Promise<{ users: number; lines: number }> {
  const nUsers = m.userIds.length;
  const bar = new Progress(options.label ?? "recommend", nUsers, {
    unit: "users",
    enabled: options.progress,
  });
  const w = await AtomicFileWriter.open(out);
  let lines = 0;
  try {
    const rater = options.rater;
    await w.writeString((rater ? CSV_HEADERS.serving : CSV_HEADERS.modelRecommendations) + "\n");
    await rankUsers(ranker, m, {
      top: options.top,
      explain: rater !== undefined,
      workers: options.workers ?? defaultWorkers(),
      async onBlock(block) {
        let buf = "";
        const { items, scores, because } = block;
        for (let k = 0, at = 0; k < block.sizes.length; k++) {
          const u = block.first + k, n = block.sizes[k];
          const userId = m.userIds[u];
          for (let r = 0; r < n; r++, at++) {
            const i = items[at];
            const score = scores[at].toFixed(6);
            if (!rater) {
              buf += `${userId},${m.itemIds[i]},${score}\n`;
            } else {
              const why = because![at];
              const by = why < 0 ? "," : `${m.itemIds[why]},${userRatingOf(m, u, why)}`;
              buf += `${userId},${r + 1},${m.itemIds[i]},${score},${
                rater.predict(u, i).toFixed(6)
              },${by}\n`;
            }
          }
          lines += n;
        }
        await w.writeString(buf);
        bar.update(block.first + block.sizes.length);
      },
    });
    await w.commit();
  } catch (err) {
    await w.abort();
    throw err;
  }
  if (options.sidecar) {
    const { params, inputs } = options.sidecar;
    await sealFile(out, { ...params, top: options.top }, inputs, { bytes: w.bytes, rows: lines });
  }
  bar.finish();
  return { users: nUsers, lines };
}

/** User u's training rating of dense item i in stars (binary search of u's sorted row). */
function userRatingOf(m: RatingMatrix, u: number, i: number): number {
  let lo = m.userOffsets[u], hi = m.userOffsets[u + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = m.userItems[mid];
    if (x === i) return m.userRatings[mid] / 2;
    if (x < i) lo = mid + 1;
    else hi = mid - 1;
  }
  throw new Error(
    `explanation names item ${m.itemIds[i]}, which user ${m.userIds[u]} did not rate`,
  );
}
