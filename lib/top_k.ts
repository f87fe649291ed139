/**
 * Bounded top-K selection, the one ranking rule of every list in the project:
 * better means a larger score (`key`), ties broken by the smaller id. That
 * order is strict for distinct ids, so the kept set depends only on the set
 * of candidates offered, never on the order of the offers: engines that
 * split work arbitrarily (Workers, symmetric pair visits, MR combiners) and
 * then merge get identical results.
 *
 * Two shapes over the same heap code:
 * - {@link TopK}: one list (a user's top-N, an MR row, a co-occurrence row),
 *   reused across lists; {@link TopK.drain} leaves the entries best first.
 * - {@link TopKLists}: many rows in flat typed arrays (`rows · K` keys and
 *   ids, per-row sizes), optionally in `SharedArrayBuffer`s so one thread
 *   fills the lists and another reads them; `threshold[row]` mirrors the root
 *   key of a full row, so most rejected offers cost one sequential read
 *   (ML-32M users: ~10^10 offers).
 *
 * Each list is a binary min-heap (worst kept entry at the root) over a
 * Float64Array of keys (integer similarity or prediction keys are exact in
 * it, and ranking scores are doubles) and an Int32Array of ids: no object
 * per entry. Keys must not be NaN.
 *
 * Offer: O(1) when rejected by the threshold, O(log K) when kept; drain:
 * O(K log K). Memory: 12·K bytes per list, plus 12 bytes per row of
 * {@link TopKLists} for sizes and thresholds.
 *
 * @example
 * ```ts
 * import { TopK } from "./top_k.ts";
 * const top = new TopK(2);
 * for (const [key, id] of [[5, 7], [9, 3], [5, 1]]) top.push(key, id);
 * const n = top.drain(); // 2: ids [3, 1], keys [9, 5]
 * ```
 */

/** True when entry (ka, ia) ranks below (kb, ib). */
function worse(ka: number, ia: number, kb: number, ib: number): boolean {
  return ka < kb || (ka === kb && ia > ib);
}

/** Puts (key, id) into the heap at `base` whose free leaf is `at`, moving worse parents down. */
function siftUp(
  keys: Float64Array,
  ids: Int32Array,
  base: number,
  at: number,
  key: number,
  id: number,
): void {
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!worse(key, id, keys[base + parent], ids[base + parent])) break;
    keys[base + at] = keys[base + parent];
    ids[base + at] = ids[base + parent];
    at = parent;
  }
  keys[base + at] = key;
  ids[base + at] = id;
}

/** Puts (key, id) at the root of the heap of `size` entries at `base`, moving worse children up. */
function siftDown(
  keys: Float64Array,
  ids: Int32Array,
  base: number,
  size: number,
  key: number,
  id: number,
): void {
  let at = 0;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= size) break;
    const r = child + 1;
    if (r < size && worse(keys[base + r], ids[base + r], keys[base + child], ids[base + child])) {
      child = r;
    }
    if (!worse(keys[base + child], ids[base + child], key, id)) break;
    keys[base + at] = keys[base + child];
    ids[base + at] = ids[base + child];
    at = child;
  }
  keys[base + at] = key;
  ids[base + at] = id;
}

/** One bounded list, reused: {@link reset}, {@link push} candidates, {@link drain}. */
export class TopK {
  /** Keys of the kept entries (a heap while pushing; best first after {@link drain}). */
  keys: Float64Array;
  /** Ids aligned with `keys`. */
  ids: Int32Array;
  /** Entries in the heap. */
  size = 0;
  /** Entries kept at most (0 keeps none). */
  limit: number;
  /** Entries left best first in `keys/ids[0..count)` by the last {@link drain}. */
  count = 0;
  /** The worst kept key once the list is full, −Infinity before. */
  threshold = -Infinity;

  constructor(limit: number) {
    this.limit = limit;
    this.keys = new Float64Array(Math.max(1, limit));
    this.ids = new Int32Array(Math.max(1, limit));
  }

  /** Empties the list and bounds it at `limit` entries, growing the buffers when needed. */
  reset(limit: number): void {
    if (limit > this.keys.length) {
      this.keys = new Float64Array(limit);
      this.ids = new Int32Array(limit);
    }
    this.limit = limit;
    this.size = 0;
    this.threshold = -Infinity;
  }

  /** Offers candidate (key, id); kept if among the `limit` best so far. */
  push(key: number, id: number): void {
    // Most candidates fall below a full list's worst key: one field read rejects them.
    if (key < this.threshold) return;
    const size = this.size, keys = this.keys, ids = this.ids;
    if (size < this.limit) {
      siftUp(keys, ids, 0, size, key, id);
      this.size = size + 1;
      if (size + 1 < this.limit) return;
    } else if (size > 0 && worse(keys[0], ids[0], key, id)) {
      siftDown(keys, ids, 0, size, key, id);
    } else return;
    this.threshold = keys[0];
  }

