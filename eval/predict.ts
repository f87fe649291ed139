/**
 * `predict`: the recommendations file (`user_based_recommendations.csv`),
 * header `userId,movieId,prediction`, for every user in training: the
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
 */
import { defineCommand } from "../lib/command.ts";
import { AtomicFileWriter } from "../lib/atomic_file.ts";
import { reverseNeighborGraph, rowMeans } from "../lib/predictors.ts";
import { defaultWorkers, runChunks } from "../lib/worker_pool.ts";
import { Progress } from "../lib/progress.ts";
import { loadModel, type ModelKind, SEED_MODEL_NAMES } from "./model_data.ts";
import { UsageError } from "../lib/command.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { RANKING_MODELS, rankingModelSpec, RATING_MODELS } from "../lib/models/registry.ts";
import { writeRecommendations } from "./model_files.ts";
import type { PredictChunkResult, PredictInit } from "./predict_worker.ts";
import { type DuplicatePolicy, DUPLICATES_FLAG } from "../lib/rating_duplicates.ts";

export interface PredictOptions {
  train: string;
  /** Neighbor file of the model's kind. */
  neighbors: string;
  model: ModelKind;
  out: string;
  /** Recommendations per user; 0 = every candidate (`--all`). Changes output. @default 100 */
  top: number;
  /** Neighbors used per list; 0 = whole lists. Changes output. @default 0 */
  k: number;
  /** Worker count; changes only speed. @default cores */
  workers: number;
  /** Progress bar on a terminal. */
  progress?: boolean;
  /** A (userId, movieId) rated twice in train: keep the latest, or fail. @default "latest" */
  duplicates?: DuplicatePolicy;
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

export const RECOMMENDATIONS_HEADER = "userId,movieId,prediction\n";

/** Writes the recommendations file; see the module doc. */
export async function predictToFile(options: PredictOptions): Promise<PredictStats> {
  const t0 = performance.now();
  const loaded = await loadModel(
    options.train,
    options.neighbors,
    options.model,
    options.duplicates,
  );
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
    await out.writeString(RECOMMENDATIONS_HEADER);
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

export const predictCommand = defineCommand({
  name: "predict",
  summary: "write top-N recommendations per user from a ranking model (or a seed model)",
  flags: {
    train: { type: "string", required: true, arg: "<file>", doc: "training ratings" },
    model: {
      type: "string",
      required: true,
      arg: "<name>",
      doc: `ranking model (${Object.keys(RANKING_MODELS).join(", ")}) or seed model ` +
        "(user-cosine, item-cosine, with --neighbors)",
    },
    neighbors: { type: "string", arg: "<file>", doc: "neighbor file of a seed --model" },
    out: { type: "string", required: true, arg: "<file>", doc: "recommendations CSV" },
    top: { type: "integer", default: 100, min: 1, doc: "recommendations per user" },
    all: { type: "boolean", doc: "every candidate instead of the top N (overrides --top; large)" },
    k: { type: "integer", min: 1, doc: "neighbors used per list (default: whole lists)" },
    workers: { type: "integer", default: defaultWorkers(), min: 1, doc: "worker threads" },
    duplicates: DUPLICATES_FLAG,
  },
  details: "Ranking model: userId,movieId,score, score descending then movieId ascending.\n" +
    "Seed model: userId,movieId,prediction, sorted by prediction (6 decimals) descending,\n" +
    "then movieId ascending. Users in ascending userId order; only movies the user did not\n" +
    "rate in training.",
  async run(f) {
    const seed = SEED_MODEL_NAMES[f.model];
    if (!seed) {
      if (RATING_MODELS[f.model]) {
        throw new UsageError(
          `${f.model} is a rating model; predict lists recommendations from a ranking model ` +
            `(${Object.keys(RANKING_MODELS).join(", ")}); rating predictions for a test split ` +
            "are pipeline's test_predictions.csv",
          "--model",
        );
      }
      if (f.neighbors || f.all || f.k !== undefined) {
        throw new UsageError("--neighbors, --all and --k are for the seed models", "--model");
      }
      const spec = rankingModelSpec(f.model);
      const t0 = performance.now();
      const m = buildRatingMatrix((await readRatingsTable(f.train)).table);
      const model = await spec.fit(m);
      const r = await writeRecommendations(model, m, f.out, { top: f.top });
      console.log(
        `predict: ${r.lines} lines for ${r.users} users from ${f.model} in ` +
          `${((performance.now() - t0) / 1000).toFixed(2)} s → ${f.out}`,
      );
      return;
    }
    if (!f.neighbors) {
      throw new UsageError(`--model ${f.model} needs --neighbors <file>`, "--neighbors");
    }
    const s = await predictToFile({
      ...f,
      model: seed,
      neighbors: f.neighbors,
      top: f.all ? 0 : f.top,
      k: f.k ?? 0,
    });
    console.log(
      `predict: ${s.lines} lines for ${s.users} users (${s.usersWithout} without candidates), ` +
        `K ${s.k}, ${(s.bytes / 1e6).toFixed(1)} MB in ${s.seconds.toFixed(2)} s → ${f.out}`,
    );
  },
});
