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
 * {@link selectTopN} runs the bounded heap of lib/top_k.ts: O(C log N) time
 * for C candidates, O(N) memory; with N ≥ C it is a heap sort of all.
 *
 * @example
 * ```ts
 * import { selectTopN, TopN } from "./top_n.ts";
 * const out = new TopN(2);
 * selectTopN(Int32Array.of(4, 1, 2), Float64Array.of(3.5, 4.25, 3.5), 3, 2, out);
 * // out.items[0..2) = [1, 2], out.keys = [4250000, 3500000]
 * ```
 */
import { TopK } from "./top_k.ts";

/** The ranking and printing key of a prediction: `round(p · 10^6)`. */
export function predictionKey(pred: number): number {
  return Math.round(pred * 1e6);
}

/** Reusable buffers for {@link selectTopN}; results in `items/keys[0..count)`, best first. */
export class TopN extends TopK {
  /** Dense item indices of the list (the heap's ids). */
  get items(): Int32Array {
    return this.ids;
  }
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
  out.reset(n > 0 ? Math.min(n, count) : count);
  for (let c = 0; c < count; c++) out.push(predictionKey(preds[c]), candidates[c]);
  out.drain();
}
