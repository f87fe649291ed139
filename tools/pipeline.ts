/**
 * `pipeline`: a GroupLens release to a served store in one command —
 * split → rating-model → ranking-model → serve → neighbors (user, item) →
 * eval of the classic models (user, item) → predict (the classic list) →
 * import — skipping every step that is up to date (lib/step_runner.ts; the
 * manifest is `<out>/manifest.json`), then a summary: metrics, files, time
 * per step. With `demo`, the only code that composes stages, each through its
 * public entry (docs/ARCHITECTURE.md, "Layering").
 *
 * Files in `<out>`: every name of lib/run_dir.ts, and the SQLite store
 * `recsys.db` unless `--db` (or `RECSYS_DB`) names another. `--engine`
 * `hadoop` (Apache Hadoop's local job runner, or the installation of
 * `HADOOP_HOME`), `hadoop-yarn` (a one-machine YARN + HDFS cluster per
 * neighbor step) or `mr` (the local imitation of Hadoop Streaming) computes
 * the neighbor files with the MR jobs instead of the in-process engine; all
 * write the same bytes, but the engine is recorded as an option so switching
 * reruns. Hadoop's log is `<neighbor file>.hadoop.log`.
 */
import { defineCommand, requiredFlag } from "../lib/command.ts";
import { runSteps, type Step, type StepReport } from "../lib/step_runner.ts";
import type { SimilarityKind } from "../lib/similarity.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import { formatSeconds } from "../lib/progress.ts";
import { splitRatings } from "./split.ts";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import { USER_CANDIDATES } from "../lib/models/user_liked.ts";
import {
  NEIGHBOR_DEFAULTS,
  neighborFlags,
  type NeighborParams,
  type NeighborsOptions,
} from "../lib/neighbors/options.ts";
import { runMr } from "../mr/mod.ts";
import {
  type CompareResult,
  EVAL_MODULES,
  type EvalResult,
  evaluateModel,
  formatCompare,
  formatEvalSummary,
  runRankingModelStep,
  runRatingModelStep,
  runServeStep,
} from "../eval/mod.ts";
import { predictToFile } from "./predict.ts";
import { importStore } from "./import.ts";
import {
  DEFAULT_RANKING_MODEL,
  DEFAULT_RATING_MODEL,
  type ModelConfig,
  RANKING_BASELINE,
  RANKING_MODELS,
  RATING_BASELINE,
  RATING_MODELS,
  resolveModel,
} from "../lib/models/registry.ts";
import type { CodeRoots } from "../lib/code_fingerprint.ts";
import { maskStoreUrl } from "../lib/store/open.ts";
import { RUN_FILE_NAMES, type RunFile, runFiles, storeUrl } from "../lib/run_dir.ts";
import { hasFoldIn } from "../lib/models/fold_in_state.ts";
import { SCHEMA_VERSION } from "../lib/store/schema.ts";
import {
  type Layout,
  LAYOUT_FLAG,
  readMovieCatalog,
  resolveMovieLensDir,
} from "../lib/movielens_dir.ts";
import { type DuplicatePolicy, DUPLICATES_FLAG } from "../lib/rating_duplicates.ts";
import { fixedOrNa, percentOrNa } from "../lib/number_format.ts";

export const ENGINES = ["inproc", "mr", "hadoop", "hadoop-yarn"] as const;
export type Engine = typeof ENGINES[number];

/** `--engine`, shared with `demo`. */
export const ENGINE_FLAG = {
  type: "string",
  default: "inproc",
  choices: ENGINES,
  doc: "neighbor engine: in-process Workers; hadoop (Hadoop's local job runner, or " +
    "$HADOOP_HOME's cluster), hadoop-yarn (a one-machine YARN + HDFS cluster), or mr " +
    "(the local imitation of Hadoop Streaming), all MR1–MR4 with 4 reducers",
} as const;

