/**
 * Worker side of the in-process neighbor engine (lib/neighbors/engine.ts), two phases
 * over row blocks claimed from the pool:
 *
 * - `pairs`: for each row a of the block, co-rating sums with every later
 *   row b, similarity from the integer sums, and the pair offered to both
 *   a's and b's top-K lists. The lists are this worker's own slot (shared
 *   memory), so no locking; each unordered pair is visited by exactly one
 *   worker. Result: `[updates, coRated, evaluated]` as a Float64Array.
 * - `lines`: for each row of the block (blocks in id order), the slots'
 *   lists merged into the final top-K and printed; result: the block's
 *   bytes, transferred.
 *
 * Top-K kept sets do not depend on which worker saw which pair (lib/top_k.ts),
 * so the bytes are the same for any worker count.
 */
import { CoRatingSums } from "../co_rating.ts";
import { formatNeighborLine } from "../neighbor_file.ts";
import type { Orientation } from "../rating_matrix.ts";
import type { SimilarityKind } from "../similarity.ts";
import { mergeTopK, type TopKArrays, TopKLists } from "../top_k.ts";
import { serveChunks } from "../worker_pool.ts";

export interface NeighborsWorkerInit {
  phase: "pairs" | "lines";
  o: Orientation;
  /** Row entry → its position in the transpose (lib/co_rating.ts). */
  tPos: Int32Array;
  /** Row block boundaries of this phase. */
  bounds: Int32Array;
  kind: SimilarityKind;
  shrink: number;
  minCommon: number;
  k: number;
  /** One top-K slot per `pairs` worker. */
  slots: TopKArrays[];
  /** Atomic counter from which each `pairs` worker claims its slot. */
  slotCounter: Int32Array;
  /** Row in id order → row label (lib/row_order.ts); `lines` blocks are in id order. */
  inverse: Int32Array;
}

/** What a `lines` block returns. */
export interface LinesResult {
  bytes: Uint8Array;
  lines: number;
  entries: number;
}

type State =
  | { phase: "pairs"; init: NeighborsWorkerInit; sums: CoRatingSums; own: TopKLists }
  | { phase: "lines"; init: NeighborsWorkerInit; all: TopKLists[] };

function computePairs(init: NeighborsWorkerInit, sums: CoRatingSums, lists: TopKLists, c: number) {
  const { kind, shrink, minCommon } = init;
  const updates0 = sums.updates, coRated0 = sums.coRated;
  let evaluated = 0;
  for (let a = init.bounds[c]; a < init.bounds[c + 1]; a++) {
    sums.accumulate(a);
    evaluated += sums.score(a, minCommon, kind, shrink, lists);
  }
  return Float64Array.of(sums.updates - updates0, sums.coRated - coRated0, evaluated);
}

function computeLines(init: NeighborsWorkerInit, lists: TopKLists[], c: number): LinesResult {
  const k = init.k, rowIds = init.o.rowIds, inverse = init.inverse;
  const scratch = new Float64Array(lists.length * k);
  const nids = new Int32Array(k), keys = new Int32Array(k);
  let text = "", lines = 0, entries = 0;
  for (let i = init.bounds[c]; i < init.bounds[c + 1]; i++) {
    const r = inverse[i];
    // Lists hold original ids as nids (lib/co_rating.ts).
    const count = mergeTopK(lists, r, k, scratch, nids, keys);
    if (count === 0) continue;
    text += formatNeighborLine(rowIds[r], nids, keys, count);
    lines++;
    entries += count;
  }
  return { bytes: new TextEncoder().encode(text), lines, entries };
}

serveChunks<NeighborsWorkerInit, State, Float64Array | LinesResult>(
  (init): State => {
    const rows = init.o.offsets.length - 1;
    const view = (s: TopKArrays) => new TopKLists(rows, init.k, true, s);
    if (init.phase === "lines") return { phase: "lines", init, all: init.slots.map(view) };
    const slot = Atomics.add(init.slotCounter, 0, 1);
    const sums = new CoRatingSums(init.o, init.tPos, init.kind === "pearson");
    return { phase: "pairs", init, sums, own: view(init.slots[slot]) };
  },
  (state, c) =>
    state.phase === "pairs"
      ? computePairs(state.init, state.sums, state.own, c)
      : computeLines(state.init, state.all, c),
  (result) => [result instanceof Float64Array ? result.buffer : result.bytes.buffer],
);
