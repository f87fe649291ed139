/**
 * `eval` over the models layer: fits each named model on the training
 * ratings and scores it on the test ratings, beside its baseline.
 *
 * - Rating models (lib/models/registry.ts): RMSE and MAE over every test
 *   rating (100 % coverage: a rating model always answers, from its
 *   baseline where it must), compared with `bias`.
 * - Ranking models: the fixed protocol of lib/models/rank.ts (candidates =
 *   every training movie the user did not rate in training; relevant = test
 *   rating ≥ 4.0; users without a relevant test rating skipped; NDCG@N,
 *   precision@N, recall@N, MAP@N, hit rate, catalog coverage), compared with
 *   `popularity`; `rankUsers` > 0 scores a deterministic sample of users.
 *
 * A model that loses to its baseline is flagged in the table, the JSON
 * (`losesToBaseline`) and the report, and a plain warning is printed.
 */
import { buildRatingMatrix, denseIndexOf, type RatingMatrix } from "../lib/rating_matrix.ts";
import { type RatingsTable, readRatingsTable } from "../lib/ratings_table.ts";
import { writeFileAtomic } from "../lib/atomic_file.ts";
import type { FitContext, RankingModel, RatingModel } from "../lib/models/model.ts";
import {
  type ModelConfig,
  RANKING_BASELINE,
  RANKING_MODELS,
  RATING_BASELINE,
  RATING_MODELS,
  resolveModel,
} from "../lib/models/registry.ts";
import { evaluateRanking } from "../lib/models/rank.ts";
import { sampleUsers } from "../lib/user_sample.ts";
import { addError, emptyErrors, mae, RELEVANT_RATING, rmse } from "../lib/metrics.ts";
import { renderCompareReport } from "./compare_report.tsx";
import type { ComparePart, CompareResult, RankingRow, RatingRow } from "./compare_result.ts";
import { fixedOrNa, percentOrNa } from "../lib/number_format.ts";

export type { ComparePart, CompareResult, RankingRow, RatingRow };

export interface CompareOptions {
  train: string;
  test: string;
  /**
   * Model configurations (`name` or `name:key=value,…`, lib/models/registry.ts);
   * the baselines are always added. Empty = every model.
   */
  models: string[];
  /** N of the ranking metrics. Changes output. @default 10 */
  top: number;
  /** Users sampled for ranking (0 = every test user). Changes output. @default 0 */
  rankUsers: number;
  /** Worker threads of the fits. Changes only speed. @default the machine's cores */
  workers?: number;
  json?: string;
  report?: string;
  /** Called with each model's name before its fit (progress lines). */
  onModel?: (name: string) => void;
}

export const RANKING_PROTOCOL =
  "Candidates = every movie in training the user did not rate in training; relevant = test " +
  `rating >= ${RELEVANT_RATING.toFixed(1)}; users without a relevant test rating skipped; ` +
  "binary gains, log2 discount, " +
  "ideal DCG over min(N, relevant); precision divides by N; ties by smaller movieId.";

/**
 * Resolves configurations into rating and ranking models, baselines first;
 * throws on an unknown name or option (lib/models/registry.ts).
 */
export function resolveModels(
  names: readonly string[],
): { rating: ModelConfig<RatingModel>[]; ranking: ModelConfig<RankingModel>[] } {
  const all = names.length === 0
    ? [...Object.keys(RATING_MODELS), ...Object.keys(RANKING_MODELS)]
    : names;
  const rating: ModelConfig<RatingModel>[] = [], ranking: ModelConfig<RankingModel>[] = [];
  for (const text of all) {
    const config = resolveModel(text);
    if (config.kind === "rating") rating.push(config as ModelConfig<RatingModel>);
    else ranking.push(config as ModelConfig<RankingModel>);
  }
  const withBase = <M>(list: ModelConfig<M>[], base: string): ModelConfig<M>[] =>
    list.length === 0
      ? list
      : [resolveModel(base) as ModelConfig<M>, ...list.filter((c) => c.label !== base)];
  return {
    rating: withBase(rating, RATING_BASELINE),
    ranking: withBase(ranking, RANKING_BASELINE),
  };
}

/** RMSE and MAE of `model` over every test rating. */
export function scoreRatings(
  model: RatingModel,
  m: RatingMatrix,
  test: RatingsTable,
): { rmse: number; mae: number; count: number } {
  const acc = emptyErrors();
  for (let k = 0; k < test.length; k++) {
    const u = denseIndexOf(m.userIndex, test.users[k]);
    const i = denseIndexOf(m.itemIndex, test.movies[k]);
    addError(acc, model.predict(u, i), test.ratings[k] * 0.5);
  }
  return { rmse: rmse(acc), mae: mae(acc), count: acc.count };
}

