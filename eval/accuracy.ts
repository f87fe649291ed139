/**
 * `accuracy`: the README's accuracy table, reproduced on a data set with
 * official folds — ML-100k's `u1.base`/`u1.test` … `u5.base`/`u5.test`
 * (tab-separated `user item rating timestamp`, as GroupLens ships them) or
 * the same names as `.csv` in the project's split form.
 *
 * Every fold: each model (every rating and ranking model of the registry,
 * plus the classic `user-cosine` and `item-cosine` from neighbor files the
 * in-process engine computes on the fold: cosine, K 50, min-common 5, no
 * shrinkage — the original design) is fitted on the base file and scored on
 * the test file (eval/compare.ts). With the classic models also `user-liked`
 * (lib/models/user_liked.ts), the dashboard's "From similar users" ranking,
 * from the neighbours the pipeline computes (pearson, λ 100, min-common 5,
 * K {@link USER_CANDIDATES} candidates re-ranked to 50), ranked by the same
 * protocol as the other ranking models. Printed: one table per fold, then the
 * mean over folds with each model's mean fit time. `--json` keeps it all.
 *
 * `--new-users` instead judges the shipped models' fold-in on users who are
 * not in training (eval/new_users.ts): the data directory's whole ratings
 * file, issue 21's strong-generalisation protocol, the reference baselines
 * beside them.
 */
import { defineCommand, UsageError } from "../lib/command.ts";
import { type RatingsTable, readRatingsTable } from "../lib/ratings_table.ts";
import { buildRatingMatrix, type RatingMatrix } from "../lib/rating_matrix.ts";
import { writeFileAtomic } from "../lib/atomic_file.ts";
import { readNeighborFile } from "../lib/neighbor_file.ts";
import { denseNeighborGraph } from "../lib/predictors.ts";
import { classicCfModel } from "../lib/models/classic_cf.ts";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import { type Mode, MODES } from "../lib/mode.ts";
import { evaluateRanking } from "../lib/models/rank.ts";
import { USER_CANDIDATES, UserLikedModel } from "../lib/models/user_liked.ts";
import {
  compareOnMatrix,
  type ComparePart,
  formatCompare,
  type RankingRow,
  type RatingRow,
  scoreRatings,
} from "./compare.ts";
import { evaluateNewUsers, formatNewUsers, readReleaseRatings } from "./new_users.ts";
import { splitModelList } from "../lib/models/registry.ts";

export interface AccuracyOptions {
  /** Directory with u1.base/u1.test … (or .csv). */
  data: string;
  /** Folds to run. @default [1, 2, 3, 4, 5] */
  folds: number[];
  /** Model names (empty = all). */
  models: string[];
  /** Include the classic neighbour-file models. @default true */
  classic: boolean;
  workers: number;
  log: (line: string) => void;
}

