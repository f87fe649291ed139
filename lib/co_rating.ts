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
 * Packing (the inner loop is one to three float adds per co-rating): sums
 * share Float64 slots as `hi · 2^S + lo`, with every field bounded so that it
 * never carries into the next and the total stays below 2^53; the packed
 * value is an exact integer and unpacks exactly. A pair's co-rated count n
 * is at most the length L of row a, and Σxy, Σx², Σy² ≤ 100·n.
 * - Cosine, short row a (2^w > 100·L and (L+1)·2^3w ≤ 2^53, i.e. L ≤ 255):
 *   one slot `((n·2^w + Σx²)·2^w + Σxy)·2^w + Σy²`. With rows labelled by
 *   length (lib/row_order.ts), a is the shorter row of every pair it visits.
 * - Pearson, short row a: that slot and `Σx·2^w + Σy` (Σx, Σy ≤ 10·L),
 *   interleaved per row b; two adds per co-rating instead of three over four
 *   slots (synth scale 0.2, user pearson λ 100: compute 28.0 → 23.1 s).
 * - Otherwise, slots interleaved per row b so one cache line holds them:
 *   `[n·2^S + Σxy, Σx²·2^S + Σy²]`, Pearson adds `Σx·2^S + Σy` (stride 4).
 *
 * A row's touched rows are found by scanning the accumulator between the
 * smallest and largest b touched (a sequential pass, cheaper than a
 * touched-list branch in the inner loop, which runs ~5·10^11 times on ML-32M
 * users), resetting slots as it goes.
 *
 * The drained pairs are scored (lib/similarity.ts) and offered to both rows'
 * top-K lists (lib/top_k.ts) in the same pass, with the other row's ORIGINAL
 * id as nid (so ties break by id whatever the row labels).
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

/**
 * The field width w for packing a row of `len` entries' four cosine sums in
 * one slot (2^w > 100·len, (len+1)·2^3w ≤ 2^53), or 0 when they do not fit.
 */
export function singleSlotShift(len: number): number {
  const w = packShift(len);
  return (len + 1) * 2 ** (3 * w) <= 2 ** 53 ? w : 0;
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
  #single: Float64Array;
  #scale: number;
  /** Field width of the single-slot packing for the current row, 0 when it uses `#acc`. */
  #w = 0;
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
    this.#single = new Float64Array(pearson ? 0 : rows);
  }

  /** Adds row a's co-ratings with every later row into the accumulator. */
  accumulate(a: number): void {
    const { offsets, cols, ratings, tOffsets, tRows, tRatings } = this.o;
    const tPos = this.tPos, sc = this.#scale;
    const w = this.#w = singleSlotShift(offsets[a + 1] - offsets[a]);
    const f1 = 2 ** w, f2 = f1 * f1, f3 = f2 * f1;
    let lo = offsets.length, hi = -1, updates = 0;
    for (let q = offsets[a]; q < offsets[a + 1]; q++) {
      const start = tPos[q] + 1;
      const end = tOffsets[cols[q] + 1];
      if (start >= end) continue;
      updates += end - start;
      if (tRows[start] < lo) lo = tRows[start];
      if (tRows[end - 1] > hi) hi = tRows[end - 1];
      const x = ratings[q];
      if (w > 0 && this.pearson) {
        // [n·f3 + Σx²·f2 + Σxy·f1 + Σy², Σx·f1 + Σy]: with t = x·f1 + y, adds
        // f3 + x²·f2 + y·t and t.
        const acc = this.#acc, c = f3 + x * x * f2, xf = x * f1;
        for (let p = start; p < end; p++) {
          const j = tRows[p] << 1, y = tRatings[p], t = xf + y;
          acc[j] += c + y * t;
          acc[j + 1] += t;
        }
      } else if (w > 0) {
        const single = this.#single;
        // n·f3 + Σx²·f2 + Σxy·f1 + Σy²: adds f3 + x²·f2 + y·(x·f1 + y).
        const c = f3 + x * x * f2, xf = x * f1;
        for (let p = start; p < end; p++) {
          const y = tRatings[p];
          single[tRows[p]] += c + y * (xf + y);
        }
      } else if (this.pearson) {
        const acc = this.#acc, c1 = sc, c2 = x * x * sc, c3 = x * sc;
        for (let p = start; p < end; p++) {
          const j = tRows[p] << 2, y = tRatings[p];
          acc[j] += c1 + x * y;
          acc[j + 1] += c2 + y * y;
          acc[j + 2] += c3 + y;
        }
      } else {
        const acc = this.#acc, c1 = sc, c2 = x * x * sc;
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
    const ids = this.o.rowIds;
    const hi = this.#hi, w = this.#w;
    let evaluated = 0, coRated = 0;
    // Scoring is fused into the scan (no intermediate pair arrays): on ML-32M
    // users ~2·10^10 pairs pass through here. The four loops are one scheme
    // written once per packing, deliberately, so no loop tests the packing per pair.
    if (w > 0 && this.pearson) {
      const acc = this.#acc;
      const f1 = 2 ** w, f2 = f1 * f1, f3 = f2 * f1, i1 = 1 / f1, i2 = 1 / f2, i3 = 1 / f3;
      for (let b = this.#lo; b <= hi; b++) {
        const j = b << 1;
        const v = acc[j];
        if (v === 0) continue;
        const u = acc[j + 1];
        acc[j] = 0;
        acc[j + 1] = 0;
        coRated++;
        const n = Math.floor(v * i3);
        if (n < minCommon) continue;
        evaluated++;
        let r = v - n * f3;
        const sxx = Math.floor(r * i2);
        r -= sxx * f2;
        const sxy = Math.floor(r * i1);
        const sx = Math.floor(u * i1);
        offerPearson(lists, ids, a, b, kind, shrink, n, sx, u - sx * f1, sxy, sxx, r - sxy * f1);
      }
    } else if (w > 0) {
      const single = this.#single;
      const f1 = 2 ** w, f2 = f1 * f1, f3 = f2 * f1, i1 = 1 / f1, i2 = 1 / f2, i3 = 1 / f3;
      for (let b = this.#lo; b <= hi; b++) {
        const v = single[b];
        if (v === 0) continue;
        single[b] = 0;
        coRated++;
        const n = Math.floor(v * i3);
        if (n < minCommon) continue;
        evaluated++;
        let r = v - n * f3;
        const sxx = Math.floor(r * i2);
        r -= sxx * f2;
        const sxy = Math.floor(r * i1);
        offerCosine(lists, ids, a, b, kind, shrink, n, sxy, sxx, r - sxy * f1);
      }
    } else if (this.pearson) {
      const acc = this.#acc, sc = this.#scale, inv = 1 / sc;
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
        offerPearson(
          lists,
          ids,
          a,
          b,
          kind,
          shrink,
          n,
          sx,
          v3 - sx * sc,
          v1 - n * sc,
          sxx,
          v2 - sxx * sc,
        );
      }
    } else {
      const acc = this.#acc, sc = this.#scale, inv = 1 / sc;
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
        offerCosine(lists, ids, a, b, kind, shrink, n, v1 - n * sc, sxx, v2 - sxx * sc);
      }
    }
    this.#hi = -1;
    this.coRated += coRated;
    return evaluated;
  }
}

