/**
 * `eval` of a classic model: offline evaluation of a user- or item-based model
 * on a test split (the command is eval/eval_command.ts).
 *
 * Every test rating is scored on a pool of Web Workers over shared typed
 * arrays. Test ratings are grouped by item (user-based) or by user
 * (item-based) and cut into fixed chunks of whole groups (independent of the
 * worker count); each chunk returns error sums, and the sums are merged in
 * chunk order, so every number is identical for any `--workers`.
 *
 * Reported: RMSE, MAE and coverage of the CF model for each K of `--k`
 * (neighbor lists truncated to their first K entries), four baselines on the
 * same test set (global mean, user mean, item mean, regularised biases, all
 * at 100 % coverage), optionally CF with the bias baseline filling gaps, an
 * error histogram, and top-N ranking quality on a deterministic sample of
 * test users (see {@link RANKING_CANDIDATES}).
 */
import { type RatingsTable, readRatingsTable } from "../lib/ratings_table.ts";
import { denseIndexOf, type RatingMatrix } from "../lib/rating_matrix.ts";
import { type Baselines, DEFAULT_BIAS, fitBaselines } from "../lib/baselines.ts";
import { reverseNeighborGraph } from "../lib/predictors.ts";
import {
  emptyErrors,
  emptyRanking,
  type ErrorPartial,
  HISTOGRAM,
  mae,
  mergeErrors,
  mergeRanking,
  RELEVANT_RATING,
  rmse,
} from "../lib/metrics.ts";
import { sampleUsers } from "../lib/user_sample.ts";
import { runChunks } from "../lib/worker_pool.ts";
import { writeFileAtomic } from "../lib/atomic_file.ts";
import { Progress } from "../lib/progress.ts";
import { type ClassicModelFiles, loadClassicModel } from "../lib/models/classic_data.ts";
import type { Mode } from "../lib/mode.ts";
import type { EvalChunkResult, EvalInit, GroupedTest, RankingSample } from "./eval_worker.ts";
import { renderReport } from "./report.tsx";
import type { EvalResult, ModelMetrics } from "./eval_result.ts";
import { fixedOrNa, percentOrNa } from "../lib/number_format.ts";

/** How ranking candidates are chosen and ordered (printed in the report and JSON). */
export const RANKING_CANDIDATES = {
  user: "Candidates for user u are the movies rated in training by at least one of u's first K " +
    "neighbors and not rated by u in training; each is scored with the user-based formula.",
  item: "Candidates for user u are the movies i not rated by u in training such that one of " +
    "i's first K neighbors is rated by u; each is scored with the item-based formula.",
  order: "Candidates are ranked by prediction (rounded to 6 decimals) descending, then movieId " +
    "ascending; the first N form the list. Relevant = test rating >= " +
    `${RELEVANT_RATING.toFixed(1)}; users with no ` +
    "relevant test rating are skipped; precision divides by N.",
} as const;

export interface EvalOptions extends ClassicModelFiles {
  test: string;
  /** K values (ascending after sorting); empty = the whole lists. Changes output. */
  k: number[];
  /** Worker count; changes only speed. @default cores */
  workers: number;
  /** `baseline`: also report CF with the bias baseline filling gaps. @default "baseline" */
  fallback: "none" | "baseline";
  /** N of the top-N ranking metrics. @default 10 */
  top: number;
  /** Users sampled for ranking metrics (0 = every test user). Changes output. @default 2000 */
  rankUsers: number;
  /** Write the result as JSON here. */
  json?: string;
  /** Write the HTML report here. */
  report?: string;
  /** Progress bar on a terminal. */
  progress?: boolean;
}

export type { EvalResult, ModelMetrics };

/** Test ratings per rating chunk (a chunk is whole groups, so it can exceed this). */
const CHUNK_RATINGS = 1 << 12;
/** Sampled users per ranking chunk. */
const CHUNK_USERS = 32;