/**
 * Defaults of the options that change output, shared by `pipeline` and `demo`.
 * The models served come from lib/models/registry.ts (chosen on ML-100k's
 * five folds). The neighbor options shape only the classic files: the
 * neighbor lists, the "similar users" list and the classic list; pearson
 * with shrinkage 100 at K 50 was an earlier choice, made on synthetic data,
 * which measures speed and says nothing of quality. The classic cosine stays
 * a flag away.
 */
export const PIPELINE_DEFAULTS = {
  seed: 42,
  testRatio: 0.2,
  ...NEIGHBOR_DEFAULTS,
  similarity: "pearson" as SimilarityKind,
  shrink: 100,
  top: 100,
  cutoff: 10,
  ratingModel: DEFAULT_RATING_MODEL,
  rankingModel: DEFAULT_RANKING_MODEL,
  rankUsers: 2000,
} as const;

/**
 * The neighbor options (k, minCommon, similarity, shrink, maxRaters) are the
 * engines' own (lib/neighbors/options.ts); the pipeline's defaults are
 * {@link PIPELINE_DEFAULTS}: pearson with shrinkage 100.
 */
export interface PipelineOptions extends Omit<NeighborParams, "mode"> {
  /** A GroupLens release directory in any layout (lib/movielens_dir.ts). */
  data: string;
  /** Its layout. @default "auto" (detected from the files) */
  layout?: Layout | "auto";
  /** A (userId, movieId) rated twice: keep the latest, or fail. Changes output. @default "latest" */
  duplicates?: DuplicatePolicy;
  /** Directory receiving every output and the manifest. */
  out: string;
  /** Split seed. Changes output. @default 42 */
  seed: number;
  /** Test fraction, in (0, 1). Changes output. @default 0.2 */
  testRatio: number;
  /** Recommendations kept per user (list length). Changes output. @default 100 */
  top: number;
  /** N of the @N ranking metrics of every evaluation step. Changes output. @default 10 */
  cutoff?: number;
  /**
   * Rating model of test_predictions.csv and the served stars: a name or
   * `name:key=value,…` (lib/models/registry.ts). Changes output. @default "blend"
   */
  ratingModel: string;
  /** Ranking model of recommendations.csv and the served lists, as above. Changes output. @default "ease-weighted" */
  rankingModel: string;
  /** Users sampled for the ranking metrics (0 = all). Changes output. @default 2000 */
  rankUsers: number;
  /** Neighbor engine. Same output by contract. @default "inproc" */
  engine: Engine;
  /** Store URL (`sqlite:<path>` or `mysql://…`). @default `sqlite:<out>/recsys.db` */
  db?: string;
  /** Import even a data set the import's guards refuse (tools/import.ts). @default false */
  force?: boolean;
  /** Worker threads (MR: tasks run at once). Changes only speed. @default the number of cores */
  workers: number;
  /** Progress bars on a terminal. */
  progress?: boolean;
  /** Where step lines and tables go. @default console.log */
  log?: (line: string) => void;
  /** Where warnings go (duplicates dropped, a movie list read as Latin-1). @default console.warn (stderr) */
  warn?: (line: string) => void;
}

export interface PipelineResult {
  steps: StepReport[];
  user: EvalResult;
  item: EvalResult;
  /** The shipped rating model beside the bias baseline. */
  rating: CompareResult;
  /** The shipped ranking model beside popularity. */
  ranking: CompareResult;
  /** The store URL, password masked. */
  db: string;
  /** The store URL as given (for opening it). */
  dbUrl: string;
  /** Output files by role. */
  files: Record<RunFile, string>;
  seconds: number;
}

