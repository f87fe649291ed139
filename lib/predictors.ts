/**
 * User-based and item-based rating predictions from a neighbor graph
 * (docs/ARCHITECTURE.md, Predictions), over dense indices of a {@link RatingMatrix}.
 * Ratings arrive as half-star integers `rating*2`; predictions are in stars.
 *
 * - User-based: `μ_u + Σ_v sim(u,v)(r_vi − μ_v) / Σ_v |sim(u,v)|` over u's
 *   first K neighbors v that rated i.
 * - Item-based: `Σ_j sim(i,j) r_uj / Σ_j |sim(i,j)|` over i's first K
 *   neighbors j rated by u, computed as `Σ key·r2 / (2 Σ|key|)` over the
 *   integer similarity keys and `rating*2` (exact integer sums, one division).
 * - Means are over training ratings; predictions are clipped to [0.5, 5].
 *   When `Σ|sim|` is 0 (no usable neighbor) there is no prediction (NaN).
 *
 * Lookups of `r_vi` (resp. `r_uj`) are O(1) through a dense scratch array the
 * caller fills once per group of predictions sharing i (resp. u): callers
 * process test ratings grouped by item (user-based) or by user (item-based),
 * so the cost is O(ratings of the group + K) per group instead of a binary
 * search per (rating, neighbor).
 *
 * Candidate scoring for top-N ({@link scoreUserBasedCandidates},
 * {@link scoreItemBasedCandidates}) gives each candidate exactly the value
 * of the single prediction (same summation order, resp. exact integer sums),
 * so a ranked list and a single prediction agree to the bit.
 */
import { type NeighborLists, simKey } from "./neighbor_file.ts";
import { denseIndexOf, type RatingMatrix } from "./rating_matrix.ts";

/**
 * A neighbor file over dense indices: row r's neighbors are
 * `nbrs/keys[offsets[r]..offsets[r+1])`, best first. Similarities are kept
 * as their integer keys `round(sim · 10^6)` (lib/neighbor_file.ts), i.e.
 * exactly the printed values: `key / 10^6` is the parsed similarity.
 */
export interface NeighborGraph {
  offsets: Int32Array;
  nbrs: Int32Array;
  keys: Int32Array;
}

/**
 * Where each entry of a {@link NeighborGraph} is seen from its neighbor: who
 * lists me, and at which rank. The rows listing dense index j are
 * `rows[offsets[j]..offsets[j+1])`, ascending, and `keys` holds the
 * similarity key of each such entry.
 */
export interface ReverseNeighborGraph extends Pick<NeighborGraph, "offsets" | "keys"> {
  rows: Int32Array;
  /** 0-based position of j in that row's list (so K truncation is `rank < K`). */
  ranks: Int32Array;
}

const MIN_RATING = 0.5;
const MAX_RATING = 5;

/** Clips a prediction to the rating scale [0.5, 5]. */
export function clipRating(x: number): number {
  return x < MIN_RATING ? MIN_RATING : x > MAX_RATING ? MAX_RATING : x;
}

