/**
 * What every bench entry shares: the shape of an entry, what it measures,
 * and the cached synthetic data of one scale it runs on (the command that
 * runs entries is bench/bench.ts; entries import this module, never it).
 *
 * Data for a scale is generated once into `<root>/scale-<S>/`
 * (`ratings.csv`, `movies.csv`, `links.csv`, and the split's
 * `ratings_train.csv` / `ratings_test.csv`); entries that need more (neighbor
 * files, recommendations) build it there on first use through
 * {@link BenchContext.ensure}.
 */
import { synthesize } from "../tools/synth.ts";
import { splitRatings } from "../tools/split.ts";
import { type RunFile, runFiles } from "../lib/run_dir.ts";

/** What one entry measured. */
export interface BenchMeasure {
  /** Wall seconds of the measured work (excluding data preparation). */
  seconds: number;
  /** Work done, in `unit`s, for the throughput column. */
  work: number;
  unit: string;
  /** Anything else worth recording (pairs kept, rows/s, …). */
  extra?: Record<string, number | string>;
}

/** Shared, cached inputs for entries at one scale. */
export interface BenchContext {
  scale: number;
  /** `<root>/scale-<S>` with ratings.csv, movies.csv, links.csv, ratings_{train,test}.csv. */
  dir: string;
  /** The run-directory paths inside `dir` (lib/run_dir.ts); `train` and `test` exist. */
  files: Record<RunFile, string>;
  /**
   * Returns `<dir>/<name>`, creating it with `make(path)` the first time
   * (written atomically by `make`; a crash leaves nothing half-made).
   */
  ensure(name: string, make: (path: string) => Promise<void>): Promise<string>;
}

export interface BenchEntry {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchMeasure>;
}

/** Where the bench data of every scale is cached unless told otherwise. */
export const DEFAULT_BENCH_ROOT = ".cache/bench";

/** Prepares (or reuses) the synthetic data for a scale under `root`. */
export async function benchContext(
  scale: number,
  root = DEFAULT_BENCH_ROOT,
): Promise<BenchContext> {
  const dir = `${root}/scale-${scale}`;
  const files = runFiles(dir);
  await Deno.mkdir(dir, { recursive: true });
  const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
  if (!(await exists(`${dir}/links.csv`)) || !(await exists(`${dir}/ratings.csv`))) {
    console.error(`bench: generating synthetic data at scale ${scale} into ${dir}`);
    await synthesize(dir, { scale, seed: 1 });
  }
  if (!(await exists(files.test))) {
    await splitRatings(`${dir}/ratings.csv`, dir, {
      testRatio: 0.2,
      seed: 42,
      skipInvalid: false,
    });
  }
  return {
    scale,
    dir,
    files,
    async ensure(name, make) {
      const path = `${dir}/${name}`;
      if (!(await exists(path))) await make(path);
      return path;
    },
  };
}