// The modules each step runs, for its code fingerprint (lib/code_fingerprint.ts).
const SPLIT = new URL("./split.ts", import.meta.url).href;
const NEIGHBOR_ENGINE = new URL("../lib/neighbors/engine.ts", import.meta.url).href;
const MR_ENTRY = new URL("../mr/mod.ts", import.meta.url).href;
const EVALUATE = EVAL_MODULES.classic;
const MODEL_STEPS = EVAL_MODULES.modelSteps;
const RANKING_STEP = EVAL_MODULES.rankingStep;
const SERVE_STEP = EVAL_MODULES.serveStep;
const PREDICT = new URL("../lib/recommend/predict.ts", import.meta.url).href;
const IMPORT = new URL("./import.ts", import.meta.url).href;
// A table: what a step takes from it is its models' options and modules, recorded apart.
const REGISTRY = new URL("../lib/models/registry.ts", import.meta.url).href;

/** A model as a step records it: its name as written and every option's value. */
function modelRecord(config: ModelConfig): Record<string, unknown> {
  return { label: config.label, options: config.options };
}

/** The code of a model step: its driver and each model's own module, not the registry's others. */
function modelCode(driver: string, ...configs: ModelConfig[]): CodeRoots {
  return { roots: [driver, ...configs.map((c) => c.spec.module)], exclude: [REGISTRY] };
}