  /**
   * Orders the kept entries best first (key descending, id ascending) in
   * `keys/ids[0..count)` and empties the heap; returns `count`.
   */
  drain(): number {
    const keys = this.keys, ids = this.ids;
    // Heap sort in place: the worst goes to the end, repeatedly.
    for (let end = this.size - 1; end > 0; end--) {
      const key = keys[end], id = ids[end];
      keys[end] = keys[0];
      ids[end] = ids[0];
      siftDown(keys, ids, 0, end, key, id);
    }
    this.count = this.size;
    this.size = 0;
    this.threshold = -Infinity;
    return this.count;
  }
}

/** The threshold of a row whose heap has room: below every key. */
const OPEN = -Infinity;

/** The typed arrays of a {@link TopKLists}, as posted to a Worker. */
export interface TopKArrays {
  keys: Float64Array;
  ids: Int32Array;
  sizes: Int32Array;
  threshold: Float64Array;
}

/** K best candidates for each of many rows, in flat (optionally shared) typed arrays. */
export class TopKLists {
  readonly rows: number;
  readonly k: number;
  /** Heap keys, row r at `r·k .. r·k + sizes[r]`. */
  readonly keys: Float64Array;
  /** Heap ids aligned with `keys`. */
  readonly ids: Int32Array;
  readonly sizes: Int32Array;
  /** Root key of a full heap, −Infinity while the heap has room. */
  readonly threshold: Float64Array;

  /** Fresh empty lists (`shared`: in SharedArrayBuffers), or a view over existing arrays. */
  constructor(rows: number, k: number, shared = false, arrays?: TopKArrays) {
    this.rows = rows;
    this.k = k;
    if (arrays) {
      ({ keys: this.keys, ids: this.ids, sizes: this.sizes, threshold: this.threshold } = arrays);
      return;
    }
    const buffer = (bytes: number) =>
      shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    this.keys = new Float64Array(buffer(rows * k * 8));
    this.ids = new Int32Array(buffer(rows * k * 4));
    this.sizes = new Int32Array(buffer(rows * 4));
    this.threshold = new Float64Array(buffer(rows * 8)).fill(OPEN);
  }

  /** The typed arrays, to post to a Worker and rebuild there with the constructor. */
  arrays(): TopKArrays {
    return { keys: this.keys, ids: this.ids, sizes: this.sizes, threshold: this.threshold };
  }

  /** Offers candidate (key, id) to `row`; kept if among the K best so far. */
  offer(row: number, key: number, id: number): void {
    if (key < this.threshold[row]) return;
    const k = this.k, keys = this.keys, ids = this.ids, base = row * k;
    const size = this.sizes[row];
    if (size < k) {
      siftUp(keys, ids, base, size, key, id);
      this.sizes[row] = size + 1;
      if (size + 1 < k) return;
    } else if (worse(keys[base], ids[base], key, id)) {
      siftDown(keys, ids, base, k, key, id);
    } else return;
    this.threshold[row] = keys[base];
  }
}

/** Largest |key| a similarity key can have (|sim| ≤ 1 → |round(sim·10^6)| ≤ 10^6). */
const KEY_BIAS = 1_000_001;

/**
 * Collects row `row`'s candidates from several lists (which saw disjoint
 * offers), orders them by key descending then id ascending, and writes the
 * best `k` into `outIds`/`outKeys`. Returns how many were written. Keys
 * must be integers in ±10^6 (similarity keys, lib/neighbor_file.ts).
 * `scratch` must hold at least `lists.length · k` entries.
 */
export function mergeTopK(
  lists: readonly TopKLists[],
  row: number,
  k: number,
  scratch: Float64Array,
  outIds: Int32Array,
  outKeys: Int32Array,
): number {
  let n = 0;
  for (const l of lists) {
    const base = row * l.k;
    const size = l.sizes[row];
    // One sortable number per entry: (KEY_BIAS − key)·2^31 + id < 2^52, exact in a double.
    for (let j = 0; j < size; j++) {
      scratch[n++] = (KEY_BIAS - l.keys[base + j]) * 2147483648 + l.ids[base + j];
    }
  }
  const sorted = scratch.subarray(0, n).sort();
  const count = Math.min(k, n);
  for (let j = 0; j < count; j++) {
    const v = sorted[j];
    const hi = Math.floor(v / 2147483648);
    outKeys[j] = KEY_BIAS - hi;
    outIds[j] = v - hi * 2147483648;
  }
  return count;
}