/** Evaluates one model; see the module doc. */
export async function evaluateModel(options: EvalOptions): Promise<EvalResult> {
  const t0 = performance.now();
  const loaded = await loadClassicModel(options);
  if (loaded.warning !== null) console.warn(loaded.warning);
  const { matrix: m, graph } = loaded;
  const { table } = await readRatingsTable(options.test, { duplicates: options.duplicates });
  const ks = options.k.length > 0
    ? [...new Set(options.k)].sort((a, b) => a - b)
    : [Math.max(1, loaded.maxK)];
  const headK = ks[ks.length - 1];
  const tLoaded = performance.now();
  const baselines = fitBaselines(m, DEFAULT_BIAS);

  const test = groupTest(table, m, options.model);
  const groupCuts = cutGroups(test.offsets, CHUNK_RATINGS);
  const sample = rankingSample(table, m, options.rankUsers);
  const userCuts: number[] = [];
  for (let x = 0; x < sample.sample.users.length; x += CHUNK_USERS) userCuts.push(x);
  userCuts.push(sample.sample.users.length);

  const init: EvalInit = {
    model: options.model,
    matrix: m,
    graph,
    reverse: options.model === "item" ? reverseNeighborGraph(graph, m.itemIds.length) : null,
    baselines,
    ks,
    test,
    groupCuts,
    sample: sample.sample,
    userCuts: Int32Array.from(userCuts),
    rankK: headK,
    top: options.top,
  };
  const tPrepared = performance.now();
  const ratingChunks = groupCuts.length - 1;
  const rankChunks = userCuts.length - 1;
  const total = table.length;
  const bar = new Progress(`eval ${options.model}`, total + sample.sample.users.length, {
    unit: "items",
    enabled: options.progress,
  });
  let done = 0;
  const results = await runChunks<EvalInit, EvalChunkResult>({
    worker: new URL("./eval_worker.ts", import.meta.url),
    init,
    chunks: ratingChunks + rankChunks,
    workers: options.workers,
    onChunk: (_c, r) => {
      done += r.kind === "ratings" ? r.total : r.users;
      bar.update(done);
    },
  });
  bar.finish();
  const tScored = performance.now();

  const nk = ks.length;
  const cf = ks.map(emptyErrors), fb = ks.map(emptyErrors);
  const hist = new Array<number>(HISTOGRAM.bins).fill(0);
  const base = {
    globalMean: emptyErrors(),
    userMean: emptyErrors(),
    itemMean: emptyErrors(),
    bias: emptyErrors(),
  };
  let counted = 0;
  const ranking = emptyRanking();
  let rankedUsers = 0, candidates = 0;
  const recommended = new Uint8Array(m.itemIds.length);
  for (let c = 0; c < results.length; c++) {
    const r = results[c];
    if (r.kind === "ratings") {
      counted += r.total;
      for (let k = 0; k < nk; k++) {
        mergeErrors(cf[k], r.cf[k]);
        mergeErrors(fb[k], r.fallback[k]);
      }
      for (let b = 0; b < HISTOGRAM.bins; b++) hist[b] += r.histograms[nk - 1][b];
      mergeErrors(base.globalMean, r.globalMean);
      mergeErrors(base.userMean, r.userMean);
      mergeErrors(base.itemMean, r.itemMean);
      mergeErrors(base.bias, r.bias);
    } else {
      mergeRanking(ranking, r.ranking);
      rankedUsers += r.users;
      candidates += r.candidates;
      for (const i of r.recommended) recommended[i] = 1;
    }
  }
  if (counted !== total) throw new Error(`eval: scored ${counted} of ${total} test ratings`);
  let recCount = 0;
  for (let i = 0; i < recommended.length; i++) recCount += recommended[i];

  const metrics = (e: ErrorPartial): ModelMetrics => ({
    rmse: rmse(e),
    mae: mae(e),
    coverage: total > 0 ? e.count / total : NaN,
    predicted: e.count,
  });
  const byK = ks.map((k, t) => ({ k, ...metrics(cf[t]) }));
  const head = byK[nk - 1];
  const mean = (x: number) => ranking.users > 0 ? x / ranking.users : NaN;
  const seconds = (performance.now() - t0) / 1000;
  const result: EvalResult = {
    model: options.model,
    k: headK,
    rmse: head.rmse,
    mae: head.mae,
    coverage: head.coverage,
    predicted: head.predicted,
    total,
    seconds,
    options: {
      train: options.train,
      test: options.test,
      neighbors: options.neighbors,
      model: options.model,
      k: ks,
      workers: options.workers,
      fallback: options.fallback,
      top: options.top,
      rankUsers: options.rankUsers,
    },
    byK,
    fallback: options.fallback === "baseline"
      ? {
        ...metrics(fb[nk - 1]),
        byK: ks.map((k, t) => ({ k, rmse: rmse(fb[t]), mae: mae(fb[t]) })),
      }
      : null,
    baselines: {
      globalMean: metrics(base.globalMean),
      userMean: metrics(base.userMean),
      itemMean: metrics(base.itemMean),
      bias: { ...metrics(base.bias), ...biasInfo(baselines) },
    },
    histogram: { min: HISTOGRAM.min, width: HISTOGRAM.width, counts: hist },
    ranking: {
      n: options.top,
      k: headK,
      relevantThreshold: RELEVANT_RATING,
      testUsers: sample.testUsers,
      sampledUsers: rankedUsers,
      sampled: rankedUsers < sample.testUsers,
      usersWithRelevant: ranking.users,
      precision: mean(ranking.precision),
      recall: mean(ranking.recall),
      ndcg: mean(ranking.ndcg),
      hitRate: mean(ranking.hits),
      map: mean(ranking.ap),
      catalogCoverage: m.itemIds.length > 0 ? recCount / m.itemIds.length : NaN,
      meanCandidates: rankedUsers > 0 ? candidates / rankedUsers : NaN,
      candidates: RANKING_CANDIDATES[options.model] + " " + RANKING_CANDIDATES.order,
    },
    neighborsDropped: loaded.dropped,
    phases: {
      load: (tLoaded - t0) / 1000,
      prepare: (tPrepared - tLoaded) / 1000,
      score: (tScored - tPrepared) / 1000,
    },
  };
  if (options.json) await writeFileAtomic(options.json, JSON.stringify(result, null, 2) + "\n");
  if (options.report) await writeFileAtomic(options.report, renderReport(result));
  return result;
}

