/**
 * `neighbors`: the in-process similarity engine. User–user or item–item
 * top-K neighbor files (format: lib/neighbor_file.ts) from a ratings file on
 * one machine, with Web Workers over shared memory.
 *
 * Phases: load (parse the ratings), build (CSR matrix, `--max-raters` cap,
 * rows relabelled by length (lib/row_order.ts), transpose positions,
 * cost-balanced row blocks), compute (co-rating sums of
 * each unordered pair once, similarity, offered to both rows' top-K lists in
 * the worker's own slot), write (per row block, slots merged into the final
 * lists and printed by the workers; blocks written in id order as they
 * complete, into a temporary file renamed at the end).
 *
 * Cost: Σ over columns of popularity²/2 co-rating updates (ML-32M users
 * ~3·10^11, items ~10^10). Memory: the matrix (~10 bytes per rating) and the
 * relabelled orientation (10 more), the transpose positions (4 bytes per
 * rating), and per worker a top-K slot
 * (8·K bytes per row) plus dense accumulators (16–32 bytes per row).
 */
import { defineCommand } from "../lib/command.ts";
import { withAtomicFile } from "../lib/atomic_file.ts";
import { transposePositions, upperPairCost } from "../lib/co_rating.ts";
import { Progress } from "../lib/progress.ts";
import { buildRatingMatrix, orientation } from "../lib/rating_matrix.ts";
import { readRatingsTable } from "../lib/ratings_table.ts";
import { capRaters } from "../lib/rater_cap.ts";
import { balancedBlocks } from "../lib/row_blocks.ts";
import { orderRowsByLength } from "../lib/row_order.ts";
import { SIMILARITY_KINDS, type SimilarityKind } from "../lib/similarity.ts";
import { TopKLists } from "../lib/top_k.ts";
import { defaultWorkers, runChunks } from "../lib/worker_pool.ts";
import type { LinesResult, NeighborsWorkerInit } from "./neighbors_worker.ts";
import { writeNeighborMeta } from "../lib/neighbor_meta.ts";
import { type DuplicatePolicy, DUPLICATES_FLAG } from "../lib/rating_duplicates.ts";

export interface NeighborsOptions {
  /** Rows are users (`user_topk_neighbors.txt`) or items. Changes output. */
  mode: "user" | "item";
  /** Neighbors kept per id (>= 1). Changes output. @default 50 */
  k: number;
  /** Least co-rated count for a pair to be scored (>= 1). Changes output. @default 5 */
  minCommon: number;
  /** Similarity formula (lib/similarity.ts). Changes output. @default "cosine" */
  similarity: SimilarityKind;
  /** Shrinkage λ: sim·n/(n+λ) (>= 0). Changes output. @default 0 */
  shrink: number;
  /** Cap members per group before pairing (lib/rater_cap.ts), 0 = none. Changes output. @default 0 */
  maxRaters: number;
  /** Worker count (>= 1). Changes only speed. @default the number of cores */
  workers: number;
  /** Progress bar on stderr; defaults to whether stderr is a terminal. Output unchanged. */
  progress?: boolean;
  /** A (userId, movieId) rated twice: keep the latest, or fail. Changes output. @default "latest" */
  duplicates?: DuplicatePolicy;
}

export interface NeighborsStats {
  /** Rows (users or items) in the matrix after the cap. */
  entities: number;
  /** Ratings paired (after the cap). */
  ratings: number;
  /** Co-rating updates: one per (pair, co-rated column). */
  updates: number;
  /** Unordered pairs with at least one co-rated column. */
  coRatedPairs: number;
  /** Unordered pairs with at least `minCommon` co-rated columns, similarity computed. */
  pairsEvaluated: number;
  /** Neighbor entries written (over all lines). */
  pairsKept: number;
  /** Lines written (ids with at least one neighbor). */
  lines: number;
  /** Wall seconds per phase. */
  seconds: { load: number; build: number; compute: number; write: number };
}

/** Options that make no sense as values (programmatic callers; the CLI checks the same bounds). */
export class NeighborsOptionsError extends RangeError {
  readonly option: string;
  constructor(option: string, message: string) {
    super(`neighbors: ${option} ${message}`);
    this.name = "NeighborsOptionsError";
    this.option = option;
  }
}

/** Blocks in the compute phase: fine enough for dynamic balancing on any core count. */
const PAIR_BLOCKS = 512;
/** Rows per block in the write phase (~1.6 MB of text per block for users at K=50). */
const LINE_BLOCK_ROWS = 2048;

/**
 * Computes the top-K neighbor file of `trainPath` (a ratings file, header
 * optional) into `outPath`, atomically. Byte-identical for any `workers`.
 */
