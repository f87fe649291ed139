/**
 * `predict`: top-N recommendations per training user into a CSV file, from
 * a ranking model of lib/models/registry.ts (lib/recommend/model_files.ts)
 * or from a seed model and its neighbor file (lib/recommend/predict.ts).
 * Flags, checks and the summary line; the engines are in lib/recommend/.
 * This file is the stage's public entry (`pipeline` runs the seed model
 * through {@link predictToFile}).
 */
import { defineCommand, requiredFlag, UsageError } from "../lib/command.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import { SEED_NEIGHBORS_FLAG, seedModelOf, TRAIN_FLAG } from "../lib/models/seed_data.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { RANKING_MODELS, rankingModelSpec, RATING_MODELS } from "../lib/models/registry.ts";
import { writeRecommendations } from "../lib/recommend/model_files.ts";
import { predictToFile } from "../lib/recommend/predict.ts";
import { DUPLICATES_FLAG } from "../lib/rating_duplicates.ts";

/** The seed model's engine, for `pipeline`'s predict step. */
export { predictToFile } from "../lib/recommend/predict.ts";

export const predictCommand = defineCommand({
  name: "predict",
  summary: "write top-N recommendations per user from a ranking model (or a seed model)",
  flags: {
    train: TRAIN_FLAG,
    model: {
      type: "string",
      required: true,
      arg: "<name>",
      doc: `ranking model (${Object.keys(RANKING_MODELS).join(", ")}) or seed model ` +
        "(user-cosine, item-cosine, with --neighbors)",
    },
    neighbors: SEED_NEIGHBORS_FLAG,
    out: requiredFlag("<file>", "recommendations CSV"),
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
    const seed = seedModelOf(f.model, f.neighbors);
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
      const r = await writeRecommendations(model, m, f.out, { top: f.top, workers: f.workers });
      console.log(
        `predict: ${r.lines} lines for ${r.users} users from ${f.model} in ` +
          `${((performance.now() - t0) / 1000).toFixed(2)} s → ${f.out}`,
      );
      return;
    }
    const s = await predictToFile({
      ...f,
      ...seed,
      top: f.all ? 0 : f.top,
      k: f.k ?? 0,
    });
    console.log(
      `predict: ${s.lines} lines for ${s.users} users (${s.usersWithout} without candidates), ` +
        `K ${s.k}, ${(s.bytes / 1e6).toFixed(1)} MB in ${s.seconds.toFixed(2)} s → ${f.out}`,
    );
  },
});