function allocI32(n: number, shared: boolean): Int32Array {
  return new Int32Array(shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
}

function allocF64(n: number, shared: boolean): Float64Array {
  return new Float64Array(shared ? new SharedArrayBuffer(n * 8) : new ArrayBuffer(n * 8));
}

/** Similarity of a key, exactly the value parsed from its 6-decimal text. */
const SIM_SCALE = 1e6;

/**
 * Maps a parsed neighbor file to dense indices once: `index` is the matrix's
 * id → dense map of the file's kind (`userIndex` or `itemIndex`), `rows` the
 * number of dense rows. Lines and entries whose id is unknown in training
 * are dropped and counted; list order (best first) is kept.
 */
export function denseNeighborGraph(
  lists: NeighborLists,
  index: Int32Array,
  rows: number,
  shared = true,
): { graph: NeighborGraph; dropped: number } {
  const dense = (id: number) => denseIndexOf(index, id);
  const offsets = allocI32(rows + 1, shared);
  let kept = 0, dropped = 0;
  for (let r = 0; r < lists.ids.length; r++) {
    const row = dense(lists.ids[r]);
    for (let p = lists.offsets[r]; p < lists.offsets[r + 1]; p++) {
      if (row >= 0 && dense(lists.nids[p]) >= 0) {
        offsets[row + 1]++;
        kept++;
      } else dropped++;
    }
  }
  for (let r = 0; r < rows; r++) offsets[r + 1] += offsets[r];
  const nbrs = allocI32(kept, shared);
  const keys = allocI32(kept, shared);
  for (let r = 0; r < lists.ids.length; r++) {
    const row = dense(lists.ids[r]);
    if (row < 0) continue;
    let at = offsets[row];
    for (let p = lists.offsets[r]; p < lists.offsets[r + 1]; p++) {
      const nb = dense(lists.nids[p]);
      if (nb < 0) continue;
      nbrs[at] = nb;
      keys[at] = simKey(lists.sims[p]);
      at++;
    }
  }
  return { graph: { offsets, nbrs, keys }, dropped };
}

/** The longest neighbor list (the K that means "all of them"). */
export function maxListLength(graph: NeighborGraph): number {
  let max = 0;
  for (let r = 0; r + 1 < graph.offsets.length; r++) {
    max = Math.max(max, graph.offsets[r + 1] - graph.offsets[r]);
  }
  return max;
}

/** Transposes a neighbor graph over `cols` dense indices (for item-based candidates). */
export function reverseNeighborGraph(
  graph: NeighborGraph,
  cols: number,
  shared = true,
): ReverseNeighborGraph {
  const rowsN = graph.offsets.length - 1;
  const total = graph.nbrs.length;
  const offsets = allocI32(cols + 1, shared);
  for (let p = 0; p < total; p++) offsets[graph.nbrs[p] + 1]++;
  for (let c = 0; c < cols; c++) offsets[c + 1] += offsets[c];
  const rows = allocI32(total, shared);
  const ranks = allocI32(total, shared);
  const keys = allocI32(total, shared);
  const fill = offsets.slice(0, cols);
  for (let r = 0; r < rowsN; r++) {
    const start = graph.offsets[r];
    for (let p = start; p < graph.offsets[r + 1]; p++) {
      const at = fill[graph.nbrs[p]]++;
      rows[at] = r;
      ranks[at] = p - start;
      keys[at] = graph.keys[p];
    }
  }
  return { offsets, rows, ranks, keys };
}

/** Mean training rating (stars) of each row of a CSR (`offsets`, ratings `rating*2`). */
export function rowMeans(offsets: Int32Array, ratings: Uint8Array, shared = true): Float64Array {
  const n = offsets.length - 1;
  const means = allocF64(n, shared);
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let p = offsets[r]; p < offsets[r + 1]; p++) sum += ratings[p];
    const count = offsets[r + 1] - offsets[r];
    means[r] = count > 0 ? sum / (2 * count) : NaN;
  }
  return means;
}

/**
 * User-based predictions of user `u` for one item i at several K at once.
 * `raterRatings[v]` is v's rating of i as `rating*2`, 0 when v did not rate
 * it (the caller fills it from i's column). `ks` ascending; `out[t]` receives
 * the prediction with the first `ks[t]` neighbors, NaN when none is usable.
 */