function biasInfo(b: Baselines) {
  return { regUser: b.bias.regUser, regItem: b.bias.regItem, iterations: b.bias.iterations };
}

/**
 * Groups the test ratings by item (user model) or user (item model) with a
 * counting sort; ratings whose group id is unknown in training form the last group.
 */
function groupTest(
  table: RatingsTable,
  m: RatingMatrix,
  model: Mode,
): GroupedTest {
  const n = table.length;
  const groups = model === "user" ? m.itemIds.length : m.userIds.length;
  const sh = (bytes: number) => new SharedArrayBuffer(bytes);
  const offsets = new Int32Array(sh((groups + 2) * 4));
  const groupOf = new Int32Array(n);
  const du = new Int32Array(n), di = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    du[t] = denseIndexOf(m.userIndex, table.users[t]);
    di[t] = denseIndexOf(m.itemIndex, table.movies[t]);
    const g = model === "user" ? di[t] : du[t];
    groupOf[t] = g < 0 ? groups : g;
    offsets[groupOf[t] + 1]++;
  }
  for (let g = 0; g <= groups; g++) offsets[g + 1] += offsets[g];
  const fill = offsets.slice(0, groups + 1);
  const users = new Int32Array(sh(n * 4)), items = new Int32Array(sh(n * 4));
  const ratings = new Uint8Array(sh(n));
  for (let t = 0; t < n; t++) {
    const at = fill[groupOf[t]]++;
    users[at] = du[t];
    items[at] = di[t];
    ratings[at] = table.ratings[t];
  }
  return { offsets, users, items, ratings };
}

/** Cuts groups into chunks of at least `target` ratings (fixed by the data alone). */
function cutGroups(offsets: Int32Array, target: number): Int32Array {
  const groups = offsets.length - 1;
  const cuts = [0];
  let start = 0;
  for (let g = 0; g < groups; g++) {
    if (offsets[g + 1] - offsets[start] >= target) {
      cuts.push(g + 1);
      start = g + 1;
    }
  }
  if (cuts[cuts.length - 1] !== groups) cuts.push(groups);
  return Int32Array.from(cuts);
}

