/**
 * How the project prints a metric for people (terminal tables, HTML
 * reports): a fixed number of decimals, or a share as a percentage, and
 * "n/a" for a value that is not a finite number (NaN when nothing was
 * counted, e.g. the coverage of an empty test set). O(1) per value.
 *
 * @example
 * ```ts
 * import { fixedOrNa, percentOrNa } from "./number_format.ts";
 * fixedOrNa(0.87654, 4); // "0.8765"
 * percentOrNa(0.5, 1); // "50.0 %"
 * percentOrNa(NaN, 2); // "n/a"
 * ```
 */

/** `x` with `digits` decimals, or "n/a" when `x` is NaN or infinite. */
export function fixedOrNa(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "n/a";
}

/** The share `x` (1 = all) as a percentage with `digits` decimals and " %", or "n/a" when not finite. */
export function percentOrNa(x: number, digits: number): string {
  return Number.isFinite(x) ? (x * 100).toFixed(digits) + " %" : "n/a";
}