export async function computeNeighborsFile(
  trainPath: string,
  outPath: string,
  options: NeighborsOptions,
): Promise<NeighborsStats> {
  checkOptions(options);
  const now = () => performance.now();
  const { o, inverse, load, relabel } = await loadRows(trainPath, options);
  let t = now();
  const rows = o.rowIds.length;
  const tPos = transposePositions(o);
  const costs = new Float64Array(rows);
  let totalCost = 0;
  for (let a = 0; a < rows; a++) totalCost += costs[a] = upperPairCost(o, tPos, a) + 1;
  const pairBounds = balancedBlocks(costs, PAIR_BLOCKS);
  const pairChunks = pairBounds.length - 1;
  const slotCount = Math.max(1, Math.min(options.workers, pairChunks));
  const slots = Array.from({ length: slotCount }, () => new TopKLists(rows, options.k, true));
  const build = relabel + (now() - t) / 1000;

  t = now();
  const init: NeighborsWorkerInit = {
    phase: "pairs",
    o,
    tPos,
    bounds: pairBounds,
    kind: options.similarity,
    shrink: options.shrink,
    minCommon: options.minCommon,
    k: options.k,
    slots: slots.map((s) => s.arrays()),
    slotCounter: new Int32Array(new SharedArrayBuffer(4)),
    inverse,
  };
  const worker = new URL("./neighbors_worker.ts", import.meta.url);
  const progress = new Progress(`neighbors ${options.mode}`, totalCost, {
    unit: "M updates",
    scale: 1e6,
    enabled: options.progress,
  });
  let costDone = 0, updates = 0, coRatedPairs = 0, pairsEvaluated = 0;
  await runChunks<NeighborsWorkerInit, Float64Array>({
    worker,
    init,
    chunks: pairChunks,
    workers: slotCount,
    keepResults: false,
    onChunk(c, r) {
      updates += r[0];
      coRatedPairs += r[1];
      pairsEvaluated += r[2];
      for (let a = pairBounds[c]; a < pairBounds[c + 1]; a++) costDone += costs[a];
      progress.update(costDone);
    },
  });
  progress.finish();
  const compute = (now() - t) / 1000;

  t = now();
  const lineBounds = new Int32Array(Math.ceil(rows / LINE_BLOCK_ROWS) + 1);
  for (let j = 0; j < lineBounds.length; j++) lineBounds[j] = Math.min(rows, j * LINE_BLOCK_ROWS);
  let lines = 0, pairsKept = 0;
  await withAtomicFile(outPath, async (out) => {
    // Blocks complete in any order; each is written as soon as all before it are.
    const pending = new Map<number, Uint8Array>();
    let next = 0;
    let writing: Promise<void> = Promise.resolve();
    await runChunks<NeighborsWorkerInit, LinesResult>({
      worker,
      init: { ...init, phase: "lines", bounds: lineBounds },
      chunks: lineBounds.length - 1,
      workers: options.workers,
      keepResults: false,
      onChunk(c, r) {
        lines += r.lines;
        pairsKept += r.entries;
        pending.set(c, r.bytes);
        while (pending.has(next)) {
          const bytes = pending.get(next)!;
          pending.delete(next++);
          writing = writing.then(() => out.write(bytes));
        }
      },
    });
    await writing;
  });
  await writeNeighborMeta(outPath, trainPath, options);
  const write = (now() - t) / 1000;

  return {
    entities: rows,
    ratings: o.cols.length,
    updates,
    coRatedPairs,
    pairsEvaluated,
    pairsKept,
    lines,
    seconds: { load, build, compute, write },
  };
}

/**
 * Load and the first part of build: the pairing orientation, rows relabelled
 * by length. A function of its own so the ratings table and the matrix
 * (~600 MB on ML-32M) are garbage once it returns.
 */
async function loadRows(trainPath: string, options: NeighborsOptions) {
  let t = performance.now();
  const { table } = await readRatingsTable(trainPath, { duplicates: options.duplicates });
  const load = (performance.now() - t) / 1000;
  t = performance.now();
  const matrix = capRaters(buildRatingMatrix(table), options.mode, options.maxRaters);
  const { o, inverse } = orderRowsByLength(orientation(matrix, options.mode));
  return { o, inverse, load, relabel: (performance.now() - t) / 1000 };
}

function checkOptions(o: NeighborsOptions): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) {
      throw new NeighborsOptionsError(name, `must be an integer >= ${min}, got ${v}`);
    }
  };
  int("k", o.k, 1);
  int("minCommon", o.minCommon, 1);
  int("maxRaters", o.maxRaters, 0);
  int("workers", o.workers, 1);
  if (!(o.shrink >= 0) || !Number.isFinite(o.shrink)) {
    throw new NeighborsOptionsError("shrink", `must be a number >= 0, got ${o.shrink}`);
  }
  if (!SIMILARITY_KINDS.includes(o.similarity)) {
    throw new NeighborsOptionsError("similarity", `must be one of ${SIMILARITY_KINDS.join(", ")}`);
  }
}

export const neighborsCommand = defineCommand({
  name: "neighbors",
  summary: "user–user or item–item top-K neighbor file, in-process (Web Workers)",
  flags: {
    train: { type: "string", required: true, arg: "<ratings_train.csv>", doc: "ratings file" },
    mode: {
      type: "string",
      required: true,
      choices: ["user", "item"] as const,
      doc: "rows to pair",
    },
    out: { type: "string", required: true, arg: "<file>", doc: "output neighbor file" },
    k: { type: "integer", default: 50, min: 1, doc: "neighbors kept per id" },
    minCommon: { type: "integer", default: 5, min: 1, doc: "least co-rated count of a pair" },
    similarity: {
      type: "string",
      default: "cosine",
      choices: SIMILARITY_KINDS,
      doc: "similarity formula",
    },
    shrink: { type: "number", default: 0, min: 0, doc: "shrinkage λ: sim·n/(n+λ)" },
    maxRaters: {
      type: "integer",
      default: 0,
      min: 0,
      doc: "keep at most N members per item (user mode) or user (item mode); 0 = no cap",
    },
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
