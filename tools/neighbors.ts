/**
 * `neighbors`: the command of the in-process neighbor engine
 * (lib/neighbors/engine.ts): flags, the run, the summary it prints.
 */
import { defineCommand, requiredFlag } from "../lib/command.ts";
import { computeNeighborsFile } from "../lib/neighbors/engine.ts";
import { MODE_FLAG, NEIGHBOR_FLAGS } from "../lib/neighbors/options.ts";
import { DUPLICATES_FLAG } from "../lib/rating_duplicates.ts";
import { defaultWorkers } from "../lib/worker_pool.ts";

export const neighborsCommand = defineCommand({
  name: "neighbors",
  summary: "user–user or item–item top-K neighbor file, in-process (Web Workers)",
  flags: {
    train: requiredFlag("<ratings_train.csv>", "ratings file"),
    mode: MODE_FLAG,
    out: requiredFlag("<file>", "output neighbor file"),
    ...NEIGHBOR_FLAGS,
    workers: { type: "integer", default: defaultWorkers(), min: 1, doc: "worker threads" },
    duplicates: DUPLICATES_FLAG,
  },
  details: "Lines: id<TAB>nid:sim,... (6 decimals), sorted by sim desc then nid; ids ascending.\n" +
    "Output is byte-identical for any --workers.",
  async run(f) {
    const s = await computeNeighborsFile(f.train, f.out, {
      mode: f.mode,
      k: f.k,
      minCommon: f.minCommon,
      similarity: f.similarity,
      shrink: f.shrink,
      maxRaters: f.maxRaters,
      workers: f.workers,
      duplicates: f.duplicates,
    });
    const { load, build, compute, write } = s.seconds;
    const rate = s.pairsEvaluated / Math.max(compute, 1e-9);
    console.log(
      `${f.mode}s: ${s.entities} entities, ${s.ratings} ratings, ${f.workers} workers\n` +
        `pairs: ${s.coRatedPairs} co-rated, ${s.pairsEvaluated} evaluated ` +
        `(${(rate / 1e6).toFixed(2)}M/s), ${s.pairsKept} kept on ${s.lines} lines; ` +
        `${s.updates} co-rating updates\n` +
        `time: load ${load.toFixed(2)}s, build ${build.toFixed(2)}s, ` +
        `compute ${compute.toFixed(2)}s, write ${write.toFixed(2)}s`,
    );
    console.log(`wrote ${f.out}`);
  },
});