export interface AccuracyResult {
  data: string;
  folds: Array<{ fold: number; result: ComparePart }>;
  mean: ComparePart;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The fold's file: `u<k>.<part>` (GroupLens, tab-separated) or `u<k>.<part>.csv`. */
async function foldFile(dir: string, fold: number, part: "base" | "test"): Promise<string> {
  for (const name of [`u${fold}.${part}`, `u${fold}.${part}.csv`]) {
    if (await exists(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  throw new UsageError(`${dir}: no u${fold}.${part} (nor u${fold}.${part}.csv) for fold ${fold}`);
}

/**
 * Reads a fold file (ML-100k's are tab-separated; a `.csv` copy uses commas).
 * The neighbour engine reads files in the split form, so a
 * tab-separated fold is also written as CSV into `scratch` for it.
 */
async function readFold(
  path: string,
  scratch: string,
): Promise<{ path: string; table: RatingsTable }> {
  if (path.endsWith(".csv")) return { path, table: (await readRatingsTable(path)).table };
  const table = (await readRatingsTable(path, { separator: "\t" })).table;
  const csv = `${scratch}/${path.split("/").pop()}.csv`;
  let text = "";
  for (let k = 0; k < table.length; k++) {
    text += `${table.users[k]},${table.movies[k]},${table.ratings[k] / 2},${table.timestamps[k]}\n`;
  }
  await Deno.writeTextFile(csv, text);
  return { path: csv, table };
}

/** The classic model of `mode` on a fold: neighbor file computed on `trainPath`. */
async function classicRow(
  mode: Mode,
  trainPath: string,
  m: RatingMatrix,
  test: RatingsTable,
  scratch: string,
  workers: number,
): Promise<RatingRow> {
  const t0 = performance.now();
  const file = `${scratch}/${mode}_neighbors.txt`;
  await computeNeighborsFile(trainPath, file, {
    mode,
    k: 50,
    minCommon: 5,
    similarity: "cosine",
    shrink: 0,
    maxRaters: 0,
    workers,
    progress: false,
  });
  const lists = await readNeighborFile(file);
  const { graph } = mode === "user"
    ? denseNeighborGraph(lists, m.userIndex, m.userIds.length, false)
    : denseNeighborGraph(lists, m.itemIndex, m.itemIds.length, false);
  const model = classicCfModel(m, graph, mode);
  const fitSeconds = (performance.now() - t0) / 1000;
  const s = scoreRatings(model, m, test);
  return {
    name: model.name,
    summary: `the classic ${mode}-based formula, cosine K 50 (bias where it has no neighbour)`,
    scales: true,
    fitSeconds,
    rmse: s.rmse,
    mae: s.mae,
    coverage: 1,
    losesToBaseline: false,
  };
}

/**
 * `user-liked` on a fold: the pipeline's user neighbours (tools/pipeline.ts:
 * pearson, λ 100, min-common 5; K {@link USER_CANDIDATES}) computed on
 * `trainPath`, then the model over them.
 */
async function userLikedRow(
  trainPath: string,
  m: RatingMatrix,
  test: RatingsTable,
  scratch: string,
  workers: number,
): Promise<RankingRow> {
  const t0 = performance.now();
  const file = `${scratch}/user_candidates.txt`;
  await computeNeighborsFile(trainPath, file, {
    mode: "user",
    k: USER_CANDIDATES,
    minCommon: 5,
    similarity: "pearson",
    shrink: 100,
    maxRaters: 0,
    workers,
    progress: false,
  });
  const lists = await readNeighborFile(file);
  const { graph } = denseNeighborGraph(lists, m.userIndex, m.userIds.length, false);
  const model = new UserLikedModel(m, graph);
  const fitSeconds = (performance.now() - t0) / 1000;
  return {
    name: model.name,
    summary: "the dashboard's similar-users list: Σ similarity over the 50 similar users " +
      "who liked it (≥ 2 of them)",
    scales: true,
    fitSeconds,
    ...evaluateRanking(model, m, test, { n: 10 }),
    losesToBaseline: false,
  };
}

function meanOf(parts: ComparePart[]): ComparePart {
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = parts[0];
  const rating: RatingRow[] = first.rating.map((row, k) => ({
    ...row,
    rmse: avg(parts.map((p) => p.rating[k].rmse)),
    mae: avg(parts.map((p) => p.rating[k].mae)),
    fitSeconds: avg(parts.map((p) => p.rating[k].fitSeconds)),
  }));
  const ranking: RankingRow[] = first.ranking.map((row, k) => ({
    ...row,
    users: Math.round(avg(parts.map((p) => p.ranking[k].users))),
    ndcg: avg(parts.map((p) => p.ranking[k].ndcg)),
    precision: avg(parts.map((p) => p.ranking[k].precision)),
    recall: avg(parts.map((p) => p.ranking[k].recall)),
    hitRate: avg(parts.map((p) => p.ranking[k].hitRate)),
    map: avg(parts.map((p) => p.ranking[k].map)),
    catalogCoverage: avg(parts.map((p) => p.ranking[k].catalogCoverage)),
    fitSeconds: avg(parts.map((p) => p.ranking[k].fitSeconds)),
  }));
  const warnings: string[] = [];
  for (const r of rating.slice(1)) {
    r.losesToBaseline = !(r.rmse < rating[0].rmse);
    if (r.losesToBaseline) {
      warnings.push(`warning: ${r.name} loses to the ${rating[0].name} baseline on the mean RMSE`);
    }
  }
  for (const r of ranking.slice(1)) {
    r.losesToBaseline = !(r.ndcg > ranking[0].ndcg);
    if (r.losesToBaseline) {
      warnings.push(`warning: ${r.name} loses to the ${ranking[0].name} baseline on the mean NDCG`);
    }
  }
  return {
    ...first,
    trainRatings: avg(parts.map((p) => p.trainRatings)),
    testRatings: avg(parts.map((p) => p.testRatings)),
    rating,
    ranking,
    warnings,
  };
}

/** Runs every fold; see the module doc. */
export async function runAccuracy(options: AccuracyOptions): Promise<AccuracyResult> {
  const folds: AccuracyResult["folds"] = [];
  const scratch = await Deno.makeTempDir({ prefix: "recsys-accuracy-" });
  try {
    for (const fold of options.folds) {
      const base = await readFold(await foldFile(options.data, fold, "base"), scratch);
      const test = await readFold(await foldFile(options.data, fold, "test"), scratch);
      const m = buildRatingMatrix(base.table);
      const { result } = await compareOnMatrix(m, test.table, {
        models: options.models,
        top: 10,
        rankUsers: 0,
        workers: options.workers,
      });
      if (options.classic && result.rating.length > 0) {
        for (const mode of MODES) {
          const row = await classicRow(mode, base.path, m, test.table, scratch, options.workers);
          row.losesToBaseline = !(row.rmse < result.rating[0].rmse);
          if (row.losesToBaseline) {
            result.warnings.push(
              `warning: ${row.name} loses to the bias baseline ` +
                `(RMSE ${row.rmse.toFixed(4)} vs ${result.rating[0].rmse.toFixed(4)})`,
            );
          }
          result.rating.push(row);
        }
      }
      if (options.classic && result.ranking.length > 0) {
        const row = await userLikedRow(base.path, m, test.table, scratch, options.workers);
        row.losesToBaseline = !(row.ndcg > result.ranking[0].ndcg);
        result.ranking.push(row);
      }
      options.log(`fold u${fold} (${base.table.length} train, ${test.table.length} test ratings):`);
      options.log(formatCompare(result));
      options.log("");
      folds.push({ fold, result });
    }
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
  const mean = meanOf(folds.map((f) => f.result));
  options.log(`mean over folds ${options.folds.map((f) => `u${f}`).join(", ")} (fit times too):`);
  options.log(formatCompare(mean));
  return { data: options.data, folds, mean };
}

export const accuracyCommand = defineCommand({
  name: "accuracy",
  summary: "every model on a data set's official folds (ML-100k u1–u5): per fold and mean",
  flags: {
    data: {
      type: "string",
      required: true,
      arg: "<dir>",
      doc: "GroupLens release directory with official folds u1.base, u1.test … (ML-100k)",
    },
    folds: { type: "int-list", min: 1, doc: "folds to run (default 1,2,3,4,5)" },
    model: {
      type: "string",
      default: "all",
      arg: "<names>",
      doc: "comma-separated models, each name or name:key=value,…, or all",
    },
    classic: {
      type: "string",
      default: "yes",
      choices: ["yes", "no"] as const,
      was: ["seed"],
      doc: "also the classic user-cosine and item-cosine (the original design), and user-liked " +
        "(with ranking models)",
    },
    json: { type: "string", arg: "<file>", doc: "write every fold and the mean as JSON" },
    workers: { type: "integer", default: defaultWorkers(), min: 1, doc: "worker threads" },
    newUsers: {
      type: "boolean",
      doc: "fold-in for users not in training (u.data, issue 21's protocol) instead of the folds",
    },
  },
  async run(f) {
    if (f.newUsers) {
      const r = await evaluateNewUsers(
        await readReleaseRatings(f.data),
        (line) => console.log(line),
      );
      console.log(formatNewUsers(r));
      if (f.json) {
        await writeFileAtomic(f.json, JSON.stringify(r, null, 2) + "\n");
        console.log(`wrote ${f.json}`);
      }
      return;
    }
    const r = await runAccuracy({
      data: f.data,
      folds: f.folds ?? [1, 2, 3, 4, 5],
      models: f.model === "all" ? [] : splitModelList(f.model).map((x) => x.trim()).filter(Boolean),
      classic: f.classic === "yes",
      workers: f.workers,
      log: (line) => console.log(line),
    });
    if (f.json) {
      await writeFileAtomic(f.json, JSON.stringify(r, null, 2) + "\n");
      console.log(`wrote ${f.json}`);
    }
  },
});
