/**
 * The model flags `eval` and `predict` share: `--train`, `--neighbors`, and
 * the resolution of a classic `--model` (user-cosine, item-cosine) with its
 * neighbor file. lib/models/ holds the models and no CLI code; this is the
 * CLI side of them.
 */
import { UsageError } from "./command.ts";
import type { Mode } from "./mode.ts";
import { CLASSIC_MODEL_NAMES } from "./models/classic_data.ts";

/** The `--train` flag of `eval` and `predict`: the ratings every model, classic or not, is fit on. */
export const TRAIN_FLAG = {
  type: "string",
  required: true,
  arg: "<file>",
  doc: "training ratings file",
} as const;

/** The `--neighbors` flag of `eval` and `predict`: the neighbor file a classic `--model` reads. */
export const CLASSIC_NEIGHBORS_FLAG = {
  type: "string",
  arg: "<file>",
  doc: "neighbor file of a classic --model",
} as const;

/**
 * The classic model `name` names with its neighbor file (`--neighbors`), or
 * null when `name` is not a classic model; a classic model without a
 * neighbor file is a UsageError.
 */
export function classicModelOf(
  name: string,
  neighbors: string | undefined,
): { model: Mode; neighbors: string } | null {
  const model = CLASSIC_MODEL_NAMES[name];
  if (!model) return null;
  if (!neighbors) throw new UsageError(`--model ${name} needs --neighbors <file>`, "--neighbors");
  return { model, neighbors };
}
