/**
 * `predict`: top-N recommendations per training user into a CSV file, from
 * a ranking model of lib/models/registry.ts (lib/recommend/model_files.ts)
 * or from a classic model (the original design's) and its neighbor file (lib/recommend/predict.ts).
 * Flags, checks and the summary line; the engines are in lib/recommend/.
 * This file is the stage's public entry (`pipeline` runs the classic model
 * through {@link predictToFile}).
 */
import { defineCommand, requiredFlag, UsageError } from "../lib/command.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import { CLASSIC_NEIGHBORS_FLAG, classicModelOf, TRAIN_FLAG } from "../lib/model_flags.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { modelKind, RANKING_MODELS, resolveModel } from "../lib/models/registry.ts";
import { writeRecommendations } from "../lib/recommend/model_files.ts";
import { predictToFile } from "../lib/recommend/predict.ts";
import { DUPLICATES_FLAG } from "../lib/rating_duplicates.ts";

/** The classic model's engine, for `pipeline`'s predict step. */
export { predictToFile } from "../lib/recommend/predict.ts";

export const predictCommand = defineCommand({
  name: "predict",
  summary: "write top-N recommendations per user from a ranking model (or a classic model)",
  flags: {
    train: TRAIN_FLAG,
    model: {
      type: "string",
      required: true,
      arg: "<name[:key=value,…]>",
      doc: `ranking model (${Object.keys(RANKING_MODELS).join(", ")}), options as ` +
        "name:key=value,…, or classic model (user-cosine, item-cosine, with --neighbors)",
    },
    neighbors: CLASSIC_NEIGHBORS_FLAG,
    out: requiredFlag("<file>", "recommendations CSV file to write"),
    top: { type: "integer", default: 100, min: 1, doc: "list length: recommendations per user" },
    all: { type: "boolean", doc: "every candidate instead of the top N (overrides --top; large)" },
    useK: {
      type: "integer",
      min: 1,
      was: ["k"],
      doc: "neighbors used per prediction by a classic model (default: whole lists)",
    },
    workers: { type: "integer", default: defaultWorkers(), min: 1, doc: "worker threads" },
    duplicates: DUPLICATES_FLAG,
  },
  details: "Ranking model: userId,movieId,score, score descending then movieId ascending.\n" +
    "Classic model: userId,movieId,prediction, sorted by prediction (6 decimals) descending,\n" +
    "then movieId ascending. Users in ascending userId order; only movies the user did not\n" +
    "rate in training.",
  async run(f) {
    const classic = classicModelOf(f.model, f.neighbors);
    if (!classic) {
      if (modelKind(f.model.split(":")[0]) === "rating") {
        throw new UsageError(
          `${f.model} is a rating model; predict lists recommendations from a ranking model ` +
            `(${Object.keys(RANKING_MODELS).join(", ")}); rating predictions for a test split ` +
            "are pipeline's test_predictions.csv",
          "--model",
        );
      }
      if (f.neighbors || f.all || f.useK !== undefined) {
        throw new UsageError(
          "--neighbors, --all and --use-k are for the classic models",
          "--model",
        );
      }
      const config = resolveModel(f.model, "ranking");
      const t0 = performance.now();
      const m = buildRatingMatrix((await readRatingsTable(f.train)).table);
      const model = await config.spec.fit(m, config.options, { workers: f.workers });
      const r = await writeRecommendations(model, m, f.out, { top: f.top, workers: f.workers });
      console.log(
        `predict: ${r.lines} lines for ${r.users} users from ${f.model} in ` +
          `${((performance.now() - t0) / 1000).toFixed(2)} s → ${f.out}`,
      );
      return;
    }
    const { useK, ...rest } = f;
    const s = await predictToFile({
      ...rest,
      ...classic,
      top: f.all ? 0 : f.top,
      k: useK ?? 0,
    });
    console.log(
      `predict: ${s.lines} lines for ${s.users} users (${s.usersWithout} without candidates), ` +
        `K ${s.k}, ${(s.bytes / 1e6).toFixed(1)} MB in ${s.seconds.toFixed(2)} s → ${f.out}`,
    );
  },
});