// Once both lists are full with a worst key t > 1, a pair whose similarity is
// certainly below (t − 1)/10^6 (compared squared, no sqrt; the 1-key margin
// dwarfs rounding error) could enter neither list and is skipped; every other
// pair gets the exact similarityFromSums key. With shrinkage λ the bound is on
// the shrunk similarity sim·n/(n+λ), so the raw one is compared with
// (t − 1)/10^6 · (n+λ)/n (synth scale 0.2, user pearson λ 100: compute
// 23.1 → 20.7 s, the same file).

// The sums travel as separate numbers, like similarityFromSums's parameters:
// no object per pair on this path.
function offerCosine(
  lists: TopKLists,
  ids: Int32Array,
  a: number,
  b: number,
  kind: SimilarityKind,
  shrink: number,
  n: number,
  sxy: number,
  sxx: number,
  syy: number,
): void {
  const threshold = lists.threshold;
  const thrA = threshold[a], thrB = threshold[b];
  const t = thrA < thrB ? thrA : thrB;
  if (t > 1) {
    const f = (t - 1) * 1e-6 * (n + shrink) / n;
    if (sxy <= 0 || sxy * sxy < f * f * sxx * syy) return;
  }
  const sim = similarityFromSums(kind, n, 0, 0, sxy, sxx, syy, shrink);
  if (sim !== sim) return;
  const key = simKey(sim);
  if (key >= thrA) lists.offer(a, key, ids[b]);
  if (key >= thrB) lists.offer(b, key, ids[a]);
}

function offerPearson(
  lists: TopKLists,
  ids: Int32Array,
  a: number,
  b: number,
  kind: SimilarityKind,
  shrink: number,
  n: number,
  sx: number,
  sy: number,
  sxy: number,
  sxx: number,
  syy: number,
): void {
  const threshold = lists.threshold;
  const thrA = threshold[a], thrB = threshold[b];
  const t = thrA < thrB ? thrA : thrB;
  if (t > 1) {
    const num = n * sxy - sx * sy, f = (t - 1) * 1e-6 * (n + shrink) / n;
    if (num <= 0 || num * num < f * f * (n * sxx - sx * sx) * (n * syy - sy * sy)) return;
  }
  const sim = similarityFromSums(kind, n, sx, sy, sxy, sxx, syy, shrink);
  if (sim !== sim) return;
  const key = simKey(sim);
  if (key >= thrA) lists.offer(a, key, ids[b]);
  if (key >= thrB) lists.offer(b, key, ids[a]);
}
