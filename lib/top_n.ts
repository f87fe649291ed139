/**
 * Top-N selection of predicted items, the one ranking rule shared by `eval`
 * (ranking metrics) and `predict` (the recommendations file): order by
 * prediction descending, then movieId ascending.
 *
 * Predictions are compared through the integer key
 * `predictionKey(p) = round(p · 10^6)`, the value the recommendations file
 * prints with 6 decimals, so the file is sorted exactly as it reads (two
 * predictions that print alike are a tie, broken by the smaller movieId).
 * Dense item indices ascend with movieId, so the tie-break compares indices.
 *
 * {@link selectTopN} keeps a bounded binary heap of the N best: O(C log N)
 * time for C candidates, O(N) memory; with N ≥ C it is a heap sort of all.
 */

/** The ranking and printing key of a prediction: `round(p · 10^6)`. */
export function predictionKey(pred: number): number {
  return Math.round(pred * 1e6);
}

/** Reusable buffers for {@link selectTopN}; results in `items/keys[0..count)`, best first. */
export class TopN {
  items: Int32Array;
  keys: Int32Array;
  count = 0;
  constructor(capacity: number) {
    this.items = new Int32Array(Math.max(1, capacity));
    this.keys = new Int32Array(Math.max(1, capacity));
  }
  ensure(capacity: number): void {
    if (capacity > this.items.length) {
      this.items = new Int32Array(capacity);
      this.keys = new Int32Array(capacity);
    }
  }
}

/** True when (ka, ia) ranks below (kb, ib). */
function worse(ka: number, ia: number, kb: number, ib: number): boolean {
  return ka < kb || (ka === kb && ia > ib);
}

/**
 * Selects the best `n` of `candidates[0..count)` with predictions
 * `preds[0..count)` into `out` (best first). `n <= 0` selects all.
 */
export function selectTopN(
  candidates: Int32Array,
  preds: Float64Array,
  count: number,
  n: number,
  out: TopN,
): void {
  const cap = n > 0 ? Math.min(n, count) : count;
  out.ensure(cap);
  const hi = out.items, hk = out.keys;
  let size = 0;
  // Min-heap on rank: the root is the worst kept entry.
  for (let c = 0; c < count; c++) {
    const item = candidates[c];
    const key = predictionKey(preds[c]);
    if (size < cap) {
      let at = size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(key, item, hk[parent], hi[parent])) break;
        hi[at] = hi[parent];
        hk[at] = hk[parent];
        at = parent;
      }
      hi[at] = item;
      hk[at] = key;
    } else if (cap > 0 && worse(hk[0], hi[0], key, item)) {
      siftDown(hi, hk, size, 0, key, item);
    }
  }
  // Heap sort in place: repeatedly move the worst to the end → best first.
  for (let end = size - 1; end > 0; end--) {
    const key = hk[end], item = hi[end];
    hi[end] = hi[0];
    hk[end] = hk[0];
    siftDown(hi, hk, end, 0, key, item);
  }
  out.count = size;
}

function siftDown(
  hi: Int32Array,
  hk: Int32Array,
  size: number,
  at: number,
  key: number,
  item: number,
): void {
  for (;;) {
    let child = 2 * at + 1;
    if (child >= size) break;
    if (child + 1 < size && worse(hk[child + 1], hi[child + 1], hk[child], hi[child])) child++;
    if (!worse(hk[child], hi[child], key, item)) break;
    hi[at] = hi[child];
    hk[at] = hk[child];
    at = child;
  }
  hi[at] = item;
  hk[at] = key;
}
