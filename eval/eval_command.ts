/**
 * The `eval` command: flags, and the choice between the models' comparison
 * (eval/compare.ts) and a classic model's evaluation (eval/evaluate.ts); prints
 * the summary and where the files went.
 */
import { defineCommand, requiredFlag, UsageError } from "../lib/command.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import { DUPLICATES_FLAG } from "../lib/rating_duplicates.ts";
import { CLASSIC_NEIGHBORS_FLAG, classicModelOf, TRAIN_FLAG } from "../lib/model_flags.ts";
import { RANKING_MODELS, RATING_MODELS, splitModelList } from "../lib/models/registry.ts";
import { compareModels, formatCompare } from "./compare.ts";
import { evaluateModel, formatEvalSummary, RANKING_CANDIDATES } from "./evaluate.ts";

export const evalCommand = defineCommand({
  name: "eval",
  summary: "compare models on a test split beside their baselines (RMSE/MAE, NDCG/precision)",
  flags: {
    train: TRAIN_FLAG,
    test: requiredFlag("<file>", "test ratings"),
    model: {
      type: "string",
      default: "all",
      arg: "<names>",
      doc: "comma-separated models, each name or name:key=value,… (e.g. " +
        "ease:lambda=300,lowRatingWeight=0.5), or all; a classic model (user-cosine, " +
        "item-cosine) needs --neighbors",
    },
    neighbors: CLASSIC_NEIGHBORS_FLAG,
    useK: {
      type: "int-list",
      min: 1,
      was: ["k"],
      doc: "neighbors used per prediction by a classic model, one or a list (default: whole lists)",
    },
    json: { type: "string", arg: "<file>", doc: "write the metrics as JSON" },
    report: { type: "string", arg: "<file>", doc: "write a self-contained HTML report" },
    workers: { type: "integer", default: defaultWorkers(), min: 1, doc: "worker threads" },
    fallback: {
      type: "string",
      default: "baseline",
      choices: ["none", "baseline"] as const,
      doc: "also report CF with the bias baseline filling gaps",
    },
    cutoff: {
      type: "integer",
      default: 10,
      min: 1,
      was: ["top"],
      doc: "N of the @N ranking metrics (NDCG@N, precision@N)",
    },
    rankUsers: {
      type: "integer",
      default: 2000,
      min: 0,
      doc: "test users sampled for ranking metrics (0 = all)",
    },
    duplicates: DUPLICATES_FLAG,
  },
  details: `Rating models: ${Object.keys(RATING_MODELS).join(", ")} (beside bias).\n` +
    `Ranking models: ${Object.keys(RANKING_MODELS).join(", ")} (beside popularity).\n` +
    "Classic models (the original design; with --neighbors; --use-k, --fallback apply): " +
    "user-cosine, item-cosine.\n" +
    "Baselines use λ_u = 15, λ_i = 10, 10 ALS iterations (lib/baselines.ts).\n" +
    RANKING_CANDIDATES.order,
  async run(f) {
    const classic = classicModelOf(f.model, f.neighbors);
    if (!classic) {
      if (f.neighbors) {
        throw new UsageError(
          `--neighbors is for the classic models (user-cosine, item-cosine), not ${f.model}`,
          "--neighbors",
        );
      }
      const names = f.model === "all"
        ? []
        : splitModelList(f.model).map((x) => x.trim()).filter(Boolean);
      const r = await compareModels({
        train: f.train,
        test: f.test,
        models: names,
        top: f.cutoff,
        rankUsers: f.rankUsers,
        workers: f.workers,
        json: f.json,
        report: f.report,
        onModel: (name) => Deno.stderr.isTerminal() && console.error(`fitting ${name}…`),
      });
      console.log(formatCompare(r));
      if (f.json) console.log(`wrote ${f.json}`);
      if (f.report) console.log(`wrote ${f.report}`);
      return;
    }
    const { useK, cutoff, ...rest } = f;
    const r = await evaluateModel({
      ...rest,
      ...classic,
      top: cutoff,
      k: useK ?? [],
      progress: undefined,
    });
    console.log(formatEvalSummary(r));
    if (f.json) console.log(`wrote ${f.json}`);
    if (f.report) console.log(`wrote ${f.report}`);
  },
});
