/**
 * Which rows a neighborhood model pairs: `"user"` (user–user, rows are users,
 * `user_topk_neighbors.txt`) or `"item"` (item–item, rows are movies,
 * `item_topk_neighbors.txt`). The one definition of that choice, used by the
 * neighbor engines, the MR jobs, the classic predictors and the store.
 *
 * @example
 * ```ts
 * import { type Mode, MODES } from "./mode.ts";
 * const files = MODES.map((mode: Mode) => `${mode}_topk_neighbors.txt`);
 * ```
 */

/** The two modes, user first (the order every listing uses). */
export const MODES = ["user", "item"] as const;

/** User–user or item–item. */
export type Mode = typeof MODES[number];
