/**
 * Co-rating sums of one row against every later row of an {@link Orientation},
 * through the inverted index: for row a and each column i it rated (rating
 * x), every row b > a that also rated i (rating y) gets
 * `n += 1, Σxy += x·y, Σx² += x², Σy² += y²` (and `Σx += x, Σy += y` for
 * Pearson). Ratings are the half-star integers 1..10, so every sum is an
 * exact integer.
 *
 * Only rows b > a are visited (each unordered pair once, halving the work);
 * the caller offers the result to both rows. The start of "b > a" in column
 * i's list is `tPos[q] + 1`, precomputed by {@link transposePositions}.
 *
 * Packing (the inner loop is two or three float adds per co-rating): sums
 * share one Float64 slot as `hi · 2^S + lo`, with S chosen so that `lo`
 * (Σxy, Σy², Σy ≤ 100·n) never reaches 2^S and the total stays below 2^53,
 * so the packed value is an exact integer and unpacks exactly.
 * Slots per row b, interleaved so one cache line holds them all:
 * cosine `[n·2^S + Σxy, Σx²·2^S + Σy²]`, Pearson adds `Σx·2^S + Σy` (stride 4).
 *
 * A row's touched rows are found by scanning the accumulator between the
 * smallest and largest b touched (a sequential pass, cheaper than a
 * touched-list branch in the inner loop, which runs ~5·10^11 times on ML-32M
 * users), resetting slots as it goes.
 *
 * The drained pairs are scored (lib/similarity.ts) and offered to both rows'
 * top-K lists (lib/top_k.ts) in the same pass.
 *
 * Time per row: Σ over its columns of the later rows in that column, plus
 * the scanned span. Memory: 16 (cosine) or 32 (Pearson) bytes per row.
 */
import { simKey } from "./neighbor_file.ts";
import type { Orientation } from "./rating_matrix.ts";
import { similarityFromSums, type SimilarityKind } from "./similarity.ts";
import type { TopKLists } from "./top_k.ts";

/**
 * For each entry q of the row orientation (row a, column i), the position of
 * row a in column i's list of the transpose. Rows are visited ascending and
 * column lists are sorted by row, so a running fill pointer per column gives it.
 */
export function transposePositions(o: Orientation, shared = true): Int32Array {
  const { offsets, cols, tOffsets } = o;
  const nnz = cols.length;
  const pos = new Int32Array(shared ? new SharedArrayBuffer(nnz * 4) : new ArrayBuffer(nnz * 4));
  const fill = tOffsets.slice(0, tOffsets.length - 1);
  const rows = offsets.length - 1;
  for (let a = 0; a < rows; a++) {
    const end = offsets[a + 1];
    for (let q = offsets[a]; q < end; q++) pos[q] = fill[cols[q]]++;
  }
  return pos;
}

/** The number of co-rating updates row a causes: its cost in a balanced split. */
export function upperPairCost(o: Orientation, tPos: Int32Array, a: number): number {
  const { offsets, cols, tOffsets } = o;
  let cost = 0;
  const end = offsets[a + 1];
  for (let q = offsets[a]; q < end; q++) cost += tOffsets[cols[q] + 1] - tPos[q] - 1;
  return cost;
}

/** A packed-sum shift S for rows of at most `maxLen` entries: 2^S > 100·maxLen. */
export function packShift(maxLen: number): number {
  let s = 1;
  while (2 ** s <= 100 * maxLen) s++;
  if ((maxLen + 1) * 2 ** s > 2 ** 53) throw new RangeError(`rows too long to pack: ${maxLen}`);
  return s;
}

export class CoRatingSums {
  readonly o: Orientation;
  readonly tPos: Int32Array;
  readonly pearson: boolean;
  /** Co-rating updates done so far (for pairs/s figures). */
  updates = 0;
  /** Pairs (a, b) with at least one co-rating, over all rows scored so far. */
  coRated = 0;
  #acc: Float64Array;
  #scale: number;
  #lo = 0;
  #hi = -1;

  constructor(o: Orientation, tPos: Int32Array, pearson: boolean) {
    this.o = o;
    this.tPos = tPos;
    this.pearson = pearson;
    const rows = o.offsets.length - 1;
    let maxLen = 0;
    for (let a = 0; a < rows; a++) maxLen = Math.max(maxLen, o.offsets[a + 1] - o.offsets[a]);
    this.#scale = 2 ** packShift(maxLen);
    this.#acc = new Float64Array(rows * (pearson ? 4 : 2));
  }

