/**
 * Bench entries of the models layer (targets at scale 1, ML-32M's shape on
 * 2 cores: each shipped model fits in ≤ 10 min and ≤ 4 GiB):
 *
 * - `fit-<model>` for every model of lib/models/registry.ts: reads and
 *   builds the bench split's training matrix (untimed), then times `fit`;
 *   a rating model also scores the whole test split (timed apart, in
 *   `extra`), so the row shows what `eval` costs besides the fit;
 * - `recommend-<model>` for the shipped ranking model: fit (untimed), then
 *   the top 100 of every training user written as recommendations.csv —
 *   the pipeline's ranking-model and serve steps each do this once.
 *
 * Peak RSS is the child process's (bench/bench.ts), i.e. matrix + model.
 */
import type { BenchContext, BenchEntry } from "./context.ts";
import { buildRatingMatrix } from "../lib/rating_matrix.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import {
  DEFAULT_RANKING_MODEL,
  RANKING_MODELS,
  RATING_MODELS,
  resolveModel,
} from "../lib/models/registry.ts";
import type { ModelKind, RatingModel } from "../lib/models/model.ts";
import { scoreRatings } from "../eval/mod.ts";
import { writeRecommendations } from "../lib/recommend/model_files.ts";

async function trainMatrix(ctx: BenchContext) {
  const { table } = await readRatingsTable(ctx.files.train);
  return buildRatingMatrix(table);
}

function fitEntry(name: string, kind: ModelKind): BenchEntry {
  const config = resolveModel(name, kind);
  return {
    name: `fit-${name}`,
    description: `fit ${kind} model ${name} on the training split (target ≤ 10 min, ≤ 4 GiB ` +
      `at scale 1${config.spec.scales ? "" : "; not meant to scale"})`,
    async run(ctx) {
      const m = await trainMatrix(ctx);
      const t0 = performance.now();
      const model = await config.spec.fit(m, config.options);
      const seconds = (performance.now() - t0) / 1000;
      const extra: Record<string, number | string> = {};
      if (kind === "rating") {
        const { table: test } = await readRatingsTable(ctx.files.test);
        const t1 = performance.now();
        const s = scoreRatings(model as RatingModel, m, test);
        extra.scoreSeconds = Number(((performance.now() - t1) / 1000).toFixed(2));
        extra.rmse = Number(s.rmse.toFixed(4));
        extra.note = "synthetic data: speed only, never quality";
      }
      return { seconds, work: m.userItems.length, unit: "ratings", extra };
    },
  };
}

const recommendEntry: BenchEntry = {
  name: `recommend-${DEFAULT_RANKING_MODEL}`,
  description: `top 100 per training user from ${DEFAULT_RANKING_MODEL} (recommendations.csv)`,
  async run(ctx) {
    const m = await trainMatrix(ctx);
    const config = resolveModel(DEFAULT_RANKING_MODEL, "ranking");
    const model = await config.spec.fit(m, config.options);
    const out = `${ctx.dir}/bench_recommendations.csv`;
    const t0 = performance.now();
    const r = await writeRecommendations(model, m, out, { top: 100 });
    const seconds = (performance.now() - t0) / 1000;
    await Deno.remove(out);
    return { seconds, work: r.users, unit: "users", extra: { lines: r.lines } };
  },
};

/** Every model's fit entry, then the shipped ranking model's recommendations. */
export const MODEL_BENCHMARKS: readonly BenchEntry[] = [
  ...Object.keys(RATING_MODELS).map((n) => fitEntry(n, "rating")),
  ...Object.keys(RANKING_MODELS).map((n) => fitEntry(n, "ranking")),
  recommendEntry,
];
