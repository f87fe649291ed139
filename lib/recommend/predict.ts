/**
 * The classic model's recommendations file (`user_based_recommendations.csv`,
 * what `predict --model user-cosine|item-cosine` writes), header
 * `userId,movieId,prediction`, for every user in training: the
 * movies the model can score that the user did not rate, sorted by
 * prediction descending then movieId ascending (lib/top_n.ts), the first
 * `--top` per user or all with `--all`. Predictions are printed with 6
 * decimals (`3.141593`), the same rounding that orders the lines.
 *
 * Workers score fixed ranges of users; the main thread writes chunk results
 * in user order as they become available to an AtomicFileWriter and drops
 * each once written, so memory is bounded by the chunks in flight, not by
 * the output size (the `--all` file on ML-32M is gigabytes). The bytes are
 * identical for any worker count.
 *
 * Cost: per user, the candidate scoring of lib/predictors.ts plus a top-N
 * selection; memory O(matrix + graph + chunks in flight).
 *
 * @example
 * ```ts
 * import { predictToFile } from "./predict.ts";
 * const s = await predictToFile({
 *   train: "out/ratings_train.csv",
 *   neighbors: "out/user_topk_neighbors.txt",
 *   model: "user",
 *   out: "out/user_based_recommendations.csv",
 *   top: 100,
 *   k: 0,
 *   workers: 2,
 * });
 * console.log(s.lines, s.bytes);
 * ```
 */
import { AtomicFileWriter } from "../atomic_file.ts";
import { reverseNeighborGraph, rowMeans } from "../predictors.ts";
import { runChunks } from "../worker_pool.ts";
import { Progress } from "../progress.ts";
import { type ClassicModelFiles, loadClassicModel } from "../models/classic_data.ts";
import { CSV_HEADERS } from "../run_dir.ts";
import type { PredictChunkResult, PredictInit } from "./predict_worker.ts";

export interface PredictOptions extends ClassicModelFiles {
  out: string;
  /** Recommendations per user; 0 = every candidate (`--all`). Changes output. @default 100 */
  top: number;
  /** Neighbors used per list; 0 = whole lists. Changes output. @default 0 */
  k: number;
  /** Worker count; changes only speed. @default cores */
  workers: number;
  /** Progress bar on a terminal. */
  progress?: boolean;
}

export interface PredictStats {
  users: number;
  /** Users with no candidate (no line). */
  usersWithout: number;
  lines: number;
  bytes: number;
  k: number;
  seconds: number;
}

/** Writes the recommendations file; see the module doc. */
export async function predictToFile(options: PredictOptions): Promise<PredictStats> {
  const t0 = performance.now();
  const loaded = await loadClassicModel(options);
  if (loaded.warning !== null) console.warn(loaded.warning);
  const { matrix: m, graph } = loaded;
  const k = options.k > 0 ? options.k : Math.max(1, loaded.maxK);
  const nUsers = m.userIds.length;
  // --all lines per user can reach the catalogue size; keep chunks small then.
  const usersPerChunk = options.top > 0 ? 256 : 16;
  const init: PredictInit = {
    model: options.model,
    matrix: m,
    graph,
    reverse: options.model === "item" ? reverseNeighborGraph(graph, m.itemIds.length) : null,
    userMean: rowMeans(m.userOffsets, m.userRatings),
    k,
    top: options.top,
    usersPerChunk,
  };
  const chunks = Math.ceil(nUsers / usersPerChunk);
  const bar = new Progress("predict", nUsers, { unit: "users", enabled: options.progress });
  const out = await AtomicFileWriter.open(options.out);
  let lines = 0, usersWithout = 0, done = 0;
  try {
    await out.writeString(CSV_HEADERS.classicRecommendations + "\n");
    const ready = new Map<number, PredictChunkResult>();
    let next = 0;
    let writing: Promise<void> = Promise.resolve();
    const drain = async () => {
      while (ready.has(next)) {
        const r = ready.get(next)!;
        ready.delete(next);
        next++;
        await out.write(r.bytes);
      }
    };
    await runChunks<PredictInit, PredictChunkResult>({
      worker: new URL("./predict_worker.ts", import.meta.url),
      init,
      chunks,
      workers: options.workers,
      keepResults: false,
      onChunk: (c, r) => {
        ready.set(c, r);
        lines += r.lines;
        usersWithout += r.empty;
        done += r.users;
        bar.update(done);
        writing = writing.then(drain);
      },
    });
    await writing;
    if (next !== chunks) throw new Error(`predict: wrote ${next} of ${chunks} chunks`);
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  } finally {
    bar.finish();
  }
  return {
    users: nUsers,
    usersWithout,
    lines,
    bytes: out.bytes,
    k,
    seconds: (performance.now() - t0) / 1000,
  };
}