  /** Adds row a's co-ratings with every later row into the accumulator. */
  accumulate(a: number): void {
    const { offsets, cols, ratings, tOffsets, tRows, tRatings } = this.o;
    const tPos = this.tPos, acc = this.#acc, sc = this.#scale;
    let lo = offsets.length, hi = -1, updates = 0;
    for (let q = offsets[a]; q < offsets[a + 1]; q++) {
      const start = tPos[q] + 1;
      const end = tOffsets[cols[q] + 1];
      if (start >= end) continue;
      updates += end - start;
      if (tRows[start] < lo) lo = tRows[start];
      if (tRows[end - 1] > hi) hi = tRows[end - 1];
      const x = ratings[q];
      const c1 = sc, c2 = x * x * sc;
      if (this.pearson) {
        const c3 = x * sc;
        for (let p = start; p < end; p++) {
          const j = tRows[p] << 2, y = tRatings[p];
          acc[j] += c1 + x * y;
          acc[j + 1] += c2 + y * y;
          acc[j + 2] += c3 + y;
        }
      } else {
        for (let p = start; p < end; p++) {
          const j = tRows[p] << 1, y = tRatings[p];
          acc[j] += c1 + x * y;
          acc[j + 1] += c2 + y * y;
        }
      }
    }
    this.#lo = lo;
    this.#hi = hi;
    this.updates += updates;
  }

  /**
   * Drains the sums accumulated for row a (resetting the accumulator): each
   * later row b with at least `minCommon` co-ratings gets
   * `key = simKey(similarityFromSums(...))`, dropped when undefined (NaN),
   * offered to both a's and b's lists. Returns the number of pairs scored.
   */
  score(
    a: number,
    minCommon: number,
    kind: SimilarityKind,
    shrink: number,
    lists: TopKLists,
  ): number {
    const acc = this.#acc, sc = this.#scale, inv = 1 / sc;
    const threshold = lists.threshold;
    const hi = this.#hi;
    let evaluated = 0, coRated = 0;
    // Scoring is fused into the scan (no intermediate pair arrays): on ML-32M
    // users ~2·10^10 pairs pass through here. Offers are pre-checked against
    // the lists' thresholds, which rejects almost all of them with one read.
    if (this.pearson) {
      for (let b = this.#lo; b <= hi; b++) {
        const j = b << 2;
        const v1 = acc[j];
        if (v1 === 0) continue;
        const v2 = acc[j + 1], v3 = acc[j + 2];
        acc[j] = 0;
        acc[j + 1] = 0;
        acc[j + 2] = 0;
        coRated++;
        const n = Math.floor(v1 * inv);
        if (n < minCommon) continue;
        evaluated++;
        const sxx = Math.floor(v2 * inv), sx = Math.floor(v3 * inv);
        const sim = similarityFromSums(
          kind,
          n,
          sx,
          v3 - sx * sc,
          v1 - n * sc,
          sxx,
          v2 - sxx * sc,
          shrink,
        );
        if (sim !== sim) continue;
        const key = simKey(sim);
        if (key >= threshold[a]) lists.offer(a, key, b);
        if (key >= threshold[b]) lists.offer(b, key, a);
      }
    } else {
      for (let b = this.#lo; b <= hi; b++) {
        const j = b << 1;
        const v1 = acc[j];
        if (v1 === 0) continue;
        const v2 = acc[j + 1];
        acc[j] = 0;
        acc[j + 1] = 0;
        coRated++;
        const n = Math.floor(v1 * inv);
        if (n < minCommon) continue;
        evaluated++;
        const sxx = Math.floor(v2 * inv);
        const sim = similarityFromSums(kind, n, 0, 0, v1 - n * sc, sxx, v2 - sxx * sc, shrink);
        if (sim !== sim) continue;
        const key = simKey(sim);
        if (key >= threshold[a]) lists.offer(a, key, b);
        if (key >= threshold[b]) lists.offer(b, key, a);
      }
    }
    this.#hi = -1;
    this.coRated += coRated;
    return evaluated;
  }
}
