/**
 * `demo`: from a fresh clone to a working site in one command.
 *
 * Without `--data`, synthesizes a small MovieLens-shaped dataset into
 * `<cache>/synth` (a recorded step: same scale and seed, no work), runs the
 * pipeline (tools/pipeline.ts) into `<cache>/synth-out` with a SQLite store,
 * and serves the web app. With `--data <dir>` (any GroupLens release, in any
 * layout: lib/movielens_dir.ts) the pipeline runs on that directory
 * into `<cache>/<dir name>-out`. Re-running reuses every up-to-date step, so
 * the server is up in seconds. Ctrl-C (or SIGTERM) stops the server cleanly.
 */
import { runFiles } from "../lib/run_dir.ts";
import { defineCommand } from "../lib/command.ts";
import { runSteps } from "../lib/step_runner.ts";
import { writeFileAtomic } from "../lib/atomic_file.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import { openStore } from "../lib/store/open.ts";
import { synthesize } from "./synth.ts";
import {
  type Engine,
  ENGINE_FLAG,
  formatPipelineSummary,
  PIPELINE_DEFAULTS,
  type PipelineResult,
  runPipeline,
} from "./pipeline.ts";
import { checkPortFree, startWeb, untilInterrupted } from "./web.ts";
import { type Layout, LAYOUT_FLAG } from "../lib/movielens_dir.ts";
import { type DuplicatePolicy, DUPLICATES_FLAG } from "../lib/rating_duplicates.ts";

export interface DemoOptions {
  /** A GroupLens release directory (any layout); synthetic data when absent. */
  data?: string;
  /** Its layout. @default "auto" */
  layout?: Layout | "auto";
  /** A (userId, movieId) rated twice: keep the latest, or fail. Changes output. @default "latest" */
  duplicates?: DuplicatePolicy;
  /** Directory for synthetic data and pipeline outputs. @default ".cache/demo" */
  cache: string;
  /** Synthetic data size as a fraction of ML-32M. Changes output. @default 0.02 (640k ratings) */
  scale: number;
  /** Synthetic data seed. Changes output. @default 1 */
  seed: number;
  /** @default 8000 (0 = any free port) */
  port: number;
  /** @default "127.0.0.1" */
  host: string;
  /** Worker threads. Changes only speed. @default the number of cores */
  workers: number;
  /** The pipeline's neighbor engine (`--engine`). Same output. @default "inproc" */
  engine?: Engine;
  /** Progress bars on a terminal. */
  progress?: boolean;
  /** Where step lines go. @default console.log */
  log?: (line: string) => void;
  /** Suppress the web server's start-up messages. @default false */
  quiet?: boolean;
}

export interface Demo {
  url: string;
  /** A few user ids with recommendations, to log in with. */
  userIds: number[];
  pipeline: PipelineResult;
  /** Seconds from start until the server was listening. */
  setupSeconds: number;
  shutdown(): Promise<void>;
}

/** Prepares the data and store (reusing what is up to date) and starts the server. */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const t0 = performance.now();
  // Before minutes of pipeline, not after: a busy port would only fail at the very end.
  checkPortFree(options.host, options.port);
  const log = options.log ?? ((line: string) => console.log(line));
  let data = options.data;
  let out: string;
  if (data === undefined) {
    data = `${options.cache}/synth`;
    out = `${options.cache}/synth-out`;
    await Deno.mkdir(data, { recursive: true });
    const { scale, seed, progress } = options;
    await runSteps(runFiles(data).manifest, [{
      name: "synth",
      inputs: [],
      outputs: [`${data}/ratings.csv`, `${data}/movies.csv`, `${data}/links.csv`],
      options: { scale, seed },
      run: () => synthesize(data!, { scale, seed, progress }),
    }], {
      onStep: (_i, _s, { run }) =>
        log(run ? `synth: synthetic data at scale ${scale} into ${data}` : `synth: up to date`),
    });
  } else {
    const name = data.replace(/\/+$/, "").split("/").pop() || "data";
    out = `${options.cache}/${name}-out`;
  }
  const pipeline = await runPipeline({
    ...PIPELINE_DEFAULTS,
    data,
    layout: options.layout,
    duplicates: options.duplicates,
    out,
    engine: options.engine ?? "inproc",
    db: `sqlite:${runFiles(out).store}`,
    // The demo's store is its own cache: another --scale or --data replaces it whole.
    force: true,
    workers: options.workers,
    progress: options.progress,
    log,
  });
  const store = await openStore(pipeline.dbUrl);
  let userIds: number[];
  try {
    userIds = await store.sampleUserIds(5);
  } finally {
    await store.close();
  }
  const web = await startWeb({
    db: pipeline.dbUrl,
    port: options.port,
    host: options.host,
    sessionSecret: Deno.env.get("RECSYS_SESSION_SECRET") ??
      await demoSessionSecret(`${options.cache}/session-secret`),
    quiet: options.quiet,
  });
  return {
    url: web.url,
    userIds,
    pipeline,
    setupSeconds: (performance.now() - t0) / 1000,
    shutdown: () => web.shutdown(),
  };
}

/** A cookie key kept in the cache, so a restarted demo keeps its sessions. */
async function demoSessionSecret(path: string): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const secret = Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  await writeFileAtomic(path, secret + "\n");
  return secret;
}

export const demoCommand = defineCommand({
  name: "demo",
  summary: "synthetic (or real) data → pipeline → web app on http://127.0.0.1:8000",
  flags: {
    data: {
      type: "string",
      arg: "<dir>",
      doc: "GroupLens release directory, ml-100k … ml-32m (default: synthetic data)",
    },
    layout: LAYOUT_FLAG,
    duplicates: DUPLICATES_FLAG,
    cache: {
      type: "string",
      default: ".cache/demo",
      arg: "<dir>",
      doc: "where data, outputs and the store go",
    },
    scale: {
      type: "number",
      default: 0.02,
      above: 0,
      max: 1,
      doc: "synthetic data size, fraction of ML-32M",
    },
    seed: { type: "integer", default: 1, doc: "synthetic data seed" },
    port: { type: "integer", default: 8000, min: 0, max: 65535, doc: "HTTP port" },
    host: { type: "string", default: "127.0.0.1", doc: "address to listen on" },
    workers: { type: "integer", default: defaultWorkers(), min: 1, doc: "worker threads" },
    engine: ENGINE_FLAG,
  },
  details: "Re-running reuses every up-to-date step (<cache>/*/manifest.json). Ctrl-C stops.",
  async run(f) {
    const demo = await startDemo(f);
    console.log("");
    console.log(formatPipelineSummary(demo.pipeline));
    console.log("");
    console.log(`set-up took ${demo.setupSeconds.toFixed(1)} s`);
    console.log(
      `open ${demo.url}/login and log in with one of these user ids: ` +
        demo.userIds.join(", "),
    );
    console.log("Ctrl-C to stop");
    const signal = await untilInterrupted();
    console.log(`\n${signal}: shutting down`);
    await demo.shutdown();
  },
});
