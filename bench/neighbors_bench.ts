/**
 * Bench entries `neighbors-<mode>` and `neighbors-<mode>-pearson` (the
 * in-process neighbor engine), and the neighbor files other entries read
 * ({@link benchNeighborFile}), built with the same engine and options.
 */
import process from "node:process";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import type { NeighborsOptions } from "../lib/neighbors/options.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";
import type { Mode } from "../lib/mode.ts";
import { neighborFileName } from "../lib/run_dir.ts";
import type { BenchContext, BenchEntry } from "./context.ts";

type Similarity = "cosine" | "pearson";

/** Top-50 neighbors with min-common 5 and every rater; shrinkage 100 with pearson (the evaluated defaults). */
function benchNeighborOptions(mode: Mode, similarity: Similarity): NeighborsOptions {
  return {
    mode,
    k: 50,
    minCommon: 5,
    similarity,
    shrink: similarity === "pearson" ? 100 : 0,
    maxRaters: 0,
    workers: defaultWorkers(),
    progress: false,
  };
}

/**
 * The pearson neighbor file of `mode` for the bench split (shrink 100, K 50,
 * min-common 5: the evaluated defaults), built once per scale and cached in
 * the bench directory.
 */
export function benchNeighborFile(ctx: BenchContext, mode: Mode): Promise<string> {
  // The run file's name with the options it was computed with: a cache entry per setting.
  const name = neighborFileName(mode).replace(/\.txt$/, ".pearson-s100-k50.txt");
  return ctx.ensure(name, async (path) => {
    console.error(`bench: building ${mode} neighbors (cached in ${ctx.dir})`);
    await computeNeighborsFile(ctx.files.train, path, benchNeighborOptions(mode, "pearson"));
  });
}

/**
 * Top-50 neighbors of ratings_train.csv, in-process; throughput in pairs evaluated/s. Cosine
 * without shrinkage is the design's definition (`neighbors-<mode>`); pearson with shrinkage
 * 100 is what `pipeline` and `demo` compute (`neighbors-<mode>-pearson`).
 */
export function neighborsEntry(mode: Mode, similarity: Similarity, target: string): BenchEntry {
  const options = benchNeighborOptions(mode, similarity);
  return {
    name: similarity === "pearson" ? `neighbors-${mode}-pearson` : `neighbors-${mode}`,
    description: `${mode}-${mode} top-50 ${similarity} neighbors` +
      (options.shrink ? `, shrinkage ${options.shrink}` : "") +
      `, in-process (target ${target} at scale 1)`,
    async run(ctx) {
      const out = `${ctx.dir}/.bench-neighbors-${mode}-${Deno.pid}.txt`;
      try {
        const t0 = performance.now();
        // CPU seconds of the process (Workers included): wall time on a shared machine varies.
        const cpu0 = process.cpuUsage();
        const s = await computeNeighborsFile(ctx.files.train, out, options);
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const { load, build, compute, write } = s.seconds;
        return {
          seconds,
          work: s.pairsEvaluated,
          unit: "pairs",
          extra: {
            workers: options.workers,
            cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
            entities: s.entities,
            updates: s.updates,
            updatesPerSec: Math.round(s.updates / compute),
            coRatedPairs: s.coRatedPairs,
            pairsEvaluated: s.pairsEvaluated,
            pairsKept: s.pairsKept,
            phases: `load ${load.toFixed(2)}s build ${build.toFixed(2)}s ` +
              `compute ${compute.toFixed(2)}s write ${write.toFixed(2)}s`,
          },
        };
      } finally {
        await Deno.remove(out).catch(() => {});
      }
    },
  };
}