export function predictUserBasedKs(
  graph: NeighborGraph,
  userMean: Float64Array,
  u: number,
  raterRatings: Uint8Array,
  ks: ArrayLike<number>,
  out: Float64Array,
): void {
  const start = graph.offsets[u];
  const len = graph.offsets[u + 1] - start;
  const mu = userMean[u];
  let num = 0, den = 0, t = 0;
  const nk = ks.length;
  while (t < nk && ks[t] <= 0) out[t++] = NaN;
  const nbrs = graph.nbrs, keys = graph.keys;
  for (let p = 0; p < len && t < nk; p++) {
    const v = nbrs[start + p];
    const r2 = raterRatings[v];
    if (r2 !== 0) {
      const s = keys[start + p] / SIM_SCALE;
      num += s * (r2 * 0.5 - userMean[v]);
      den += Math.abs(s);
    }
    while (t < nk && ks[t] === p + 1) out[t++] = den > 0 ? clipRating(mu + num / den) : NaN;
  }
  const last = den > 0 ? clipRating(mu + num / den) : NaN;
  while (t < nk) out[t++] = last;
}

/**
 * Item-based predictions for item `i` and one user u at several K at once.
 * `userRatings[j]` is u's rating of j as `rating*2`, 0 when u did not rate
 * it (the caller fills it from u's row). `ks` ascending; `out[t]` receives
 * the prediction with i's first `ks[t]` neighbors, NaN when none is usable.
 */
export function predictItemBasedKs(
  graph: NeighborGraph,
  i: number,
  userRatings: Uint8Array,
  ks: ArrayLike<number>,
  out: Float64Array,
): void {
  const start = graph.offsets[i];
  const len = graph.offsets[i + 1] - start;
  let num = 0, den = 0, t = 0;
  const nk = ks.length;
  while (t < nk && ks[t] <= 0) out[t++] = NaN;
  const nbrs = graph.nbrs, keys = graph.keys;
  for (let p = 0; p < len && t < nk; p++) {
    const r2 = userRatings[nbrs[start + p]];
    if (r2 !== 0) {
      const key = keys[start + p];
      num += key * r2;
      den += key < 0 ? -key : key;
    }
    while (t < nk && ks[t] === p + 1) out[t++] = den > 0 ? clipRating(num / (2 * den)) : NaN;
  }
  const last = den > 0 ? clipRating(num / (2 * den)) : NaN;
  while (t < nk) out[t++] = last;
}

/** Per-worker buffers for candidate scoring over `items` dense items. */
export class CandidateScratch {
  /**
   * Per item: 0 = untouched, {@link RATED} = rated by the loaded user,
   * {@link TOUCHED} = a candidate of the last call. All 0 between users.
   */
  readonly mark: Uint8Array;
  /** Interleaved sums per item: numerator at `2i`, `Σ|sim|` at `2i + 1` (one cache line). */
  readonly acc: Float64Array;
  /** Candidates of the last call: `items[0..count)` with predictions `preds[0..count)`. */
  readonly items: Int32Array;
  readonly preds: Float64Array;
  count = 0;
  /**
   * Items touched by the last call: `items[0..touchedCount)`, the predicted
   * ones first; {@link unload} clears their marks.
   */
  touchedCount = 0;

  constructor(items: number) {
    this.mark = new Uint8Array(items);
    this.acc = new Float64Array(2 * items);
    this.items = new Int32Array(items);
    this.preds = new Float64Array(items);
  }

  /** Marks u's training ratings (call before scoring u). */
  load(m: RatingMatrix, u: number): void {
    const items = m.userItems, mark = this.mark;
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) mark[items[p]] = RATED;
  }

  /** Clears what {@link load} and scoring marked. */
  unload(m: RatingMatrix, u: number): void {
    const items = m.userItems, mark = this.mark;
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) mark[items[p]] = 0;
    for (let c = 0; c < this.touchedCount; c++) mark[this.items[c]] = 0;
    this.count = 0;
    this.touchedCount = 0;
  }
}

const RATED = 1;
const TOUCHED = 2;

/**
 * Scores every item the user-based model can predict for user u (loaded in
 * `s`): items rated by one of u's first K neighbors and not by u. Sums run
 * over neighbors in list order, as in {@link predictUserBasedKs}, so each
 * prediction equals the single one bit for bit. Leaves the candidates with a
 * prediction in `s.items/preds[0..s.count)` (unordered).
 * Cost: Σ over the K neighbors of their rating counts.
 */