/** The users ranked: those with a test rating, cut to a sample of `size` (0 = all). */
export function rankingSample(m: RatingMatrix, test: RatingsTable, size: number): Int32Array {
  const has = new Uint8Array(m.userIds.length);
  for (let k = 0; k < test.length; k++) {
    const u = denseIndexOf(m.userIndex, test.users[k]);
    if (u >= 0) has[u] = 1;
  }
  const candidates: number[] = [];
  for (let u = 0; u < has.length; u++) if (has[u]) candidates.push(u);
  return Int32Array.from(sampleUsers(candidates, m.userIds, size));
}

/** A comparison before it is tied to files. */

/**
 * Fits and scores every model on a training matrix (shared arrays, for the
 * models that fit on Workers) and the test ratings; see the module doc.
 * `fitted` holds every fitted model by name, for callers that also write
 * files from them.
 */
export async function compareOnMatrix(
  m: RatingMatrix,
  testTable: RatingsTable,
  options: Omit<CompareOptions, "train" | "test" | "json" | "report">,
): Promise<{ result: ComparePart; fitted: Map<string, RatingModel | RankingModel> }> {
  const fitted = new Map<string, RatingModel | RankingModel>();
  const { rating, ranking } = resolveModels(options.models);
  const warnings: string[] = [];
  const ratingRows: RatingRow[] = [];
  const context: FitContext = { workers: options.workers };
  for (const config of rating) {
    const name = config.label;
    options.onModel?.(name);
    const t0 = performance.now();
    const model = await config.spec.fit(m, config.options, context);
    const fitSeconds = (performance.now() - t0) / 1000;
    fitted.set(name, model);
    const s = scoreRatings(model, m, testTable);
    ratingRows.push({
      name,
      summary: config.summary,
      scales: config.spec.scales,
      fitSeconds,
      rmse: s.rmse,
      mae: s.mae,
      coverage: testTable.length > 0 ? s.count / testTable.length : NaN,
      losesToBaseline: false,
      learned: model.learned,
    });
  }
  const base = ratingRows[0];
  for (const r of ratingRows.slice(1)) {
    if (!(r.rmse < base.rmse)) {
      r.losesToBaseline = true;
      warnings.push(
        `warning: ${r.name} loses to the ${base.name} baseline ` +
          `(RMSE ${r.rmse.toFixed(4)} vs ${base.rmse.toFixed(4)})`,
      );
    }
  }
  const rankingRows: RankingRow[] = [];
  for (const config of ranking) {
    const name = config.label;
    options.onModel?.(name);
    const t0 = performance.now();
    const model: RankingModel = await config.spec.fit(m, config.options, context);
    const fitSeconds = (performance.now() - t0) / 1000;
    fitted.set(name, model);
    const metrics = evaluateRanking(model, m, testTable, {
      n: options.top,
      users: rankingSample(m, testTable, options.rankUsers),
    });
    rankingRows.push({
      name,
      summary: config.summary,
      scales: config.spec.scales,
      fitSeconds,
      ...metrics,
      losesToBaseline: false,
    });
  }
  const pop = rankingRows[0];
  for (const r of rankingRows.slice(1)) {
    if (!(r.ndcg > pop.ndcg)) {
      r.losesToBaseline = true;
      warnings.push(
        `warning: ${r.name} loses to the ${pop.name} baseline ` +
          `(NDCG@${options.top} ${r.ndcg.toFixed(4)} vs ${pop.ndcg.toFixed(4)})`,
      );
    }
  }
  const result = {
    trainRatings: m.userItems.length,
    testRatings: testTable.length,
    n: options.top,
    rating: ratingRows,
    ranking: rankingRows,
    warnings,
    protocol: RANKING_PROTOCOL,
  };
  return { result, fitted };
}

/** {@link compareOnMatrix} from ratings tables. */
export async function compareOnTables(
  trainTable: RatingsTable,
  testTable: RatingsTable,
  options: Omit<CompareOptions, "train" | "test" | "json" | "report">,
): Promise<ComparePart> {
  return (await compareOnMatrix(buildRatingMatrix(trainTable), testTable, options)).result;
}

/**
 * Options of {@link evaluate}.
 *
 * @example
 * ```ts
 * const options: EvaluationOptions = { models: ["ease:lambda=300"], cutoff: 20 };
 * ```
 */
export interface EvaluationOptions {
  /**
   * Model configurations (`name` or `name:key=value,…`); each kind's
   * baseline (bias, popularity) is added. @default every registered model
   */
  models?: string[];
  /** N of the @N ranking metrics. @default 10 */
  cutoff?: number;
  /** Test users sampled for the ranking metrics, 0 = all. @default 0 */
  rankUsers?: number;
  /** Worker threads of the fits. Changes only speed. @default the machine's cores */
  workers?: number;
}

