/**
 * Which rows a neighborhood model pairs: `"user"` (user–user, rows are users,
 * `user_topk_neighbors.txt`) or `"item"` (item–item, rows are movies,
 * `item_topk_neighbors.txt`). The one definition of that choice, used by the
 * neighbor engines, the MR jobs, the seed's predictors and the store.
 *
 * @example
 * ```ts
 * import { MODES, parseMode } from "./mode.ts";
 * for (const mode of MODES) console.log(parseMode(mode)); // "user", "item"
 * ```
 */

/** The two modes, user first (the order every listing uses). */
export const MODES = ["user", "item"] as const;

/** User–user or item–item. */
export type Mode = typeof MODES[number];

/** `value` as a Mode; throws RangeError naming `what` when it is neither. */
export function parseMode(value: string, what = "mode"): Mode {
  if (value === "user" || value === "item") return value;
  throw new RangeError(`${what} must be user or item, got '${value}'`);
}