/** Runs (or skips) every step; see the module doc. */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const t0 = performance.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const { data, out, workers, progress } = options;
  // Checked before anything else: a bad model or option fails now, not after the split.
  const rating = resolveModel(options.ratingModel, "rating");
  const ranking = resolveModel(options.rankingModel, "ranking");
  // Resolved and read up front: the import at the end needs the movies and links, after the
  // long steps, and a bad movie list must fail now (the ratings are read by split, first).
  const release = await resolveMovieLensDir(data, options.layout ?? "auto");
  const { ratings, movies, links } = release;
  await readMovieCatalog(release, { warn });
  const duplicates = options.duplicates ?? "latest";
  const cutoff = options.cutoff ?? PIPELINE_DEFAULTS.cutoff;
  const ratingBaseline = resolveModel(RATING_BASELINE, "rating");
  const rankingBaseline = resolveModel(RANKING_BASELINE, "ranking");
  log(
    `data: ${data}, layout ${release.layout} (${release.releases})` +
      (links === null ? "; no links file: no TMDB ids, so the site shows no posters" : ""),
  );
  await Deno.mkdir(out, { recursive: true });
  const f = runFiles(out);
  const dbUrl = options.db ?? `sqlite:${f.store}`;

  const neighborOptions = {
    k: options.k,
    minCommon: options.minCommon,
    similarity: options.similarity,
    shrink: options.shrink,
    maxRaters: options.maxRaters,
  };
  // The user file holds at least USER_CANDIDATES candidates: the import re-ranks them into
  // the 50 similar users of the dashboard (lib/models/user_liked.ts: ML-100k NDCG@10 of the
  // similar-users list 0.353 from 200 candidates, 0.312 from 50).
  const neighborsStep = (mode: "user" | "item", path: string): Step => {
    const params = mode === "user"
      ? { ...neighborOptions, k: Math.max(neighborOptions.k, USER_CANDIDATES) }
      : neighborOptions;
    return {
      name: `neighbors-${mode}`,
      inputs: [f.train],
      outputs: [path],
      options: { ...params, engine: options.engine },
      code: { roots: [options.engine === "mr" ? MR_ENTRY : NEIGHBOR_ENGINE] },
      run: () => {
        const o: NeighborsOptions = { mode, ...params, workers, progress };
        if (options.engine === "inproc") return computeNeighborsFile(f.train, path, o);
        const runner = options.engine === "mr" ? "local" : options.engine;
        return runMr(f.train, path, {
          ...o,
          reducers: 4,
          runner,
          onHadoopJob: (j) => log(`  ${j.name} on ${runner}: ${j.seconds.toFixed(1)}s`),
        });
      },
    };
  };
  const evalDefaults = {
    k: [] as number[],
    fallback: "baseline" as const,
    top: cutoff,
    rankUsers: options.rankUsers,
  };
  const evalStep = (model: "user" | "item", neighbors: string, json: string, report: string) => ({
    name: `eval-${model}`,
    inputs: [f.train, f.test, neighbors],
    outputs: [json, report],
    options: evalDefaults,
    code: { roots: [EVALUATE] },
    async run() {
      const r = await evaluateModel({
        train: f.train,
        test: f.test,
        neighbors,
        model,
        ...evalDefaults,
        workers,
        json,
        report,
        progress,
      });
      log(formatEvalSummary(r));
      return r;
    },
  });
  const steps: Step[] = [
    {
      name: "split",
      inputs: [ratings],
      outputs: [f.train, f.test],
      options: { seed: options.seed, testRatio: options.testRatio, duplicates },
      code: { roots: [SPLIT] },
      run: () =>
        splitRatings(ratings, out, {
          seed: options.seed,
          testRatio: options.testRatio,
          skipInvalid: false,
          separator: release.separator,
          duplicates,
          warn,
          progress,
        }),
    },
    {
      name: "rating-model",
      inputs: [f.train, f.test],
      outputs: [f.testPredictions, f.ratingMetrics, f.ratingReport],
      options: { model: modelRecord(rating), baseline: modelRecord(ratingBaseline) },
      code: modelCode(MODEL_STEPS, rating, ratingBaseline),
      run: () =>
        runRatingModelStep(
          {
            train: f.train,
            test: f.test,
            predictions: f.testPredictions,
            json: f.ratingMetrics,
            report: f.ratingReport,
          },
          options.ratingModel,
          log,
          workers,
        ),
    },
    {
      name: "ranking-model",
      inputs: [f.train, f.test],
      outputs: [f.modelRecommendations, f.rankingMetrics, f.rankingReport],
      options: {
        model: modelRecord(ranking),
        baseline: modelRecord(rankingBaseline),
        top: options.top,
        cutoff,
        rankUsers: options.rankUsers,
      },
      code: modelCode(RANKING_STEP, ranking, rankingBaseline),
      run: () =>
        runRankingModelStep({
          train: f.train,
          test: f.test,
          recommendations: f.modelRecommendations,
          json: f.rankingMetrics,
          report: f.rankingReport,
        }, {
          model: options.rankingModel,
          top: options.top,
          cutoff,
          rankUsers: options.rankUsers,
          workers,
          progress,
        }, log),
    },
    {
      name: "serve",
      inputs: [f.train, f.test, f.ratingMetrics],
      // The state only for models with a fold-in (runServeStep says so otherwise).
      outputs: hasFoldIn(options.ratingModel, options.rankingModel)
        ? [f.serving, f.foldIn, f.foldInSidecar]
        : [f.serving],
      options: {
        ratingModel: modelRecord(rating),
        rankingModel: modelRecord(ranking),
        top: options.top,
      },
      code: modelCode(SERVE_STEP, rating, ranking),
      run: () =>
        runServeStep({
          train: f.train,
          test: f.test,
          ratingMetrics: f.ratingMetrics,
          out: f.serving,
          foldIn: f.foldIn,
        }, {
          ratingModel: options.ratingModel,
          rankingModel: options.rankingModel,
          top: options.top,
          workers,
          progress,
        }, log),
    },
    neighborsStep("user", f.userNeighbors),
    neighborsStep("item", f.itemNeighbors),
    evalStep("user", f.userNeighbors, f.userMetrics, f.userReport),
    evalStep("item", f.itemNeighbors, f.itemMetrics, f.itemReport),
    {
      name: "predict",
      inputs: [f.train, f.userNeighbors],
      outputs: [f.recommendations],
      options: { top: options.top, k: 0 },
      code: { roots: [PREDICT] },
      run: () =>
        predictToFile({
          train: f.train,
          neighbors: f.userNeighbors,
          model: "user",
          out: f.recommendations,
          top: options.top,
          k: 0,
          workers,
          progress,
        }),
    },
    {
      name: "import",
      inputs: [
        f.train,
        f.test,
        f.userNeighbors,
        f.itemNeighbors,
        f.recommendations,
        f.serving,
        ...(hasFoldIn(options.ratingModel, options.rankingModel) ? [f.foldIn] : []),
        movies,
        ...(links === null ? [] : [links]),
      ],
      // A MySQL store is no file: its step is judged by its inputs and options alone.
      outputs: dbUrl.startsWith("sqlite:") ? [dbUrl.slice("sqlite:".length)] : [],
      options: { db: maskStoreUrl(dbUrl), schema: SCHEMA_VERSION },
      code: { roots: [IMPORT] },
      run: () =>
        importStore({
          db: dbUrl,
          dir: out,
          movies,
          links,
          progress,
          force: options.force,
          // Warned about when the run started.
          warn: () => {},
        }),
    },
  ];

  const width = Math.max(...steps.map((s) => s.name.length));
  const reports = await runSteps(f.manifest, steps, {
    onStep(i, step, { run, reason }) {
      const head = `[${i + 1}/${steps.length}] ${step.name.padEnd(width)}`;
      log(run ? `${head}  running (${reason})` : `${head}  up to date, skipped`);
    },
    onDone(i, report) {
      log(
        `[${i + 1}/${steps.length}] ${report.name.padEnd(width)}  done in ${fmt(report.seconds)}`,
      );
    },
  });
  const byName = new Map(reports.map((r) => [r.name, r]));
  return {
    steps: reports,
    user: byName.get("eval-user")!.result as EvalResult,
    item: byName.get("eval-item")!.result as EvalResult,
    rating: byName.get("rating-model")!.result as CompareResult,
    ranking: byName.get("ranking-model")!.result as CompareResult,
    db: maskStoreUrl(dbUrl),
    dbUrl,
    files: f,
    seconds: (performance.now() - t0) / 1000,
  };
}