/**
 * What {@link evaluate} found: a row per model, baselines first.
 *
 * @example
 * ```ts
 * const r: Evaluation = await evaluate(train, test, { models: ["bias", "ease"] });
 * console.log(r.warnings.join("\n"));
 * ```
 */
export interface Evaluation {
  /** Rating models, `bias` first. */
  rating: RatingRow[];
  /** Ranking models, `popularity` first. */
  ranking: RankingRow[];
  /** N of the ranking metrics. */
  cutoff: number;
  /** One line per model that loses to its baseline. */
  warnings: string[];
}

/**
 * Fits each model on `train` and scores it on `test` beside its baseline, as
 * `eval` does: RMSE and MAE for rating models; NDCG, precision, recall, MAP
 * at N and catalog coverage for ranking models (lib/models/rank.ts).
 *
 * @example
 * ```ts
 * import { evaluate, readRatings, splitRatings } from "./mod.ts";
 * const { train, test } = splitRatings(await readRatings("data/ml-100k"));
 * const r = await evaluate(train, test, { models: ["ease-weighted"] });
 * console.log(r.ranking.map((x) => `${x.name} NDCG@${r.cutoff} ${x.ndcg.toFixed(3)}`));
 * ```
 */
export async function evaluate(
  train: RatingsTable,
  test: RatingsTable,
  options: EvaluationOptions = {},
): Promise<Evaluation> {
  const cutoff = options.cutoff ?? 10;
  const r = await compareOnTables(train, test, {
    models: options.models ?? [],
    top: cutoff,
    rankUsers: options.rankUsers ?? 0,
    workers: options.workers,
  });
  return { rating: r.rating, ranking: r.ranking, cutoff, warnings: r.warnings };
}

/** Reads the split, compares the models, writes the JSON and report when asked. */
export async function compareModels(options: CompareOptions): Promise<CompareResult> {
  const [{ table: train }, { table: test }] = await Promise.all([
    readRatingsTable(options.train),
    readRatingsTable(options.test),
  ]);
  const r = {
    train: options.train,
    test: options.test,
    ...(await compareOnTables(train, test, options)),
  };
  await writeCompareFiles(r, options);
  return r;
}

/** Keeps a comparison as JSON and as the HTML report, each where asked. */
export async function writeCompareFiles(
  r: CompareResult,
  to: { json?: string; report?: string },
): Promise<void> {
  if (to.json) await writeFileAtomic(to.json, JSON.stringify(r, null, 2) + "\n");
  if (to.report) await writeFileAtomic(to.report, renderCompareReport(r));
}

const secs = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1)) + " s";

/** The comparison as text tables, warnings last. */
export function formatCompare(r: ComparePart): string {
  const lines: string[] = [];
  if (r.rating.length > 0) {
    const w = Math.max(5, ...r.rating.map((x) => x.name.length));
    lines.push(`${"model".padEnd(w)}     RMSE      MAE  coverage      fit  vs baseline`);
    for (const x of r.rating) {
      const d = x === r.rating[0] ? "baseline" : (x.rmse - r.rating[0].rmse).toFixed(4);
      lines.push(
        `${x.name.padEnd(w)}  ${fixedOrNa(x.rmse, 4).padStart(7)}  ${
          fixedOrNa(x.mae, 4).padStart(7)
        }  ` +
          `${percentOrNa(x.coverage, 1).padStart(8)}  ${secs(x.fitSeconds).padStart(7)}  ${d}` +
          (x.losesToBaseline ? "  LOSES TO BASELINE" : ""),
      );
    }
  }
  if (r.ranking.length > 0) {
    if (lines.length > 0) lines.push("");
    const w = Math.max(5, ...r.ranking.map((x) => x.name.length));
    const n = r.n;
    lines.push(
      `${"model".padEnd(w)}  NDCG@${n}   P@${n}  recall@${n}  MAP@${n}  catalog      fit  users`,
    );
    for (const x of r.ranking) {
      lines.push(
        `${x.name.padEnd(w)}  ${fixedOrNa(x.ndcg, 4).padStart(7)}  ${
          fixedOrNa(x.precision, 4).padStart(6)
        }  ` +
          `${fixedOrNa(x.recall, 4).padStart(9)}  ${fixedOrNa(x.map, 4).padStart(6)}  ` +
          `${percentOrNa(x.catalogCoverage, 1).padStart(7)}  ${
            secs(x.fitSeconds).padStart(7)
          }  ${x.users}` +
          (x.losesToBaseline ? "  LOSES TO BASELINE" : ""),
      );
    }
  }
  for (const w of r.warnings) lines.push(w);
  return lines.join("\n");
}
