/**
 * Bounded top-K selection for many rows at once: each row keeps the K best
 * `(key, nid)` candidates offered to it, where better means a larger integer
 * key, ties broken by the smaller nid. That order is strict for distinct
 * nids, so the kept set depends only on the set of candidates offered, never
 * on the order of the offers: engines that split work arbitrarily (Workers,
 * symmetric pair visits) and then merge lists get identical results.
 *
 * Storage is flat typed arrays (`rows · K` keys and nids, per-row sizes),
 * optionally in `SharedArrayBuffer`s so one thread fills the lists and
 * another reads them. Each row is a binary min-heap (worst candidate at the
 * root); `threshold[row]` mirrors the root key of a full heap, so most
 * rejected offers cost one sequential read (ML-32M users: ~10^10 offers).
 *
 * Offer: O(1) when rejected, O(log K) when kept. Memory: 8·K + 8 bytes per row.
 */

/** A threshold below every key: the heap is not full yet. */
const OPEN = -0x80000000;

export class TopKLists {
  readonly rows: number;
  readonly k: number;
  /** Heap keys, row r at `r·k .. r·k + sizes[r]`. */
  readonly keys: Int32Array;
  /** Heap nids aligned with `keys`. */
  readonly nids: Int32Array;
  readonly sizes: Int32Array;
  /** Root key of a full heap, {@link OPEN} while the heap has room. */
  readonly threshold: Int32Array;

  /** Fresh empty lists (`shared`: in SharedArrayBuffers), or a view over existing buffers. */
  constructor(
    rows: number,
    k: number,
    shared = false,
    arrays?: { keys: Int32Array; nids: Int32Array; sizes: Int32Array; threshold: Int32Array },
  ) {
    this.rows = rows;
    this.k = k;
    if (arrays) {
      ({ keys: this.keys, nids: this.nids, sizes: this.sizes, threshold: this.threshold } = arrays);
      return;
    }
    const i32 = (n: number) =>
      new Int32Array(shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
    this.keys = i32(rows * k);
    this.nids = i32(rows * k);
    this.sizes = i32(rows);
    this.threshold = i32(rows).fill(OPEN);
  }

  /** The typed arrays, to post to a Worker and rebuild there with the constructor. */
  arrays(): { keys: Int32Array; nids: Int32Array; sizes: Int32Array; threshold: Int32Array } {
    return { keys: this.keys, nids: this.nids, sizes: this.sizes, threshold: this.threshold };
  }

  /** Offers candidate `(key, nid)` to `row`; keeps it if it is among the K best so far. */
  offer(row: number, key: number, nid: number): void {
    if (key < this.threshold[row]) return;
    const k = this.k, keys = this.keys, nids = this.nids;
    const base = row * k;
    let size = this.sizes[row];
    let at: number;
    if (size < k) {
      // Sift up from the new leaf: parents worse than the candidate move down.
      at = size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        const pk = keys[base + parent];
        if (pk < key || (pk === key && nids[base + parent] > nid)) break;
        keys[base + at] = pk;
        nids[base + at] = nids[base + parent];
        at = parent;
      }
      this.sizes[row] = size;
    } else {
      const rk = keys[base];
      if (key === rk && nid > nids[base]) return;
      // Replace the root and sift down: the worse child moves up.
      at = 0;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= k) break;
        const r = child + 1;
        if (r < k) {
          const ck = keys[base + child], rk2 = keys[base + r];
          if (rk2 < ck || (rk2 === ck && nids[base + r] > nids[base + child])) child = r;
        }
        const ck = keys[base + child];
        if (key < ck || (key === ck && nid > nids[base + child])) break;
        keys[base + at] = ck;
        nids[base + at] = nids[base + child];
        at = child;
      }
    }
    keys[base + at] = key;
    nids[base + at] = nid;
    if (size === k) this.threshold[row] = keys[base];
  }
}

/** Largest |key| a similarity key can have (|sim| ≤ 1 → |round(sim·10^6)| ≤ 10^6). */
const KEY_BIAS = 1_000_001;

/**
 * Collects row `row`'s candidates from several lists (which saw disjoint
 * offers), orders them by key descending then nid ascending, and writes the
 * best `k` into `outNids`/`outKeys`. Returns how many were written.
 * `scratch` must hold at least `lists.length · k` entries.
 */
export function mergeTopK(
  lists: readonly TopKLists[],
  row: number,
  k: number,
  scratch: Float64Array,
  outNids: Int32Array,
  outKeys: Int32Array,
): number {
  let n = 0;
  for (const l of lists) {
    const base = row * l.k;
    const size = l.sizes[row];
    // One sortable number per entry: (KEY_BIAS − key)·2^31 + nid < 2^52, exact in a double.
    for (let j = 0; j < size; j++) {
      scratch[n++] = (KEY_BIAS - l.keys[base + j]) * 2147483648 + l.nids[base + j];
    }
  }
  const sorted = scratch.subarray(0, n).sort();
  const count = Math.min(k, n);
  for (let j = 0; j < count; j++) {
    const v = sorted[j];
    const hi = Math.floor(v / 2147483648);
    outKeys[j] = KEY_BIAS - hi;
    outNids[j] = v - hi * 2147483648;
  }
  return count;
}