/**
 * The ranking sample: test users known in training; when there are more
 * than `limit` (> 0), the `limit` with the smallest `hash3(seed, userId, 0)`
 * (ties by userId), in ascending user order, with their test ratings.
 */
function rankingSample(
  table: RatingsTable,
  m: RatingMatrix,
  limit: number,
): { sample: RankingSample; testUsers: number } {
  const nUsers = m.userIds.length;
  const count = new Int32Array(nUsers + 1);
  for (let t = 0; t < table.length; t++) {
    const u = denseIndexOf(m.userIndex, table.users[t]);
    if (u >= 0) count[u + 1]++;
  }
  let chosen: number[] = [];
  for (let u = 0; u < nUsers; u++) if (count[u + 1] > 0) chosen.push(u);
  const testUsers = chosen.length;
  chosen = sampleUsers(chosen, m.userIds, limit);
  const slot = new Int32Array(nUsers).fill(-1);
  chosen.forEach((u, s) => (slot[u] = s));
  const offsets = new Int32Array(chosen.length + 1);
  for (let s = 0; s < chosen.length; s++) offsets[s + 1] = offsets[s] + count[chosen[s] + 1];
  const fill = offsets.slice(0, chosen.length);
  const items = new Int32Array(offsets[chosen.length]);
  const ratings = new Uint8Array(offsets[chosen.length]);
  for (let t = 0; t < table.length; t++) {
    const u = denseIndexOf(m.userIndex, table.users[t]);
    if (u < 0 || slot[u] < 0) continue;
    const at = fill[slot[u]]++;
    items[at] = denseIndexOf(m.itemIndex, table.movies[t]);
    ratings[at] = table.ratings[t];
  }
  return { sample: { users: Int32Array.from(chosen), offsets, items, ratings }, testUsers };
}

/** The terminal summary of a result. */
export function formatEvalSummary(r: EvalResult): string {
  const lines = [
    `model ${r.model}  K ${r.k}  test ratings ${r.total}  ${r.seconds.toFixed(2)} s ` +
    `(load ${r.phases.load.toFixed(2)}, prepare ${r.phases.prepare.toFixed(2)}, ` +
    `score ${r.phases.score.toFixed(2)})`,
    "options: " + Object.entries(r.options).map(([k, v]) => `${k} ${v}`).join(", "),
    "",
    "predictor            K      RMSE     MAE  coverage",
  ];
  const row = (name: string, k: string, x: ModelMetrics) =>
    `${name.padEnd(20)} ${k.padStart(4)}  ${fixedOrNa(x.rmse, 4).padStart(7)} ${
      fixedOrNa(x.mae, 4).padStart(7)
    }  ` +
    percentOrNa(x.coverage, 2).padStart(8);
  for (const b of r.byK) lines.push(row(`${r.model}-based CF`, String(b.k), b));
  if (r.fallback) lines.push(row("CF + bias fallback", String(r.k), r.fallback));
  lines.push(row("global mean", "", r.baselines.globalMean));
  lines.push(row("user mean", "", r.baselines.userMean));
  lines.push(row("item mean", "", r.baselines.itemMean));
  lines.push(row("bias μ+b_u+b_i", "", r.baselines.bias));
  const k = r.ranking;
  lines.push(
    "",
    `top-${k.n} ranking (K ${k.k}, ${k.usersWithRelevant} users with a relevant test rating of ` +
      `${k.sampledUsers} scored${k.sampled ? `, sampled from ${k.testUsers}` : ""}):`,
    `  precision ${fixedOrNa(k.precision, 4)}  recall ${fixedOrNa(k.recall, 4)}  NDCG ${
      fixedOrNa(k.ndcg, 4)
    }  ` +
      `hit rate ${fixedOrNa(k.hitRate, 4)}  MAP ${fixedOrNa(k.map, 4)}  catalog coverage ${
        percentOrNa(k.catalogCoverage, 2)
      }`,
  );
  return lines.join("\n");
}