function fmt(seconds: number): string {
  return seconds < 10
    ? `${seconds.toFixed(2)} s`
    : seconds < 60
    ? `${seconds.toFixed(1)} s`
    : formatSeconds(seconds);
}

/** The end-of-run summary: time per step, the metrics of both models, where things are. */
export function formatPipelineSummary(r: PipelineResult): string {
  const ran = r.steps.filter((s) => s.status === "ran").length;
  const width = Math.max(...r.steps.map((s) => s.name.length));
  const lines = [
    `pipeline finished in ${fmt(r.seconds)}: ${ran} step(s) ran, ` +
    `${r.steps.length - ran} up to date`,
    "",
    "step".padEnd(width) + "   time",
    ...r.steps.map((s) =>
      `${s.name.padEnd(width)}  ${fmt(s.seconds).padStart(7)}` +
      (s.status === "skipped" ? "  (up to date; time of its last run)" : "")
    ),
    "",
    "shipped models (fit on the training split, scored on the test split):",
    formatCompare(r.rating),
    "",
    formatCompare(r.ranking),
    "",
    "the classic neighbour models (original design, for comparison):",
    "model   K     RMSE     MAE  coverage   +fallback RMSE   bias RMSE   NDCG@N  precision@N",
  ];
  for (const e of [r.user, r.item]) {
    lines.push(
      `${e.model.padEnd(5)} ${String(e.k).padStart(3)}  ${fixedOrNa(e.rmse, 4).padStart(7)} ` +
        `${fixedOrNa(e.mae, 4).padStart(7)}  ${percentOrNa(e.coverage, 2).padStart(8)}   ` +
        `${(e.fallback ? fixedOrNa(e.fallback.rmse, 4) : "n/a").padStart(14)}   ` +
        `${fixedOrNa(e.baselines.bias.rmse, 4).padStart(9)}   ${
          fixedOrNa(e.ranking.ndcg, 4).padStart(6)
        }  ` +
        `${fixedOrNa(e.ranking.precision, 4).padStart(11)}`,
    );
  }
  const f = r.files;
  lines.push(
    "",
    `(N = ${r.user.ranking.n}; full tables: ${f.userReport}, ${f.itemReport})`,
    "",
    "files:",
    `  split          ${f.train}, ${f.test}`,
    `  neighbors      ${f.userNeighbors}, ${f.itemNeighbors}`,
    `  metrics        ${f.userMetrics}, ${f.itemMetrics}`,
    `  models         ${f.testPredictions}, ${f.modelRecommendations}`,
    `  model metrics  ${f.ratingMetrics}, ${f.rankingMetrics} (reports: .html beside them)`,
    `  served list    ${f.serving} (both models refit on all ratings)`,
    `  fold-in state  ${f.foldIn} (+ ${RUN_FILE_NAMES.foldInSidecar}; new visitors, the API)`,
    `  classic list   ${f.recommendations}`,
    `  manifest       ${f.manifest}`,
    `  store          ${r.db}`,
  );
  return lines.join("\n");
}