export function scoreUserBasedCandidates(
  m: RatingMatrix,
  graph: NeighborGraph,
  userMean: Float64Array,
  u: number,
  k: number,
  s: CandidateScratch,
): void {
  // Locals, not property loads, in the hot loop (m arrives structured-cloned in a Worker).
  const { mark, acc, items } = s;
  const uOffsets = m.userOffsets, uItems = m.userItems, uRatings = m.userRatings;
  const nbrs = graph.nbrs, keys = graph.keys;
  let count = 0;
  const start = graph.offsets[u];
  const end = Math.min(graph.offsets[u + 1], start + k);
  for (let p = start; p < end; p++) {
    const v = nbrs[p];
    const sim = keys[p] / SIM_SCALE;
    const abs = Math.abs(sim);
    const mv = userMean[v];
    const qEnd = uOffsets[v + 1];
    // Candidate bookkeeping written out as in scoreItemBasedCandidates: a call per rating here costs.
    for (let q = uOffsets[v]; q < qEnd; q++) {
      const i = uItems[q];
      const state = mark[i];
      if (state === RATED) continue;
      const a = 2 * i;
      if (state === 0) {
        mark[i] = TOUCHED;
        items[count++] = i;
        acc[a] = 0;
        acc[a + 1] = 0;
      }
      acc[a] += sim * (uRatings[q] * 0.5 - mv);
      acc[a + 1] += abs;
    }
  }
  const mu = userMean[u];
  let kept = 0;
  for (let c = 0; c < count; c++) {
    const i = items[c];
    const den = acc[2 * i + 1];
    if (!(den > 0)) continue;
    s.preds[kept] = clipRating(mu + acc[2 * i] / den);
    items[c] = items[kept];
    items[kept++] = i;
  }
  s.touchedCount = count;
  s.count = kept;
}

/**
 * Scores every item the item-based model can predict for user u (loaded in
 * `s`): items i not rated by u with one of u's rated items j among their
 * first K neighbors. Pushes each `(j, r_uj)` through the reverse graph,
 * O(Σ_j |reverse(j)|) instead of K lookups per candidate; the sums are
 * exact integers (keys × `rating*2`), so the order does not matter and each
 * prediction equals {@link predictItemBasedKs}'s bit for bit. Leaves the
 * candidates in `s.items/preds[0..s.count)` (unordered).
 */
export function scoreItemBasedCandidates(
  m: RatingMatrix,
  reverse: ReverseNeighborGraph,
  u: number,
  k: number,
  s: CandidateScratch,
): void {
  const { mark, acc, items } = s;
  const uItems = m.userItems, uRatings = m.userRatings;
  const rOffsets = reverse.offsets, rRows = reverse.rows, rRanks = reverse.ranks;
  const rKeys = reverse.keys;
  let count = 0;
  for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++) {
    const j = uItems[p];
    const r2 = uRatings[p];
    const qEnd = rOffsets[j + 1];
    // Candidate bookkeeping written out as in scoreUserBasedCandidates: a call per entry here costs.
    for (let q = rOffsets[j]; q < qEnd; q++) {
      if (rRanks[q] >= k) continue;
      const i = rRows[q];
      const state = mark[i];
      if (state === RATED) continue;
      const a = 2 * i;
      if (state === 0) {
        mark[i] = TOUCHED;
        items[count++] = i;
        acc[a] = 0;
        acc[a + 1] = 0;
      }
      const key = rKeys[q];
      acc[a] += key * r2;
      acc[a + 1] += key < 0 ? -key : key;
    }
  }
  let kept = 0;
  for (let c = 0; c < count; c++) {
    const i = items[c];
    const den = acc[2 * i + 1];
    if (!(den > 0)) continue;
    s.preds[kept] = clipRating(acc[2 * i] / (2 * den));
    items[c] = items[kept];
    items[kept++] = i;
  }
  s.touchedCount = count;
  s.count = kept;
}
