/**
 * Bench entries `eval-user`, `eval-item` (target < 30 s each at scale 1,
 * 6.4M test ratings) and `predict-top100`, on the bench context's split.
 *
 * The neighbor files they read are built once per scale with the real
 * engine (`computeNeighborsFile`, the evaluated defaults: pearson, shrink
 * 100, K 50, min-common 5) and cached in the bench directory; only
 * evaluation or prediction is timed.
 */
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import type { BenchContext, BenchEntry } from "../tools/bench.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import { evaluateModel } from "./evaluate.ts";
import { predictToFile } from "./predict.ts";
import type { ModelKind } from "./model_data.ts";

/** The neighbor file of `model` for the bench split, built on first use. */
function neighborFile(ctx: BenchContext, model: ModelKind): Promise<string> {
  return ctx.ensure(`${model}_topk_neighbors.pearson-s100-k50.txt`, async (path) => {
    console.error(`bench: building ${model} neighbors (cached in ${ctx.dir})`);
    await computeNeighborsFile(`${ctx.dir}/ratings_train.csv`, path, {
      mode: model,
      k: 50,
      minCommon: 5,
      similarity: "pearson",
      shrink: 100,
      maxRaters: 0,
      workers: defaultWorkers(),
      progress: false,
    });
  });
}

function evalEntry(model: ModelKind): BenchEntry {
  return {
    name: `eval-${model}`,
    description: `${model}-based eval at K 50 with baselines and top-10 ranking on 2000 users ` +
      "(target < 30 s at scale 1)",
    async run(ctx) {
      const neighbors = await neighborFile(ctx, model);
      const r = await evaluateModel({
        train: `${ctx.dir}/ratings_train.csv`,
        test: `${ctx.dir}/ratings_test.csv`,
        neighbors,
        model,
        k: [],
        workers: defaultWorkers(),
        fallback: "baseline",
        top: 10,
        rankUsers: 2000,
        progress: false,
      });
      return {
        seconds: r.seconds,
        work: r.total,
        unit: "ratings",
        extra: {
          workers: defaultWorkers(),
          rmse: Number(r.rmse.toFixed(4)),
          coverage: Number(r.coverage.toFixed(4)),
          biasRmse: Number(r.baselines.bias.rmse.toFixed(4)),
          phases: `load ${r.phases.load.toFixed(2)}s prepare ${r.phases.prepare.toFixed(2)}s ` +
            `score ${r.phases.score.toFixed(2)}s`,
        },
      };
    },
  };
}

export const predictTop100Entry: BenchEntry = {
  name: "predict-top100",
  description: "user-based top-100 recommendations for every user, streamed to a file",
  async run(ctx) {
    const neighbors = await neighborFile(ctx, "user");
    const out = `${ctx.dir}/.bench-recommendations-${Deno.pid}.csv`;
    try {
      const s = await predictToFile({
        train: `${ctx.dir}/ratings_train.csv`,
        neighbors,
        model: "user",
        out,
        top: 100,
        k: 0,
        workers: defaultWorkers(),
        progress: false,
      });
      return {
        seconds: s.seconds,
        work: s.users,
        unit: "users",
        extra: {
          workers: defaultWorkers(),
          lines: s.lines,
          mb: Number((s.bytes / 1e6).toFixed(1)),
        },
      };
    } finally {
      await Deno.remove(out).catch(() => {});
    }
  },
};

export const evalUserEntry = evalEntry("user");
export const evalItemEntry = evalEntry("item");