export const pipelineCommand = defineCommand({
  name: "pipeline",
  summary: "split → rating and ranking models → serve → neighbors → classic evals → predict → " +
    "import, skipping up-to-date steps",
  flags: {
    data: {
      type: "string",
      required: true,
      arg: "<dir>",
      doc: "GroupLens release directory (ml-100k … ml-32m, ml-latest*)",
    },
    layout: LAYOUT_FLAG,
    duplicates: DUPLICATES_FLAG,
    out: requiredFlag("<dir>", "output directory"),
    seed: { type: "integer", default: PIPELINE_DEFAULTS.seed, doc: "split seed" },
    testRatio: {
      type: "number",
      default: PIPELINE_DEFAULTS.testRatio,
      above: 0,
      below: 1,
      doc: "test fraction",
    },
    ...neighborFlags(PIPELINE_DEFAULTS),
    top: {
      type: "integer",
      default: PIPELINE_DEFAULTS.top,
      min: 1,
      doc: "recommendations kept per user",
    },
    cutoff: {
      type: "integer",
      default: PIPELINE_DEFAULTS.cutoff,
      min: 1,
      doc: "N of the @N ranking metrics (NDCG@N, precision@N) of every evaluation",
    },
    ratingModel: {
      type: "string",
      default: PIPELINE_DEFAULTS.ratingModel,
      arg: "<name[:key=value,…]>",
      doc: `rating model (${Object.keys(RATING_MODELS).join(", ")}), options as ` +
        "name:key=value,…: test_predictions.csv and the stars served",
    },
    rankingModel: {
      type: "string",
      default: PIPELINE_DEFAULTS.rankingModel,
      arg: "<name[:key=value,…]>",
      doc: `ranking model (${Object.keys(RANKING_MODELS).join(", ")}), options as ` +
        "name:key=value,…: recommendations.csv and the lists served",
    },
    rankUsers: {
      type: "integer",
      default: PIPELINE_DEFAULTS.rankUsers,
      min: 0,
      doc: "test users sampled for the ranking metrics (0 = all)",
    },
    engine: ENGINE_FLAG,
    db: {
      type: "string",
      arg: "<url>",
      doc: "store URL (default: $RECSYS_DB, else sqlite:<out>/recsys.db)",
    },
    workers: { type: "integer", default: defaultWorkers(), min: 1, doc: "worker threads" },
    force: {
      type: "boolean",
      doc: "import even a data set that would empty the store or drop over half its users",
    },
  },
  details:
    "Steps whose inputs (size, mtime), options (a model's every option included) and code\n" +
    "(a hash of the modules the step runs) match <out>/manifest.json are skipped; a redone\n" +
    "step redoes everything downstream. Delete the manifest to redo all.",
  async run(flags) {
    const r = await runPipeline({ ...flags, db: storeUrl(flags.db) });
    console.log("");
    console.log(formatPipelineSummary(r));
    console.log(`\nnext: deno task recsys web --db ${r.db}`);
  },
});
