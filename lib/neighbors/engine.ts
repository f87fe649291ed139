/**
 * The in-process similarity engine (the `neighbors` command's, and
 * `pipeline`'s by default): user–user or item–item top-K neighbor files
 * (format: lib/neighbor_file.ts) from a ratings file on one machine, with Web
 * Workers (lib/neighbors/worker.ts) over shared memory. Options:
 * lib/neighbors/options.ts. Byte-identical to the MR jobs (mr/) with the same
 * options.
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
 * (12·K + 12 bytes per row, lib/top_k.ts) plus dense accumulators (16–32 bytes per row).
 *
 * @example
 * ```ts
 * import { computeNeighborsFile } from "./engine.ts";
 * const stats = await computeNeighborsFile("ratings_train.csv", "item_topk_neighbors.txt", {
 *   mode: "item", k: 50, minCommon: 5, similarity: "pearson", shrink: 100, maxRaters: 0, workers: 4,
 * });
 * console.log(stats.lines, stats.seconds.compute);
 * ```
 */
import { withAtomicFile } from "../atomic_file.ts";
import { transposePositions, upperPairCost } from "../co_rating.ts";
import { writeNeighborMeta } from "../neighbor_meta.ts";
import { Progress } from "../progress.ts";
import { capRaters } from "../rater_cap.ts";
import { buildRatingMatrix, orientation } from "../rating_matrix.ts";
import { readRatingsTable } from "../ratings_table.ts";
import { balancedBlocks } from "../row_blocks.ts";
import { orderRowsByLength } from "../row_order.ts";
import { TopKLists } from "../top_k.ts";
import { runChunks } from "../worker_pool.ts";
import { checkNeighborsOptions, type NeighborsOptions } from "./options.ts";
import type { LinesResult, NeighborsWorkerInit } from "./worker.ts";

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
  checkNeighborsOptions(options);
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
  const worker = new URL("./worker.ts", import.meta.url);
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
  let lines = 0, pairsKept = 0, bytes = 0;
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
    bytes = out.bytes;
  });
  await writeNeighborMeta(outPath, trainPath, options, { bytes, rows: lines });
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
